from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .chart import RESOURCES
from .selectors import board_for_user, day_view_for_user


@login_required
def day_view(request: HttpRequest, session_id: int) -> HttpResponse:
    view = day_view_for_user(request.user, session_id, rows=request.GET.get("rows", RESOURCES),
                             printing=request.GET.get("print") == "1")
    return render(request, "board/day_view.html", {"view": view})


@login_required
def board(request: HttpRequest, session_id: int) -> HttpResponse:
    return render(request, "board/board.html", {"board": board_for_user(request.user, session_id)})

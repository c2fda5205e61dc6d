from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mammapoli.clinics.selectors import memberships_for_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"memberships": memberships_for_user(request.user)})

"""The letter's PDF for the clinic team (the roles that read findings), logged as a print."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from mammapoli.audit.models import Action

from .selectors import letter_for_user


@login_required
@require_GET
def gp_letter_pdf(request: HttpRequest, letter_id: int) -> HttpResponse:
    letter = letter_for_user(request.user, letter_id, what="GP letter PDF", action=Action.PRINT)
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="brief-huisarts-{letter.visit.code}-v{letter.version}.pdf"'
    return response

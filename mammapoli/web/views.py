from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mammapoli.clinics.models import Role
from mammapoli.clinics.selectors import memberships_for_user
from mammapoli.clinics.roles import CLINICAL_ROLES


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = list(memberships_for_user(request.user))
    roles = {membership.role for membership in memberships}
    return render(request, "web/home.html", {
        "memberships": memberships, "in_a_team": bool(roles), "reads_findings": bool(roles & CLINICAL_ROLES),
        "privacy_officer": Role.PRIVACY_OFFICER in roles,
    })

"""The top navigation: what this user's roles can open, on every page."""

from django.http import HttpRequest

from mammapoli.clinics.models import Resource, Role
from mammapoli.clinics.selectors import memberships_for_user
from mammapoli.clinics.roles import CLINICAL_ROLES
from mammapoli.records.patient_search import SEARCH_ROLES


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = {membership.role for membership in memberships_for_user(user)}
    return {"nav": {
        "in_a_team": bool(roles), "plans": Role.PLANNER in roles, "reads_findings": bool(roles & CLINICAL_ROLES),
        "privacy_officer": Role.PRIVACY_OFFICER in roles, "searches": bool(roles & SEARCH_ROLES),
        "on_the_plan": Resource.objects.filter(staff_member__user=user).exists(),
    }}

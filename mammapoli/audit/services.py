"""Writing the access log. One row per event and per patient concerned."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from mammapoli.clinics.models import StaffMember

from .context import client_address
from .models import AccessEvent, Action, Outcome


def access_event_record(
    *,
    user: AbstractBaseUser | AnonymousUser,
    action: Action,
    what: str,
    outcome: Outcome = Outcome.ALLOWED,
    role: str = "",
    clinic_id: int | None = None,
    patient_id: int | None = None,
    visit_id: int | None = None,
    detail: str = "",
) -> AccessEvent:
    return AccessEvent.objects.create(**_fields(user, action, what, outcome, role, clinic_id, detail),
                                      patient_id=patient_id, visit_id=visit_id)


def access_events_record_many(
    *,
    user: AbstractBaseUser | AnonymousUser,
    action: Action,
    what: str,
    subjects: Iterable[tuple[int, int | None]],
    role: str = "",
    clinic_id: int | None = None,
    detail: str = "",
) -> int:
    """A list or search that showed several patients: a row per (patient id, visit id)."""
    fields = _fields(user, action, what, Outcome.ALLOWED, role, clinic_id, detail)
    rows = [AccessEvent(**fields, patient_id=patient_id, visit_id=visit_id) for patient_id, visit_id in subjects]
    AccessEvent.objects.bulk_create(rows)
    return len(rows)


def _fields(user, action, what, outcome, role, clinic_id, detail) -> dict:
    authenticated = bool(user and user.is_authenticated)
    if not role and authenticated and clinic_id is not None:
        role = _role_in(user, clinic_id)
    return {
        "user_id": user.pk if authenticated else None,
        "username": user.get_username() if authenticated else "",
        "action": action, "what": what[:100], "outcome": outcome, "role": role, "clinic_id": clinic_id,
        "address": client_address.get(), "detail": detail[:300],
    }


def _role_in(user: AbstractBaseUser, clinic_id: int) -> str:
    """The user's role in the clinic, for a row whose writer did not say it (every row has one
    when the user is in the clinic's team)."""
    return StaffMember.objects.filter(user_id=user.pk, clinic_id=clinic_id).values_list("role", flat=True).first() or ""

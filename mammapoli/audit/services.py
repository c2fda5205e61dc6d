"""Writing the access log. One row per event and per patient concerned; the same read again
within the repeat window adds to its row (models.REPEAT_WINDOW)."""

from collections import Counter
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from mammapoli.clinics.models import StaffMember

from .context import client_address
from .models import REPEAT_WINDOW, REPEATABLE_ACTIONS, AccessEvent, Action, Outcome


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
    fields = _fields(user, action, what, outcome, role, clinic_id, detail)
    now = timezone.now()
    if _repeatable(fields):
        row = _recent(fields, now).filter(patient_id=patient_id, visit_id=visit_id).order_by("-at").first()
        if row is not None and AccessEvent.objects.filter(pk=row.pk).add_repeats(1, now):
            row.count += 1
            row.last_at = now
            return row
    return AccessEvent.objects.create(**fields, patient_id=patient_id, visit_id=visit_id, at=now, last_at=now)


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
    """A list or search that showed several patients: a row per (patient id, visit id), or one
    more on the row of the same read within the repeat window. Returns the reads recorded."""
    fields = _fields(user, action, what, Outcome.ALLOWED, role, clinic_id, detail)
    shown = Counter(subjects)
    if not shown:
        return 0
    now = timezone.now()
    # No transaction of its own (the caller's, if any): two requests at the same instant may
    # each write a row, which keeps every read and costs one row more.
    repeated: dict[tuple[int, int | None], int] = {}
    if _repeatable(fields):
        patient_ids = {patient_id for patient_id, _visit_id in shown}
        for row_id, patient_id, visit_id in (_recent(fields, now).filter(patient_id__in=patient_ids)
                                             .order_by("at").values_list("id", "patient_id", "visit_id")):
            if (patient_id, visit_id) in shown:
                repeated[(patient_id, visit_id)] = row_id  # the newest row of the window wins
    by_times: dict[int, list[int]] = {}
    for subject, row_id in repeated.items():
        by_times.setdefault(shown[subject], []).append(row_id)
    for times, row_ids in by_times.items():
        AccessEvent.objects.filter(pk__in=row_ids).add_repeats(times, now)
    new = [AccessEvent(**fields, patient_id=patient_id, visit_id=visit_id, at=now, last_at=now, count=times)
           for (patient_id, visit_id), times in shown.items() if (patient_id, visit_id) not in repeated]
    if new:
        AccessEvent.objects.bulk_create(new)
    return sum(shown.values())


def _repeatable(fields: dict) -> bool:
    return fields["user_id"] is not None and fields["outcome"] == Outcome.ALLOWED and fields[
        "action"] in REPEATABLE_ACTIONS


def _recent(fields: dict, now):
    """Rows of the same read (every field alike) whose window is still open at `now`."""
    return AccessEvent.objects.filter(**fields, at__gt=now - REPEAT_WINDOW, last_at__lte=now)


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

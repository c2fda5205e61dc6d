"""The morning's version: what the engine sees of a morning, counted.

Every service that changes what the engine would see of a morning (`adapter.session_problem`:
bookings, cancellations and rebookings, the events of the day and "now", absences, a published
plan) calls `morning_changed` in its own transaction; an imported morning and the admin's edits
(the clinic's set-up, a visit by hand) call `sessions_changed` / `clinic_mornings_changed`. A plan job keeps the version it saw; its proposal can be published only while the
morning is still at that version (no need to rebuild the morning to compare).
"""

from django.db.models import F

from mammapoli.planning.models import ClinicSession, Plan, PlanStatus


def morning_changed(*, session: ClinicSession) -> int:
    """One morning moved on: its version goes up and its open proposals can no longer be
    published. Returns the new version (also set on `session`)."""
    ClinicSession.objects.filter(pk=session.pk).update(version=F("version") + 1)
    session.version = ClinicSession.objects.values_list("version", flat=True).get(pk=session.pk)
    Plan.objects.filter(session=session, status=PlanStatus.PROPOSED).update(status=PlanStatus.STALE)
    return session.version


def sessions_changed(*, session_ids: list[int]) -> int:
    """Mornings changed outside the planning services (an edit in the admin, an imported file):
    their versions go up, so an open proposal is refused when someone tries to publish it
    (`StaleProposal`) and its diff says it is stale. Returns how many mornings."""
    return ClinicSession.objects.filter(pk__in=session_ids).update(version=F("version") + 1)


def clinic_mornings_changed(*, clinic_id: int) -> int:
    """The clinic's set-up changed (its resources, hours, pathways, notice): every morning of it
    moved on. Returns how many mornings."""
    return sessions_changed(session_ids=list(ClinicSession.objects.filter(clinic_id=clinic_id)
                                             .values_list("pk", flat=True)))

"""A morning's patients are read only through `session_for_user` (as `visit_for_user` for one visit).

It checks that the user is in the session's clinic team and writes the access log: one row
per patient shown, or one refused row. Outside the team the answer is "not found", so the
morning's existence is not revealed.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch
from django.http import Http404

from mammapoli.audit.models import Action, Outcome
from mammapoli.audit.services import access_event_record, access_events_record_many
from mammapoli.clinics.models import StaffMember, StepPrecedence
from mammapoli.planning.models import ClinicSession, Visit, VisitStatus, VisitStep, VisitStepResource
from mammapoli.records.access import membership_for


class SessionNotFound(Http404):
    """No such morning, or not one of the user's clinics."""


@dataclass(frozen=True)
class SessionAccess:
    session: ClinicSession
    membership: StaffMember
    visits: list[Visit]


def _visits_shown(session: ClinicSession) -> list[Visit]:
    """Every visit of the morning except cancelled ones, with its steps, lags and resources."""
    steps = VisitStep.objects.select_related("step").prefetch_related(
        Prefetch("allocations",
                 queryset=VisitStepResource.objects.select_related("resource").order_by("phase", "position")),
        Prefetch("step__predecessors", queryset=StepPrecedence.objects.select_related("after")),
    )
    return list(
        Visit.objects.filter(session=session).exclude(status=VisitStatus.CANCELLED)
        .select_related("patient", "pathway").prefetch_related(Prefetch("steps", queryset=steps))
        .order_by("code")
    )


def session_for_user(
    user: AbstractBaseUser | AnonymousUser, session_id: int, *, what: str, action: Action = Action.LIST,
) -> SessionAccess:
    """The morning and the visits shown on it, if `user` is in its clinic's team. Logs the access."""
    session = ClinicSession.objects.select_related("clinic").filter(pk=session_id).first()
    membership = membership_for(user, session.clinic_id) if session else None
    if session is None or membership is None:
        access_event_record(
            user=user, action=action, what=what, outcome=Outcome.DENIED,
            clinic_id=session.clinic_id if session else None,
            detail=f"session={session_id}: " + ("not in the clinic team" if session else "no such session"),
        )
        raise SessionNotFound(session_id)
    visits = _visits_shown(session)
    access_events_record_many(
        user=user, action=action, what=what, subjects=[(visit.patient_id, visit.pk) for visit in visits],
        role=membership.role, clinic_id=session.clinic_id,
        detail=f"session={session.pk} date={session.date.isoformat()}",
    )
    return SessionAccess(session=session, membership=membership, visits=visits)

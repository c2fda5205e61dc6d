"""A morning's patients are read only through `session_for_user` (as `visit_for_user` for one visit).

The team check is `records.access.session_checked` (outside the team "not found", so the
morning's existence is not revealed; one refused row); this writes one access-log row per
patient shown.
"""

from dataclasses import dataclass

from django import forms
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch

from mammapoli.audit.models import Action
from mammapoli.audit.services import access_events_record_many
from mammapoli.clinics.models import StaffMember, StepPrecedence
from mammapoli.planning.models import ClinicSession, Visit, VisitStatus, VisitStep, VisitStepResource
from mammapoli.records.access import SessionAccess, session_checked


@dataclass(frozen=True)
class MorningAccess:
    session: ClinicSession
    membership: StaffMember
    visits: list[Visit]


def visits_shown(session: ClinicSession) -> list[Visit]:
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
) -> MorningAccess:
    """The morning and the visits shown on it, if `user` is in its clinic's team (the check of
    `records.access`). Logs each patient shown."""
    access = session_checked(user, session_id, action=action, what=what)
    session = access.session
    visits = visits_shown(session)
    access_events_record_many(
        user=user, action=action, what=what, subjects=[(visit.patient_id, visit.pk) for visit in visits],
        role=access.role, clinic_id=session.clinic_id, detail=f"session={session.pk} date={session.date.isoformat()}",
    )
    return MorningAccess(session=session, membership=access.membership, visits=visits)


def form_patients_record(*, user: AbstractBaseUser | AnonymousUser, access: SessionAccess, form: forms.Form,
                         what: str) -> None:
    """A morning's form that offers visits to choose from (the hand-over's "patient") names
    those patients: a row for each, as a list."""
    offered = [(visit.patient_id, visit.pk) for field in form.fields.values()
               if isinstance(field, forms.ModelChoiceField) and field.queryset.model is Visit
               for visit in field.queryset]
    if offered:
        session = access.session
        access_events_record_many(user=user, action=Action.LIST, what=what, subjects=offered, role=access.role,
                                  clinic_id=session.clinic_id,
                                  detail=f"session={session.pk} date={session.date.isoformat()}")

"""A specialist's own morning: the steps on her resources today, in order, each with where the
patient is now (the board's words) and her form one click away.

Her resources are the ones that are her (`planning.permissions.own_resources`): a step is
hers when it holds one of them (the actual resources once it started, the planned ones
before). Steps she has finished drop off; one under way comes first. Only the patients shown
are logged (LIST, one row each).
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from mammapoli.audit.models import Action
from mammapoli.audit.services import access_events_record_many
from mammapoli.clinics.models import StaffMember
from mammapoli.clinics.roles import CLINICAL_ROLES
from mammapoli.planning.access import session_checked, visits_shown
from mammapoli.planning.models import ClinicSession
from mammapoli.planning.permissions import own_resources

from .board import BoardEntry, board_entry
from .facts import StepFact, VisitFact, morning_facts
from .timeline import effective_resources, effective_span


@dataclass(frozen=True)
class MyStep:
    session: ClinicSession
    visit: VisitFact
    step: StepFact
    start: int | None
    end: int | None
    resources: tuple[str, ...]  # hers among the step's
    entry: BoardEntry  # where the patient is now
    form: bool  # she reads findings: the form link

    @property
    def running(self) -> bool:
        return self.step.running


@dataclass(frozen=True)
class MyMorning:
    day: dt.date
    steps: tuple[MyStep, ...]
    has_resources: bool  # she is a resource of some clinic at all
    sessions: tuple[ClinicSession, ...]


def my_next_patients(user: AbstractBaseUser | AnonymousUser, *, day: dt.date | None = None,
                     clock: dt.datetime | None = None) -> MyMorning:
    """The steps on the user's own resources on `day` (default today), in order."""
    day = day or timezone.localdate()
    clock = clock or timezone.now()
    members = (list(StaffMember.objects.filter(user=user).select_related("clinic"))
               if user.is_authenticated else [])
    steps: list[MyStep] = []
    sessions, has_resources = [], False
    for member in members:
        own = frozenset(own_resources(member).values_list("code", flat=True))
        has_resources = has_resources or bool(own)
        session = ClinicSession.objects.filter(clinic_id=member.clinic_id, date=day).first() if own else None
        if session is None:
            continue
        session = session_checked(user, session.pk, what="my next patients").session
        sessions.append(session)
        morning = morning_facts(session, visits_shown(session), clock=clock)
        mine = []
        for visit in morning.visits:
            for step in visit.steps:
                held = tuple(code for code in effective_resources(step) if code in own)
                span = effective_span(step, morning.now)
                if held and not step.done:
                    mine.append(MyStep(session=session, visit=visit, step=step, start=span[0] if span else None,
                                       end=span[1] if span else None, resources=held,
                                       entry=board_entry(visit, morning), form=member.role in CLINICAL_ROLES))
        steps += mine
        shown = {(s.visit.patient_id, s.visit.visit_id) for s in mine}
        if shown:
            access_events_record_many(user=user, action=Action.LIST, what="my next patients", subjects=sorted(shown),
                                      role=member.role, clinic_id=member.clinic_id,
                                      detail=f"session={session.pk} date={day.isoformat()}")
    steps.sort(key=lambda s: (not s.running, s.start if s.start is not None else 10**6, s.visit.code))
    return MyMorning(day=day, steps=tuple(steps), has_resources=has_resources, sessions=tuple(sessions))

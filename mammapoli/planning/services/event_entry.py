"""Events as the board and the API send them: codes looked up, who may enter what checked,
then the event's service. One call per request, inside the caller's write attempt
(`planning.access.visit_attempt`, `session_attempt`), which logs the outcome it had."""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from mammapoli.clinics.models import Resource
from mammapoli.clinics.selectors import active_pathway
from mammapoli.planning.models import ClinicSession, VisitStep
from mammapoli.planning.permissions import PLANNERS, may_record_step, may_switch_pathway
from mammapoli.planning.access import SessionAccess, VisitAccess
from mammapoli.records.errors import PatientDataForbidden
from mammapoli.records.patient_services import patient_get_or_create

from . import events
from .events import EventOutcome


class EventType:
    ARRIVED = "arrived"
    STEP_STARTED = "step_started"
    STEP_FINISHED = "step_finished"
    NO_SHOW = "no_show"
    PATHWAY_SWITCHED = "pathway_switched"
    LEFT = "left"
    ALL = (ARRIVED, STEP_STARTED, STEP_FINISHED, NO_SHOW, PATHWAY_SWITCHED, LEFT)


#: Events about the whole visit that only a planner enters.
PLANNER_EVENTS = {EventType.ARRIVED: events.visit_arrive, EventType.NO_SHOW: events.visit_no_show,
                   EventType.LEFT: events.visit_leave}


class NotYourStep(PatientDataForbidden):
    """In the team, in a role that enters events, but this step (or pathway switch) is not hers."""

    log_detail = "not the user's step"


def _not_yours() -> NotYourStep:
    return NotYourStep(_("Only a planner, or whoever does this step, enters this event."))


def _visit_step(access: VisitAccess, step_code: str | None) -> VisitStep:
    if not step_code:
        raise ValidationError({"step": _("Name the step.")})
    visit_step = (VisitStep.objects.select_related("visit__session", "step").prefetch_related("allocations")
                  .filter(visit=access.visit, step__code=step_code).first())
    if visit_step is None:
        raise ValidationError({"step": _("%(step)s is not a step of this visit's pathway.") % {"step": step_code}})
    return visit_step


def _resources(clinic_id: int, codes: list[str] | None) -> list[Resource] | None:
    if codes is None:
        return None
    found = {r.code: r for r in Resource.objects.filter(clinic_id=clinic_id, code__in=codes).select_related("kind")}
    missing = [code for code in codes if code not in found]
    if missing:
        raise ValidationError({"resources": _("Unknown resource: %(codes)s.") % {"codes": ", ".join(missing)}})
    return [found[code] for code in codes]


def visit_event_enter(
    *,
    user: AbstractBaseUser,
    access: VisitAccess,
    type: str,
    at: dt.datetime | None = None,
    step: str | None = None,
    resources: list[str] | None = None,
    pathway: str | None = None,
) -> EventOutcome:
    """Record an event of `access.visit` and start the re-plan."""
    at = at or timezone.now()
    clinic_id = access.visit.session.clinic_id
    if type in PLANNER_EVENTS:
        if access.role not in PLANNERS:
            raise _not_yours()
        return PLANNER_EVENTS[type](user=user, visit=access.visit, at=at)
    if type in (EventType.STEP_STARTED, EventType.STEP_FINISHED):
        visit_step = _visit_step(access, step)
        chosen = _resources(clinic_id, resources)
        if not may_record_step(access.membership, visit_step, chosen):
            raise _not_yours()
        if type == EventType.STEP_STARTED:
            return events.step_start(user=user, visit_step=visit_step, at=at, resources=chosen)
        return events.step_finish(user=user, visit_step=visit_step, at=at)
    if type == EventType.PATHWAY_SWITCHED:
        target = active_pathway(clinic_id, pathway)
        if not may_switch_pathway(access.membership, access.visit):
            raise _not_yours()
        return events.visit_switch_pathway(user=user, visit=access.visit, pathway=target, at=at)
    raise ValidationError({"type": _("Unknown event type.")})


def walk_in_enter(
    *, user: AbstractBaseUser, access: SessionAccess, patient: dict, pathway: str, priority: int = 1,
    at: dt.datetime | None = None,
) -> EventOutcome:
    """A walk-in as the planner types her in: the patient (found or new) and her pathway.
    Nothing is left of a refused one (the caller's attempt is one transaction)."""
    chosen = active_pathway(access.session.clinic_id, pathway)
    found = patient_get_or_create(clinic=access.session.clinic, **patient)
    return events.walk_in_add(user=user, session=access.session, patient=found, pathway=chosen, priority=priority,
                              at=at or timezone.now())


def resource_unavailable_enter(
    *, user: AbstractBaseUser, resource: Resource, at: dt.datetime | None = None,
    until: dt.datetime | None = None, reason: str = "", session: ClinicSession | None = None,
) -> EventOutcome:
    """`resource` is away from `at` on `session` (default: the morning of `at`'s day)."""
    at = at or timezone.now()
    if session is None:
        day = timezone.localtime(at).date()
        session = ClinicSession.objects.filter(clinic_id=resource.clinic_id, date=day).first()
        if session is None:
            raise ValidationError({"at": _("The clinic holds no morning on %(date)s.") % {"date": formats.date_format(day, "DATE_FORMAT")}})
    return events.resource_unavailable_from(user=user, session=session, resource=resource, at=at, until=until,
                                            reason=reason)

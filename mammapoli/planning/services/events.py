"""The events of the day, each followed by a re-plan of the rest of the morning.

Every event takes the morning's row lock, refuses what breaks a rule (nothing written,
`ValidationError` naming the field), records what happened, moves the morning's "now" to
the event's time, makes open proposals stale, and starts a re-plan job: what happened is
`fixed`, the published plan is the `reference`, so the engine moves few patients by little.
The job runs when the transaction commits (eagerly without a broker, so the answer carries
the finished re-plan).
"""

import copy
import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mammapoli.audit.models import Action
from mammapoli.audit.services import access_event_record
from mammapoli.clinics.models import AvailabilityException, ExceptionKind, Pathway, Resource
from mammapoli.planning.adapter import session_problem
from mammapoli.planning.clock import clinic_zone, hhmm, minutes_on
from mammapoli.planning.clock import clock as minutes_clock
from mammapoli.planning.engine import pathway_earliest_end
from mammapoli.planning.models import (
    ACTIVE_VISIT_STATUSES,
    AllocationPhase,
    ClinicSession,
    PlanJob,
    PlanTrigger,
    ResourceBooking,
    Visit,
    VisitStatus,
    VisitStep,
    VisitStepResource,
)
from mammapoli.planning.step_rules import (
    actual_resources,
    at_problems,
    planned_resources,
    resources_problems,
    start_problems,
)
from mammapoli.records.models import Patient
from mammapoli.records.services import visit_form_ensure

from mammapoli.clinics.names import label

from .booking import visit_code_next
from .bookings import planned_resources_write
from .jobs import plan_job_start
from .versions import morning_changed


@dataclass(frozen=True)
class EventOutcome:
    """What an event changed, and the re-plan it started."""

    job: PlanJob
    visit: Visit | None = None


def _minute(at: dt.datetime) -> dt.datetime:
    return at.replace(second=0, microsecond=0)


def _lock(session_id: int) -> ClinicSession:
    return ClinicSession.objects.select_for_update().select_related("clinic").get(pk=session_id)


def _refuse_if(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationError(problems)


def _replan(*, user, session: ClinicSession, at: dt.datetime, trigger: str, detail: str) -> PlanJob:
    """Move "now" to `at` (never back; not at all when `at` is not on the morning's date),
    retire open proposals, start the re-plan."""
    local = at.astimezone(clinic_zone())
    clock = max(local.time().replace(second=0, microsecond=0), session.start)
    if local.date() == session.date and (session.state_at is None or clock > session.state_at):
        session.state_at = clock
        session.save(update_fields=["state_at"])
    morning_changed(session=session)
    return plan_job_start(user=user, session=session, trigger=trigger, trigger_detail=detail)


def _log(user, visit: Visit, what: str) -> None:
    if user is not None:
        access_event_record(user=user, action=Action.WRITE, what=what, patient_id=visit.patient_id,
                            visit_id=visit.pk, clinic_id=visit.session.clinic_id)


def visit_locked(visit: Visit) -> tuple[ClinicSession, Visit]:
    session = _lock(visit.session_id)
    visit = Visit.objects.select_related("session__clinic", "pathway", "patient").get(pk=visit.pk)
    return session, visit


@transaction.atomic
def visit_arrive(*, user: AbstractBaseUser | None, visit: Visit, at: dt.datetime) -> EventOutcome:
    """The patient has arrived (a no-show who turns up after all is back on the morning)."""
    at = _minute(at)
    session, visit = visit_locked(visit)
    _refuse_if(at_problems(session, at, before_start_allowed=True))
    if visit.status not in (VisitStatus.BOOKED, VisitStatus.NO_SHOW):
        raise ValidationError({"type": _("This patient's visit is %(status)s already.") % {
            "status": visit.get_status_display()}})
    visit.status = VisitStatus.ARRIVED
    visit.arrived_at = at
    visit.save(update_fields=["status", "arrived_at"])
    _log(user, visit, "arrival")
    return EventOutcome(visit=visit, job=_replan(user=user, session=session, at=at, trigger=PlanTrigger.ARRIVED,
                                                 detail=f"{visit.code} {hhmm(at)}"))


def _visit_step_locked(visit_step: VisitStep) -> tuple[ClinicSession, VisitStep]:
    session = _lock(visit_step.visit.session_id)
    visit_step = (VisitStep.objects.select_related("visit__session__clinic", "visit__patient", "step")
                  .prefetch_related("allocations__resource__kind").get(pk=visit_step.pk))
    return session, visit_step


@transaction.atomic
def step_start(
    *, user: AbstractBaseUser | None, visit_step: VisitStep, at: dt.datetime, resources: list[Resource] | None = None,
) -> EventOutcome:
    """A step has started, on `resources` (default: the ones planned for it)."""
    at = _minute(at)
    session, visit_step = _visit_step_locked(visit_step)
    visit = visit_step.visit
    _refuse_if(at_problems(session, at))
    if visit.status not in (VisitStatus.BOOKED, VisitStatus.ARRIVED, VisitStatus.IN_PROGRESS):
        raise ValidationError({"step": _("This patient's visit is %(status)s.") % {
            "status": visit.get_status_display()}})
    if visit_step.actual_start is not None:
        raise ValidationError({"step": _("Step %(step)s has started already (%(start)s).") % {
            "step": label(visit_step.step), "start": hhmm(visit_step.actual_start)}})
    resources = list(resources) if resources is not None else planned_resources(visit_step)
    if not resources:
        raise ValidationError({"resources": _("This step has no planned resources: name them.")})
    if any(r.clinic_id != session.clinic_id for r in resources):
        raise ValidationError({"resources": _("Not a resource of this clinic.")})
    _refuse_if(start_problems(visit_step, at, resources))
    visit_step.actual_start = at
    visit_step.save(update_fields=["actual_start"])
    VisitStepResource.objects.bulk_create(
        VisitStepResource(visit_step=visit_step, phase=AllocationPhase.ACTUAL, position=i, resource=r)
        for i, r in enumerate(resources))
    visit.status = VisitStatus.IN_PROGRESS
    visit.save(update_fields=["status"])
    _log(user, visit, f"step {visit_step.step.code} started")
    return EventOutcome(visit=visit, job=_replan(user=user, session=session, at=at, trigger=PlanTrigger.STEP_STARTED,
                                                 detail=f"{visit.code} {visit_step.step.code} {hhmm(at)}"))


@transaction.atomic
def step_finish(*, user: AbstractBaseUser | None, visit_step: VisitStep, at: dt.datetime) -> EventOutcome:
    at = _minute(at)
    session, visit_step = _visit_step_locked(visit_step)
    visit = visit_step.visit
    _refuse_if(at_problems(session, at))
    if visit_step.actual_start is None:
        raise ValidationError({"step": _("Step %(step)s has not started.") % {"step": label(visit_step.step)}})
    if visit_step.actual_end is not None:
        raise ValidationError({"step": _("Step %(step)s has finished already (%(end)s).") % {
            "step": label(visit_step.step), "end": hhmm(visit_step.actual_end)}})
    if at <= visit_step.actual_start:
        raise ValidationError({"at": _("A step ends after it started (%(start)s).") % {
            "start": hhmm(visit_step.actual_start)}})
    visit_step.actual_end = at
    visit_step.save(update_fields=["actual_end"])
    if not visit.steps.filter(actual_end__isnull=True).exists():
        visit.status = VisitStatus.DONE
        visit.save(update_fields=["status"])
    _log(user, visit, f"step {visit_step.step.code} finished")
    return EventOutcome(visit=visit, job=_replan(user=user, session=session, at=at,
                                                 trigger=PlanTrigger.STEP_FINISHED,
                                                 detail=f"{visit.code} {visit_step.step.code} {hhmm(at)}"))


@transaction.atomic
def visit_no_show(*, user: AbstractBaseUser | None, visit: Visit, at: dt.datetime) -> EventOutcome:
    """The patient did not come: her resources are free for the others."""
    at = _minute(at)
    session, visit = visit_locked(visit)
    _refuse_if(at_problems(session, at, before_start_allowed=True))
    if visit.status != VisitStatus.BOOKED:
        raise ValidationError({"type": _("Only a booked patient who has not arrived can be a no-show "
                                         "(this visit is %(status)s).") % {"status": visit.get_status_display()}})
    visit.status = VisitStatus.NO_SHOW
    visit.save(update_fields=["status"])
    ResourceBooking.objects.filter(visit_step__visit=visit).delete()
    _log(user, visit, "no-show")
    return EventOutcome(visit=visit, job=_replan(user=user, session=session, at=at, trigger=PlanTrigger.NO_SHOW,
                                                 detail=f"{visit.code} {hhmm(at)}"))


@transaction.atomic
def visit_leave(*, user: AbstractBaseUser | None, visit: Visit, at: dt.datetime) -> EventOutcome:
    """She leaves before her pathway ends (the result follows by phone or at another visit):
    the rest of her steps come off the morning and their resources are free for the others.
    The way out when her pathway can no longer end this morning (an overrun, her surgeon
    called away), which would leave every re-plan infeasible."""
    at = _minute(at)
    session, visit = visit_locked(visit)
    _refuse_if(at_problems(session, at))
    if visit.status not in (VisitStatus.ARRIVED, VisitStatus.IN_PROGRESS):
        raise ValidationError({"type": _("Only a patient in the clinic can leave early (this visit is "
                                         "%(status)s).") % {"status": visit.get_status_display()}})
    running = visit.steps.filter(actual_start__isnull=False, actual_end__isnull=True).select_related("step").first()
    if running is not None:
        raise ValidationError({"type": _("Step %(step)s is under way: record its end first.") % {
            "step": label(running.step)}})
    visit.status = VisitStatus.LEFT
    visit.save(update_fields=["status"])
    ahead = visit.steps.filter(actual_start__isnull=True)
    ResourceBooking.objects.filter(visit_step__in=ahead).delete()
    VisitStepResource.objects.filter(visit_step__in=ahead, phase=AllocationPhase.PLANNED).delete()
    ahead.update(planned_start=None, planned_end=None)
    _log(user, visit, "left early")
    return EventOutcome(visit=visit, job=_replan(user=user, session=session, at=at, trigger=PlanTrigger.LEFT,
                                                 detail=f"{visit.code} {hhmm(at)}"))


@transaction.atomic
def walk_in_add(
    *, user: AbstractBaseUser | None, session: ClinicSession, patient: Patient, pathway: Pathway, at: dt.datetime,
    priority: int = 1,
) -> EventOutcome:
    """A patient without a booking, here now: a visit W01, W02, … that the re-plan fits in if it can."""
    at = _minute(at)
    session = _lock(session.pk)
    _refuse_if(at_problems(session, at, before_start_allowed=True))
    if pathway.clinic_id != session.clinic_id or not pathway.active:
        raise ValidationError({"pathway": _("Not an active pathway of this clinic.")})
    if session.visits.filter(patient=patient).exists():
        raise ValidationError({"patient": _("This patient already has a visit this morning.")})
    visit = Visit(session=session, patient=patient, pathway=pathway, code=visit_code_next(session, "W"),
                  status=VisitStatus.ARRIVED, priority=priority, arrived_at=at)
    visit.full_clean()
    visit.save()
    VisitStep.objects.bulk_create(VisitStep(visit=visit, step=step) for step in pathway.steps.all())
    visit_form_ensure(visit=visit)
    _log(user, visit, "walk-in")
    return EventOutcome(visit=visit, job=_replan(user=user, session=session, at=at, trigger=PlanTrigger.WALK_IN,
                                                 detail=f"{visit.code} {pathway.code} {hhmm(at)}"))


@transaction.atomic
def resource_unavailable_from(
    *, user: AbstractBaseUser | None, session: ClinicSession, resource: Resource, at: dt.datetime,
    until: dt.datetime | None = None, reason: str = "", entered: dt.datetime | None = None,
) -> EventOutcome:
    """`resource` is away from `at` (until `until`, default the end of the morning): a doctor
    called away. A step under way on it is left to finish; everything later moves. The
    absence may lie ahead: "now" for the re-plan is when it was `entered` (default: the
    clock), not `at`."""
    at = _minute(at)
    session = _lock(session.pk)
    _refuse_if(at_problems(session, at))
    if resource.clinic_id != session.clinic_id:
        raise ValidationError({"resource": _("Not a resource of this clinic.")})
    start = at.astimezone(clinic_zone()).time()
    end = until.astimezone(clinic_zone()).time().replace(second=0, microsecond=0) if until else session.end
    if until is not None and at_problems(session, until):
        raise ValidationError({"until": next(iter(at_problems(session, until).values()))})
    if end <= start:
        raise ValidationError({"until": _("The absence must end after it starts.")})
    absence = AvailabilityException(resource=resource, date=session.date, start=start, end=end,
                                    kind=ExceptionKind.ABSENT, reason=reason or _("unavailable"))
    absence.full_clean()
    absence.save()
    entered = min(at, entered or timezone.now())
    return EventOutcome(job=_replan(user=user, session=session, at=entered, trigger=PlanTrigger.RESOURCE_UNAVAILABLE,
                                    detail=f"{resource.code} {hhmm(at)}-{end:%H:%M}"))


@transaction.atomic
def visit_switch_pathway(
    *, user: AbstractBaseUser | None, visit: Visit, pathway: Pathway, at: dt.datetime,
) -> EventOutcome:
    """The visit continues on another pathway (a biopsy decided during ultrasound). Steps
    that have started are kept by their step code, with what happened; the new pathway must
    contain them and its rules must hold for them."""
    at = _minute(at)
    session, visit = visit_locked(visit)
    _refuse_if(at_problems(session, at))
    if visit.status in (VisitStatus.DONE, VisitStatus.NO_SHOW, VisitStatus.CANCELLED):
        raise ValidationError({"pathway": _("This patient's visit is %(status)s.") % {
            "status": visit.get_status_display()}})
    if pathway.clinic_id != session.clinic_id or not pathway.active:
        raise ValidationError({"pathway": _("Not an active pathway of this clinic.")})
    if pathway.pk == visit.pathway_id:
        raise ValidationError({"pathway": _("The visit is on this pathway already.")})
    old_steps = list(visit.steps.select_related("step").prefetch_related("allocations__resource__kind"))
    new_steps = {s.code: s for s in pathway.steps.all()}
    kept = {vs.step.code: vs for vs in old_steps}
    for code, vs in kept.items():
        if vs.actual_start is not None:
            if code not in new_steps:
                raise ValidationError({"pathway": _("Step %(step)s has started and is not part of %(pathway)s.") % {
                    "step": label(vs.step), "pathway": label(pathway)}})
            _refuse_if(resources_problems(new_steps[code], actual_resources(vs)))
    # A step keeps what it holds; one whose bookings went (a no-show who came after all)
    # keeps its planned resources unbooked, as they were.
    carried = {code: (vs, list(vs.allocations.all()), vs.bookings.exists()) for code, vs in kept.items()
               if code in new_steps}
    VisitStep.objects.filter(visit=visit).delete()  # the trigger allows the switch once they are gone
    visit.pathway = pathway
    visit.save(update_fields=["pathway"])
    placed = []
    for code, step in new_steps.items():
        old, allocations, booked = carried.get(code, (None, [], False))
        vs = VisitStep.objects.create(
            visit=visit, step=step, extra_minutes=old.extra_minutes if old else 0,
            planned_start=old.planned_start if old else None, planned_end=old.planned_end if old else None,
            actual_start=old.actual_start if old else None, actual_end=old.actual_end if old else None)
        VisitStepResource.objects.bulk_create(
            VisitStepResource(visit_step=vs, phase=a.phase, position=a.position, resource=a.resource)
            for a in allocations if a.phase == AllocationPhase.ACTUAL or not booked)
        if booked:
            placed.append((vs, [a.resource for a in allocations if a.phase == AllocationPhase.PLANNED]))
    planned_resources_write(session=session, steps=placed)
    _check_recorded_steps(visit)
    _check_can_finish(session, visit, at)
    _log(user, visit, f"pathway switched to {pathway.code}")
    return EventOutcome(visit=visit, job=_replan(user=user, session=session, at=at,
                                                 trigger=PlanTrigger.PATHWAY_SWITCHED,
                                                 detail=f"{visit.code} {pathway.code} {hhmm(at)}"))


def _check_recorded_steps(visit: Visit) -> None:
    """The steps that happened still keep the (new) pathway's order and lags (else roll back)."""
    for vs in visit.steps.select_related("step").filter(actual_start__isnull=False):
        for link in vs.step.predecessors.select_related("after"):
            before = visit.steps.filter(step=link.after).first()
            if before is None or before.actual_end is None or before.actual_end > vs.actual_start:
                raise ValidationError({"pathway": _(
                    "On %(pathway)s, step %(step)s comes after %(before)s, which has not finished.") % {
                    "pathway": label(visit.pathway), "step": label(vs.step), "before": label(link.after)}})


def _check_can_finish(session: ClinicSession, visit: Visit, now: dt.datetime) -> None:
    """The new pathway must still fit in the morning (a core biopsy needs two hours of lab time):
    the engine's earliest end of her pathway, with "now" moved to the event."""
    moment = copy.copy(session)
    clock = now.astimezone(clinic_zone()).time().replace(second=0, microsecond=0)
    if moment.state_at is None or clock > moment.state_at:
        moment.state_at = clock   # (for this question only: the re-plan moves it for good)
    problem = session_problem(moment)
    if visit.code not in {p.id for p in problem.patients}:
        return  # she left or was rebooked: the engine does not plan her
    end = pathway_earliest_end(problem, visit.code)
    deadline = visit.latest or session.end
    if end > minutes_on(deadline, session.date):
        raise ValidationError({"pathway": _(
            "On %(pathway)s the visit would end at %(end)s at the earliest, after %(deadline)s.") % {
            "pathway": visit.pathway.code, "end": minutes_clock(end), "deadline": hhmm(deadline)}})


@transaction.atomic
def visit_result_hand_over(
    *, user: AbstractBaseUser | None, visit: Visit, surgeon: Resource, at: dt.datetime,
) -> EventOutcome:
    """Her result goes to another surgeon (the one who examined her is called away; the
    shared form tells him everything): the re-plan no longer needs the same surgeon for her
    result and gives it to `surgeon` wherever the morning allows."""
    at = _minute(at)
    session, visit = visit_locked(visit)
    _refuse_if(at_problems(session, at))
    if visit.status not in ACTIVE_VISIT_STATUSES or visit.status == VisitStatus.DONE:
        raise ValidationError({"visit": _("This patient's visit is %(status)s.") % {
            "status": visit.get_status_display()}})
    linked = [s for s in visit.pathway.steps.prefetch_related("same_as__kind") if s.same_as.all()]
    kinds = {rule.kind_id for step in linked for rule in step.same_as.all()}
    if surgeon.clinic_id != session.clinic_id or not surgeon.active or surgeon.kind_id not in kinds:
        raise ValidationError({"surgeon": _("Not a resource of this clinic who can give her result.")})
    handed = [vs for vs in visit.steps.select_related("step") if any(
        rule.kind_id == surgeon.kind_id for rule in vs.step.same_as.all())]
    if any(vs.actual_start is not None for vs in handed):
        raise ValidationError({"surgeon": _("Her result consult has started already.")})
    visit.result_surgeon = surgeon
    visit.save(update_fields=["result_surgeon"])
    _log(user, visit, f"result handed over to {surgeon.code}")
    return EventOutcome(visit=visit, job=_replan(user=user, session=session, at=at, trigger=PlanTrigger.HANDOVER,
                                                 detail=f"{visit.code} {surgeon.code} {hhmm(at)}"))


def _absence_locked(absence: AvailabilityException) -> tuple[ClinicSession, AvailabilityException]:
    absence = AvailabilityException.objects.select_related("resource").get(pk=absence.pk)
    session = ClinicSession.objects.filter(clinic_id=absence.resource.clinic_id, date=absence.date).first()
    if session is None or absence.kind != ExceptionKind.ABSENT:
        raise ValidationError({"absence": _("Not an absence on a morning of this clinic.")})
    session = _lock(session.pk)
    return session, AvailabilityException.objects.select_for_update().select_related("resource").get(pk=absence.pk)


@transaction.atomic
def absence_withdraw(
    *, user: AbstractBaseUser | None, absence: AvailabilityException, at: dt.datetime | None = None,
) -> EventOutcome:
    """Someone called away is back after all (or the absence was a mistake): it goes, and the
    rest of the morning is re-planned with her."""
    session, absence = _absence_locked(absence)
    detail = f"{absence.resource.code} {absence.start:%H:%M}-{absence.end:%H:%M} withdrawn"
    absence.delete()
    return EventOutcome(job=_replan(user=user, session=session, at=at or timezone.now(),
                                    trigger=PlanTrigger.ABSENCE_CHANGED, detail=detail))


@transaction.atomic
def absence_shorten(
    *, user: AbstractBaseUser | None, absence: AvailabilityException, until: dt.datetime,
    at: dt.datetime | None = None,
) -> EventOutcome:
    """She is back earlier than thought: the absence ends at `until` (after it starts, before
    it ended), and the rest of the morning is re-planned."""
    session, absence = _absence_locked(absence)
    _refuse_if({"until": message for message in at_problems(session, until).values()})
    end = until.astimezone(clinic_zone()).time().replace(second=0, microsecond=0)
    if not absence.start < end < absence.end:
        raise ValidationError({"until": _("She is back between %(start)s and %(end)s, or withdraw the absence.") % {
            "start": absence.start.strftime("%H:%M"), "end": absence.end.strftime("%H:%M")}})
    absence.end = end
    absence.full_clean()
    absence.save(update_fields=["end"])
    detail = f"{absence.resource.code} {absence.start:%H:%M}-{end:%H:%M}"
    return EventOutcome(job=_replan(user=user, session=session, at=at or timezone.now(),
                                    trigger=PlanTrigger.ABSENCE_CHANGED, detail=detail))


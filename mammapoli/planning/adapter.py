"""The one adapter between the database and the engine.

`session_problem` builds the engine's `scheduler.Problem` straight from the rows: aware
datetimes become the clinic's minutes since midnight here (through `clock`), pathways and
resources become the engine's dataclasses. The services read the engine's answers (a
`Result` turned into a stored plan, an `Insertion`) back into rows. JSON is for exchange
files, stored snapshots and the API only: `session_to_morning` is the same Problem written
as `mammapoli-morning/1` (export_morning, a plan job's snapshot), `session_to_plan` the
published plan as `mammapoli-plan/1`.
"""

from collections import Counter
from dataclasses import replace

from django.db.models import Prefetch
from django.utils import timezone

import scheduler
from mammapoli.clinics.availability import available_on
from mammapoli.clinics.models import Pathway, PathwayStep, Resource
from scheduler.bounds import plan_objective

from .clock import clinic_zone, clock, minutes_on
from .models import ACTIVE_VISIT_STATUSES, AllocationPhase, ClinicSession, Visit, VisitStatus, VisitStep
from .uncertainty import clinic_uncertainty

PLAN_FORMAT = "mammapoli-plan/1"
#: In the clinic: her arrival (`Visit.arrived_at`) goes to the engine as `arrived`.
PRESENT_STATUSES = (VisitStatus.ARRIVED, VisitStatus.IN_PROGRESS, VisitStatus.DONE)


def _pathway_rows(clinic_id: int) -> list[Pathway]:
    return list(
        Pathway.objects.filter(clinic_id=clinic_id, active=True)
        .prefetch_related("steps__needs__kind", "steps__predecessors__after", "steps__same_as__kind",
                          "steps__same_as__other")
        .order_by("id")
    )


def _step(step: PathwayStep, *, without_same_as: str | None = None) -> scheduler.Step:
    """A pathway step as the engine's `Step`; `without_same_as`: that kind's link dropped."""
    return scheduler.Step(
        id=step.code, duration=step.duration, needs=tuple(need.kind.code for need in step.needs.all()),
        after=tuple(scheduler.Lag(link.after.code, link.min_lag, link.max_lag) for link in step.predecessors.all()),
        same_as=tuple((rule.kind.code, rule.other.code) for rule in step.same_as.all()
                      if rule.kind.code != without_same_as))


def _pathway(pathway: Pathway) -> scheduler.Pathway:
    return scheduler.Pathway(pathway.code, tuple(_step(step) for step in pathway.steps.all()))


def _extra_minutes(visit_step: VisitStep, session: ClinicSession) -> int:
    """The step's extra minutes; a step under way past its planned length lasts at least until
    "now" (else the engine would free its resources while she is still in the room)."""
    extra = visit_step.extra_minutes
    if visit_step.actual_start is None or visit_step.actual_end is not None or session.state_at is None:
        return extra
    running = minutes_on(session.state_at, session.date) - minutes_on(visit_step.actual_start, session.date)
    return max(extra, running - visit_step.step.duration)


def _allocation_codes(visit_step: VisitStep, phase: str) -> tuple[str, ...]:
    return tuple(a.resource.code for a in visit_step.allocations.all() if a.phase == phase)


def planned_visits(session: ClinicSession):
    """The visits that take part in the morning's plan, with everything the adapter reads."""
    if session.pk is None:
        return Visit.objects.none()  # a morning not created yet (the booking search looks ahead)
    return (
        Visit.objects.filter(session=session, status__in=ACTIVE_VISIT_STATUSES)
        .select_related("pathway", "result_surgeon__kind")
        .prefetch_related(Prefetch("steps", queryset=VisitStep.objects.select_related("step")
                                   .prefetch_related("allocations__resource")))
        .order_by("id")
    )


class _Handover:
    """Her result handed over to another surgeon (`Visit.result_surgeon`): her own copy of the
    pathway in which no step has to be done by the surgeon who examined her (`same_as` on that
    kind dropped), the steps not started yet assigned to the new surgeon, and her published
    steps that he now does naming him in the reference (so the re-plan keeps the result with
    him wherever the morning allows)."""

    def __init__(self, visit: Visit, template: Pathway | None):
        self.surgeon = visit.result_surgeon
        self.steps: dict[str, PathwayStep] = {s.code: s for s in template.steps.all()} if template else {}
        kind = self.surgeon.kind if self.surgeon is not None else None
        self.linked = {code for code, step in self.steps.items()
                       if kind is not None and any(rule.kind_id == kind.pk for rule in step.same_as.all())}
        self.pathway = None
        if self.linked:
            self.pathway = scheduler.Pathway(f"{template.code}~{visit.code}", tuple(
                _step(step, without_same_as=kind.code) for step in template.steps.all()))

    def assigned(self, visit_step: VisitStep) -> tuple[tuple[str, str], ...]:
        if visit_step.actual_start is not None or visit_step.step.code not in self.linked:
            return ()
        return ((visit_step.step.code, self.surgeon.code),)

    def planned(self, visit_step: VisitStep, codes: tuple[str, ...]) -> tuple[str, ...]:
        if visit_step.actual_start is not None or visit_step.step.code not in self.linked:
            return codes
        kinds = [need.kind.code for need in self.steps[visit_step.step.code].needs.all()]
        return tuple(self.surgeon.code if kind == self.surgeon.kind.code else code for code, kind in zip(codes, kinds))


def session_problem(session: ClinicSession) -> scheduler.Problem:
    """The morning as the engine's `Problem`: the session's window, "now" and notice, the
    clinic's active resources with their hours that day, its active pathways, the visits
    that take part (arrivals, extra minutes, what happened as `fixed`, the published plan as
    `reference`). Raises `scheduler.ProblemError` when the rows break the engine's rules."""
    day = session.date
    window = (session.start, session.end)
    resources = (
        Resource.objects.filter(clinic_id=session.clinic_id, active=True)
        .select_related("kind").prefetch_related("weekly_availability", "availability_exceptions")
        .order_by("id")
    )
    templates = {p.code: p for p in _pathway_rows(session.clinic_id)}
    pathways = [_pathway(p) for p in templates.values()]
    now = minutes_on(session.state_at, day) if session.state_at is not None else None
    patients, fixed, reference = [], [], []
    for visit in planned_visits(session):
        handover = _Handover(visit, templates.get(visit.pathway.code))
        if handover.pathway is not None:
            pathways.append(handover.pathway)
        arrived = None
        if visit.arrived_at is not None and visit.status in PRESENT_STATUSES \
                and timezone.localtime(visit.arrived_at, clinic_zone()).date() == day:
            arrived = minutes_on(visit.arrived_at, day)
            arrived = arrived if now is None else min(arrived, now)
        steps = list(visit.steps.all())
        patients.append(scheduler.Patient(
            id=visit.code, pathway=handover.pathway.id if handover.pathway else visit.pathway.code,
            earliest=minutes_on(visit.earliest, day) if visit.earliest is not None else None,
            latest=minutes_on(visit.latest, day) if visit.latest is not None else None,
            priority=visit.priority, arrived=arrived,
            extra=tuple((vs.step.code, extra) for vs in steps if (extra := _extra_minutes(vs, session))),
            assigned=tuple(pair for vs in steps for pair in handover.assigned(vs))))
        for vs in steps:
            if vs.actual_start is not None:
                fixed.append(scheduler.FixedStep(
                    visit.code, vs.step.code, minutes_on(vs.actual_start, day),
                    _allocation_codes(vs, AllocationPhase.ACTUAL),
                    minutes_on(vs.actual_end, day) if vs.actual_end is not None else None))
            if vs.planned_start is not None:
                reference.append(scheduler.Assignment(
                    visit.code, vs.step.code, minutes_on(vs.planned_start, day),
                    handover.planned(vs, _allocation_codes(vs, AllocationPhase.PLANNED)),
                    minutes_on(vs.planned_end, day)))
    return scheduler.Problem(
        window=(minutes_on(session.start, day), minutes_on(session.end, day)),
        resources=tuple(scheduler.Resource(r.code, r.kind.code, tuple(
            (minutes_on(s, day), minutes_on(e, day)) for s, e in available_on(r, day, window))) for r in resources),
        pathways=tuple(pathways), patients=tuple(patients), fixed=tuple(fixed), reference=tuple(reference),
        now=now, name=session.clinic.name, date=day.isoformat(), notice=session.clinic.notice_minutes,
        uncertainty=clinic_uncertainty(session.clinic_id, (st.id for p in pathways for st in p.steps)))


def session_to_morning(session: ClinicSession) -> dict:
    """The session as a `mammapoli-morning/1` instance (defaults left out): export_morning."""
    return scheduler.problem_to_json(session_problem(session))


def problem_snapshot(problem: scheduler.Problem) -> tuple[dict, dict[str, list[list[str]]]]:
    """A Problem to keep in a row (a plan job's): the exchange format, and the named resources
    of its patients, which the format does not carry ({patient: [[step, resource], ...]})."""
    assigned = {p.id: [list(pair) for pair in p.assigned] for p in problem.patients if p.assigned}
    return scheduler.problem_to_json(problem), assigned


def problem_from_snapshot(morning: dict, assigned: dict[str, list[list[str]]]) -> scheduler.Problem:
    """The Problem `problem_snapshot` kept. Raises `scheduler.ProblemError`."""
    problem = scheduler.problem_from_json(morning)
    if not assigned:
        return problem
    return replace(problem, patients=tuple(
        replace(p, assigned=tuple(tuple(pair) for pair in assigned[p.id])) if p.id in assigned else p
        for p in problem.patients))


def _assignment_json(a: scheduler.Assignment) -> dict:
    return {"patient": a.patient, "step": a.step, "start": clock(a.start), "end": clock(a.end),
            "resources": list(a.resources)}


def session_to_plan(session: ClinicSession, *, published: dict | None = None) -> dict:
    """The morning's published plan (the visit steps' planned times and resources) as a
    `mammapoli-plan/1` dict. `published` is the last plan published as a whole: when the
    database still holds exactly its assignments, its status and bound are kept; otherwise
    (a booking was added since) the plan is FEASIBLE with the engine's critical-path bound."""
    problem = session_problem(session)
    planned_steps = Counter(a.patient for a in problem.reference)
    # A patient is on the plan with all their steps or not at all (a switched pathway's new
    # steps wait for the re-plan).
    planned = {p.id for p in problem.patients if planned_steps[p.id] == len(problem.pathway(p.pathway).steps)}
    kept = [a for a in problem.reference if a.patient in planned]
    assignments = [_assignment_json(a) for a in kept]
    reasons = {u["patient"]: u["reason"] for u in (published or {}).get("unscheduled", [])}
    unscheduled = [{"patient": p.id, "reason": reasons.get(p.id, "not planned yet")}
                   for p in problem.patients if p.id not in planned]
    key = sorted((a["patient"], a["step"], a["start"], a["end"], tuple(a["resources"])) for a in assignments)
    same = published is not None and key == sorted(
        (a["patient"], a["step"], a["start"], a["end"], tuple(a["resources"])) for a in published["assignments"])
    found = plan_objective(problem, kept)
    objective = {"scheduled": found.scheduled, "priority_scheduled": found.priority_scheduled,
                 "total_stay": found.total_stay, "lower_bound_total_stay": found.lower_bound_total_stay}
    if same and published["objective"]["lower_bound_total_stay"] <= objective["total_stay"]:
        objective["lower_bound_total_stay"] = max(objective["lower_bound_total_stay"],
                                                  published["objective"]["lower_bound_total_stay"])
    return {
        "format": PLAN_FORMAT,
        "instance": problem.name,
        "status": published["status"] if same else "FEASIBLE",
        "objective": objective,
        "assignments": assignments,
        "unscheduled": unscheduled,
        "stats": {"source": "published"},
    }

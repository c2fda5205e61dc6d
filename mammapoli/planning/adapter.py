"""The one adapter between the database and the engine's exchange format.

`mammapoli-morning/1` speaks clinic-local "HH:MM" on the session's date; the database
speaks aware datetimes. Every conversion between the two lives here.
"""

import hashlib
import json

from django.db.models import Prefetch
from django.utils import timezone

from mammapoli.clinics.availability import available_on
from mammapoli.clinics.models import Pathway, Resource

from .clock import clinic_zone, hhmm, minutes
from .models import ACTIVE_VISIT_STATUSES, AllocationPhase, ClinicSession, Visit, VisitStatus, VisitStep
from .uncertainty import uncertainty_block

MORNING_FORMAT = "mammapoli-morning/1"
PLAN_FORMAT = "mammapoli-plan/1"
DEFAULT_NOTICE = 30  # minutes, as the format's default
#: In the clinic: her arrival (`Visit.arrived_at`) goes to the engine as `arrived`.
PRESENT_STATUSES = (VisitStatus.ARRIVED, VisitStatus.IN_PROGRESS, VisitStatus.DONE)










def _pathways_json(clinic_id: int) -> dict:
    pathways = (
        Pathway.objects.filter(clinic_id=clinic_id, active=True)
        .prefetch_related("steps__needs__kind", "steps__predecessors__after", "steps__same_as__kind",
                          "steps__same_as__other")
        .order_by("id")
    )
    result = {}
    for pathway in pathways:
        steps = []
        for step in pathway.steps.all():
            entry = {"id": step.code, "duration": step.duration,
                     "needs": [need.kind.code for need in step.needs.all()]}
            after = []
            for link in step.predecessors.all():
                lag = {"step": link.after.code}
                if link.min_lag:
                    lag["min"] = link.min_lag
                if link.max_lag is not None:
                    lag["max"] = link.max_lag
                after.append(lag)
            if after:
                entry["after"] = after
            same_as = {rule.kind.code: rule.other.code for rule in step.same_as.all()}
            if same_as:
                entry["same_as"] = same_as
            steps.append(entry)
        result[pathway.code] = {"steps": steps}
    return result


def _allocation_codes(visit_step: VisitStep, phase: str) -> list[str]:
    return [a.resource.code for a in visit_step.allocations.all() if a.phase == phase]


def _extraminutes(visit_step: VisitStep, session: ClinicSession) -> int:
    """The step's extra minutes; a step under way past its planned length lasts at least until
    "now" (else the engine would free its resources while she is still in the room)."""
    extra = visit_step.extra_minutes
    if visit_step.actual_start is None or visit_step.actual_end is not None or session.state_at is None:
        return extra
    running = minutes(hhmm(session.state_at)) - minutes(hhmm(visit_step.actual_start))
    return max(extra, running - visit_step.step.duration)


def planned_visits(session: ClinicSession):
    """The visits that take part in the morning's plan, with everything the export reads."""
    if session.pk is None:
        return Visit.objects.none()  # a morning not created yet (the booking search looks ahead)
    return (
        Visit.objects.filter(session=session, status__in=ACTIVE_VISIT_STATUSES)
        .select_related("pathway", "result_surgeon__kind")
        .prefetch_related(Prefetch("steps", queryset=VisitStep.objects.select_related("step")
                                   .prefetch_related("allocations__resource")))
        .order_by("id")
    )


def session_to_morning(session: ClinicSession) -> dict:
    """The session as a `mammapoli-morning/1` instance (defaults left out)."""
    window = (session.start, session.end)
    resources = (
        Resource.objects.filter(clinic_id=session.clinic_id, active=True)
        .select_related("kind").prefetch_related("weekly_availability", "availability_exceptions")
        .order_by("id")
    )
    morning: dict = {
        "format": MORNING_FORMAT,
        "name": session.clinic.name,
        "date": session.date.isoformat(),
        "window": {"start": hhmm(session.start), "end": hhmm(session.end)},
    }
    if session.state_at is not None:
        morning["now"] = hhmm(session.state_at)
    if session.clinic.notice_minutes != DEFAULT_NOTICE:
        morning["notice"] = session.clinic.notice_minutes
    morning["resources"] = [
        {"id": r.code, "kind": r.kind.code,
         "available": [[hhmm(s), hhmm(e)] for s, e in available_on(r, session.date, window)]}
        for r in resources
    ]
    morning["pathways"] = pathways = _pathways_json(session.clinic_id)
    patients, fixed, reference = [], [], []
    for visit in planned_visits(session):
        entry: dict = {"id": visit.code, "pathway": visit.pathway.code}
        handed_over = _handover_pathway(pathways, visit)
        if handed_over is not None:
            entry["pathway"] = handed_over
        if visit.arrived_at is not None and visit.status in PRESENT_STATUSES \
                and timezone.localtime(visit.arrived_at, clinic_zone()).date() == session.date:
            arrived = hhmm(visit.arrived_at)
            entry["arrived"] = min(arrived, morning.get("now", arrived))
        if visit.earliest is not None:
            entry["earliest"] = hhmm(visit.earliest)
        if visit.latest is not None:
            entry["latest"] = hhmm(visit.latest)
        if visit.priority != 1:
            entry["priority"] = visit.priority
        extra = {vs.step.code: minutes for vs in visit.steps.all() if (minutes := _extraminutes(vs, session))}
        if extra:
            entry["extra"] = extra
        patients.append(entry)
        for vs in visit.steps.all():
            if vs.actual_start is not None:
                done = {"patient": visit.code, "step": vs.step.code, "start": hhmm(vs.actual_start),
                        "resources": _allocation_codes(vs, AllocationPhase.ACTUAL)}
                if vs.actual_end is not None:
                    done["end"] = hhmm(vs.actual_end)
                fixed.append(done)
            if vs.planned_start is not None:
                reference.append({"patient": visit.code, "step": vs.step.code, "start": hhmm(vs.planned_start),
                                  "end": hhmm(vs.planned_end),
                                  "resources": _handed_over(visit, vs, _allocation_codes(vs, AllocationPhase.PLANNED),
                                                            pathways[entry["pathway"]])})
    morning["patients"] = patients
    if fixed:
        morning["fixed"] = fixed
    if reference:
        morning["reference"] = reference
    uncertainty = uncertainty_block(session.clinic_id, (s["id"] for p in pathways.values() for s in p["steps"]))
    if uncertainty is not None:
        morning["uncertainty"] = uncertainty
    return morning


def _handover_pathway(pathways: dict, visit: Visit) -> str | None:
    """Her result handed over to another surgeon: her own copy of the pathway in which no
    step has to be done by the surgeon who examined her (`same_as` on that kind dropped).
    None when nothing is handed over, or the pathway links no step to that kind."""
    surgeon = visit.result_surgeon
    if surgeon is None:
        return None
    kind = surgeon.kind.code
    template = pathways[visit.pathway.code]
    if not any(kind in step.get("same_as", {}) for step in template["steps"]):
        return None
    steps = []
    for step in template["steps"]:
        step = dict(step)
        same_as = {k: v for k, v in step.get("same_as", {}).items() if k != kind}
        step.pop("same_as", None)
        if same_as:
            step["same_as"] = same_as
        steps.append(step)
    code = f"{visit.pathway.code}~{visit.code}"
    pathways[code] = {"steps": steps}
    return code


def _handed_over(visit: Visit, visit_step: VisitStep, codes: list[str], template: dict) -> list[str]:
    """A published step that her handed-over surgeon now does names him in the reference, so
    the re-plan keeps the result with him wherever the morning allows."""
    surgeon = visit.result_surgeon
    if surgeon is None or visit_step.actual_start is not None:
        return codes
    original = next(s for s in _pathways_steps(visit) if s.code == visit_step.step.code)
    if not any(rule.kind_id == surgeon.kind_id for rule in original.same_as.all()):
        return codes
    kinds = [need.kind.code for need in original.needs.all()]
    return [surgeon.code if kind == surgeon.kind.code else code for code, kind in zip(codes, kinds)]


def _pathways_steps(visit: Visit):
    return visit.pathway.steps.prefetch_related("same_as", "needs__kind")


def session_assignments(session: ClinicSession) -> dict[str, list[list[str]]]:
    """Steps the engine must give to a named resource, by visit code: her result handed over
    to another surgeon (`Visit.result_surgeon`), for the steps not started yet."""
    out: dict[str, list[list[str]]] = {}
    for visit in planned_visits(session).filter(result_surgeon__isnull=False):
        surgeon = visit.result_surgeon
        for vs in visit.steps.all():
            if vs.actual_start is None and any(rule.kind_id == surgeon.kind_id for rule in vs.step.same_as.all()):
                out.setdefault(visit.code, []).append([vs.step.code, surgeon.code])
    return out


def morning_fingerprint(morning: dict) -> str:
    """A digest of everything the engine would see: equal digests, equal mornings."""
    return hashlib.sha256(json.dumps(morning, sort_keys=True, separators=(",", ":")).encode()).hexdigest()



def critical_path(morning: dict, patient_id: str) -> int:
    """A patient's shortest possible stay: the longest path through their steps (lengths plus
    `min` lags), a fixed step counting with the time it really took (or is taking)."""
    patient = next(p for p in morning["patients"] if p["id"] == patient_id)
    steps = {s["id"]: s for s in morning["pathways"][patient["pathway"]]["steps"]}
    fixed = {f["step"]: f for f in morning.get("fixed", []) if f["patient"] == patient_id}
    finish: dict[str, int] = {}

    def finish_of(step_id: str) -> int:
        if step_id not in finish:
            step = steps[step_id]
            begin = max((finish_of(lag["step"]) + lag.get("min", 0) for lag in step.get("after", [])), default=0)
            length = step["duration"] + patient.get("extra", {}).get(step_id, 0)
            if step_id in fixed and "end" in fixed[step_id]:
                length = minutes(fixed[step_id]["end"]) - minutes(fixed[step_id]["start"])
            finish[step_id] = begin + length
        return finish[step_id]

    return max(finish_of(step_id) for step_id in steps)


def plan_objective(morning: dict, assignments: list[dict]) -> dict:
    """The objective fields of a plan with these assignments (the bound: the critical paths)."""
    by_patient: dict[str, list[dict]] = {}
    for entry in assignments:
        by_patient.setdefault(entry["patient"], []).append(entry)
    priority = {p["id"]: p.get("priority", 1) for p in morning["patients"]}
    return {
        "scheduled": len(by_patient),
        "priority_scheduled": sum(priority[pid] for pid in by_patient),
        "total_stay": sum(max(minutes(a["end"]) for a in entries) - min(minutes(a["start"]) for a in entries)
                          for entries in by_patient.values()),
        "lower_bound_total_stay": sum(critical_path(morning, pid) for pid in by_patient),
    }


def session_to_plan(session: ClinicSession, *, published: dict | None = None) -> dict:
    """The morning's published plan (the visit steps' planned times and resources) as a
    `mammapoli-plan/1` dict. `published` is the last plan published as a whole: when the
    database still holds exactly its assignments, its status and bound are kept; otherwise
    (a booking was added since) the plan is FEASIBLE with the critical-path bound."""
    morning = session_to_morning(session)
    step_count = {p["id"]: len(morning["pathways"][p["pathway"]]["steps"]) for p in morning["patients"]}
    reference = morning.get("reference", [])
    planned_steps: dict[str, int] = {}
    for entry in reference:
        planned_steps[entry["patient"]] = planned_steps.get(entry["patient"], 0) + 1
    # A patient is on the plan with all their steps or not at all (a switched pathway's new
    # steps wait for the re-plan).
    planned = {pid for pid, count in planned_steps.items() if count == step_count[pid]}
    assignments = [{key: entry[key] for key in ("patient", "step", "start", "end", "resources")}
                   for entry in reference if entry["patient"] in planned]
    reasons = {u["patient"]: u["reason"] for u in (published or {}).get("unscheduled", [])}
    unscheduled = [{"patient": p["id"], "reason": reasons.get(p["id"], "not planned yet")}
                   for p in morning["patients"] if p["id"] not in planned]
    key = sorted((a["patient"], a["step"], a["start"], a["end"], tuple(a["resources"])) for a in assignments)
    same = published is not None and key == sorted(
        (a["patient"], a["step"], a["start"], a["end"], tuple(a["resources"])) for a in published["assignments"])
    objective = plan_objective(morning, assignments)
    if same and published["objective"]["lower_bound_total_stay"] <= objective["total_stay"]:
        objective["lower_bound_total_stay"] = max(objective["lower_bound_total_stay"],
                                                  published["objective"]["lower_bound_total_stay"])
    return {
        "format": PLAN_FORMAT,
        "instance": morning["name"],
        "status": published["status"] if same else "FEASIBLE",
        "objective": objective,
        "assignments": assignments,
        "unscheduled": unscheduled,
        "stats": {"source": "published"},
    }

"""The rules a `mammapoli-plan/1` plan must keep for its morning, one function per rule family:
coverage, each step on its own, each patient's steps together, capacity, the objective and the
risk figures."""

from __future__ import annotations

from dataclasses import dataclass

from .common import (FAILED_STATUSES, _hm, _is_id, _is_int, _is_number, _minutes, _OBJECTIVE_KEYS,
    PLAN_FORMAT, _PLAN_KEYS, _RISK_KEYS, SOLVED_STATUSES, Violation)
from .morning import (_Fixed, _is_assignment_shape, _Morning, _Patient, _read_morning, _Step)

# --------------------------------------------------------------------------- the plan

@dataclass(frozen=True)
class _Assignment:
    patient: str
    step: str
    start: int
    end: int
    resources: tuple[str, ...]

    def label(self) -> str:
        return f"{self.patient} {self.step} {_hm(self.start)}-{_hm(self.end)}"


def check_plan(instance: dict, plan: dict) -> list[Violation]:
    """Every hard rule of the spec that `plan` breaks for `instance`; [] when it is valid."""
    try:
        return _check(instance, plan)
    except Exception as exc:  # noqa: BLE001 - fail closed: a validator bug never passes a plan
        return [Violation("internal", f"the validator could not finish checking: {exc!r}")]


def _check(instance: object, plan: object) -> list[Violation]:
    if not isinstance(plan, dict):
        return [Violation("format", "the plan is not a JSON object")]
    out: list[Violation] = []
    morning, problems = _read_morning(instance)
    status = _check_header(plan, morning, out)
    if status in FAILED_STATUSES:
        _check_failed_status(plan, status, morning, problems, out)
        return out
    if problems:
        out.extend(Violation("instance", f"the instance is invalid ({p}) but the plan's status "
                                         f"is {status!r}, not INVALID") for p in problems)
        return out
    if status not in SOLVED_STATUSES:
        return out  # already reported by the header check
    assignments = _read_assignments(plan.get("assignments"), out)
    unscheduled = _read_unscheduled(plan.get("unscheduled"), morning, out)
    known = _known_assignments(assignments, morning, out)
    by_patient = _check_coverage(known, unscheduled, morning, out)
    for a in known:
        _check_step(a, morning, out)
    for pid, steps in by_patient.items():
        _check_patient(morning.patients[pid], steps, morning, out)
    _check_capacity(known, morning, out)
    _check_objective(plan.get("objective"), by_patient, morning, out)
    if "risk" in plan:
        _check_risk(plan["risk"], by_patient, morning, out)
    return out


def _check_header(plan: dict, morning: _Morning | None, out: list[Violation]) -> object:
    for key in sorted(k for k in plan if k not in _PLAN_KEYS):
        out.append(Violation("format", f"unknown key {key!r} in the plan"))
    if plan.get("format") != PLAN_FORMAT:
        out.append(Violation("format", f"format is {plan.get('format')!r}, "
                                       f"expected {PLAN_FORMAT!r}"))
    if "instance" in plan and morning is not None and morning.name is not None \
            and plan["instance"] != morning.name:
        out.append(Violation("format", f"the plan is for instance {plan['instance']!r}, "
                                       f"not {morning.name!r}"))
    status = plan.get("status")
    if status not in SOLVED_STATUSES + FAILED_STATUSES:
        out.append(Violation("format", f"status is {status!r}, expected one of "
                                       f"{', '.join(SOLVED_STATUSES + FAILED_STATUSES)}"))
        return status
    if "stats" in plan and not isinstance(plan["stats"], dict):
        out.append(Violation("format", "stats must be an object"))
    if status in SOLVED_STATUSES:
        for key in ("assignments", "unscheduled", "objective"):
            if key not in plan:
                out.append(Violation("format", f"a {status} plan needs the key {key!r}"))
        if "error" in plan:
            out.append(Violation("format", f"a {status} plan has an 'error'"))
    return status


def _check_failed_status(plan: dict, status: str, morning: _Morning | None,
                         problems: list[str], out: list[Violation]) -> None:
    """INVALID/INFEASIBLE plans carry an error and no assignments, and must be justified."""
    if plan.get("assignments"):
        out.append(Violation("status", f"a {status} plan must not give assignments"))
    if "risk" in plan:
        out.append(Violation("status", f"a {status} plan has no plan to give the risk of"))
    if not isinstance(plan.get("error"), str) or not plan["error"].strip():
        out.append(Violation("status", f"a {status} plan must say why in 'error'"))
    if status == "INVALID" and not problems:
        out.append(Violation("status", "the plan says INVALID but the instance is well-formed"))
    if status == "INFEASIBLE" and morning is not None and not morning.fixed:
        out.append(Violation("status", "the plan says INFEASIBLE but the instance has no fixed "
                                       "steps, so leaving everyone unscheduled is feasible"))
    if status == "INFEASIBLE" and problems:
        out.append(Violation("status", f"the instance is invalid ({problems[0]}); "
                                       f"the status must be INVALID, not INFEASIBLE"))


def _read_assignments(raw: object, out: list[Violation]) -> list[_Assignment]:
    if not isinstance(raw, list):
        if raw is not None:
            out.append(Violation("format", "assignments must be a list"))
        return []
    assignments = []
    for i, item in enumerate(raw):
        problems: list[str] = []
        if _is_assignment_shape(item, f"assignments[{i}]", problems, end_required=True):
            assignments.append(_Assignment(item["patient"], item["step"],
                                           _minutes(item["start"]), _minutes(item["end"]),
                                           tuple(item["resources"])))
        out.extend(Violation("format", p) for p in problems)
    return assignments


def _read_unscheduled(raw: object, morning: _Morning, out: list[Violation]) -> list[str]:
    if not isinstance(raw, list):
        if raw is not None:
            out.append(Violation("format", "unscheduled must be a list"))
        return []
    listed: list[str] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not _is_id(item.get("patient")):
            out.append(Violation("format", f"unscheduled[{i}] must be an object with a patient"))
            continue
        for key in sorted(k for k in item if k not in {"patient", "reason"}):
            out.append(Violation("format", f"unscheduled[{i}]: unknown key {key!r}"))
        pid = item["patient"]
        reason = item.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            out.append(Violation("unscheduled", f"{pid} is unscheduled without a reason"))
        if pid not in morning.patients:
            out.append(Violation("unknown-patient", f"unscheduled {pid} is not a patient of "
                                                    f"this morning"))
        elif pid in listed:
            out.append(Violation("unscheduled", f"{pid} is listed as unscheduled twice"))
        else:
            listed.append(pid)
    return listed


def _known_assignments(assignments: list[_Assignment], morning: _Morning,
                       out: list[Violation]) -> list[_Assignment]:
    """Drop (and report) assignments to unknown patients or steps; keep the rest."""
    known = []
    for a in assignments:
        patient = morning.patients.get(a.patient)
        if patient is None:
            out.append(Violation("unknown-patient", f"{a.label()}: {a.patient} is not a "
                                                    f"patient of this morning"))
        elif a.step not in patient.steps:
            out.append(Violation("unknown-step", f"{a.label()}: {a.step} is not a step of "
                                                 f"{a.patient}'s pathway {patient.pathway}"))
        else:
            known.append(a)
    return known


def _check_coverage(known: list[_Assignment], unscheduled: list[str], morning: _Morning,
                    out: list[Violation]) -> dict:
    """Each patient fully scheduled (each step once) xor unscheduled; fixed ones scheduled.

    Returns patient id -> {step id: first assignment} for the patients that have any.
    """
    by_patient: dict = {}
    for a in known:
        steps = by_patient.setdefault(a.patient, {})
        if a.step in steps:
            out.append(Violation("partial-patient", f"{a.patient} {a.step} is assigned more "
                                                    f"than once ({a.label()})"))
        else:
            steps[a.step] = a
    for pid, patient in morning.patients.items():
        steps = by_patient.get(pid, {})
        if steps and pid in unscheduled:
            out.append(Violation("unscheduled", f"{pid} is listed as unscheduled but has "
                                                f"{len(steps)} assignment(s)"))
        missing = [s for s in patient.steps if s not in steps]
        if steps and missing:
            out.append(Violation("partial-patient", f"{pid} ({patient.pathway}) is missing "
                                                    f"step(s) {', '.join(missing)}"))
        if not steps and pid not in unscheduled:
            out.append(Violation("missing-patient", f"{pid} is neither scheduled nor listed "
                                                    f"as unscheduled"))
    for (pid, sid), fixed in morning.fixed.items():
        if sid not in by_patient.get(pid, {}):
            out.append(Violation("fixed", f"fixed step {pid} {sid} (started {_hm(fixed.start)}) "
                                          f"is missing from the plan"))
    for pid in dict.fromkeys(pid for pid, _ in morning.fixed):
        if pid in unscheduled:
            out.append(Violation("fixed", f"{pid} has fixed steps and must be fully "
                                          f"scheduled, but is listed as unscheduled"))
    return by_patient


def _check_step(a: _Assignment, morning: _Morning, out: list[Violation]) -> None:
    """Rules about one step on its own: length, resources, availability, window, now."""
    patient = morning.patients[a.patient]
    step = patient.steps[a.step]
    fixed = morning.fixed.get((a.patient, a.step))
    if fixed is not None:
        _check_fixed(a, fixed, morning, out)
    elif a.end - a.start != patient.length(a.step):
        extra = patient.extra.get(a.step, 0)
        out.append(Violation("duration", f"{a.label()} lasts {a.end - a.start} min; it must "
                                         f"last {step.duration} min + {extra} extra"))
    _check_needs(a, step, morning, out)
    if fixed is None:
        _check_availability(a, morning, out)
        if morning.now is not None and a.start < morning.now:
            out.append(Violation("now", f"{a.label()} starts before now ({_hm(morning.now)}) "
                                        f"and is not fixed"))
        if patient.arrived is not None and a.start < patient.arrived:
            out.append(Violation("arrived", f"{a.label()} starts before {a.patient} arrived "
                                            f"({_hm(patient.arrived)}) and is not fixed"))
    if a.start < morning.start or a.end > morning.end:
        out.append(Violation("window", f"{a.label()} is outside the window "
                                       f"{_hm(morning.start)}-{_hm(morning.end)}"))


def _check_fixed(a: _Assignment, fixed: _Fixed, morning: _Morning, out: list[Violation]) -> None:
    end = morning.fixed_end(fixed)
    if (a.start, a.end) != (fixed.start, end):
        out.append(Violation("fixed", f"{a.label()} is fixed at {_hm(fixed.start)}-{_hm(end)}"))
    if a.resources != fixed.resources:
        out.append(Violation("fixed", f"{a.label()} holds {', '.join(a.resources)}; it is fixed "
                                      f"on {', '.join(fixed.resources)}"))


def _check_needs(a: _Assignment, step: _Step, morning: _Morning, out: list[Violation]) -> None:
    if len(a.resources) != len(step.needs):
        out.append(Violation("needs", f"{a.label()} holds {len(a.resources)} resource(s) "
                                      f"({', '.join(a.resources) or 'none'}) but needs "
                                      f"{len(step.needs)} ({', '.join(step.needs) or 'none'})"))
    for position, (rid, kind) in enumerate(zip(a.resources, step.needs), start=1):
        resource = morning.resources.get(rid)
        if resource is None:
            out.append(Violation("unknown-resource", f"{a.label()} uses {rid}, which is not a "
                                                     f"resource of this morning"))
        elif resource.kind != kind:
            out.append(Violation("needs", f"{a.label()} holds {rid} ({resource.kind}) as need "
                                          f"{position}, which is {kind}"))
    for rid in sorted({r for r in a.resources if a.resources.count(r) > 1}):
        out.append(Violation("needs", f"{a.label()} holds {rid} more than once; a kind listed "
                                      f"twice needs two different resources"))


def _check_availability(a: _Assignment, morning: _Morning, out: list[Violation]) -> None:
    for rid in dict.fromkeys(a.resources):
        resource = morning.resources.get(rid)
        if resource is None:
            continue
        if not any(lo <= a.start and a.end <= hi for lo, hi in resource.available):
            shown = ", ".join(f"{_hm(lo)}-{_hm(hi)}" for lo, hi in resource.available) or "never"
            out.append(Violation("availability", f"{a.label()} uses {rid} outside its "
                                                 f"availability ({shown})"))


def _check_patient(patient: _Patient, steps: dict, morning: _Morning,
                   out: list[Violation]) -> None:
    """Rules between a patient's steps: lags, same resource, one at a time, own times."""
    for sid, a in steps.items():
        step = patient.steps[sid]
        for lag in step.after:
            pred = steps.get(lag.step)
            if pred is None:
                continue
            gap = a.start - pred.end
            if gap < lag.min:
                out.append(Violation("precedence-min", f"{a.label()} starts {gap} min after "
                                     f"{lag.step} ends ({_hm(pred.end)}); at least {lag.min} "
                                     f"min needed"))
            if lag.max is not None and gap > lag.max:
                out.append(Violation("precedence-max", f"{a.label()} starts {gap} min after "
                                     f"{lag.step} ends ({_hm(pred.end)}); at most {lag.max} "
                                     f"min allowed"))
        for kind, other_id in step.same_as:
            other = steps.get(other_id)
            if other is None:
                continue
            mine = _held_of_kind(a, step, kind)
            theirs = _held_of_kind(other, patient.steps[other_id], kind)
            if mine and theirs and not set(mine) & set(theirs):
                out.append(Violation("same-as", f"{a.label()} has {kind} {', '.join(mine)}; it "
                                     f"must be the one who did {other_id} "
                                     f"({', '.join(theirs)})"))
    ordered = sorted(steps.values(), key=lambda x: (x.start, x.end))
    for i, first in enumerate(ordered):
        for second in ordered[i + 1:]:
            if second.start >= first.end:
                break
            out.append(Violation("patient-overlap", f"{patient.id} is in {first.label()} and "
                                                    f"{second.label()} at the same time"))
    begin = min(a.start for a in ordered)
    finish = max(a.end for a in ordered)
    _check_notice(patient, begin, morning, out)
    if begin < patient.earliest:
        out.append(Violation("earliest", f"{patient.id} starts at {_hm(begin)}, before their "
                                         f"earliest {_hm(patient.earliest)}"))
    if finish > patient.latest:
        out.append(Violation("latest", f"{patient.id} finishes at {_hm(finish)}, after their "
                                       f"latest {_hm(patient.latest)}"))


def _check_notice(patient: _Patient, arrival: int, morning: _Morning, out: list[Violation]) -> None:
    """On the day, a published patient who is not in the clinic and not late keeps her
    published arrival, or is given one at least `notice` minutes after now."""
    published = (morning.published or {}).get(patient.id)
    if morning.now is None or published is None or published < morning.now or morning.present(patient.id):
        return
    if arrival != published and arrival < morning.now + morning.notice:
        out.append(Violation("notice", f"{patient.id} is asked to come at {_hm(arrival)} instead of "
                                       f"{_hm(published)}: a new arrival must be at least "
                                       f"{morning.notice} min after now ({_hm(morning.now)})"))


def _held_of_kind(a: _Assignment, step: _Step, kind: str) -> list[str]:
    """Resources the step holds in the positions where its needs list `kind`."""
    return [rid for rid, need in zip(a.resources, step.needs) if need == kind]


def _check_capacity(known: list[_Assignment], morning: _Morning, out: list[Violation]) -> None:
    """Capacity one: no two steps overlap on a resource ([start, end) is half-open)."""
    uses: dict = {}
    for a in known:
        for rid in dict.fromkeys(a.resources):
            if rid in morning.resources:
                uses.setdefault(rid, []).append(a)
    for rid, items in uses.items():
        items.sort(key=lambda x: (x.start, x.end))
        for i, first in enumerate(items):
            for second in items[i + 1:]:
                if second.start >= first.end:
                    break
                out.append(Violation("capacity", f"{rid} is used by {first.label()} and "
                                                 f"{second.label()} at the same time"))


def _stay(patient: _Patient, steps: dict) -> int:
    """End of her last step - start of her first, or - when she arrived if that was earlier."""
    begin = min(a.start for a in steps.values())
    if patient.arrived is not None:
        begin = min(begin, patient.arrived)
    return max(a.end for a in steps.values()) - begin


def _critical_path(patient: _Patient, morning: _Morning) -> int:
    """Longest path through the step DAG: step lengths plus `min` lags.

    A fixed step counts with the length it really took (or is taking), since a step that
    finished early can make the stay shorter than the planned critical path.
    """
    finish: dict = {}

    def finish_of(sid: str) -> int:
        if sid not in finish:
            step = patient.steps[sid]
            begin = max((finish_of(lag.step) + lag.min for lag in step.after), default=0)
            fixed = morning.fixed.get((patient.id, sid))
            length = morning.fixed_end(fixed) - fixed.start if fixed else patient.length(sid)
            finish[sid] = begin + length
        return finish[sid]

    return max(finish_of(sid) for sid in patient.steps)


def _check_objective(raw: object, by_patient: dict, morning: _Morning,
                     out: list[Violation]) -> None:
    if not isinstance(raw, dict):
        if raw is not None:
            out.append(Violation("format", "objective must be an object"))
        return
    for key in sorted(k for k in raw if k not in _OBJECTIVE_KEYS):
        out.append(Violation("format", f"unknown key {key!r} in objective"))
    bad = [k for k in _OBJECTIVE_KEYS if not _is_int(raw.get(k)) or raw[k] < 0]
    if bad:
        out.append(Violation("format", f"objective needs whole numbers >= 0 for "
                                       f"{', '.join(bad)}"))
        return
    scheduled = [morning.patients[pid] for pid in by_patient]
    actual = {
        "scheduled": len(scheduled),
        "priority_scheduled": sum(p.priority for p in scheduled),
        "total_stay": sum(_stay(p, by_patient[p.id]) for p in scheduled),
    }
    for key, value in actual.items():
        if raw[key] != value:
            out.append(Violation("objective", f"objective.{key} is {raw[key]} but the plan's "
                                              f"assignments give {value}"))
    bound = raw["lower_bound_total_stay"]
    if bound > actual["total_stay"]:
        out.append(Violation("lower-bound", f"lower_bound_total_stay {bound} exceeds the "
                                            f"total stay {actual['total_stay']}"))
    floor = sum(_critical_path(p, morning) for p in scheduled)
    if bound < floor:
        out.append(Violation("lower-bound", f"lower_bound_total_stay {bound} is below the sum "
                                            f"of the scheduled patients' critical paths "
                                            f"({floor} min)"))


def _check_risk(raw: object, by_patient: dict, morning: _Morning, out: list[Violation]) -> None:
    """The plan's `risk` figures (from the engine's own static runs): their shape, and what
    they cannot exceed (only scheduled patients can be answered; every priority is >= 1)."""
    if not isinstance(raw, dict):
        out.append(Violation("risk", "risk must be an object"))
        return
    for key in sorted(k for k in raw if k not in _RISK_KEYS):
        out.append(Violation("risk", f"unknown key {key!r} in risk"))
    for key in _RISK_KEYS:
        if key not in raw:
            out.append(Violation("risk", f"risk.{key} is missing"))
    runs = raw.get("runs")
    if "runs" in raw and (not _is_int(runs) or runs < 1):
        out.append(Violation("risk", f"risk.runs must be a whole number >= 1, got {runs!r}"))
    bad = [k for k in _RISK_KEYS[1:] if k in raw and not _is_number(raw[k])]
    for key in bad:
        out.append(Violation("risk", f"risk.{key} must be a number >= 0, got {raw[key]!r}"))
    if bad or any(k not in raw for k in _RISK_KEYS[1:3]):
        return
    scheduled = [morning.patients[pid] for pid in by_patient]
    answered, priority = raw["answered_expected"], raw["priority_answered_expected"]
    if answered > len(scheduled):
        out.append(Violation("risk", f"risk.answered_expected {answered} exceeds the "
                                     f"{len(scheduled)} scheduled patients"))
    if priority > sum(p.priority for p in scheduled):
        out.append(Violation("risk", f"risk.priority_answered_expected {priority} exceeds the "
                                     f"priority scheduled"))
    if priority < answered:
        out.append(Violation("risk", f"risk.priority_answered_expected {priority} is below "
                                     f"answered_expected {answered} (every priority is >= 1)"))

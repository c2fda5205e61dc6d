"""The one module that calls the scheduling engine's Python API.

Everything else on the Django side speaks the exchange format (`mammapoli-morning/1` in,
`mammapoli-plan/1` out) and this module's `PlanProgress` and `EnginePlan` (the plan, and the
reasons as codes for a translation), so an engine change touches only this file.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass, replace

from django.conf import settings

import scheduler
from scheduler.insert import Blocked, Insertion


@dataclass(frozen=True)
class PlanProgress:
    """One improving plan found during a solve."""

    elapsed: float
    phase: str
    scheduled: int
    priority: int
    total_stay: int
    bound: int

    def as_json(self) -> dict:
        return {**asdict(self), "elapsed": round(self.elapsed, 3)}


@dataclass(frozen=True)
class EnginePlan:
    """The `mammapoli-plan/1` dict, and per unscheduled patient her reason as
    `{"code": …, "params": {…}}` (empty for a reason the engine gives in words only)."""

    plan: dict
    reasons: dict[str, dict]


def solve_morning(
    morning: dict,
    *,
    time_limit: float,
    seed: int = 0,
    on_progress: Callable[[PlanProgress], bool] | None = None,
    workers: int | None = None,
    assigned: dict[str, list[list[str]]] | None = None,
) -> EnginePlan:
    """Plan `morning`: the `mammapoli-plan/1` dict (INVALID/INFEASIBLE plans too) and the reasons.

    `on_progress` is called on every improving plan; returning False stops the engine,
    which then returns the best plan found so far. `assigned`: steps that must be done by a
    named resource, by patient id ([[step, resource], ...]), which the exchange format does
    not carry (a result handed over to another surgeon).
    """

    def report(progress: scheduler.Progress) -> bool:
        keep = on_progress(PlanProgress(progress.elapsed, progress.phase, progress.scheduled, progress.priority,
                                        progress.total_stay, progress.bound))
        return keep is not False

    problem = _with_assignments(morning, assigned) if assigned else morning
    result = scheduler.solve(problem, time_limit=time_limit, workers=workers or settings.SCHEDULER_WORKERS,
                             seed=seed, on_progress=report if on_progress else None)
    reasons = {u.patient: {"code": u.code, "params": u.params} for u in result.unscheduled if u.code}
    return EnginePlan(plan=scheduler.plan_to_json(result), reasons=reasons)


def _with_assignments(morning: dict, assigned: dict[str, list[list[str]]]):
    """The morning as the engine's `Problem`, its patients' named resources added (a morning
    that breaks the format is left to `solve`, which says where)."""
    try:
        problem = scheduler.problem_from_json(morning)
        patients = tuple(replace(p, assigned=tuple(tuple(pair) for pair in assigned.get(p.id, ())))
                         if p.id in assigned else p for p in problem.patients)
        return replace(problem, patients=patients)
    except scheduler.ProblemError:
        return morning


def place_patient(morning: dict, patient: dict, *, arrival: int | None = None) -> Insertion | Blocked:
    """`patient` (an entry of the format's `patients`; if `morning` lists her already, that
    entry is hers) placed into the morning without moving anyone — the engine's own exact
    placement (`scheduler.insert`); with `arrival`, her first step exactly then. Or why she
    does not fit."""
    others = [p for p in morning["patients"] if p["id"] != patient["id"]]
    full = scheduler.problem_from_json({**morning, "patients": [*others, patient]})
    return scheduler.insert(replace(full, patients=full.patients[:-1]), full.patients[-1], arrival=arrival)

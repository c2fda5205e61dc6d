"""The one module that calls the scheduling engine's Python API.

It takes the engine's `Problem` (made by `adapter.session_problem`) and answers with this
module's `PlanProgress` and `EnginePlan` (the `mammapoli-plan/1` plan to store, and the
reasons as codes for a translation), or the engine's `Insertion` / `Blocked`, so an engine
change touches only this file and the adapter.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass, replace

from django.conf import settings

import scheduler
from scheduler.bounds import earliest_end
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
    problem: scheduler.Problem,
    *,
    time_limit: float,
    seed: int = 0,
    on_progress: Callable[[PlanProgress], bool] | None = None,
    workers: int | None = None,
) -> EnginePlan:
    """Plan the morning: the `mammapoli-plan/1` dict (INFEASIBLE plans too) and the reasons.

    `on_progress` is called on every improving plan; returning False stops the engine,
    which then returns the best plan found so far.
    """

    def report(progress: scheduler.Progress) -> bool:
        keep = on_progress(PlanProgress(progress.elapsed, progress.phase, progress.scheduled, progress.priority,
                                        progress.total_stay, progress.bound))
        return keep is not False

    result = scheduler.solve(problem, time_limit=time_limit, workers=workers or settings.SCHEDULER_WORKERS,
                             seed=seed, on_progress=report if on_progress else None)
    reasons = {u.patient: {"code": u.code, "params": u.params} for u in result.unscheduled if u.code}
    return EnginePlan(plan=scheduler.plan_to_json(result), reasons=reasons)


def place_patient(problem: scheduler.Problem, patient: scheduler.Patient, *,
                  arrival: int | None = None) -> Insertion | Blocked:
    """`patient` placed into the morning without moving anyone (if `problem` lists her
    already, that entry is left out) — the engine's own exact placement (`scheduler.insert`);
    with `arrival`, her first step exactly then. Or why she does not fit."""
    others = tuple(p for p in problem.patients if p.id != patient.id)
    return scheduler.insert(replace(problem, patients=others), patient, arrival=arrival)


@dataclass(frozen=True)
class StartConflict:
    """Why a step may not be recorded as started: the engine's words, its code and params
    (`scheduler.feasibility`), and the pathway of each patient it names (for the names)."""

    text: str
    code: str
    params: dict
    pathways: dict[str, str]


def start_conflict(problem: scheduler.Problem, *, patient: str, step: str, start: int,
                   resources: tuple[str, ...]) -> StartConflict | None:
    """The first rule of the engine that `step` of `patient`, started at `start` (minutes) on
    `resources`, breaks with what happened already; None when it may start. Raises
    `scheduler.ProblemError` when the engine cannot take the step (e.g. a resource it does not know)."""
    reason = scheduler.record_conflict(problem, patient, step, start, resources)
    if reason is None:
        return None
    named = {reason.params.get(key) for key in ("patient", "other_patient")} - {None}
    return StartConflict(str(reason), reason.code, dict(reason.params),
                         {p.id: p.pathway for p in problem.patients if p.id in named})


def pathway_earliest_end(problem: scheduler.Problem, patient_id: str) -> int:
    """When her pathway can end at the earliest, by the engine's own temporal rules (minutes)."""
    return earliest_end(problem, patient_id)

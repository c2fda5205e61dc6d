"""What `scheduler.solve` returns: our own status enum and frozen result dataclasses.

Times are integer minutes since midnight, as in `scheduler.problem`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Status(enum.Enum):
    OPTIMAL = "OPTIMAL"        # proven optimal for the whole lexicographic objective
    FEASIBLE = "FEASIBLE"      # a valid plan; optimality not proven in the time given
    INFEASIBLE = "INFEASIBLE"  # the fixed steps themselves cannot be kept
    INVALID = "INVALID"        # the instance breaks the format; `error` names the field


@dataclass(frozen=True)
class ScheduledStep:
    patient: str
    step: str
    start: int
    end: int
    resources: tuple[str, ...]  # in the order of the step's `needs`


class Reason(str):
    """A reason in English words that also carries a stable `code` and its `params` (step and
    kind ids, resource ids, "HH:MM" times), so a user interface can say it in its own language.

    It is a `str`, so everything that only wants the words (the exchange format, the CLI) is
    unchanged. Composed reasons have the code "clauses" and `params["clauses"]`: a list of
    `{"code": …, "params": {…}}`, read in order and joined with "; ".
    """

    code: str
    params: dict

    def __new__(cls, text: str, code: str = "", params: dict | None = None) -> "Reason":
        reason = super().__new__(cls, text)
        reason.code, reason.params = code, dict(params or {})
        return reason

    def __getnewargs__(self):  # copy and pickle keep the code and params
        return str(self), self.code, self.params


@dataclass(frozen=True)
class Unscheduled:
    """A patient who cannot be seen: `reason` in English; `code` and `params` for a translation
    (taken from `reason` when it is a `Reason`; empty when only words are known)."""

    patient: str
    reason: str
    code: str = ""
    params: dict = field(default_factory=dict, hash=False)

    def __post_init__(self):
        if not self.code and isinstance(self.reason, Reason):
            object.__setattr__(self, "code", self.reason.code)
            object.__setattr__(self, "params", dict(self.reason.params))


@dataclass(frozen=True)
class Objective:
    scheduled: int
    priority_scheduled: int
    total_stay: int
    lower_bound_total_stay: int

    @property
    def ratio(self) -> float:
        """How far the plan is from the physical limit (1.0 = at the bound)."""
        if self.lower_bound_total_stay <= 0:
            return 1.0 if self.total_stay == 0 else float("inf")
        return self.total_stay / self.lower_bound_total_stay


@dataclass(frozen=True)
class Phase:
    """One stage of the solve (heuristic, CP-SAT phase, LNS round) for the stats."""

    name: str
    seconds: float
    status: str
    objective: int | None = None
    bound: int | None = None


@dataclass(frozen=True)
class Stats:
    engine: str = "cp-sat"
    solve_seconds: float = 0.0
    first_plan_seconds: float | None = None
    phases: tuple[Phase, ...] = ()
    moved_patients: int | None = None   # with a reference: patients whose arrival moved
    moved_minutes: int | None = None
    cancelled: bool = False

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"solve_seconds": round(self.solve_seconds, 3), "engine": self.engine}
        if self.first_plan_seconds is not None:
            data["first_plan_seconds"] = round(self.first_plan_seconds, 3)
        if self.moved_patients is not None:
            data["moved_patients"] = self.moved_patients
            data["moved_minutes"] = self.moved_minutes
        if self.cancelled:
            data["cancelled"] = True
        data["phases"] = [
            {k: v for k, v in (("name", p.name), ("seconds", round(p.seconds, 3)), ("status", p.status),
                               ("objective", p.objective), ("bound", p.bound)) if v is not None}
            for p in self.phases]
        return data


@dataclass(frozen=True)
class Risk:
    """How the plan fares on mornings that vary: the means and the overtime's 90th
    percentile over the engine's own seeded static runs (`scheduler.simulate`)."""

    runs: int
    answered_expected: float
    priority_answered_expected: float
    overtime_p90: float
    overtime_mean: float

    def to_json(self) -> dict[str, Any]:
        return {"runs": self.runs, "answered_expected": self.answered_expected,
                "priority_answered_expected": self.priority_answered_expected,
                "overtime_p90": self.overtime_p90, "overtime_mean": self.overtime_mean}


@dataclass(frozen=True)
class Result:
    status: Status
    instance: str = ""
    objective: Objective | None = None
    assignments: tuple[ScheduledStep, ...] = ()
    unscheduled: tuple[Unscheduled, ...] = ()
    stats: Stats = field(default_factory=Stats)
    error: str | None = None
    risk: Risk | None = None      # with the instance's `uncertainty`: the plan's static-run figures

    @property
    def has_plan(self) -> bool:
        return self.status in (Status.OPTIMAL, Status.FEASIBLE)


@dataclass(frozen=True)
class Progress:
    """Handed to `on_progress` on every improving plan; return False from it to stop."""

    elapsed: float
    phase: str
    scheduled: int
    priority: int
    total_stay: int
    bound: int

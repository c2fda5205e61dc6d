"""Running CP-SAT on a `CpsatModel`, one objective at a time; plain data out."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from ortools.sat.python import cp_model

from ..heuristic import Placement
from .model import CpsatModel


@dataclass
class PhaseOutcome:
    status: str                       # OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN
    placements: dict[int, Placement] | None
    objective: int | None
    bound: int | None
    seconds: float
    stopped: bool = False             # the progress callback asked to stop


_STATUS = {cp_model.OPTIMAL: "OPTIMAL", cp_model.FEASIBLE: "FEASIBLE", cp_model.INFEASIBLE: "INFEASIBLE",
           cp_model.UNKNOWN: "UNKNOWN", cp_model.MODEL_INVALID: "MODEL_INVALID"}


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, cm: CpsatModel, on_solution: Callable[[dict[int, Placement], int, int], bool] | None):
        super().__init__()
        self.cm = cm
        self.on_solution = on_solution
        self.best: dict[int, Placement] | None = None
        self.best_objective: int | None = None
        self.stopped = False

    def on_solution_callback(self) -> None:
        self.best = self.cm.placements(self.value, self.boolean_value)
        self.best_objective = round(self.objective_value)
        if self.on_solution is not None:
            keep_going = self.on_solution(self.best, self.best_objective, round(self.best_objective_bound))
            if keep_going is False:
                self.stopped = True
                self.stop_search()


def run_phase(cm: CpsatModel, objective, *, maximize: bool, time_limit: float, workers: int, seed: int,
              on_solution: Callable | None = None, log: bool = False,
              params: dict | None = None) -> PhaseOutcome:
    model = cm.model
    if maximize:
        model.maximize(objective)
    else:
        model.minimize(objective)
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.max_time_in_seconds = max(0.05, time_limit)
    p.num_workers = max(1, workers)
    p.random_seed = seed
    p.log_search_progress = log
    if len(cm.patients) > 30:
        # Probing the many resource-choice literals of a big morning costs seconds of
        # presolve and buys little: measured on generated 60-patient mornings.
        p.cp_model_probing_level = 1
    for k, val in (params or {}).items():
        setattr(p, k, val)
    cb = _Callback(cm, on_solution)
    t = time.perf_counter()
    status = solver.solve(model, cb)
    seconds = time.perf_counter() - t
    name = _STATUS.get(status, "UNKNOWN")
    if name in ("OPTIMAL", "FEASIBLE"):
        placements = cm.placements(solver.value, solver.boolean_value)
        return PhaseOutcome(name, placements, round(solver.objective_value), round(solver.best_objective_bound),
                            seconds, cb.stopped)
    return PhaseOutcome(name, None, None, None, seconds, cb.stopped)

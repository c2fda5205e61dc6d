"""Running CP-SAT on a `CpsatModel`, one objective at a time; plain data out."""

from __future__ import annotations

import enum
import queue
import threading
import time
from dataclasses import dataclass
from typing import Callable

from ortools.sat.python import cp_model

from ..placement import Placement
from .model import CpsatModel


class SolveStatus(str, enum.Enum):
    """What a CP-SAT solve of one phase (or one LNS sub-problem) ended with."""

    OPTIMAL = "OPTIMAL"
    FEASIBLE = "FEASIBLE"
    INFEASIBLE = "INFEASIBLE"
    UNKNOWN = "UNKNOWN"
    MODEL_INVALID = "MODEL_INVALID"

    @property
    def has_solution(self) -> bool:
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


@dataclass
class PhaseOutcome:
    status: SolveStatus
    placements: dict[int, Placement] | None
    objective: int | None
    bound: int | None
    seconds: float
    stopped: bool = False             # the progress callback asked to stop


_STATUS = {cp_model.OPTIMAL: SolveStatus.OPTIMAL, cp_model.FEASIBLE: SolveStatus.FEASIBLE,
           cp_model.INFEASIBLE: SolveStatus.INFEASIBLE, cp_model.UNKNOWN: SolveStatus.UNKNOWN,
           cp_model.MODEL_INVALID: SolveStatus.MODEL_INVALID}


def solve_status(cpsat_status) -> SolveStatus:
    return _STATUS.get(cpsat_status, SolveStatus.UNKNOWN)


class _Callback(cp_model.CpSolverSolutionCallback):
    """Reads each improving solution (in CP-SAT's thread) and hands it to the caller's."""

    def __init__(self, cm: CpsatModel, solutions: queue.Queue):
        super().__init__()
        self.cm = cm
        self.solutions = solutions

    def on_solution_callback(self) -> None:
        placements = self.cm.placements(self.value, self.boolean_value)
        self.solutions.put((placements, round(self.objective_value), round(self.best_objective_bound)))


def run_phase(cm: CpsatModel, objective, *, maximize: bool, time_limit: float, workers: int, seed: int,
              on_solution: Callable[[dict[int, Placement], int, int], bool] | None = None,
              log: bool = False, params: dict | None = None) -> PhaseOutcome:
    """Optimise `objective` on the model. `on_solution(placements, objective, bound)` is
    called for each improving solution from the calling thread (CP-SAT runs in its own);
    returning False stops the search."""
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
    solutions: queue.Queue = queue.Queue()
    cb = _Callback(cm, solutions)
    result: dict = {}

    def run() -> None:
        result["status"] = solver.solve(model, cb)

    t = time.perf_counter()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    stopped = False

    def drain(block: bool) -> None:
        nonlocal stopped
        while True:
            try:
                placements, obj, bound = solutions.get(timeout=0.02) if block else solutions.get_nowait()
            except queue.Empty:
                return
            if on_solution is not None and not stopped and on_solution(placements, obj, bound) is False:
                stopped = True
                solver.stop_search()
            block = False

    while thread.is_alive():
        drain(block=True)
    thread.join()
    drain(block=False)
    seconds = time.perf_counter() - t
    name = solve_status(result.get("status"))
    if name.has_solution:
        placements = cm.placements(solver.value, solver.boolean_value)
        return PhaseOutcome(name, placements, round(solver.objective_value), round(solver.best_objective_bound),
                            seconds, stopped)
    return PhaseOutcome(name, None, None, None, seconds, stopped)

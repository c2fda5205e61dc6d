"""Lower bounds on the stay, and each patient on their own.

- The critical path (`PPatient.critical_path`): the longest chain of durations and
  minimum lags through the pathway (at least the sum of the durations when steps may run
  in any order, since a patient is in one step at a time).
- The minimal stay alone: the shortest stay the patient can have in this morning with
  nobody else booked — resources' breaks and fixed steps included (e.g. a pathologist who
  starts at 09:00). At least the critical path, and a valid lower bound for any plan,
  since other patients only take resources away. For a pathway whose steps form a chain
  it is computed exactly by the list scheduler (earliest placement from every possible
  arrival, for every choice of the `same_as` resources); otherwise by a one-patient CP-SAT
  model.

`lower_bound_total_stay` of a plan is the sum over its patients of the minimal stay
alone, or CP-SAT's proven bound for the whole morning when that is higher.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .placement import Placement
from .placer import Placer
from .timeline import Timeline
from .prepared import PPatient, Prepared
from .problem import Assignment, Problem
from .result import Objective


@dataclass
class Alone:
    witness: Placement | None    # a placement of the patient alone, if there is one
    min_stay: int                # lower bound on their stay in any plan
    exact: bool                  # min_stay is the true minimum alone
    unproven: bool = False       # no witness found in time, but not proven impossible either


def _chain_min_stay(placer: Placer, tl: Timeline, p: PPatient) -> tuple[Placement | None, int]:
    best_starts, best_stay, best_combo = None, None, None
    fixed_source = any(p.steps[s].fixed for s in p.sources)
    for combo in placer.combos(p):
        release = p.lo
        while release <= p.hi:
            starts = placer.forward(tl, p, combo, release)
            if starts is None:
                break
            arrival = min(starts)
            stay = max(s + st.duration for s, st in zip(starts, p.steps)) - p.origin(arrival)
            if best_stay is None or stay < best_stay:
                best_starts, best_stay, best_combo = starts, stay, combo
            if stay <= p.critical_path or fixed_source or p.arrived is not None:
                break   # (her stay counts from when she arrived: the earliest end is the shortest)
            release = arrival + 1
        if best_stay is not None and best_stay <= p.critical_path:
            break
    if best_starts is None:
        return None, p.critical_path
    return Placement(p.index, best_starts, placer.resources_for(tl, p, best_combo, best_starts)), best_stay


def _model_min_stay(prep: Prepared, p: PPatient, time_limit: float) -> tuple[Placement | None, int, bool]:
    from .cpsat.model import CpsatModel, assign_pooled
    from .cpsat.solver import SolveStatus, run_phase

    cm = CpsatModel(prep, [p.index], {p.index}, {})
    out = run_phase(cm, cm.total_stay, maximize=False, time_limit=time_limit, workers=1, seed=0)
    if out.placements is None:   # exact: proven that she cannot be seen alone
        return None, p.critical_path, out.status is SolveStatus.INFEASIBLE
    pl = assign_pooled(prep, out.placements)[p.index]
    return pl, max(p.critical_path, out.bound), out.status is SolveStatus.OPTIMAL


def analyse_alone(prep: Prepared, placer: Placer | None = None, *, model_time: float = 1.0) -> dict[int, Alone]:
    """For every patient whose temporal rules can be met: a witness placement alone (None
    if there is none: the patient cannot be seen this morning) and the minimal stay."""
    placer = placer or Placer(prep)
    tl = Timeline(prep)
    out: dict[int, Alone] = {}
    cache: dict[tuple, Alone] = {}
    for p in prep.patients:
        if p.temporal_error:
            out[p.index] = Alone(None, p.critical_path, False)
            continue
        key = None
        if not p.has_fixed:
            key = (p.pathway, p.lo, p.hi, p.arrived, p.published, p.gate, tuple(s.duration for s in p.steps))
            if key in cache:
                c = cache[key]
                w = None if c.witness is None else Placement(p.index, list(c.witness.starts), list(c.witness.resources))
                out[p.index] = Alone(w, c.min_stay, c.exact)
                continue
        if p.chain:
            witness, stay = _chain_min_stay(placer, tl, p)
            result = Alone(witness, stay, witness is not None)
        else:
            witness, stay, exact = _model_min_stay(prep, p, model_time)
            if witness is None and not exact:
                # The one-patient model ran out of time without an answer (a loaded machine):
                # that is not "cannot be seen". The list scheduler's earliest placement is a
                # witness; without one she still counts as possible, unproven.
                witness = placer.place_earliest(tl, p)
                result = Alone(witness, stay, False, unproven=witness is None)
            else:
                result = Alone(witness, stay, exact)
        out[p.index] = result
        if key is not None:
            cache[key] = result
    return out


def critical_paths(problem: Problem) -> dict[str, int]:
    """Each patient's critical path (`PPatient.critical_path`), by patient id: the shortest
    stay the pathway's own rules allow, a fixed step counting with the time it really took."""
    return {p.id: p.critical_path for p in Prepared(problem).patients}


def plan_objective(problem: Problem, assignments: Iterable[Assignment]) -> Objective:
    """The objective of a plan made of `assignments` (every step with its `end`), as the engine
    counts it: a patient's stay from her first step (or from when she arrived, if earlier) to
    the end of her last; the bound the sum of the scheduled patients' critical paths (a plan
    the engine did not make, e.g. the one in the database after a booking)."""
    prep = Prepared(problem)
    spans: dict[str, tuple[int, int]] = {}
    for a in assignments:
        first, last = spans.get(a.patient, (a.start, a.end))
        spans[a.patient] = (min(first, a.start), max(last, a.end))
    patients = [prep.patients[prep.patient_index[pid]] for pid in spans]
    return Objective(len(patients), sum(p.priority for p in patients),
                     sum(spans[p.id][1] - p.origin(spans[p.id][0]) for p in patients),
                     sum(p.critical_path for p in patients))


def earliest_end(problem: Problem, patient_id: str) -> int:
    """When the patient's pathway can end at the earliest by its temporal rules alone (the
    resources not looked at): her fixed steps as they happened, the others from `now` (and her
    earliest, and her arrival) on, each after its predecessors' end plus the minimum lag, with
    the maximum lags pulling the earlier steps along (`Prepared`'s static windows)."""
    prep = Prepared(problem)
    p = prep.patients[prep.patient_index[patient_id]]
    return max(s.est + s.duration for s in p.steps)

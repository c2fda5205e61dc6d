"""The single entry point: `solve(problem, *, time_limit, workers, seed, on_progress)`.

How a morning is solved:

1. Prepare: durations, static time windows, resource modes (`prepared`). Fixed steps
   that break a rule among themselves: INFEASIBLE.
2. Each patient alone (`bounds.analyse_alone`): who can be seen at all (a witness
   placement), their minimal stay (the lower bound), and a reason for those who cannot.
   A patient with fixed steps who cannot be completed: INFEASIBLE.
3. First plans: the first-come-first-served plan at once (so the engine can never see
   less priority than that list scheduler), then the construction heuristic (several
   orders and placement rules, repaired by ejections, more priority by exchanges,
   polished by re-placing each patient where they wait least).
4. Priority (objective 1), unless everyone who can be seen already is: a quick
   full-model CP-SAT solve (on small mornings usually a proof), then in turn
   large-neighbourhood search on "priority first, then stay" and full-model solves.
5. Total stay (objective 2), priority held: LNS (parallel one-worker sub-solves) until
   the plan meets the lower bound, then a full-model solve with the best plan as hint,
   for the proof or a better bound.
6. With a reference: stability (objective 3), priority and stay held: quick full-model
   solve, LNS, full-model solve.
7. Patients still out are tried once more in the final plan; pooled resources are given
   by interval colouring; the independent validator checks the plan (`scheduler.check`);
   reasons are written for those not seen.

Status OPTIMAL means every objective level was proven: by CP-SAT, by a plan meeting its
bound (the sum of minimal stays, the upper bound on priority), or by an LNS round that
freed every patient and was solved to optimality.

`on_progress(Progress)` is called, always from the caller's thread, on every improving
plan; if it returns False the search stops at once and the best plan so far is returned
(status FEASIBLE, `stats.cancelled`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Callable

from .bounds import analyse_alone
from .budget import Budget
from .feasibility import fixed_conflicts
from .finish import ENGINE, finish, infeasible
from .heuristic import compact_plan, construct_plan, exchange_plan, fcfs_plan, published_plan
from .io import instance_name, problem_from_json
from .phases import Phases
from .placer import Placer
from .prepared import Prepared
from .problem import Problem, ProblemError
from .reasons import alone_reasons
from .result import Progress, Result, Stats, Status
from .robust import plans_for_uncertainty, solve_robust
from .search import Cancelled, Search


def solve(problem: Problem | Mapping, *, time_limit: float = 10.0, workers: int = 2, seed: int = 0,
          on_progress: Callable[[Progress], object] | None = None,
          log: Callable[[str], None] | None = None) -> Result:
    """Plan a morning. `problem` is a `Problem` or a parsed `mammapoli-morning/1` instance
    (then a format error gives status INVALID with the field named in `error`)."""
    started = time.perf_counter()
    if not isinstance(problem, Problem):
        try:
            problem = problem_from_json(problem)
        except ProblemError as error:
            return Result(Status.INVALID, instance=instance_name(problem), error=str(error),
                          stats=Stats(engine=ENGINE, solve_seconds=time.perf_counter() - started))
    if plans_for_uncertainty(problem):
        # With `uncertainty` (planning ahead): the format's objective on varying mornings.
        return solve_robust(problem, time_limit=time_limit, workers=workers, seed=seed, log=log,
                            on_progress=on_progress)
    prep = Prepared(problem)
    search = Search(prep, time_limit=time_limit, workers=workers, seed=seed, on_progress=on_progress, log=log)
    try:
        return _solve(prep, search)
    except Cancelled:
        return finish(prep, search, proven=False)


def _solve(prep: Prepared, search: Search) -> Result:
    conflict = fixed_conflicts(prep)
    if conflict:
        return infeasible(prep, search, conflict)

    # 2. Each patient alone.
    t = time.perf_counter()
    placer = Placer(prep)
    alone = analyse_alone(prep, placer, model_time=Budget.alone(search.remaining()))
    possible = [i for i in range(len(prep.patients)) if alone[i].witness is not None]
    impossible = [i for i in range(len(prep.patients)) if alone[i].witness is None]
    search.alone_reason = alone_reasons(prep, impossible)
    for i in impossible:
        if prep.patients[i].has_fixed:
            p = prep.patients[i]
            return infeasible(prep, search, f"patient {p.id} (fixed steps) cannot be completed: "
                                             f"{search.alone_reason[i]}")
    search.min_stay = {i: alone[i].min_stay for i in range(len(prep.patients))}
    search.possible = possible
    witnesses = {i: alone[i].witness for i in possible}
    forced = {i for i in possible if prep.patients[i].has_fixed}
    upper = sum(prep.patients[i].weight for i in possible)
    search.phase("alone", time.perf_counter() - t, f"{len(possible)} of {len(prep.patients)} can be seen")
    search.reference = {i: prep.patients[i].published for i in possible if prep.patients[i].published is not None}

    # 3. First plans: the first-come-first-served plan at once (a valid plan within
    # milliseconds); on the day the published plan as far as it still holds; then the
    # construction heuristic.
    t = time.perf_counter()
    quick = fcfs_plan(prep, patients=possible, placer=placer)
    if forced <= set(quick.placements):
        search.safe = quick.placements
        if not search.offer(quick.placements, "first come, first served"):
            raise Cancelled
    if prep.on_the_day and search.reference:
        kept = published_plan(prep, patients=possible, placer=placer, min_stay=search.min_stay)
        if forced <= set(kept) and (search.best is None or search.better(kept)):
            search.safe = kept
            if not search.offer(kept, "as published"):
                raise Cancelled
    budget = Budget.construction(search.remaining())
    plan, built = construct_plan(prep, patients=possible, time_budget=budget, seed=search.seed,
                                 min_stay=search.min_stay,
                                 target=(upper, -sum(search.min_stay[i] for i in possible)))
    first = plan.placements if forced <= set(plan.placements) else None
    if first is not None:
        if plan.weight < upper:
            first = exchange_plan(prep, first, possible, placer=placer,
                                  time_budget=Budget.exchange(search.remaining()))
        first = compact_plan(prep, first, min_stay=search.min_stay, placer=placer,
                             time_budget=Budget.compact(search.remaining()))
    search.phase("heuristic", time.perf_counter() - t, f"{built} plans" if first is not None else
                 "no plan keeps every fixed step", search.stay(first) if first is not None else None)
    if first is not None and (search.best is None or search.better(first)):
        search.safe = first
        if not search.offer(first, "heuristic"):
            raise Cancelled
    first = search.best

    phases = Phases(prep, search, possible, forced, witnesses, upper)

    # 4. Priority (on the day: of the patients in the clinic first).
    if first is None:
        ok = phases.find_first_plan()
        if ok is not True:
            return infeasible(prep, search, ok)
    proven = phases.priority_phase()
    if prep.on_the_day:
        # 5'. Keep faith: move as few of those not yet here as possible; 6'. then the stay.
        if search.reference:
            proven = phases.stability_phase(share=Budget.STABILITY_ON_THE_DAY) and proven
        proven = phases.stay_phase(share=1.0) and proven
    else:
        # 5. Total stay, priority held; 6. stability, priority and stay held.
        proven = phases.stay_phase(share=Budget.STAY_AHEAD_WITH_REFERENCE if search.reference else 1.0) and proven
        if search.reference:
            proven = phases.stability_phase(share=1.0) and proven
    # A patient whose analysis alone ran out of time is left out unproven: so is the plan.
    unsure = any(alone[i].unproven for i in impossible)
    return finish(prep, search, proven=proven and not unsure)

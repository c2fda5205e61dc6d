"""The end of a solve: the last insertions, concrete resources, the independent validator's
look at the plan, the reasons for whoever is not seen, the `Result`."""

from __future__ import annotations

from .check import check_plan
from .cpsat.model import assign_pooled
from .io import plan_to_json, problem_to_json
from .placement import Placement, as_steps
from .placer import Placer
from .prepared import Prepared
from .reasons import reasons
from .result import Objective, Result, Stats, Status, Unscheduled
from .search import Search, moved
from .simulate import plan_risk
from .timeline import Timeline

ENGINE = "cp-sat"


def infeasible(prep: Prepared, search: Search, error: str) -> Result:
    if search.log:
        search.log(f"[{search.elapsed():7.2f}s] INFEASIBLE: {error}")
    return Result(Status.INFEASIBLE, instance=prep.problem.name, error=error,
                  stats=Stats(engine=ENGINE, solve_seconds=search.elapsed(), phases=tuple(search.phases)))


def finish(prep: Prepared, search: Search, *, proven: bool) -> Result:
    """Last insertions, concrete resources, the independent validator, reasons, the Result."""
    best = search.best
    if best is None:
        return infeasible(prep, search, "no plan was found before the search stopped")
    ref_res = {(i, s): set(resources) for i, steps in search.published_steps.items()
               for s, (_, resources) in steps.items()}
    best = assign_pooled(prep, best, ref_res)
    # Anyone still out who fits as the plan stands goes in (more priority is always better).
    placer = Placer(prep)
    tl = Timeline(prep)
    for i, pl in best.items():
        placer.commit(tl, prep.patients[i], pl)
    for i in sorted((i for i in search.possible if i not in best), key=lambda i: -prep.patients[i].weight):
        p = prep.patients[i]
        pl = placer.place_compact(tl, p, 0.3)
        if pl is not None:
            placer.commit(tl, p, pl)
            best[i] = pl
            proven = False
    result = _result(prep, search, best, proven)
    problems = violations(prep, result)
    if problems:
        # A modelling bug: never hand out a broken plan; fall back to the heuristic's.
        search.phase("check", 0.0, "FAILED: " + "; ".join(problems[:3]))
        if search.safe is None:
            return infeasible(prep, search, "internal error: no valid plan (" + problems[0] + ")")
        result = _result(prep, search, search.safe, False)
        problems = violations(prep, result)
        if problems:
            return infeasible(prep, search, "internal error: no valid plan (" + problems[0] + ")")
    return result


def violations(prep: Prepared, result: Result) -> list[str]:
    """What the independent validator (`scheduler.check`) finds wrong with a result: the one
    other place where the rules of the format are written down."""
    instance = problem_to_json(prep.problem)
    instance.setdefault("date", "2000-01-01")   # a Problem made in Python may leave the date out
    if not instance["date"]:
        instance["date"] = "2000-01-01"
    return [str(v) for v in check_plan(instance, plan_to_json(result))]


def _result(prep: Prepared, search: Search, best: dict[int, Placement], proven: bool) -> Result:
    search.best = best
    unscheduled = [i for i in range(len(prep.patients)) if i not in best]
    why = reasons(prep, best, unscheduled, search.alone_reason)
    assignments = as_steps(prep, best)
    stay = search.stay(best)
    bound = search.bound_of(best)
    objective = Objective(len(best), search.priority(best), stay, min(bound, stay))
    published = {i: p.published for i, p in enumerate(prep.patients) if p.published is not None}
    moves = moved(prep, best, published) if prep.problem.reference else (None, None)
    # With `uncertainty`, the plan tells how it will fare (its own seeded static runs).
    risk = plan_risk(prep.problem, assignments, seed=search.seed) if prep.problem.uncertainty else None
    stats = Stats(engine=ENGINE, solve_seconds=search.elapsed(), first_plan_seconds=search.first_plan_seconds,
                  phases=tuple(search.phases), moved_patients=moves[0], moved_minutes=moves[1],
                  cancelled=search.cancelled)
    status = Status.OPTIMAL if proven and not search.cancelled else Status.FEASIBLE
    return Result(status, instance=prep.problem.name, objective=objective, assignments=assignments,
                  unscheduled=tuple(Unscheduled(prep.patients[i].id, why[i]) for i in unscheduled), stats=stats,
                  risk=risk)

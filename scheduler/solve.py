"""The single entry point: `solve(problem, *, time_limit, workers, seed, on_progress)`.

How a morning is solved:

1. Prepare: durations, static time windows, resource modes (`prepared`). Fixed steps
   that break a rule among themselves: INFEASIBLE.
2. Each patient alone (`bounds.analyse_alone`): who can be seen at all (a witness
   placement), their minimal stay (the lower bound), and a reason for those who cannot.
   A patient with fixed steps who cannot be completed: INFEASIBLE.
3. A first plan from the construction heuristic (a valid plan within milliseconds; the
   engine can never return less priority than this list scheduler).
4. Priority (objective 1): large-neighbourhood search on "priority first, then stay"
   from the first plan until everyone who can be seen is, then — if that is not the
   case — a full CP-SAT solve that tries to prove the best priority.
5. Total stay (objective 2), priority held: LNS until the plan meets the lower bound,
   then a full CP-SAT solve with the best plan as hint, for the proof or a better bound.
6. With a reference: stability (objective 3), priority and stay held.
7. Patients still out are tried once more in the final plan; pooled resources are given
   by interval colouring; the plan is checked; reasons are written for those not seen.

`on_progress(Progress)` is called on every improving plan (and once per phase); if it
returns False the search stops and the best plan so far is returned (stats.cancelled).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Callable

from .bounds import analyse_alone
from .cpsat.lns import Lns
from .cpsat.model import CpsatModel, assign_pooled
from .cpsat.solver import run_phase
from .feasibility import fixed_conflicts
from .heuristic import Placement, Placer, Timeline, construct_plan
from .io import instance_name, problem_from_json
from .prepared import Prepared
from .problem import Problem, ProblemError
from .reasons import alone_reasons, reasons
from .result import (Objective, Phase, Progress, Result, ScheduledStep, Stats, Status,
                     Unscheduled)
from .selfcheck import plan_violations

ENGINE = "cp-sat"


class _Cancelled(Exception):
    pass


class _Search:
    """The state of one solve: the best plan, what is proven, the clock."""

    def __init__(self, prep: Prepared, *, time_limit: float, workers: int, seed: int,
                 on_progress: Callable[[Progress], object] | None, log: Callable[[str], None] | None):
        self.prep = prep
        self.t0 = time.perf_counter()
        self.deadline = self.t0 + max(0.0, time_limit)
        self.workers = max(1, int(workers))
        self.seed = int(seed)
        self.on_progress = on_progress
        self.log = log
        self.best: dict[int, Placement] | None = None
        self.first_plan_seconds: float | None = None
        self.phases: list[Phase] = []
        self.cancelled = False
        self.bound_stay = 0
        self.min_stay: dict[int, int] = {}
        self.possible: list[int] = []
        self.alone_reason: dict[int, str] = {}
        self.safe: dict[int, Placement] | None = None   # the heuristic's plan (checked)

    # Clock and reporting ---------------------------------------------------------------
    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def remaining(self) -> float:
        return self.deadline - time.perf_counter()

    def priority(self, placements) -> int:
        return sum(self.prep.patients[i].priority for i in placements)

    def stay(self, placements) -> int:
        prep = self.prep
        return sum(max(s + st.duration for s, st in zip(pl.starts, prep.patients[i].steps)) - min(pl.starts)
                   for i, pl in placements.items())

    def phase(self, name: str, seconds: float, status: str, objective=None, bound=None) -> None:
        self.phases.append(Phase(name, seconds, status, objective, bound))
        if self.log:
            extra = "" if objective is None else f" objective {objective}" + ("" if bound is None else f" bound {bound}")
            self.log(f"[{self.elapsed():7.2f}s] {name}: {status}{extra} ({seconds:.2f}s)")

    def offer(self, placements: dict[int, Placement], phase: str) -> bool:
        """A new plan (at least as good lexicographically). Returns False to stop."""
        self.best = placements
        if self.first_plan_seconds is None:
            self.first_plan_seconds = self.elapsed()
        prio, stay = self.priority(placements), self.stay(placements)
        if self.log:
            self.log(f"[{self.elapsed():7.2f}s] {phase}: {len(placements)} patients, priority {prio}, "
                     f"total stay {stay}, bound {self.bound_of(placements)}")
        if self.on_progress is not None:
            keep = self.on_progress(Progress(self.elapsed(), phase, len(placements), prio, stay,
                                             self.bound_of(placements)))
            if keep is False:
                self.cancelled = True
                return False
        return True

    def bound_of(self, placements) -> int:
        return max(self.bound_stay, sum(self.min_stay[i] for i in placements))


def _key(search: _Search, placements) -> tuple[int, int]:
    return (search.priority(placements), -search.stay(placements))


def _reference_arrivals(prep: Prepared) -> dict[int, int]:
    out: dict[int, int] = {}
    for a in prep.problem.reference:
        i = prep.patient_index.get(a.patient)
        if i is not None:
            out[i] = min(out.get(i, a.start), a.start)
    return out


def _reference_resources(prep: Prepared) -> dict[tuple[int, int], set[int]]:
    out: dict[tuple[int, int], set[int]] = {}
    for a in prep.problem.reference:
        i = prep.patient_index.get(a.patient)
        if i is None:
            continue
        steps = {st.id: st.local for st in prep.patients[i].steps}
        if a.step in steps:
            out[(i, steps[a.step])] = {prep.resource_index[r] for r in a.resources if r in prep.resource_index}
    return out


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
    prep = Prepared(problem)
    search = _Search(prep, time_limit=time_limit, workers=workers, seed=seed, on_progress=on_progress, log=log)
    try:
        return _solve(prep, search)
    except _Cancelled:
        return _finish(prep, search, proven=False)


def _infeasible(prep: Prepared, search: _Search, error: str) -> Result:
    if search.log:
        search.log(f"[{search.elapsed():7.2f}s] INFEASIBLE: {error}")
    return Result(Status.INFEASIBLE, instance=prep.problem.name, error=error,
                  stats=Stats(engine=ENGINE, solve_seconds=search.elapsed(), phases=tuple(search.phases)))


def _solve(prep: Prepared, search: _Search) -> Result:
    conflict = fixed_conflicts(prep)
    if conflict:
        return _infeasible(prep, search, conflict)

    # 2. Each patient alone.
    t = time.perf_counter()
    placer = Placer(prep)
    alone = analyse_alone(prep, placer, model_time=min(1.0, max(0.1, search.remaining() / 10)))
    possible = [i for i in range(len(prep.patients)) if alone[i].witness is not None]
    impossible = [i for i in range(len(prep.patients)) if alone[i].witness is None]
    search.alone_reason = alone_reasons(prep, impossible)
    for i in impossible:
        if prep.patients[i].has_fixed:
            p = prep.patients[i]
            return _infeasible(prep, search, f"patient {p.id} (fixed steps) cannot be completed: "
                                             f"{search.alone_reason[i]}")
    search.min_stay = {i: alone[i].min_stay for i in range(len(prep.patients))}
    search.possible = possible
    witnesses = {i: alone[i].witness for i in possible}
    forced = {i for i in possible if prep.patients[i].has_fixed}
    upper_priority = sum(prep.patients[i].priority for i in possible)
    search.phase("alone", time.perf_counter() - t, f"{len(possible)} of {len(prep.patients)} can be seen")

    # 3. First plan.
    t = time.perf_counter()
    budget = max(0.05, min(0.5, 0.04 * max(0.0, search.remaining())))
    plan, built = construct_plan(prep, patients=possible, time_budget=budget, seed=search.seed,
                                 min_stay=search.min_stay)
    first = plan.placements if forced <= set(plan.placements) else None
    search.phase("heuristic", time.perf_counter() - t, f"{built} plans" if first is not None else
                 "no plan keeps every fixed step", plan.total_stay if first is not None else None)
    if first is not None:
        search.safe = first
        if not search.offer(first, "heuristic"):
            raise _Cancelled

    reference = _reference_arrivals(prep)
    reference = {i: a for i, a in reference.items() if i in set(possible)}
    workers, seed = search.workers, search.seed
    W = sum(prep.patients[i].hi - prep.patients[i].lo for i in possible) + 1

    def lns_progress(phase):
        def cb(placements, _obj):
            if not search.offer(placements, phase):
                return False
            return True
        return cb

    # 4. Priority.
    p1_proven = first is not None and search.priority(first) == upper_priority
    if not p1_proven:
        cm = CpsatModel(prep, possible, forced, search.min_stay)
        if first is None:
            # No plan keeps the fixed steps yet: ask CP-SAT for one.
            slice_ = max(0.5, 0.5 * search.remaining())
            out = run_phase(cm, cm.priority, maximize=True, time_limit=slice_, workers=workers, seed=seed,
                            on_solution=lambda pl, o, b: search.offer(pl, "priority"))
            search.phase("priority (find a plan)", out.seconds, out.status, out.objective, out.bound)
            if search.cancelled:
                raise _Cancelled
            if out.status == "INFEASIBLE":
                names = ", ".join(prep.patients[i].id for i in sorted(forced))
                return _infeasible(prep, search, f"patients {names}: their fixed steps and remaining steps "
                                                 f"cannot all be kept together (resource capacity)")
            if out.placements is None:
                return _infeasible(prep, search, "no plan keeping every fixed step was found in the time limit")
            search.best = out.placements
            p1_proven = out.status == "OPTIMAL"
        if not p1_proven and search.priority(search.best) < upper_priority:
            t = time.perf_counter()
            lns = Lns(cm, W * (upper_priority - cm.priority) + cm.total_stay,
                      evaluate=lambda pl: W * (upper_priority - search.priority(pl)) + search.stay(pl),
                      witnesses=witnesses, min_stay=search.min_stay, workers=workers, seed=seed)
            best, stop = lns.run(search.best, time.perf_counter() + 0.35 * max(0.0, search.remaining()),
                                 target=W * 0 + sum(search.min_stay[i] for i in possible),
                                 on_improve=lns_progress("priority (LNS)"))
            search.best = best
            search.phase("priority (LNS)", time.perf_counter() - t, f"{lns.stats.rounds} rounds",
                         search.priority(best))
            if stop:
                raise _Cancelled
            p1_proven = search.priority(best) == upper_priority
        if not p1_proven:
            cm = CpsatModel(prep, possible, forced, search.min_stay)
            cm.add_hint(search.best, witnesses)
            slice_ = max(0.2, 0.3 * search.remaining())
            out = run_phase(cm, cm.priority, maximize=True, time_limit=slice_, workers=workers, seed=seed,
                            on_solution=lambda pl, o, b: True)
            search.phase("priority (proof)", out.seconds, out.status, out.objective, out.bound)
            if out.placements is not None and out.objective > search.priority(search.best):
                search.best = out.placements
                if not search.offer(search.best, "priority (proof)"):
                    raise _Cancelled
            p1_proven = out.status == "OPTIMAL"
    p1 = search.priority(search.best)

    # 5. Total stay, priority held.
    everyone = p1 == upper_priority
    seen_forced = set(possible) if everyone else forced
    cm = CpsatModel(prep, possible, seen_forced, search.min_stay, reference_arrival=None)
    if not everyone:
        cm.model.add(cm.priority >= p1)
    target = sum(search.min_stay[i] for i in search.best) if everyone else None
    final_share = 0.15
    has_reference = bool(reference)
    stay_share = 0.55 if has_reference else 1.0
    phase_end = time.perf_counter() + stay_share * max(0.0, search.remaining())
    t = time.perf_counter()
    lns = Lns(cm, cm.total_stay, evaluate=search.stay, witnesses=witnesses, min_stay=search.min_stay,
              workers=workers, seed=seed + 1)
    lns_deadline = phase_end - final_share * max(0.0, phase_end - time.perf_counter())
    best, stop = lns.run(search.best, lns_deadline, target=target, on_improve=lns_progress("stay (LNS)"))
    search.best = best
    search.phase("stay (LNS)", time.perf_counter() - t, f"{lns.stats.rounds} rounds", search.stay(best))
    if stop:
        raise _Cancelled
    p2_proven = target is not None and search.stay(best) <= target
    if not p2_proven and phase_end - time.perf_counter() > 0.05:
        cm.add_hint(search.best, witnesses)
        out = run_phase(cm, cm.total_stay, maximize=False, time_limit=phase_end - time.perf_counter(),
                        workers=workers, seed=seed,
                        on_solution=lambda pl, o, b: search.offer(pl, "stay (full model)")
                        if o < search.stay(search.best) else True)
        search.phase("stay (full model)", out.seconds, out.status, out.objective, out.bound)
        if out.stopped:
            raise _Cancelled
        if out.placements is not None and _key(search, out.placements) >= _key(search, search.best):
            search.best = out.placements
        if out.bound is not None:
            search.bound_stay = max(search.bound_stay, out.bound)
        p2_proven = out.status == "OPTIMAL" or search.stay(search.best) <= search.bound_of(search.best)
    p2 = search.stay(search.best)

    # 6. Stability.
    p3_proven = True
    if has_reference:
        p3_proven = _stability(prep, search, possible, seen_forced, p1, p2, everyone, reference, witnesses)

    return _finish(prep, search, proven=p1_proven and p2_proven and p3_proven)


def _moved(search: _Search, placements, reference: dict[int, int]) -> tuple[int, int]:
    moved = minutes = 0
    for i, ref in reference.items():
        pl = placements.get(i)
        if pl is None:
            moved += 1
        elif min(pl.starts) != ref:
            moved += 1
            minutes += abs(min(pl.starts) - ref)
    return moved, minutes


def _stability(prep, search: _Search, possible, seen_forced, p1, p2, everyone, reference, witnesses) -> bool:
    cm = CpsatModel(prep, possible, seen_forced, search.min_stay, reference_arrival=reference)
    if not everyone:
        cm.model.add(cm.priority >= p1)
    cm.model.add(cm.total_stay <= p2)
    M = (prep.w1 - prep.w0) * (len(reference) + 1) + 1
    moved0 = _moved(search, search.best, reference)
    if moved0[0] == 0:
        return True

    def evaluate(pl):
        m, mins = _moved(search, pl, reference)
        return M * m + mins

    t = time.perf_counter()
    lns = Lns(cm, M * cm.moved + cm.moved_minutes, evaluate=evaluate, witnesses=witnesses,
              min_stay=search.min_stay, workers=search.workers, seed=search.seed + 2)
    end = time.perf_counter() + 0.8 * max(0.0, search.remaining())

    def on_improve(pl, obj):
        return search.offer(pl, "stability (LNS)")

    best, stop = lns.run(search.best, end, target=0, on_improve=on_improve)
    search.best = best
    search.phase("stability (LNS)", time.perf_counter() - t, f"{lns.stats.rounds} rounds", evaluate(best))
    if stop:
        raise _Cancelled
    if evaluate(best) == 0:
        return True
    if search.remaining() > 0.05:
        cm.add_hint(search.best, witnesses)
        out = run_phase(cm, M * cm.moved + cm.moved_minutes, maximize=False, time_limit=search.remaining(),
                        workers=search.workers, seed=search.seed)
        search.phase("stability (full model)", out.seconds, out.status, out.objective, out.bound)
        if out.placements is not None and evaluate(out.placements) < evaluate(search.best) \
                and search.stay(out.placements) <= p2 and search.priority(out.placements) >= p1:
            search.best = out.placements
            if not search.offer(search.best, "stability (full model)"):
                raise _Cancelled
        return out.status == "OPTIMAL"
    return False


def _finish(prep: Prepared, search: _Search, *, proven: bool) -> Result:
    """Last insertions, concrete resources, self-check, reasons, the Result."""
    best = search.best
    if best is None:
        return _infeasible(prep, search, "no plan was found before the search stopped")
    possible = search.possible
    ref_res = _reference_resources(prep)
    best = assign_pooled(prep, best, ref_res)
    # Anyone still out who fits as the plan stands goes in (more priority is always better).
    placer = Placer(prep)
    tl = Timeline(prep)
    for i, pl in best.items():
        placer.commit(tl, prep.patients[i], pl)
    inserted = False
    for i in sorted((i for i in possible if i not in best), key=lambda i: -prep.patients[i].priority):
        p = prep.patients[i]
        pl = placer.place_compact(tl, p, 0.3)
        if pl is not None:
            placer.commit(tl, p, pl)
            best[i] = pl
            inserted = True
    if inserted:
        proven = False
    problems = plan_violations(prep, best)
    if problems:
        # A modelling bug: never hand out a broken plan; fall back to the heuristic's.
        search.phase("self-check", 0.0, "FAILED: " + "; ".join(problems[:3]))
        if search.safe is None or plan_violations(prep, search.safe):
            return _infeasible(prep, search, "internal error: no valid plan (" + problems[0] + ")")
        best, proven = search.safe, False
    search.best = best
    unscheduled = [i for i in range(len(prep.patients)) if i not in best]
    why = reasons(prep, best, unscheduled, search.alone_reason)
    assignments = []
    for i in sorted(best):
        p = prep.patients[i]
        pl = best[i]
        for s in sorted(range(len(p.steps)), key=lambda s: (pl.starts[s], s)):
            st = p.steps[s]
            assignments.append(ScheduledStep(p.id, st.id, pl.starts[s], pl.starts[s] + st.duration,
                                             tuple(prep.resources[r].id for r in pl.resources[s])))
    stay = search.stay(best)
    bound = search.bound_of(best)
    objective = Objective(len(best), search.priority(best), stay, min(bound, stay))
    moved = _moved(search, best, _reference_arrivals(prep)) if prep.problem.reference else (None, None)
    stats = Stats(engine=ENGINE, solve_seconds=search.elapsed(), first_plan_seconds=search.first_plan_seconds,
                  phases=tuple(search.phases), moved_patients=moved[0], moved_minutes=moved[1],
                  cancelled=search.cancelled)
    status = Status.OPTIMAL if proven and not search.cancelled else Status.FEASIBLE
    return Result(status, instance=prep.problem.name, objective=objective, assignments=tuple(assignments),
                  unscheduled=tuple(Unscheduled(prep.patients[i].id, why[i]) for i in unscheduled), stats=stats)

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
   by interval colouring; the plan is checked (`selfcheck`); reasons are written for
   those not seen.

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
from dataclasses import dataclass
from typing import Callable

from .bounds import analyse_alone
from .cpsat.lns import Lns
from .cpsat.model import CpsatModel, ModelOptions, assign_pooled
from .cpsat.solver import run_phase
from .feasibility import fixed_conflicts
from .heuristic import (Placement, Placer, Timeline, published_steps, compact_plan, construct_plan,
                        exchange_plan, fcfs_plan, published_plan)
from .io import instance_name, problem_from_json
from .prepared import Prepared
from .problem import Problem, ProblemError
from .reasons import alone_reasons, reasons
from .result import (Objective, Phase, Progress, Result, ScheduledStep, Stats, Status,
                     Unscheduled)
from .selfcheck import plan_violations
from .simulate import plan_risk

ENGINE = "cp-sat"


class _Cancelled(Exception):
    pass


class _Search:
    """The state of one solve: the best plan, what is proven, the clock."""

    def __init__(self, prep: Prepared, *, time_limit: float, workers: int, seed: int,
                 on_progress: Callable[[Progress], object] | None, log: Callable[[str], None] | None):
        self.prep = prep
        self.t0 = time.perf_counter()
        # The search stops a little early: the last steps (insertions, the self-check, the
        # reasons) then finish within the time limit.
        self.deadline = self.t0 + max(0.0, time_limit - min(0.15, 0.05 * time_limit))
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
        self.reference: dict[int, int] = {}              # patient -> published arrival
        self.published_steps = published_steps(prep)   # patient -> step -> (start, resources)

    # Clock and reporting ---------------------------------------------------------------
    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def remaining(self) -> float:
        return self.deadline - time.perf_counter()

    def priority(self, placements) -> int:
        """The priority seen (what the plan reports)."""
        return sum(self.prep.patients[i].priority for i in placements)

    def weight(self, placements) -> int:
        """The priority seen as the objective weighs it: on the day, the patients in the
        clinic before everyone else (`Prepared._day`)."""
        return sum(self.prep.patients[i].weight for i in placements)

    def stay(self, placements) -> int:
        return sum(pl.stay(self.prep.patients[i]) for i, pl in placements.items())

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
            moved = ""
            if self.reference:
                m, minutes = self.moved(placements)
                moved = f", moved {m} ({minutes} min)"
            self.log(f"[{self.elapsed():7.2f}s] {phase}: {len(placements)} patients, priority {prio}, "
                     f"total stay {stay}, bound {self.bound_of(placements)}{moved}")
        if self.on_progress is not None:
            keep = self.on_progress(Progress(self.elapsed(), phase, len(placements), prio, stay,
                                             self.bound_of(placements)))
            if keep is False:
                self.cancelled = True
                return False
        return True

    def bound_of(self, placements) -> int:
        return max(self.bound_stay, sum(self.min_stay[i] for i in placements))

    # The lexicographic objective -------------------------------------------------------
    @property
    def moved_weight(self) -> int:
        return (self.prep.w1 - self.prep.w0) * (len(self.reference) + 1) + 1

    def moved(self, placements) -> tuple[int, int]:
        return _moved(self.prep, placements, self.reference)

    def moved_score(self, placements) -> int:
        m, minutes = self.moved(placements)
        return self.moved_weight * m + minutes

    def changes(self, placements) -> int:
        """Below every level of the objective on the day: published steps at another time,
        published people and rooms (of explicit kinds) exchanged. Keeps a re-plan from
        reshuffling the team for nothing."""
        return _changes(self.prep, placements, self.published_steps)

    def key(self, placements) -> tuple[int, ...]:
        if self.prep.on_the_day:
            return (self.weight(placements), -self.moved_score(placements), -self.stay(placements),
                    -self.changes(placements))
        return (self.weight(placements), -self.stay(placements), -self.moved_score(placements))

    def holds(self, placements, levels: "Levels") -> bool:
        """Does the plan keep the objectives already fixed by earlier phases?"""
        return ((levels.weight is None or self.weight(placements) >= levels.weight)
                and (levels.stay is None or self.stay(placements) <= levels.stay)
                and (levels.moves is None or self.moved_score(placements) <= levels.moves))

    def better(self, placements) -> bool:
        """Strictly better than the best plan so far, lexicographically."""
        return self.best is None or self.key(placements) > self.key(self.best)


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
            raise _Cancelled
    if prep.on_the_day and search.reference:
        kept = published_plan(prep, patients=possible, placer=placer, min_stay=search.min_stay)
        if forced <= set(kept) and (search.best is None or search.better(kept)):
            search.safe = kept
            if not search.offer(kept, "as published"):
                raise _Cancelled
    budget = max(0.05, min(0.5, 0.04 * max(0.0, search.remaining())))
    plan, built = construct_plan(prep, patients=possible, time_budget=budget, seed=search.seed,
                                 min_stay=search.min_stay,
                                 target=(upper, -sum(search.min_stay[i] for i in possible)))
    first = plan.placements if forced <= set(plan.placements) else None
    if first is not None:
        if plan.weight < upper:
            first = exchange_plan(prep, first, possible, placer=placer,
                                  time_budget=max(0.02, min(1.0, 0.04 * search.remaining())))
        first = compact_plan(prep, first, min_stay=search.min_stay, placer=placer,
                             time_budget=max(0.02, min(0.3, 0.03 * search.remaining())))
    search.phase("heuristic", time.perf_counter() - t, f"{built} plans" if first is not None else
                 "no plan keeps every fixed step", search.stay(first) if first is not None else None)
    if first is not None and (search.best is None or search.better(first)):
        search.safe = first
        if not search.offer(first, "heuristic"):
            raise _Cancelled
    first = search.best

    ctx = _Context(prep, search, possible, forced, witnesses, upper)

    # 4. Priority (on the day: of the patients in the clinic first).
    if first is None:
        ok = ctx.find_first_plan()
        if ok is not True:
            return _infeasible(prep, search, ok)
    proven = ctx.priority_phase()
    if prep.on_the_day:
        # 5'. Keep faith: move as few of those not yet here as possible; 6'. then the stay.
        if search.reference:
            proven = ctx.stability_phase(share=0.5) and proven
        proven = ctx.stay_phase(share=1.0) and proven
    else:
        # 5. Total stay, priority held; 6. stability, priority and stay held.
        proven = ctx.stay_phase(share=0.55 if search.reference else 1.0) and proven
        if search.reference:
            proven = ctx.stability_phase(share=1.0) and proven
    return _finish(prep, search, proven=proven)


@dataclass
class Levels:
    """The objective levels fixed by the phases so far (None: still open)."""

    weight: int | None = None     # the priority seen, as weighted (`PPatient.weight`)
    stay: int | None = None       # planning ahead: the total stay (before stability)
    moves: int | None = None      # on the day: M * moved + minutes moved (before the stay)


class _Context:
    """The phases of the search (see the module docstring); each phase is a quick attempt
    to prove the phase's optimum with the full model, then LNS, then a last full-model
    solve with the best plan as hint."""

    def __init__(self, prep: Prepared, search: _Search, possible: list[int], forced: set[int],
                 witnesses: dict[int, Placement], upper: int):
        self.prep, self.search = prep, search
        self.possible, self.forced, self.witnesses = possible, forced, witnesses
        self.upper = upper
        # More than any total stay (a stay from when she arrived may start before `lo`).
        self.W = sum(prep.patients[i].hi - prep.patients[i].origin(prep.patients[i].lo) for i in possible) + 1
        self.levels = Levels()
        self.lns_proven = False
        # On the day with a published plan, the stay is weighed together with the changes
        # below it (K * stay + changes: exactly lexicographic).
        self.K = _changes_bound(prep, search.published_steps) + 1 if prep.on_the_day and search.reference else 1

    # Helpers -------------------------------------------------------------------------
    def model(self, *, everyone: bool = False, stability: bool = False, lns: bool = False) -> CpsatModel:
        """The full model with the objectives of earlier phases held. For LNS without the
        symmetry breaking between identical patients: with part of the plan frozen it
        would forbid moves (a freed patient could not pass a frozen twin)."""
        s, lv = self.search, self.levels
        seen = set(self.possible) if everyone else self.forced
        changes = self.K > 1
        cm = CpsatModel(self.prep, self.possible, seen, s.min_stay,
                        reference_arrival=s.reference if stability or lv.moves is not None else None,
                        published_steps=s.published_steps if changes else None,
                        options=ModelOptions(patient_symmetry=not lns, resource_symmetry=not lns and not changes))
        if lv.weight is not None and not everyone:
            cm.model.add(cm.priority >= lv.weight)
        if lv.stay is not None:
            cm.model.add(cm.total_stay <= lv.stay)
        if lv.moves is not None:
            cm.model.add(s.moved_weight * cm.moved + cm.moved_minutes <= lv.moves)
        return cm

    def polish(self, placements: dict[int, Placement]) -> dict[int, Placement]:
        """Less waiting at no cost to the levels (on the day nobody is moved for it)."""
        s = self.search
        return compact_plan(self.prep, placements, min_stay=s.min_stay, stable=self.prep.on_the_day,
                            time_budget=max(0.02, min(0.5, 0.05 * s.remaining())))

    def full(self, cm: CpsatModel, objective, name: str, limit: float, *, maximize: bool = False):
        s = self.search
        cm.add_hint(s.best, self.witnesses)

        def on_solution(pl, obj, bound):
            if s.better(pl):
                return s.offer(pl, name)
            return True

        out = run_phase(cm, objective, maximize=maximize, time_limit=limit, workers=s.workers, seed=s.seed,
                        on_solution=on_solution)
        s.phase(name, out.seconds, out.status, out.objective, out.bound)
        if out.stopped or s.cancelled:
            raise _Cancelled
        if out.placements is not None and s.better(out.placements):
            s.best = out.placements
        if out.placements is not None:
            # CP-SAT's plans of a priority phase can wait a lot: polish before moving on
            # (and while the priority is open, try exchanges for more).
            polished = assign_pooled(self.prep, out.placements)
            if self.levels.weight is None and s.weight(polished) < self.upper:
                polished = exchange_plan(self.prep, polished, self.possible,
                                         time_budget=max(0.02, min(0.5, 0.03 * s.remaining())))
            polished = self.polish(polished)
            if s.better(polished) and s.holds(polished, self.levels):
                s.best = polished
                if not s.offer(polished, name + " + polish"):
                    raise _Cancelled
        return out

    def lns(self, cm: CpsatModel, objective, evaluate, name: str, until: float, target: int | None, *,
            insert: bool = True, early_stop: bool = True, report=None) -> None:
        s = self.search
        t = time.perf_counter()
        lns = Lns(cm, objective, evaluate=evaluate, witnesses=self.witnesses, min_stay=s.min_stay,
                  workers=s.workers, seed=s.seed + len(s.phases), insert=insert, early_stop=early_stop)

        def on_improve(pl, _obj):
            return s.offer(pl, name) if s.better(pl) else True

        best, stop = lns.run(s.best, until, target=target, on_improve=on_improve)
        # Ahead, the phase's own objective decides (the levels before it are held by the
        # model); on the day the whole order does, so a plan never slips to more moves.
        if s.better(best) or (evaluate(best) <= evaluate(s.best)
                              and (not self.prep.on_the_day or s.key(best) >= s.key(s.best))):
            s.best = best
        self.lns_proven = lns.proven and evaluate(best) <= evaluate(s.best)
        s.phase(name, time.perf_counter() - t, f"{lns.stats.rounds} rounds, {lns.stats.improvements} better",
                (report or evaluate)(s.best))
        if stop or s.cancelled:
            raise _Cancelled

    def quick(self) -> float:
        """Time for a first full-model attempt at a proof."""
        return max(0.2, min(2.0, 0.15 * self.search.remaining()))

    # Phases --------------------------------------------------------------------------
    def find_first_plan(self):
        """No heuristic plan keeps every fixed step: ask CP-SAT for one. True, or an error."""
        s = self.search
        cm = self.model()
        out = run_phase(cm, cm.priority, maximize=True, time_limit=max(0.5, 0.5 * s.remaining()),
                        workers=s.workers, seed=s.seed, on_solution=lambda pl, o, b: s.offer(pl, "first plan"))
        s.phase("first plan (full model)", out.seconds, out.status, out.objective, out.bound)
        if out.stopped:
            raise _Cancelled
        if out.status == "INFEASIBLE":
            names = ", ".join(self.prep.patients[i].id for i in sorted(self.forced))
            return (f"patients {names}: their fixed steps cannot all be kept together with the steps they "
                    f"still need (capacity one per resource)")
        if out.placements is None:
            return "no plan keeping every fixed step was found within the time limit"
        s.best = out.placements
        return True

    def priority_phase(self) -> bool:
        """Objective 1 (on the day 0 and 1, as one weighted sum). A quick full-model attempt
        (often a proof on small mornings), then LNS on "priority first, then stay" and
        full-model solves in turn: LNS fits patients in around the plan and shortens stays,
        the full model finds the rearrangements LNS cannot and proves the bound."""
        s = self.search
        if s.weight(s.best) == self.upper:
            self.levels.weight = self.upper
            return True
        cm = self.model()
        out = self.full(cm, cm.priority, "priority (full model)", self.quick(), maximize=True)
        bound = out.bound if out.bound is not None else self.upper
        proven = out.status == "OPTIMAL" or s.weight(s.best) >= bound
        end = time.perf_counter() + 0.45 * max(0.0, s.remaining())
        upper = self.upper
        # The LNS weighs the levels below the priority too, exactly lexicographically: on the
        # day (with a published plan) the moves before the stay, ahead the stay alone.
        day = self.prep.on_the_day and bool(s.reference)
        stay_cap = self.W
        moves_cap = s.moved_weight * (len(s.reference) + 1) if day else 1
        W = stay_cap * moves_cap

        def lns_objective(cm):
            below = stay_cap * (s.moved_weight * cm.moved + cm.moved_minutes) if day else 0
            return W * (upper - cm.priority) + below + cm.total_stay

        def lns_evaluate(pl):
            return W * (upper - s.weight(pl)) + (stay_cap * s.moved_score(pl) if day else 0) + s.stay(pl)

        lns_model = None
        while not proven and end - time.perf_counter() > 0.3:
            if lns_model is None:
                lns_model = self.model(lns=True, stability=day)
            left = end - time.perf_counter()
            self.lns(lns_model, lns_objective(lns_model), lns_evaluate, "priority (LNS)",
                     time.perf_counter() + max(0.3, 0.6 * left), W * (upper - bound), early_stop=False,
                     report=s.weight)
            if s.weight(s.best) >= bound or self.lns_proven:
                proven = True
                break
            left = end - time.perf_counter()
            if left < (1.0 if len(self.possible) > 30 else 0.3):
                break   # too short for the full model to even load a big morning
            cm = self.model()
            out = self.full(cm, cm.priority, "priority (full model)", left if left < 3 else 0.6 * left,
                            maximize=True)
            if out.bound is not None:
                bound = min(bound, out.bound)
            proven = out.status == "OPTIMAL" or s.weight(s.best) >= bound
        self.levels.weight = s.weight(s.best)
        return proven

    def stay_phase(self, share: float) -> bool:
        """The total stay, the levels before it held (on the day with a published plan,
        together with the changes below it: K * stay + changes)."""
        s, K = self.search, self.K
        everyone = self.levels.weight == self.upper
        polished = self.polish(assign_pooled(self.prep, s.best))
        if s.better(polished):
            s.best = polished
            if not s.offer(polished, "stay (polish)"):
                raise _Cancelled
        end = time.perf_counter() + share * max(0.0, s.remaining())
        floor = sum(s.min_stay[i] for i in s.best)
        if everyone and s.stay(s.best) <= floor:
            self.levels.stay = s.stay(s.best)
            return True

        def score(pl):
            return K * s.stay(pl) + (s.changes(pl) if K > 1 else 0)

        def objective(cm):
            return K * cm.total_stay + cm.changes if K > 1 else cm.total_stay

        target = K * floor if everyone else None
        if not everyone:
            cm = self.model(everyone=everyone)
            out = self.full(cm, objective(cm), "stay (full model)", min(self.quick(), end - time.perf_counter()))
            if out.bound is not None:
                s.bound_stay = max(s.bound_stay, out.bound // K)
            if out.status == "OPTIMAL" or s.stay(s.best) <= s.bound_stay:
                self.levels.stay = s.stay(s.best)
                return True
            target = K * s.bound_stay
        cm = self.model(everyone=everyone, lns=True)
        # The full model rarely beats LNS on stay; it is there for the proof (or a bound).
        last = (0.05 if everyone else 0.15) * max(0.0, end - time.perf_counter())
        # With the priority held, freeing patients not seen rarely pays: re-plan the seen.
        self.lns(cm, objective(cm), score, "stay (LNS)", end - last, target,
                 insert=everyone or len(self.possible) <= 30, report=s.stay)
        proven = (target is not None and score(s.best) <= target) or self.lns_proven
        if not proven and end - time.perf_counter() > 0.05:
            cm = self.model(everyone=everyone)
            out = self.full(cm, objective(cm), "stay (full model)", end - time.perf_counter())
            if out.bound is not None:
                s.bound_stay = max(s.bound_stay, out.bound // K)
            proven = out.status == "OPTIMAL" or s.stay(s.best) <= s.bound_of(s.best)
        self.levels.stay = s.stay(s.best)
        if proven:
            # The optimum is the best bound there is.
            s.bound_stay = max(s.bound_stay, self.levels.stay)
        return proven

    def stability_phase(self, share: float) -> bool:
        """Move as few published patients (then minutes) as possible, the levels before it
        held; `share` of the time left (on the day the stay still follows)."""
        s = self.search
        M = s.moved_weight
        if s.moved(s.best)[0] == 0:
            self.levels.moves = 0
            return True
        end = time.perf_counter() + share * max(0.0, s.remaining())
        everyone = self.levels.weight == self.upper
        cm = self.model(everyone=everyone, stability=True)
        out = self.full(cm, M * cm.moved + cm.moved_minutes, "stability (full model)",
                        min(self.quick(), 0.3 * max(0.0, end - time.perf_counter())))
        proven = out.status == "OPTIMAL"
        if not proven:
            target = out.bound
            cm = self.model(everyone=everyone, stability=True, lns=True)
            last = 0.2 * max(0.0, end - time.perf_counter())
            self.lns(cm, M * cm.moved + cm.moved_minutes, s.moved_score, "stability (LNS)",
                     time.perf_counter() + max(0.0, end - time.perf_counter() - last), target)
            proven = (target is not None and s.moved_score(s.best) <= target) or self.lns_proven
            if not proven and end - time.perf_counter() > 0.05:
                cm = self.model(everyone=everyone, stability=True)
                out = self.full(cm, M * cm.moved + cm.moved_minutes, "stability (full model)",
                                end - time.perf_counter())
                proven = out.status == "OPTIMAL" or (out.bound is not None and s.moved_score(s.best) <= out.bound)
        self.levels.moves = s.moved_score(s.best)
        return proven


def _moved(prep: Prepared, placements, reference: dict[int, int]) -> tuple[int, int]:
    """(patients moved, minutes moved) against the published arrivals (`PPatient.counts_as_moved`)."""
    moved = minutes = 0
    for i, ref in reference.items():
        p = prep.patients[i]
        pl = placements.get(i)
        arrival = None if pl is None else pl.arrival(p)
        if p.counts_as_moved(arrival):
            moved += 1
            if arrival is not None:
                minutes += abs(arrival - ref)
    return moved, minutes


def _changes(prep: Prepared, placements, published: dict) -> int:
    """Published steps at another time, plus published people and rooms of explicit kinds
    no longer held (see `_Search.changes`)."""
    out = 0
    for i, pl in placements.items():
        for s, (start, resources) in published.get(i, {}).items():
            st = prep.patients[i].steps[s]
            if st.fixed:
                continue
            out += pl.starts[s] != start
            out += sum(1 for r in resources if prep.modes[prep.resources[r].kind] == "explicit"
                       and r not in pl.resources[s])
    return out


def _changes_bound(prep: Prepared, published: dict) -> int:
    """The most `_changes` can be."""
    return sum(1 + sum(1 for r in resources if prep.modes[prep.resources[r].kind] == "explicit")
               for i, steps in published.items() for s, (_, resources) in steps.items()
               if not prep.patients[i].steps[s].fixed)


def _finish(prep: Prepared, search: _Search, *, proven: bool) -> Result:
    """Last insertions, concrete resources, self-check, reasons, the Result."""
    best = search.best
    if best is None:
        return _infeasible(prep, search, "no plan was found before the search stopped")
    possible = search.possible
    ref_res = {(i, s): set(resources) for i, steps in search.published_steps.items()
               for s, (_, resources) in steps.items()}
    best = assign_pooled(prep, best, ref_res)
    # Anyone still out who fits as the plan stands goes in (more priority is always better).
    placer = Placer(prep)
    tl = Timeline(prep)
    for i, pl in best.items():
        placer.commit(tl, prep.patients[i], pl)
    inserted = False
    for i in sorted((i for i in possible if i not in best), key=lambda i: -prep.patients[i].weight):
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
    published = {i: p.published for i, p in enumerate(prep.patients) if p.published is not None}
    moved = _moved(prep, best, published) if prep.problem.reference else (None, None)
    # With `uncertainty`, the plan tells how it will fare (its own seeded static runs).
    risk = plan_risk(prep.problem, assignments, seed=search.seed) if prep.problem.uncertainty else None
    stats = Stats(engine=ENGINE, solve_seconds=search.elapsed(), first_plan_seconds=search.first_plan_seconds,
                  phases=tuple(search.phases), moved_patients=moved[0], moved_minutes=moved[1],
                  cancelled=search.cancelled)
    status = Status.OPTIMAL if proven and not search.cancelled else Status.FEASIBLE
    return Result(status, instance=prep.problem.name, objective=objective, assignments=tuple(assignments),
                  unscheduled=tuple(Unscheduled(prep.patients[i].id, why[i]) for i in unscheduled), stats=stats,
                  risk=risk)

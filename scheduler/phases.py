"""The phases of a solve, each over the full CP-SAT model with the levels of the phases before
it held: a quick full-model attempt at a proof, then large-neighbourhood search, then a last
full-model solve with the best plan as hint (see `scheduler.solve`)."""

from __future__ import annotations

import time

from .budget import Budget
from .cpsat.lns import Lns
from .cpsat.model import CpsatModel, ModelOptions, assign_pooled
from .cpsat.solver import SolveStatus, run_phase
from .heuristic import compact_plan, exchange_plan
from .placement import Placement
from .prepared import Prepared
from .search import Cancelled, Levels, Search, changes_bound


class Phases:
    """The phases of the search (see the module docstring); each phase is a quick attempt
    to prove the phase's optimum with the full model, then LNS, then a last full-model
    solve with the best plan as hint."""

    def __init__(self, prep: Prepared, search: Search, possible: list[int], forced: set[int],
                 witnesses: dict[int, Placement], upper: int):
        self.prep, self.search = prep, search
        self.possible, self.forced, self.witnesses = possible, forced, witnesses
        self.upper = upper
        # More than any total stay (a stay from when she arrived may start before `lo`).
        self.stay_cap = sum(prep.patients[i].hi - prep.patients[i].origin(prep.patients[i].lo) for i in possible) + 1
        self.levels = Levels()
        self.lns_proven = False
        # On the day with a published plan, the stay is weighed together with the changes
        # below it (stay_scale * stay + changes: exactly lexicographic).
        self.stay_scale = changes_bound(prep, search.published_steps) + 1 if prep.on_the_day and search.reference else 1

    # Helpers -------------------------------------------------------------------------
    def model(self, *, everyone: bool = False, stability: bool = False, lns: bool = False) -> CpsatModel:
        """The full model with the objectives of earlier phases held. For LNS without the
        symmetry breaking between identical patients: with part of the plan frozen it
        would forbid moves (a freed patient could not pass a frozen twin)."""
        s, lv = self.search, self.levels
        seen = set(self.possible) if everyone else self.forced
        changes = self.stay_scale > 1
        cpsat = CpsatModel(self.prep, self.possible, seen, s.min_stay,
                        reference_arrival=s.reference if stability or lv.moves is not None else None,
                        published_steps=s.published_steps if changes else None,
                        options=ModelOptions(patient_symmetry=not lns, resource_symmetry=not lns and not changes))
        if lv.weight is not None and not everyone:
            cpsat.model.add(cpsat.priority >= lv.weight)
        if lv.stay is not None:
            cpsat.model.add(cpsat.total_stay <= lv.stay)
        if lv.moves is not None:
            cpsat.model.add(s.moved_weight * cpsat.moved + cpsat.moved_minutes <= lv.moves)
        return cpsat

    def polish(self, placements: dict[int, Placement]) -> dict[int, Placement]:
        """Less waiting at no cost to the levels (on the day nobody is moved for it)."""
        s = self.search
        return compact_plan(self.prep, placements, min_stay=s.min_stay, stable=self.prep.on_the_day,
                            time_budget=Budget.polish(s.remaining()))

    def full(self, cpsat: CpsatModel, objective, name: str, limit: float, *, maximize: bool = False):
        s = self.search
        cpsat.add_hint(s.best, self.witnesses)

        def on_solution(pl, obj, bound):
            if s.better(pl):
                return s.offer(pl, name)
            return True

        out = run_phase(cpsat, objective, maximize=maximize, time_limit=limit, workers=s.workers, seed=s.seed,
                        on_solution=on_solution)
        s.phase(name, out.seconds, out.status, out.objective, out.bound)
        if out.stopped or s.cancelled:
            raise Cancelled
        if out.placements is not None and s.better(out.placements):
            s.best = out.placements
        if out.placements is not None:
            # CP-SAT's plans of a priority phase can wait a lot: polish before moving on
            # (and while the priority is open, try exchanges for more).
            polished = assign_pooled(self.prep, out.placements)
            if self.levels.weight is None and s.weight(polished) < self.upper:
                polished = exchange_plan(self.prep, polished, self.possible,
                                         time_budget=Budget.polish_exchange(s.remaining()))
            polished = self.polish(polished)
            if s.better(polished) and s.holds(polished, self.levels):
                s.best = polished
                if not s.offer(polished, name + " + polish"):
                    raise Cancelled
        return out

    def lns(self, cpsat: CpsatModel, objective, evaluate, name: str, until: float, target: int | None, *,
            insert: bool = True, early_stop: bool = True, report=None) -> None:
        s = self.search
        t = time.perf_counter()
        lns = Lns(cpsat, objective, evaluate=evaluate, witnesses=self.witnesses, min_stay=s.min_stay,
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
            raise Cancelled

    def quick(self) -> float:
        """Time for a first full-model attempt at a proof."""
        return Budget.quick(self.search.remaining())

    # Phases --------------------------------------------------------------------------
    def find_first_plan(self):
        """No heuristic plan keeps every fixed step: ask CP-SAT for one. True, or an error."""
        s = self.search
        cpsat = self.model()
        out = run_phase(cpsat, cpsat.priority, maximize=True, time_limit=Budget.first_plan(s.remaining()),
                        workers=s.workers, seed=s.seed, on_solution=lambda pl, o, b: s.offer(pl, "first plan"))
        s.phase("first plan (full model)", out.seconds, out.status, out.objective, out.bound)
        if out.stopped:
            raise Cancelled
        if out.status is SolveStatus.INFEASIBLE:
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
        cpsat = self.model()
        out = self.full(cpsat, cpsat.priority, "priority (full model)", self.quick(), maximize=True)
        bound = out.bound if out.bound is not None else self.upper
        proven = out.status is SolveStatus.OPTIMAL or s.weight(s.best) >= bound
        end = time.perf_counter() + Budget.PRIORITY * max(0.0, s.remaining())
        upper = self.upper
        # The LNS weighs the levels below the priority too, exactly lexicographically: on the
        # day (with a published plan) the moves before the stay, ahead the stay alone.
        day = self.prep.on_the_day and bool(s.reference)
        stay_cap = self.stay_cap
        moves_cap = s.moved_weight * (len(s.reference) + 1) if day else 1
        priority_scale = stay_cap * moves_cap

        def lns_objective(cpsat):
            below = stay_cap * (s.moved_weight * cpsat.moved + cpsat.moved_minutes) if day else 0
            return priority_scale * (upper - cpsat.priority) + below + cpsat.total_stay

        def lns_evaluate(pl):
            return priority_scale * (upper - s.weight(pl)) + (stay_cap * s.moved_score(pl) if day else 0) + s.stay(pl)

        lns_cpsat = None
        while not proven and end - time.perf_counter() > 0.3:
            if lns_cpsat is None:
                lns_cpsat = self.model(lns=True, stability=day)
            left = end - time.perf_counter()
            self.lns(lns_cpsat, lns_objective(lns_cpsat), lns_evaluate, "priority (LNS)",
                     time.perf_counter() + max(0.3, Budget.PRIORITY_LNS * left), priority_scale * (upper - bound), early_stop=False,
                     report=s.weight)
            if s.weight(s.best) >= bound or self.lns_proven:
                proven = True
                break
            left = end - time.perf_counter()
            if left < (1.0 if len(self.possible) > 30 else 0.3):
                break   # too short for the full model to even load a big morning
            cpsat = self.model()
            out = self.full(cpsat, cpsat.priority, "priority (full model)", left if left < 3 else Budget.PRIORITY_FULL * left,
                            maximize=True)
            if out.bound is not None:
                bound = min(bound, out.bound)
            proven = out.status is SolveStatus.OPTIMAL or s.weight(s.best) >= bound
        self.levels.weight = s.weight(s.best)
        return proven

    def stay_phase(self, share: float) -> bool:
        """The total stay, the levels before it held (on the day with a published plan,
        together with the changes below it: stay_scale * stay + changes)."""
        s, stay_scale = self.search, self.stay_scale
        everyone = self.levels.weight == self.upper
        polished = self.polish(assign_pooled(self.prep, s.best))
        if s.better(polished):
            s.best = polished
            if not s.offer(polished, "stay (polish)"):
                raise Cancelled
        end = time.perf_counter() + share * max(0.0, s.remaining())
        floor = sum(s.min_stay[i] for i in s.best)
        if everyone and s.stay(s.best) <= floor:
            self.levels.stay = s.stay(s.best)
            return True

        def score(pl):
            return stay_scale * s.stay(pl) + (s.changes(pl) if stay_scale > 1 else 0)

        def objective(cpsat):
            return stay_scale * cpsat.total_stay + cpsat.changes if stay_scale > 1 else cpsat.total_stay

        target = stay_scale * floor if everyone else None
        if not everyone:
            cpsat = self.model(everyone=everyone)
            out = self.full(cpsat, objective(cpsat), "stay (full model)", min(self.quick(), end - time.perf_counter()))
            if out.bound is not None:
                s.bound_stay = max(s.bound_stay, out.bound // stay_scale)
            if out.status is SolveStatus.OPTIMAL or s.stay(s.best) <= s.bound_stay:
                self.levels.stay = s.stay(s.best)
                return True
            target = stay_scale * s.bound_stay
        cpsat = self.model(everyone=everyone, lns=True)
        # The full model rarely beats LNS on stay; it is there for the proof (or a bound).
        last = (Budget.STAY_LAST_FULL_EVERYONE if everyone else Budget.STAY_LAST_FULL) * max(0.0, end - time.perf_counter())
        # With the priority held, freeing patients not seen rarely pays: re-plan the seen.
        self.lns(cpsat, objective(cpsat), score, "stay (LNS)", end - last, target,
                 insert=everyone or len(self.possible) <= 30, report=s.stay)
        proven = (target is not None and score(s.best) <= target) or self.lns_proven
        if not proven and end - time.perf_counter() > 0.05:
            cpsat = self.model(everyone=everyone)
            out = self.full(cpsat, objective(cpsat), "stay (full model)", end - time.perf_counter())
            if out.bound is not None:
                s.bound_stay = max(s.bound_stay, out.bound // stay_scale)
            proven = out.status is SolveStatus.OPTIMAL or s.stay(s.best) <= s.bound_of(s.best)
        self.levels.stay = s.stay(s.best)
        if proven:
            # The optimum is the best bound there is.
            s.bound_stay = max(s.bound_stay, self.levels.stay)
        return proven

    def stability_phase(self, share: float) -> bool:
        """Move as few published patients (then minutes) as possible, the levels before it
        held; `share` of the time left (on the day the stay still follows)."""
        s = self.search
        move_weight = s.moved_weight
        if s.moved(s.best)[0] == 0:
            self.levels.moves = 0
            return True
        end = time.perf_counter() + share * max(0.0, s.remaining())
        everyone = self.levels.weight == self.upper
        cpsat = self.model(everyone=everyone, stability=True)
        out = self.full(cpsat, move_weight * cpsat.moved + cpsat.moved_minutes, "stability (full model)",
                        min(self.quick(), Budget.STABILITY_QUICK * max(0.0, end - time.perf_counter())))
        proven = out.status is SolveStatus.OPTIMAL
        if not proven:
            target = out.bound
            cpsat = self.model(everyone=everyone, stability=True, lns=True)
            last = Budget.STABILITY_LAST * max(0.0, end - time.perf_counter())
            self.lns(cpsat, move_weight * cpsat.moved + cpsat.moved_minutes, s.moved_score, "stability (LNS)",
                     time.perf_counter() + max(0.0, end - time.perf_counter() - last), target)
            proven = (target is not None and s.moved_score(s.best) <= target) or self.lns_proven
            if not proven and end - time.perf_counter() > 0.05:
                cpsat = self.model(everyone=everyone, stability=True)
                out = self.full(cpsat, move_weight * cpsat.moved + cpsat.moved_minutes, "stability (full model)",
                                end - time.perf_counter())
                proven = out.status is SolveStatus.OPTIMAL or (out.bound is not None and s.moved_score(s.best) <= out.bound)
        self.levels.moves = s.moved_score(s.best)
        return proven

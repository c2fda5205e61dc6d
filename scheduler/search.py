"""The state of one solve: the best plan so far, the objective's levels as the phases fix
them, and the clock. Every plan the search meets is compared by `Search.key`, the whole
lexicographic objective (ahead: priority, stay, stability; on the day: priority with the
patients in the clinic first, moves, stay, then the changes below it)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from .budget import Budget
from .heuristic import published_steps
from .placement import Placement
from .prepared import KindMode, Prepared
from .result import Phase, Progress


class Cancelled(Exception):
    """The caller asked the search to stop (its progress callback returned False)."""


@dataclass
class Levels:
    """The objective levels fixed by the phases so far (None: still open)."""

    weight: int | None = None     # the priority seen, as weighted (`PPatient.weight`)
    stay: int | None = None       # planning ahead: the total stay (before stability)
    moves: int | None = None      # on the day: M * moved + minutes moved (before the stay)


class Search:
    """The state of one solve: the best plan, what is proven, the clock."""

    def __init__(self, prep: Prepared, *, time_limit: float, workers: int, seed: int,
                 on_progress: Callable[[Progress], object] | None, log: Callable[[str], None] | None):
        self.prep = prep
        self.t0 = time.perf_counter()
        # The search stops a little early: the last steps (insertions, the check, the reasons)
        # then finish within the time limit.
        self.deadline = self.t0 + max(0.0, time_limit - Budget.reserve(time_limit))
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
        return moved(self.prep, placements, self.reference)

    def moved_score(self, placements) -> int:
        m, minutes = self.moved(placements)
        return self.moved_weight * m + minutes

    def changes(self, placements) -> int:
        """Below every level of the objective on the day: published steps at another time,
        published people and rooms (of explicit kinds) exchanged. Keeps a re-plan from
        reshuffling the team for nothing."""
        return changes(self.prep, placements, self.published_steps)

    def key(self, placements) -> tuple[int, ...]:
        if self.prep.on_the_day:
            return (self.weight(placements), -self.moved_score(placements), -self.stay(placements),
                    -self.changes(placements))
        return (self.weight(placements), -self.stay(placements), -self.moved_score(placements))

    def holds(self, placements, levels: Levels) -> bool:
        """Does the plan keep the objectives already fixed by earlier phases?"""
        return ((levels.weight is None or self.weight(placements) >= levels.weight)
                and (levels.stay is None or self.stay(placements) <= levels.stay)
                and (levels.moves is None or self.moved_score(placements) <= levels.moves))

    def better(self, placements) -> bool:
        """Strictly better than the best plan so far, lexicographically."""
        return self.best is None or self.key(placements) > self.key(self.best)


def moved(prep: Prepared, placements, reference: dict[int, int]) -> tuple[int, int]:
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


def changes(prep: Prepared, placements, published: dict) -> int:
    """Published steps at another time, plus published people and rooms of explicit kinds
    no longer held (see `_Search.changes`)."""
    out = 0
    for i, pl in placements.items():
        for s, (start, resources) in published.get(i, {}).items():
            st = prep.patients[i].steps[s]
            if st.fixed:
                continue
            out += pl.starts[s] != start
            out += sum(1 for r in resources if prep.modes[prep.resources[r].kind] is KindMode.EXPLICIT
                       and r not in pl.resources[s])
    return out


def changes_bound(prep: Prepared, published: dict) -> int:
    """The most `_changes` can be."""
    return sum(1 + sum(1 for r in resources if prep.modes[prep.resources[r].kind] is KindMode.EXPLICIT)
               for i, steps in published.items() for s, (_, resources) in steps.items()
               if not prep.patients[i].steps[s].fixed)



"""One more patient into a morning without moving anyone: the booking search's question.

`insert(problem, patient, *, arrival=None)` places `patient` (not yet in `problem`) at the
earliest arrival where every step of her pathway fits into the resources' free time — around
the fixed steps (what happened) and the published plan (`reference`, which holds its
resources) — keeping every rule of the morning exactly as the engine does (it is the engine's
own exact single-patient placement, `heuristic.Placer`, with the rules in `prepared`). With
`arrival`, her first step starts exactly then or she does not fit.

It answers an `Insertion` (her steps, in the exchange format's terms), or a `Blocked` saying
why not in terms a planner can act on: the first step that cannot be placed, and the resource
kind that stops it, looked at while that step could take place (`full`: no resource of the
kind has the step's minutes free there at all; otherwise the kind with the least free time).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .placer import Placer
from .timeline import Timeline
from .prepared import PPatient, Prepared
from .problem import Patient, Problem
from .result import ScheduledStep


@dataclass(frozen=True)
class Insertion:
    """Her steps, in the order of their starts, with the resources they hold (ids)."""

    steps: tuple[ScheduledStep, ...]

    @property
    def arrival(self) -> int:
        return min(s.start for s in self.steps)

    @property
    def departure(self) -> int:
        return max(s.end for s in self.steps)


@dataclass(frozen=True)
class Blocked:
    """Why she does not fit. `step` cannot be placed; `kind` (resources `resources`) stops it
    between `start` and `end`, where it needs `needed` minutes: `full` when none of them has
    that long free there, else `free` minutes are free in all but none fits the pathway's
    order and time limits. `too_late`: a given arrival (`start`) leaves too little time until
    `end`; `too_early`: a given arrival (`end`) is before her earliest start or now (`start`)."""

    step: str
    kind: str
    resources: tuple[str, ...]
    needed: int
    start: int
    end: int
    full: bool
    free: int
    exhausted: bool = False   # the search gave up (never: the placement is exact)
    too_late: bool = False
    too_early: bool = False


def insert(problem: Problem, patient: Patient, *, arrival: int | None = None) -> Insertion | Blocked:
    """`patient` placed into `problem` moving nobody (see the module docstring)."""
    prep = Prepared(replace(problem, patients=problem.patients + (patient,)))
    p = prep.patients[-1]
    placer = Placer(prep)
    timeline = _published_timeline(prep, p)
    first = p.steps[p.order[0]]
    lower, upper = max(p.lo, prep.t0), p.hi
    if arrival is not None:
        if arrival < lower:
            return Blocked(first.id, "", (), first.tail, lower, arrival, True, 0, too_early=True)
        if arrival + first.tail > upper:
            return Blocked(first.id, "", (), first.tail, arrival, upper, True, 0, too_late=True)
    placed = None if p.temporal_error else placer.place_earliest(timeline, p, release=arrival)
    if placed is not None and (arrival is None or placed.starts[first.local] == arrival):
        steps = sorted(range(len(p.steps)), key=lambda s: (placed.starts[s], s))
        return Insertion(tuple(ScheduledStep(p.id, p.steps[s].id, placed.starts[s],
                                             placed.starts[s] + p.steps[s].duration,
                                             tuple(prep.resources[r].id for r in placed.resources[s]))
                               for s in steps))
    return _blocked(prep, placer, timeline, p, lower if arrival is None else arrival, arrival)


def _published_timeline(prep: Prepared, new: PPatient) -> Timeline:
    """The resources' time as the morning stands: breaks and fixed steps (in `prep`), and every
    published step that has not happened (what happened replaces what was planned)."""
    timeline = Timeline(prep)
    fixed = {(p.id, st.id) for p in prep.patients for st in p.steps if st.fixed}
    durations = {(p.id, st.id): st.duration for p in prep.patients for st in p.steps}
    for a in prep.problem.reference:
        if a.patient == new.id or (a.patient, a.step) in fixed:
            continue
        end = a.end if a.end is not None else a.start + durations.get((a.patient, a.step), 0)
        for rid in a.resources:
            if rid in prep.resource_index and end > a.start:
                timeline.occupy(prep.resource_index[rid], a.start, end)
    return timeline


def _free_stretches(timeline: Timeline, r: int, start: int, end: int) -> list[int]:
    """The lengths of the free stretches of resource `r` inside [start, end)."""
    out, cursor = [], start
    for a, b in zip(timeline.starts[r], timeline.ends[r]):
        if b <= cursor or a >= end:
            continue
        if a > cursor:
            out.append(min(a, end) - cursor)
        cursor = max(cursor, b)
    if cursor < end:
        out.append(end - cursor)
    return [g for g in out if g > 0]


def _failing_step(placer: Placer, timeline: Timeline, p: PPatient, release: int) -> int:
    """The step (local index) furthest along her pathway that no choice of resources places."""
    furthest = 0
    for combo in placer.combos(p):
        trace: dict = {}
        placer.forward(timeline, p, combo, release, trace=trace)
        fail = trace.get("fail")
        if fail is not None:
            furthest = max(furthest, p.order.index(fail["step"]))
    return p.order[furthest]


def _blocked(prep: Prepared, placer: Placer, timeline: Timeline, p: PPatient, lower: int,
             arrival: int | None) -> Blocked:
    failing = _failing_step(placer, timeline, p, lower)
    first = p.steps[p.order[0]]
    tightest = None
    for s in p.order:
        st = p.steps[s]
        start, end = lower + st.head, p.hi - st.tail + st.duration
        if st is first and arrival is not None:
            end = arrival + st.duration
        for kind in dict.fromkeys(st.needs):
            pool = tuple(r for r in prep.by_kind.get(kind, []))
            ids = tuple(prep.resources[r].id for r in pool)
            stretches = [g for r in pool for g in _free_stretches(timeline, r, start, end)]
            if not any(g >= st.duration for g in stretches):
                return Blocked(st.id, kind, ids, st.duration, start, end, True, sum(stretches))
            if s == failing and (tightest is None or sum(stretches) < tightest.free):
                tightest = Blocked(st.id, kind, ids, st.duration, start, end, False, sum(stretches))
    if tightest is None:
        st = p.steps[failing]
        return Blocked(st.id, "", (), st.duration, lower + st.head, p.hi - st.tail + st.duration, False, 0)
    return tightest

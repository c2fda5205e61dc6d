"""The problem turned into indexed data that the heuristic, the model and the bounds share.

Everything here is derived, never decided: each patient's steps with their real durations
(template + extra, or the fixed step's actual length), precedence edges both ways, the
`same_as` classes, static earliest/latest starts from the temporal rules alone, the
critical path, each resource's blocked periods (outside `available`, fixed steps), the set
of start times a step of a given length can use on a resource, and how each kind is to be
modelled (one resource, an interchangeable pool, or explicit per-resource choices).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import NamedTuple

from .clock import fmt_time
from .problem import Problem

Interval = tuple[int, int]


def merge(intervals: list[Interval]) -> list[Interval]:
    """Join half-open periods that overlap or touch.

    Also exact for the conflict test "a step [t, t+d) meets [a, b) iff a < t+d and t < b",
    zero-length periods (barriers) included: a step meets the merged period iff it meets
    one of the parts.
    """
    out: list[list[int]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """Intersection of two sorted lists of disjoint closed integer intervals."""
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def union(lists: list[list[Interval]]) -> list[Interval]:
    """Union of closed integer intervals (adjacent integers join)."""
    out: list[list[int]] = []
    for a, b in sorted(x for lst in lists for x in lst):
        if out and a <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


class KindMode(str, enum.Enum):
    """How the model treats the resources of a kind (see `Prepared._kind_modes`)."""

    SINGLE = "single"       # one resource: its steps share a NoOverlap
    POOL = "pool"           # interchangeable resources: one cumulative, colouring afterwards
    EXPLICIT = "explicit"   # a choice of resource per step (per same_as class)


class FixedTime(NamedTuple):
    """A step that happened or is under way: when, and on which resources (ids, in `needs` order)."""

    start: int
    end: int
    resources: tuple[str, ...]


@dataclass
class PStep:
    """One step of one patient."""

    patient: int
    local: int
    id: str
    duration: int
    needs: tuple[str, ...]                       # as in the template, in order
    kinds: tuple[tuple[str, int], ...]           # distinct kinds with multiplicity
    preds: list[tuple[int, int, int | None]]     # (step, min, max)
    succs: list[tuple[int, int, int | None]]
    same_as: dict[str, int]                      # kind -> other step
    fixed: FixedTime | None = None
    assigned: dict[str, str] = field(default_factory=dict)  # kind -> the resource that must do it
    est: int = 0                                 # static earliest start
    lst: int = 0                                 # static latest start
    head: int = 0                                # longest path from the arrival to this start
    tail: int = 0                                # longest path from this start to the departure

    @property
    def is_fixed(self) -> bool:
        return self.fixed is not None


@dataclass
class PPatient:
    index: int
    id: str
    pathway: str
    priority: int
    steps: list[PStep]
    order: list[int]            # a topological order of the steps
    sources: list[int]
    sinks: list[int]
    lo: int                     # earliest start of any step (earliest, window)
    hi: int                     # latest end of any step (latest, window)
    chain: bool                 # precedence orders every pair of steps
    critical_path: int          # minimal stay from the temporal rules alone
    # same_as classes: steps linked by same_as on a kind share one resource of it (the
    # class's "anchor"); a step that needs the kind twice holds the anchor and another.
    classes: list[tuple[str, tuple[int, ...]]]   # (kind, steps)
    class_of: dict[tuple[int, str], int]
    temporal_error: str | None = None            # why the temporal rules alone cannot be met
    # The day as it happens (see `Prepared._day`).
    arrived: int | None = None                   # in the clinic since then
    present: bool = False                        # arrived, or a step fixed: in the clinic
    weight: int = 1                              # priority in the objective (present first)
    published: int | None = None                 # her arrival in the reference (published plan)
    gate: int | None = None                      # not present, published: keep it, or come >= gate
    late: bool = False                           # not here, her published arrival has passed

    @property
    def has_fixed(self) -> bool:
        return any(s.fixed for s in self.steps)

    def counts_as_moved(self, arrival: int | None) -> bool:
        """Level 2 of the objective on the day (and the stability objective ahead): a
        published patient moves when she is no longer seen, or when she is not here yet,
        not late, and comes at another time than published."""
        if self.published is None:
            return False
        if arrival is None:
            return True
        return not (self.present or self.late) and arrival != self.published

    def arrival_ok(self, arrival: int) -> bool:
        """The notice rule: she keeps her published arrival or is told in time."""
        return self.gate is None or arrival == self.published or arrival >= self.gate

    def next_arrival(self, arrival: int) -> int:
        """The first arrival at or after `arrival` that the notice rule allows."""
        if self.gate is None or arrival >= self.gate:
            return arrival
        return self.published if arrival <= self.published else self.gate

    def origin(self, arrival: int) -> int:
        """Where her stay starts: her first step, or when she arrived if that was earlier."""
        return arrival if self.arrived is None else min(arrival, self.arrived)

    @property
    def all_fixed(self) -> bool:
        return all(s.fixed for s in self.steps)


@dataclass
class PResource:
    index: int
    id: str
    kind: str
    available: list[Interval]
    fixed_busy: list[tuple[int, int, int, int]]     # (start, end, patient, step)
    blocked: list[Interval] = field(default_factory=list)   # merged: gaps, barriers, fixed steps

    def describe(self) -> str:
        return f"{self.kind} {self.id}"


class Prepared:
    """Indexed, derived view of a `Problem`."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.w0, self.w1 = problem.window
        self.now = problem.now
        # Non-fixed steps cannot start before t0.
        self.t0 = max(self.w0, problem.now) if problem.now is not None else self.w0
        self.resources = [PResource(i, r.id, r.kind, list(r.available), []) for i, r in enumerate(problem.resources)]
        self.resource_index = {r.id: r.index for r in self.resources}
        self.by_kind: dict[str, list[int]] = {}
        for r in self.resources:
            self.by_kind.setdefault(r.kind, []).append(r.index)
        self.on_the_day = problem.on_the_day
        self.patients = [self._patient(i) for i in range(len(problem.patients))]
        self.patient_index = {p.id: p.index for p in self.patients}
        self._day()
        for p in self.patients:
            for s in p.steps:
                if s.fixed:
                    for rid in s.fixed.resources:
                        self.resources[self.resource_index[rid]].fixed_busy.append((s.fixed.start, s.fixed.end, p.index, s.local))
        for r in self.resources:
            r.fixed_busy.sort()
            r.blocked = self._blocked(r)
        self.modes = self._kind_modes()
        self.steps = [s for p in self.patients for s in p.steps]
        self._domain_cache: dict[tuple[int, int], list[Interval]] = {}

    # Patients ------------------------------------------------------------------------
    def _patient(self, index: int) -> PPatient:
        problem = self.problem
        patient = problem.patients[index]
        pathway = problem.pathway(patient.pathway)
        local = {s.id: i for i, s in enumerate(pathway.steps)}
        extra = patient.extra_map
        fixed = {f.step: f for f in problem.fixed if f.patient == patient.id}
        assigned: dict[str, dict[str, str]] = {}
        for step_id, rid in patient.assigned:
            assigned.setdefault(step_id, {})[problem.resource(rid).kind] = rid
        steps = []
        for i, step in enumerate(pathway.steps):
            duration = step.duration + extra.get(step.id, 0)
            kinds: dict[str, int] = {}
            for k in step.needs:
                kinds[k] = kinds.get(k, 0) + 1
            fx = None
            if step.id in fixed:
                f = fixed[step.id]
                end = f.end if f.end is not None else f.start + duration
                # Resources in the order of `needs`.
                pool = list(f.resources)
                ordered = []
                for k in step.needs:
                    for rid in pool:
                        if problem.resource(rid).kind == k:
                            ordered.append(rid)
                            pool.remove(rid)
                            break
                fx = FixedTime(f.start, end, tuple(ordered))
                duration = end - f.start
            steps.append(PStep(index, i, step.id, duration, step.needs, tuple(kinds.items()),
                               [(local[lag.step], lag.min, lag.max) for lag in step.after], [],
                               {k: local[o] for k, o in step.same_as}, fx, assigned=assigned.get(step.id, {})))
        for s in steps:
            for (p, mn, mx) in s.preds:
                steps[p].succs.append((s.local, mn, mx))
        order = _topological(steps)
        sources = [s.local for s in steps if not s.preds]
        sinks = [s.local for s in steps if not s.succs]
        # Transitive closure: is the pathway a chain (one step at a time implied)?
        reach = {s: set() for s in order}
        for s in reversed(order):
            for (t, _, _) in steps[s].succs:
                reach[s] |= {t} | reach[t]
        n = len(steps)
        chain = all(b in reach[a] or a in reach[b] for a in range(n) for b in range(a + 1, n))
        # Heads and tails over the precedence graph with min lags.
        for s in order:
            st = steps[s]
            st.head = max((steps[p].head + steps[p].duration + mn for (p, mn, _) in st.preds), default=0)
        for s in reversed(order):
            st = steps[s]
            st.tail = max((mn + steps[t].tail for (t, mn, _) in st.succs), default=0) + st.duration
        critical = max(s.head + s.duration for s in steps)
        if not chain:
            critical = max(critical, sum(s.duration for s in steps))
        # same_as classes (union-find over (step, kind)).
        parent: dict[tuple[int, str], tuple[int, str]] = {}

        def find(x):
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for s in steps:
            for k, o in s.same_as.items():
                parent[find((s.local, k))] = find((o, k))
        groups: dict[tuple[int, str], list[int]] = {}
        for x in list(parent):
            groups.setdefault(find(x), []).append(x[0])
        classes, class_of = [], {}
        for root, members in groups.items():
            members = tuple(sorted(set(members)))
            classes.append((root[1], members))
            for m in members:
                class_of[(m, root[1])] = len(classes) - 1
        lo = max(self.w0, patient.earliest) if patient.earliest is not None else self.w0
        hi = min(self.w1, patient.latest) if patient.latest is not None else self.w1
        pp = PPatient(index, patient.id, patient.pathway, patient.priority, steps, order, sources, sinks,
                      lo, hi, chain, critical, classes, class_of, arrived=patient.arrived)
        pp.present = self.on_the_day and (patient.arrived is not None or pp.has_fixed)
        pp.published = self._published_arrival(patient.id, {s.id for s in steps})
        if self.now is not None and not pp.present and pp.published is not None:
            if pp.published >= self.t0:
                pp.gate = self.t0 + problem.notice
            else:
                pp.late = True
        pp.temporal_error = self._propagate(pp)
        return pp

    def _published_arrival(self, patient_id: str, step_ids: set[str]) -> int | None:
        """Her arrival in the reference: the start of her first published step (of her pathway)."""
        starts = [a.start for a in self.problem.reference if a.patient == patient_id and a.step in step_ids]
        return min(starts, default=None)

    def _day(self) -> None:
        """On the day, the patients in the clinic come first: a present patient's weight is
        more than the priority of everyone who is not present together, so no plan drops
        her to see others (the objective's level 0 before level 1)."""
        if not self.on_the_day:
            for p in self.patients:
                p.weight = p.priority
            return
        absent = sum(p.priority for p in self.patients if not p.present)
        for p in self.patients:
            p.weight = p.priority * (absent + 1) if p.present else p.priority

    def _propagate(self, p: PPatient) -> str | None:
        """Static start windows from the temporal rules alone; a message if they cannot be met."""
        steps = p.steps
        for s in steps:
            if s.fixed:
                s.est = s.lst = s.fixed.start
            else:
                s.est = max(p.lo, self.t0, p.arrived if p.arrived is not None else p.lo)
                s.lst = p.hi - s.duration
        for s in p.order:
            st = steps[s]
            if not st.fixed:
                st.est = max([st.est] + [steps[q].est + steps[q].duration + mn for (q, mn, _) in st.preds])
        for s in reversed(p.order):
            st = steps[s]
            if not st.fixed:
                st.lst = min([st.lst] + [steps[t].lst - mn - st.duration for (t, mn, _) in st.succs])
        for _ in range(50 * len(steps)):
            changed = False
            for st in steps:
                for (q, mn, mx) in st.preds:
                    pq = steps[q]
                    lo = pq.est + pq.duration + mn
                    if lo > st.est:
                        st.est, changed = lo, True
                    if st.lst - mn - pq.duration < pq.lst:
                        pq.lst, changed = st.lst - mn - pq.duration, True
                    if mx is not None:
                        if st.lst > pq.lst + pq.duration + mx:
                            st.lst, changed = pq.lst + pq.duration + mx, True
                        if pq.est < st.est - mx - pq.duration:
                            pq.est, changed = st.est - mx - pq.duration, True
            if not changed:
                break
        problems = []
        for st in steps:
            if st.fixed:
                s0, e0, _ = st.fixed
                if s0 < p.lo or e0 > p.hi:
                    what = "window" if (s0 < self.w0 or e0 > self.w1) else "earliest/latest"
                    problems.append(f"fixed step '{st.id}' {fmt_time(s0)}-{fmt_time(e0)} is outside the patient's "
                                    f"{what} {fmt_time(p.lo)}-{fmt_time(p.hi)}")
                for (q, mn, mx) in st.preds:
                    pq = steps[q]
                    if pq.fixed:
                        gap = s0 - pq.fixed.end
                        if gap < mn or (mx is not None and gap > mx):
                            problems.append(f"fixed steps '{pq.id}' and '{st.id}' are {gap} min apart; "
                                            f"the pathway needs {mn}-{mx if mx is not None else 'any'} min")
        if problems:
            return "; ".join(problems)
        for st in steps:
            if st.est > st.lst:
                if st.fixed:
                    return f"the steps around fixed step '{st.id}' at {fmt_time(st.fixed.start)} cannot meet their lags"
                if p.has_fixed:
                    return (f"step '{st.id}' cannot start after {fmt_time(st.est)} and still keep the lags "
                            f"of the fixed steps and end by {fmt_time(p.hi)}")
                opens = max(p.lo, self.t0, p.arrived if p.arrived is not None else p.lo)
                if opens >= p.hi:
                    because = "now" if self.now is not None and self.t0 >= p.hi else "earliest"
                    return (f"no time is left: the patient cannot start before {fmt_time(opens)} ({because}) and "
                            f"must be done by {fmt_time(p.hi)}")
                return (f"the pathway '{p.pathway}' needs at least {p.critical_path} min but only "
                        f"{fmt_time(opens)}-{fmt_time(p.hi)} is open ({p.hi - opens} min)")
        return None

    # Resources -----------------------------------------------------------------------
    def _blocked(self, r: PResource) -> list[Interval]:
        """Periods a non-fixed step may not overlap: outside `available`, fixed steps.

        Touching available intervals [a, b), [b, c) leave a zero-length barrier at b: a
        step may not span it (see `Timeline.earliest_fit`).
        """
        lo, hi = self.w0 - 10_000, self.w1 + 10_000
        blocked = []
        cursor = lo
        for a, b in r.available:
            blocked.append((cursor, a))  # zero-length when touching: a barrier
            cursor = b
        blocked.append((cursor, hi))
        blocked += [(a, b) for (a, b, _, _) in r.fixed_busy]
        return merge(blocked)

    def start_domain(self, r: int, duration: int) -> list[Interval]:
        """Closed intervals of the starts s such that [s, s+duration) lies inside one available
        interval of resource r and overlaps none of its fixed steps, with s >= t0."""
        key = (r, duration)
        if key not in self._domain_cache:
            res = self.resources[r]
            out = []
            for a, b in res.available:
                if b - a >= duration:
                    out.append((max(a, self.t0), b - duration))
            out = [(a, b) for a, b in out if a <= b]
            for (fs, fe, _, _) in res.fixed_busy:
                cut = (fs - duration + 1, fe - 1)
                nxt = []
                for a, b in out:
                    if b < cut[0] or a > cut[1]:
                        nxt.append((a, b))
                    else:
                        if a < cut[0]:
                            nxt.append((a, cut[0] - 1))
                        if b > cut[1]:
                            nxt.append((cut[1] + 1, b))
                out = nxt
            self._domain_cache[key] = out
        return self._domain_cache[key]

    def _kind_modes(self) -> dict[str, KindMode]:
        """How each kind is modelled.

        - 'single': one resource; its steps share a NoOverlap directly (same_as is trivial).
        - 'pool': interchangeable resources (same availability after t0, fixed steps only as a
          "busy until" prefix, named by no same_as): one cumulative of capacity = count; the
          concrete resource is given afterwards by interval colouring, exact in that case.
        - 'explicit': a choice of resource per step (per same_as class).
        """
        named = set()
        for p in self.patients:
            for s in p.steps:
                named |= set(s.same_as) | set(s.assigned)   # a resource named: chosen explicitly
        modes = {}
        for kind, members in self.by_kind.items():
            if len(members) == 1:
                modes[kind] = KindMode.SINGLE
                continue
            if kind in named:
                modes[kind] = KindMode.EXPLICIT
                continue
            profiles = set()
            ok = True
            for r in members:
                res = self.resources[r]
                clipped = tuple((max(a, self.t0), b) for a, b in res.available if b > self.t0)
                profiles.add(clipped)
                busy = merge([(max(a, self.t0), b) for (a, b, _, _) in res.fixed_busy if b > self.t0])
                if len(busy) > 1 or (busy and busy[0][0] > self.t0):
                    ok = False
            modes[kind] = KindMode.POOL if ok and len(profiles) == 1 else KindMode.EXPLICIT
        return modes

    def busy_until(self, r: int) -> int:
        """For a pooled resource: the end of its fixed-step prefix after t0 (t0 if none)."""
        ends = [b for (a, b, _, _) in self.resources[r].fixed_busy if b > self.t0]
        return max(ends, default=self.t0)

    # Convenience ---------------------------------------------------------------------
    def candidates(self, step: PStep, kind: str) -> list[int]:
        """Resources of `kind` on which the step can start somewhere in its static window."""
        if step.fixed:
            return [self.resource_index[rid] for rid in step.fixed.resources
                    if self.resources[self.resource_index[rid]].kind == kind]
        out = []
        pinned = step.assigned.get(kind)
        for r in self.by_kind.get(kind, []):
            if pinned is not None and self.resources[r].id != pinned:
                continue
            dom = intersect(self.start_domain(r, step.duration), [(step.est, step.lst)])
            if dom:
                out.append(r)
        return out


def _topological(steps: list[PStep]) -> list[int]:
    """A topological order; among ready steps, fixed ones first by their start (they happened)."""
    indeg = [len(s.preds) for s in steps]
    ready = [s.local for s in steps if indeg[s.local] == 0]
    order = []
    while ready:
        ready.sort(key=lambda i: (0, steps[i].fixed.start, i) if steps[i].fixed else (1, 0, i))
        s = ready.pop(0)
        order.append(s)
        for (t, _, _) in steps[s].succs:
            indeg[t] -= 1
            if indeg[t] == 0:
                ready.append(t)
    return order

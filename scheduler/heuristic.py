"""List scheduling: the first-come-first-served baseline and the engine's construction heuristic.

Both place one patient at a time, with all their steps, into resource timelines that
already hold the fixed steps and the patients placed before. Placing one patient is exact
for a given choice of the `same_as` resources (e.g. which surgeon, which radiologist): the
steps are taken in a topological order (one at a time), each at the earliest time all
its kinds have a free resource, and a broken max lag pushes the earlier step later and
starts again — a monotone fixpoint, so it ends at the earliest schedule there is.

- `fcfs_plan`: patients in file order (patients with fixed steps first: they are in the
  clinic), each at its earliest feasible arrival; a patient that does not fit is skipped.
  What a planner does by hand; the benchmark's baseline.
- `construct_plan`: several patient orders (priority first, long pathways first,
  randomised) and placement rules that trade a little arrival time for less waiting
  (forward placement, then a backward pass that pulls every step as late as the
  departure allows); the best plan is the engine's first plan and the CP-SAT hint.
"""

from __future__ import annotations

import itertools
import random
import time
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from .prepared import PPatient, Prepared

INF = 10 ** 9


class Timeline:
    """Per resource, the sorted merged periods a new step may not overlap."""

    __slots__ = ("starts", "ends")

    def __init__(self, prepared: Prepared | None = None):
        if prepared is not None:
            self.starts = [[a for a, _ in r.blocked] for r in prepared.resources]
            self.ends = [[b for _, b in r.blocked] for r in prepared.resources]

    def copy(self) -> "Timeline":
        t = Timeline()
        t.starts = [list(x) for x in self.starts]
        t.ends = [list(x) for x in self.ends]
        return t

    def earliest_fit(self, r: int, t: int, d: int) -> int:
        """Smallest t' >= t with [t', t'+d) clear of every period (barriers included)."""
        starts, ends = self.starts[r], self.ends[r]
        i = bisect_right(ends, t)
        n = len(starts)
        while i < n and starts[i] < t + d:
            t = ends[i]
            i += 1
        return t

    def latest_fit(self, r: int, t: int, d: int) -> int:
        """Largest t' <= t with [t', t'+d) clear of every period (barriers included)."""
        starts, ends = self.starts[r], self.ends[r]
        i = bisect_left(starts, t + d) - 1
        while i >= 0 and ends[i] > t:
            t = starts[i] - d
            i -= 1
        return t

    def previous_end(self, r: int, t: int) -> int:
        """End of the last period on r that ends at or before t (for best-fit choices)."""
        i = bisect_right(self.ends[r], t) - 1
        return self.ends[r][i] if i >= 0 else -INF

    def next_start(self, r: int, t: int) -> int:
        i = bisect_left(self.starts[r], t)
        return self.starts[r][i] if i < len(self.starts[r]) else INF

    def occupy(self, r: int, a: int, b: int) -> None:
        starts, ends = self.starts[r], self.ends[r]
        i = bisect_left(ends, a)          # first period ending at/after a: may touch
        j = bisect_right(starts, b)       # periods starting at/before b may touch
        if i < j:
            a = min(a, starts[i])
            b = max(b, ends[j - 1])
        starts[i:j] = [a]
        ends[i:j] = [b]


@dataclass
class Placement:
    """One patient's steps: start per step and resources per step (in `needs` order)."""

    patient: int
    starts: list[int]
    resources: list[tuple[int, ...]]

    def arrival(self, p: PPatient) -> int:
        return min(self.starts)

    def departure(self, p: PPatient) -> int:
        return max(s + st.duration for s, st in zip(self.starts, p.steps))

    def stay(self, p: PPatient) -> int:
        return self.departure(p) - self.arrival(p)


class Placer:
    """Places single patients into a timeline."""

    def __init__(self, prepared: Prepared):
        self.prep = prepared
        self._combos: dict[int, list[dict[int, int]]] = {}
        self._slots: dict[tuple[int, int], list[tuple[str, int, list[int]]]] = {}
        self._slot_cache: dict[tuple, list] = {}

    # Choices ---------------------------------------------------------------------------
    def combos(self, p: PPatient) -> list[dict[int, int]]:
        """Every choice of resource for the patient's explicit same_as classes."""
        if p.index not in self._combos:
            prep = self.prep
            choice_lists = []
            for ci, (kind, members) in enumerate(p.classes):
                if prep.modes.get(kind) != "explicit":
                    continue
                cands = None
                for m in members:
                    c = set(prep.candidates(p.steps[m], kind))
                    cands = c if cands is None else cands & c
                choice_lists.append([(ci, r) for r in sorted(cands or ())])
            self._combos[p.index] = [dict(c) for c in itertools.product(*choice_lists)]
        return self._combos[p.index]

    def slots(self, p: PPatient, s: int) -> list[tuple[str, int, list[int]]]:
        key = (p.index, s)
        if key not in self._slots:
            st = p.steps[s]
            self._slots[key] = [(kind, m, self.prep.candidates(st, kind)) for kind, m in st.kinds]
        return self._slots[key]

    def _slot_candidates(self, p: PPatient, s: int, combo: dict[int, int]):
        key = (p.index, s, tuple(sorted(combo.items())))
        cached = self._slot_cache.get(key)
        if cached is None:
            cached = self._slot_cache[key] = self._compute_slot_candidates(p, s, combo)
        return cached

    def _compute_slot_candidates(self, p: PPatient, s: int, combo: dict[int, int]):
        out = []
        for kind, m, cands in self.slots(p, s):
            ci = p.class_of.get((s, kind))
            if ci is not None and ci in combo:
                r = combo[ci]
                out.append((kind, m, [r] if r in cands else []))
            else:
                out.append((kind, m, cands))
        return out

    # One step ----------------------------------------------------------------------------
    @staticmethod
    def _next_fit(tl: Timeline, slots, t: int, d: int, limit: int) -> int | None:
        """Earliest t' >= t (<= limit) where every slot has enough free resources."""
        while t <= limit:
            t_new = t
            for _, m, cands in slots:
                if len(cands) < m:
                    return None
                if m == 1:
                    tk = min(tl.earliest_fit(r, t, d) for r in cands)
                else:
                    tk = sorted(tl.earliest_fit(r, t, d) for r in cands)[m - 1]
                if tk > t_new:
                    t_new = tk
            if t_new == t:
                return t
            t = t_new
        return None

    @staticmethod
    def _prev_fit(tl: Timeline, slots, t: int, d: int, limit: int) -> int | None:
        """Latest t' <= t (>= limit) where every slot has enough free resources."""
        while t >= limit:
            t_new = t
            for _, m, cands in slots:
                if len(cands) < m:
                    return None
                if m == 1:
                    tk = max(tl.latest_fit(r, t, d) for r in cands)
                else:
                    tk = sorted((tl.latest_fit(r, t, d) for r in cands), reverse=True)[m - 1]
                if tk < t_new:
                    t_new = tk
            if t_new == t:
                return t
            t = t_new
        return None

    @staticmethod
    def _choose(tl: Timeline, slots, t: int, d: int, needs: tuple[str, ...], prefer=None) -> tuple[int, ...]:
        """Resources free over [t, t+d) for each slot (best fit: the one idle the shortest),
        laid out in the order of `needs`."""
        picked: dict[str, list[int]] = {}
        for kind, m, cands in slots:
            free = [r for r in cands if tl.earliest_fit(r, t, d) == t]
            if prefer:
                free.sort(key=lambda r: (r not in prefer, -tl.previous_end(r, t), tl.next_start(r, t + d), r))
            else:
                free.sort(key=lambda r: (-tl.previous_end(r, t), tl.next_start(r, t + d), r))
            picked[kind] = sorted(free[:m])
        out = []
        for kind in needs:
            out.append(picked[kind].pop(0))
        return tuple(out)

    # One patient -------------------------------------------------------------------------
    def forward(self, tl: Timeline, p: PPatient, combo: dict[int, int], release: int,
                trace: dict | None = None) -> list[int] | None:
        """Earliest starts (one step at a time, in `p.order`) with no step before `release`.

        On failure, `trace["fail"]` (if given) tells which step could not be placed, when
        it was ready, and why ("deadline": no start by its latest start; "fixed": a fixed
        step comes too early; "maxlag-fixed": a max lag after a fixed step is broken).
        """
        steps = p.steps
        rel = [max(st.est, release) if not st.fixed else st.est for st in steps]
        slots = [self._slot_candidates(p, s, combo) for s in range(len(steps))]
        start = [0] * len(steps)
        while True:
            restart = False
            prev_end = -INF          # end of the latest step placed (one step at a time)
            prev_free_end = -INF     # the same, over non-fixed steps only
            for s in p.order:
                st = steps[s]
                lb = rel[s]
                for (q, mn, _) in st.preds:
                    v = start[q] + steps[q].duration + mn
                    if v > lb:
                        lb = v
                if st.fixed:
                    t = st.fixed[0]
                    if lb > t or prev_free_end > t:
                        if trace is not None:
                            trace["fail"] = {"step": s, "ready": max(lb, prev_free_end), "why": "fixed"}
                        return None
                else:
                    if prev_end > lb:
                        lb = prev_end
                    t = self._next_fit(tl, slots[s], lb, st.duration, st.lst)
                    if t is None:
                        if trace is not None:
                            trace["fail"] = {"step": s, "ready": lb, "why": "deadline", "slots": slots[s]}
                        return None
                start[s] = t
                if t + st.duration > prev_end:
                    prev_end = t + st.duration
                if not st.fixed and t + st.duration > prev_free_end:
                    prev_free_end = t + st.duration
                for (q, mn, mx) in st.preds:
                    if mx is not None and t > start[q] + steps[q].duration + mx:
                        if steps[q].fixed or t - mx - steps[q].duration > steps[q].lst:
                            if trace is not None:
                                trace["fail"] = {"step": s, "ready": lb, "why": "maxlag", "pred": q,
                                                 "start": t, "slots": slots[s]}
                            return None
                        rel[q] = max(rel[q], t - mx - steps[q].duration)
                        restart = True
                if restart:
                    break
            if not restart:
                return start

    def backward(self, tl: Timeline, p: PPatient, combo: dict[int, int], starts: list[int]) -> list[int]:
        """Pull every non-fixed step as late as the departure of `starts` allows (less waiting)."""
        steps = p.steps
        depart = max(s + st.duration for s, st in zip(starts, steps))
        ub = [st.fixed[0] if st.fixed else min(st.lst, depart - st.duration) for st in steps]
        slots = [self._slot_candidates(p, s, combo) for s in range(len(steps))]
        start = [0] * len(steps)
        rev = list(reversed(p.order))
        for _ in range(200):
            restart = False
            next_start = INF
            for s in rev:
                st = steps[s]
                u = ub[s]
                for (q, mn, _) in st.succs:
                    v = start[q] - mn - st.duration
                    if v < u:
                        u = v
                if st.fixed:
                    t = st.fixed[0]
                    if u < t:
                        return starts
                else:
                    if next_start - st.duration < u:
                        u = next_start - st.duration
                    t = self._prev_fit(tl, slots[s], u, st.duration, starts[s])
                    if t is None:
                        return starts
                start[s] = t
                if t < next_start:
                    next_start = t
                for (q, mn, mx) in st.succs:
                    if mx is not None and start[q] > t + st.duration + mx:
                        if steps[q].fixed:
                            return starts
                        ub[q] = min(ub[q], t + st.duration + mx)
                        restart = True
                if restart:
                    break
            if not restart:
                return start
        return starts

    def resources_for(self, tl: Timeline, p: PPatient, combo, starts: list[int], prefer=None) -> list[tuple[int, ...]]:
        out = []
        for s, st in enumerate(p.steps):
            if st.fixed:
                out.append(tuple(self.prep.resource_index[r] for r in st.fixed[2]))
            else:
                slots = self._slot_candidates(p, s, combo)
                out.append(self._choose(tl, slots, starts[s], st.duration, st.needs,
                                        prefer.get(s) if prefer else None))
        return out

    def commit(self, tl: Timeline, p: PPatient, placement: Placement) -> None:
        for s, st in enumerate(p.steps):
            if st.fixed:
                continue  # already in the timeline
            a = placement.starts[s]
            for r in placement.resources[s]:
                tl.occupy(r, a, a + st.duration)

    def place_earliest(self, tl: Timeline, p: PPatient, release: int | None = None) -> Placement | None:
        """The placement with the earliest arrival (then the earliest departure)."""
        best, best_key, best_combo = None, None, None
        for combo in self.combos(p):
            starts = self.forward(tl, p, combo, p.lo if release is None else release)
            if starts is None:
                continue
            key = (min(starts), max(s + st.duration for s, st in zip(starts, p.steps)))
            if best_key is None or key < best_key:
                best, best_key, best_combo = starts, key, combo
        if best is None:
            return None
        return Placement(p.index, best, self.resources_for(tl, p, best_combo, best))

    def place_compact(self, tl: Timeline, p: PPatient, beta: float, *, scan: int = 40,
                      min_stay: int | None = None) -> Placement | None:
        """The placement minimising stay + beta * (arrival - earliest possible), looking at
        several arrival times per resource choice (each justified backwards)."""
        floor = min_stay if min_stay is not None else p.critical_path
        best, best_score, best_combo = None, None, None
        base = max(p.lo, self.prep.t0) if not p.has_fixed else p.lo
        for combo in self.combos(p):
            release = p.lo
            for _ in range(scan):
                starts = self.forward(tl, p, combo, release)
                if starts is None:
                    break
                arrival = min(starts)
                if best_score is not None and floor + beta * (arrival - base) >= best_score:
                    break
                justified = self.backward(tl, p, combo, starts)
                a = min(justified)
                stay = max(s + st.duration for s, st in zip(justified, p.steps)) - a
                score = stay + beta * (a - base)
                if best_score is None or score < best_score:
                    best, best_score, best_combo = justified, score, combo
                if stay <= floor or p.has_fixed:
                    break
                release = arrival + 1
        if best is None:
            return None
        return Placement(p.index, best, self.resources_for(tl, p, best_combo, best))


@dataclass
class Plan:
    """A complete plan: placements of the scheduled patients."""

    placements: dict[int, Placement]
    priority: int
    total_stay: int

    def key(self) -> tuple[int, int]:
        return (self.priority, -self.total_stay)


def _evaluate(prep: Prepared, placements: dict[int, Placement]) -> Plan:
    prio = sum(prep.patients[i].priority for i in placements)
    stay = sum(pl.stay(prep.patients[i]) for i, pl in placements.items())
    return Plan(placements, prio, stay)


def build_plan(prep: Prepared, order: list[int], rule: str = "earliest", beta: float = 0.3,
               placer: Placer | None = None, timeline: Timeline | None = None,
               min_stay: dict[int, int] | None = None) -> Plan:
    """Place the patients in `order` one by one; those that do not fit are skipped.

    Patients with fixed steps are placed first whatever the order (they are in the clinic).
    """
    placer = placer or Placer(prep)
    tl = timeline.copy() if timeline is not None else Timeline(prep)
    forced = [i for i in order if prep.patients[i].has_fixed]
    rest = [i for i in order if not prep.patients[i].has_fixed]
    placements: dict[int, Placement] = {}
    for i in forced + rest:
        p = prep.patients[i]
        if p.temporal_error:
            continue
        if rule == "earliest":
            pl = placer.place_earliest(tl, p)
        else:
            pl = placer.place_compact(tl, p, beta, min_stay=(min_stay or {}).get(i))
        if pl is None:
            continue
        placer.commit(tl, p, pl)
        placements[i] = pl
    return _evaluate(prep, placements)


def fcfs_plan(prep: Prepared) -> Plan:
    """The baseline: file order, earliest feasible arrival, skip what does not fit."""
    return build_plan(prep, list(range(len(prep.patients))), rule="earliest")


def construct_plan(prep: Prepared, *, patients: list[int] | None = None, time_budget: float = 0.5,
                   seed: int = 0, min_stay: dict[int, int] | None = None,
                   max_rounds: int = 200) -> tuple[Plan, int]:
    """Best plan over several orders and placement rules within `time_budget` seconds
    (at least the first one is always built). `patients`: those who can be seen at all.

    Returns the plan and the number of candidate plans built.
    """
    t_start = time.perf_counter()
    rng = random.Random(seed)
    pp = prep.patients
    ids = list(range(len(pp))) if patients is None else list(patients)
    n = len(ids)
    placer = Placer(prep)
    base_tl = Timeline(prep)
    ms = min_stay or {}
    length = {i: ms.get(i, pp[i].critical_path) for i in ids}

    orders = [
        sorted(ids, key=lambda i: (-pp[i].priority, -length[i], pp[i].lo, i)),
        sorted(ids, key=lambda i: (-pp[i].priority, pp[i].hi, -length[i], i)),
        sorted(ids, key=lambda i: (-pp[i].priority, pp[i].lo, -length[i], i)),
        list(ids),
    ]
    rules = [("compact", 0.3), ("compact", 1.0), ("compact", 0.1), ("earliest", 0.0)]
    candidates = [(o, r) for o in orders[:3] for r in rules[:3]] + [(orders[3], rules[3]), (orders[0], rules[3])]
    best: Plan | None = None
    built = 0
    round_ = 0
    while round_ < max_rounds:
        if round_ < len(candidates):
            order, (rule, beta) = candidates[round_]
        else:
            # Randomised: perturb the best-known priority order, random beta.
            order = list(orders[round_ % 3])
            for _ in range(max(1, n // 4)):
                if n < 2:
                    break
                a, b = rng.randrange(n), rng.randrange(n)
                if pp[order[a]].priority == pp[order[b]].priority:
                    order[a], order[b] = order[b], order[a]
            rule, beta = "compact", rng.choice([0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0])
        plan = build_plan(prep, order, rule, beta, placer, base_tl, ms)
        built += 1
        if best is None or plan.key() > best.key():
            best = plan
        round_ += 1
        if time.perf_counter() - t_start > time_budget and round_ >= 1:
            break
    return best, built

"""Exact placement of one patient into a timeline: for a given choice of the `same_as`
resources (e.g. which surgeon, which radiologist), the steps are taken in a topological order
(one at a time), each at the earliest time all its kinds have a free resource, and a broken max
lag pushes the earlier step later and starts again — a monotone fixpoint, so it ends at the
earliest schedule there is (`forward`); `backward` pulls the steps as late as the departure
allows (less waiting); `place_earliest` and `place_compact` choose among the choices. The
notice rule (`PPatient.arrival_ok`) holds for every placement."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from .placement import Placement
from .prepared import KindMode, PPatient, Prepared
from .timeline import INF, Timeline

@dataclass
class Combo:
    """A choice of resource per explicit same_as class, and the candidate resources per
    step it leaves: per step, a list of (kind, how many, candidates)."""

    choice: dict[int, int]
    slots: list[list[tuple[str, int, list[int]]]]


class Placer:
    """Places single patients into a timeline."""

    def __init__(self, prepared: Prepared):
        self.prep = prepared
        self._combos: dict[int, list[Combo]] = {}
        self._slots: dict[tuple[int, int], list[tuple[str, int, list[int]]]] = {}

    # Choices ---------------------------------------------------------------------------
    def combos(self, p: PPatient) -> list["Combo"]:
        """Every choice of resource for the patient's explicit same_as classes, each with
        the candidate resources per step that it leaves."""
        if p.index not in self._combos:
            prep = self.prep
            choice_lists = []
            for ci, (kind, members) in enumerate(p.classes):
                if prep.modes.get(kind) is not KindMode.EXPLICIT:
                    continue
                cands = None
                for m in members:
                    c = set(prep.candidates(p.steps[m], kind))
                    cands = c if cands is None else cands & c
                choice_lists.append([(ci, r) for r in sorted(cands or ())])
            combos = []
            for c in itertools.product(*choice_lists):
                choice = dict(c)
                combos.append(Combo(choice, [self._compute_slot_candidates(p, s, choice)
                                             for s in range(len(p.steps))]))
            self._combos[p.index] = combos
        return self._combos[p.index]

    def slots(self, p: PPatient, s: int) -> list[tuple[str, int, list[int]]]:
        key = (p.index, s)
        if key not in self._slots:
            st = p.steps[s]
            self._slots[key] = [(kind, m, self.prep.candidates(st, kind)) for kind, m in st.kinds]
        return self._slots[key]

    def _compute_slot_candidates(self, p: PPatient, s: int, combo: dict[int, int]):
        """Per kind: (kind, how many, candidates); the class's chosen resource (same_as) is
        a slot of its own, and a kind needed twice takes the rest from the others."""
        out = []
        for kind, m, cands in self.slots(p, s):
            ci = p.class_of.get((s, kind))
            if ci is not None and ci in combo:
                r = combo[ci]
                out.append((kind, 1, [r] if r in cands else []))
                if m > 1:
                    out.append((kind, m - 1, [c for c in cands if c != r]))
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
            picked.setdefault(kind, []).extend(free[:m])
        out = []
        for kind in needs:
            picked[kind].sort()
            out.append(picked[kind].pop(0))
        return tuple(out)

    # One patient -------------------------------------------------------------------------
    def forward(self, tl: Timeline, p: PPatient, combo: "Combo", release: int,
                trace: dict | None = None) -> list[int] | None:
        """Earliest starts (one step at a time, in `p.order`) with no step before `release`
        and an arrival the notice rule allows (`PPatient.arrival_ok`).

        On failure, `trace["fail"]` (if given) tells which step could not be placed, when
        it was ready, and why ("deadline": no start by its latest start; "fixed": a fixed
        step comes too early; "maxlag-fixed": a max lag after a fixed step is broken).
        """
        while True:
            starts = self._forward(tl, p, combo, release, trace)
            if starts is None or p.arrival_ok(min(starts)):
                return starts
            # Too soon to reach her: the first arrival she can be given, and on from there.
            release = p.next_arrival(min(starts))

    def _forward(self, tl: Timeline, p: PPatient, combo: "Combo", release: int,
                 trace: dict | None) -> list[int] | None:
        steps = p.steps
        rel = [max(st.est, release) if not st.fixed else st.est for st in steps]
        slots = combo.slots
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
                    t = st.fixed.start
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
                        if trace is not None:
                            trace.setdefault("pushed", {})[q] = (s, mx, t)
                        restart = True
                if restart:
                    break
            if not restart:
                return start

    def backward(self, tl: Timeline, p: PPatient, combo: "Combo", starts: list[int]) -> list[int]:
        """Pull every non-fixed step as late as the departure of `starts` allows (less waiting)."""
        steps = p.steps
        depart = max(s + st.duration for s, st in zip(starts, steps))
        ub = [st.fixed.start if st.fixed else min(st.lst, depart - st.duration) for st in steps]
        slots = combo.slots
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
                    t = st.fixed.start
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
                return start if p.arrival_ok(min(start)) else starts
        return starts

    def resources_for(self, tl: Timeline, p: PPatient, combo, starts: list[int], prefer=None) -> list[tuple[int, ...]]:
        out = []
        for s, st in enumerate(p.steps):
            if st.fixed:
                out.append(tuple(self.prep.resource_index[r] for r in st.fixed.resources))
            else:
                slots = combo.slots[s]
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
                      min_stay: int | None = None, combos_scanned: int = 3) -> Placement | None:
        """The placement minimising stay + beta * (arrival - earliest possible).

        Every choice of same_as resources is placed from the earliest arrival and justified
        backwards; the `combos_scanned` best choices are then tried from later arrivals too
        (the waiting for a busy resource often disappears a little later)."""
        floor = min_stay if min_stay is not None else p.critical_path
        base = max(p.lo, self.prep.t0) if not p.has_fixed else p.lo

        def evaluate(combo, release):
            starts = self.forward(tl, p, combo, release)
            if starts is None:
                return None
            justified = self.backward(tl, p, combo, starts)
            a = min(justified)
            stay = max(s + st.duration for s, st in zip(justified, p.steps)) - a
            return stay + beta * (a - base), stay, justified, min(starts)

        firsts = []
        for k, combo in enumerate(self.combos(p)):
            starts = self.forward(tl, p, combo, p.lo)
            if starts is not None:
                a = min(starts)
                stay = max(s + st.duration for s, st in zip(starts, p.steps)) - a
                firsts.append((stay + beta * (a - base), k, combo))
        if not firsts:
            return None
        firsts.sort(key=lambda x: (x[0], x[1]))
        best, best_score, best_combo = None, None, None
        for _, _, combo in firsts[:combos_scanned]:
            ev = evaluate(combo, p.lo)
            if ev is None:
                continue
            score, stay, justified, arrival = ev
            if best_score is None or score < best_score:
                best, best_score, best_combo = justified, score, combo
            if p.has_fixed:
                continue
            for _ in range(scan):
                if stay <= floor:
                    break
                release = arrival + 1
                if floor + beta * (release - base) >= best_score:
                    break
                ev = evaluate(combo, release)
                if ev is None:
                    break
                score, stay, justified, arrival = ev
                if score < best_score:
                    best, best_score, best_combo = justified, score, combo
        if best is None:
            return None
        return Placement(p.index, best, self.resources_for(tl, p, best_combo, best))

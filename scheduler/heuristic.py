"""List scheduling: the first-come-first-served baseline and the engine's construction heuristic.

Both place one patient at a time, with all their steps, into resource timelines
(`timeline`) that already hold the fixed steps and the patients placed before, with the exact
single-patient placement (`placer`).

- `fcfs_plan`: patients in file order (patients with fixed steps first: they are in the
  clinic), each at its earliest feasible arrival; a patient that does not fit is skipped.
  What a planner does by hand; the benchmark's baseline.
- `construct_plan`: several patient orders (priority first, long pathways first,
  randomised) and placement rules that trade a little arrival time for less waiting
  (forward placement, then a backward pass that pulls every step as late as the
  departure allows); the best plan is the engine's first plan and the CP-SAT hint.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from .placement import Placement
from .placer import Placer
from .prepared import PPatient, Prepared
from .timeline import Timeline

@dataclass
class Plan:
    """A complete plan: placements of the scheduled patients."""

    placements: dict[int, Placement]
    weight: int        # the priority seen, patients in the clinic first (`PPatient.weight`)
    total_stay: int
    priority: int      # the priority seen

    def key(self) -> tuple[int, int]:
        return (self.weight, -self.total_stay)


def _evaluate(prep: Prepared, placements: dict[int, Placement]) -> Plan:
    weight = sum(prep.patients[i].weight for i in placements)
    stay = sum(pl.stay(prep.patients[i]) for i, pl in placements.items())
    return Plan(placements, weight, stay, sum(prep.patients[i].priority for i in placements))


def build_plan(prep: Prepared, order: list[int], rule: str = "earliest", beta: float = 0.3,
               placer: Placer | None = None, timeline: Timeline | None = None,
               min_stay: dict[int, int] | None = None) -> Plan:
    """Place the patients in `order` one by one; those that do not fit are skipped.

    Patients with fixed steps are placed first whatever the order, then the others who are
    in the clinic.
    """
    placer = placer or Placer(prep)
    tl = timeline.copy() if timeline is not None else Timeline(prep)
    placements: dict[int, Placement] = {}
    for i in sorted(order, key=lambda i: (not prep.patients[i].has_fixed, not prep.patients[i].present)):
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


def fcfs_plan(prep: Prepared, *, patients: list[int] | None = None, placer: Placer | None = None) -> Plan:
    """The baseline: file order, earliest feasible arrival, skip what does not fit."""
    order = list(range(len(prep.patients))) if patients is None else sorted(patients)
    return build_plan(prep, order, rule="earliest", placer=placer)


def compact_plan(prep: Prepared, placements: dict[int, Placement], *, min_stay: dict[int, int] | None = None,
                 time_budget: float = 0.2, placer: Placer | None = None, passes: int = 4,
                 stable: bool = False) -> dict[int, Placement]:
    """Less waiting, same patients: take each patient out in turn (those who wait most
    first) and put them back where they wait least, everyone else kept; repeat while it
    helps. A cheap polish for plans found by other means (e.g. CP-SAT's first plan).

    `stable` (on the day, where a move weighs more than any stay): a patient who keeps her
    published arrival keeps it; only the rest of her pathway may be put closer together."""
    t_start = time.perf_counter()
    placer = placer or Placer(prep)
    ms = min_stay or {}
    plan = dict(placements)
    patients = prep.patients

    def wait(i: int) -> int:
        return plan[i].stay(patients[i]) - ms.get(i, patients[i].critical_path)

    improved = True
    while improved and passes > 0 and time.perf_counter() - t_start < time_budget:
        improved = False
        passes -= 1
        for i in sorted(plan, key=lambda i: -wait(i)):
            if wait(i) <= 0 or patients[i].all_fixed:
                continue
            if time.perf_counter() - t_start > time_budget:
                break
            tl = Timeline(prep)
            for j, pl in plan.items():
                if j != i:
                    placer.commit(tl, patients[j], pl)
            p = patients[i]
            again = placer.place_compact(tl, p, 0.01, min_stay=ms.get(i), combos_scanned=4)
            if stable and again is not None and p.counts_as_moved(again.arrival(p)) \
                    and not p.counts_as_moved(plan[i].arrival(p)):
                again = placer.place_earliest(tl, p, release=p.published)
                if again is not None and again.arrival(p) != p.published:
                    again = None
            if again is not None and again.stay(p) < plan[i].stay(p):
                plan[i] = again
                improved = True
    return plan


def published_plan(prep: Prepared, *, patients: list[int], placer: Placer | None = None,
                   min_stay: dict[int, int] | None = None) -> dict[int, Placement]:
    """The published plan (the `reference`) as far as it still holds, for a re-plan on the
    day: every patient whose published steps still keep every rule stays exactly where she
    was (in order of published arrival), then the others are placed as close to the plan as
    the rules allow: those in the clinic first, then by published arrival, then the rest.
    On a morning that runs as published this is the published plan, with nobody moved."""
    placer = placer or Placer(prep)
    tl = Timeline(prep)
    ms = min_stay or {}
    published = published_steps(prep)
    plan: dict[int, Placement] = {}
    later: list[int] = []
    for i in sorted(patients, key=lambda i: (prep.patients[i].published is None, prep.patients[i].published or 0, i)):
        p = prep.patients[i]
        pl = _as_published(prep, p, published.get(i, {}))
        if pl is not None and _fits(prep, tl, p, pl):
            placer.commit(tl, p, pl)
            plan[i] = pl
        else:
            later.append(i)
    later.sort(key=lambda i: (not prep.patients[i].has_fixed, -prep.patients[i].weight,
                              prep.patients[i].published is None, prep.patients[i].published or 0, i))
    missing = []
    for i in later:
        p = prep.patients[i]
        pl = placer.place_compact(tl, p, 0.1, min_stay=ms.get(i))
        if pl is None:
            missing.append(i)
            continue
        placer.commit(tl, p, pl)
        plan[i] = pl
    if missing:
        plan = repair_plan(prep, plan, missing, min_stay=ms, placer=placer)
    for u in sorted((i for i in missing if i not in plan and prep.patients[i].present),
                    key=lambda i: -prep.patients[i].weight):
        plan = make_room(prep, plan, u, placer=placer, min_stay=ms)
    return plan


def make_room(prep: Prepared, placements: dict[int, Placement], u: int, *, placer: Placer | None = None,
              min_stay: dict[int, int] | None = None, tries: int = 8) -> dict[int, Placement]:
    """Fit in `u`, who is in the clinic, by taking out one or two patients who are not (her
    weight is more than theirs together): those in the clinic around when she could be
    seen first; whoever is taken out is put back anywhere she still fits, or left out."""
    placer = placer or Placer(prep)
    ms = min_stay or {}
    patients = prep.patients
    pu = patients[u]
    lo, hi = max(pu.lo, prep.t0), pu.hi
    candidates = sorted(
        (j for j in placements if not patients[j].present and patients[j].weight < pu.weight),
        key=lambda j: (-(min(hi, placements[j].departure(patients[j])) - max(lo, placements[j].arrival(patients[j]))),
                       patients[j].weight, j))[:tries]
    outs = [(v,) for v in candidates] + [(a, b) for k, a in enumerate(candidates) for b in candidates[k + 1:]]
    for out in outs:
        tl = Timeline(prep)
        for j, pl in placements.items():
            if j not in out:
                placer.commit(tl, patients[j], pl)
        pl_u = placer.place_compact(tl, pu, 0.1, min_stay=ms.get(u))
        if pl_u is None:
            continue
        placer.commit(tl, pu, pl_u)
        plan = {j: pl for j, pl in placements.items() if j not in out}
        plan[u] = pl_u
        for v in out:
            again = placer.place_compact(tl, patients[v], 0.1, min_stay=ms.get(v))
            if again is not None:
                placer.commit(tl, patients[v], again)
                plan[v] = again
        return plan
    return placements


def published_steps(prep: Prepared) -> dict[int, dict[int, tuple[int, tuple[int, ...]]]]:
    """Per patient, per step of her pathway: the published (start, resources)."""
    out: dict[int, dict[int, tuple[int, tuple[int, ...]]]] = {}
    for a in prep.problem.reference:
        i = prep.patient_index.get(a.patient)
        if i is None:
            continue
        local = {st.id: st.local for st in prep.patients[i].steps}
        if a.step in local and all(r in prep.resource_index for r in a.resources):
            out.setdefault(i, {})[local[a.step]] = (a.start, tuple(prep.resource_index[r] for r in a.resources))
    return out


def _as_published(prep: Prepared, p: PPatient, steps: dict[int, tuple[int, tuple[int, ...]]]) -> Placement | None:
    """Her published placement, with what happened for her fixed steps (None: not all of
    her pathway's steps are published)."""
    starts, resources = [], []
    for st in p.steps:
        if st.fixed:
            starts.append(st.fixed.start)
            resources.append(tuple(prep.resource_index[r] for r in st.fixed.resources))
        elif st.local in steps:
            start, res = steps[st.local]
            starts.append(start)
            resources.append(res)
        else:
            return None
    return Placement(p.index, starts, resources)


def _fits(prep: Prepared, tl: Timeline, p: PPatient, pl: Placement) -> bool:
    """Does a given placement keep every rule against the timeline (resources free and
    available, her own times, lags, same resource, one step at a time, notice)?"""
    steps = p.steps
    for st in steps:
        if st.fixed:
            continue
        t, res = pl.starts[st.local], pl.resources[st.local]
        if t < st.est or t + st.duration > p.hi or len(res) != len(st.needs) or len(set(res)) != len(res):
            return False
        for r, kind in zip(res, st.needs):
            if prep.resources[r].kind != kind or tl.earliest_fit(r, t, st.duration) != t:
                return False
    for st in steps:
        for (q, mn, mx) in st.preds:
            gap = pl.starts[st.local] - (pl.starts[q] + steps[q].duration)
            if gap < mn or (mx is not None and gap > mx):
                return False
        for kind, other in st.same_as.items():
            mine = {r for r, k in zip(pl.resources[st.local], st.needs) if k == kind}
            theirs = {r for r, k in zip(pl.resources[other], steps[other].needs) if k == kind}
            if not mine & theirs:
                return False
    spans = sorted((pl.starts[st.local], pl.starts[st.local] + st.duration) for st in steps)
    if any(b > c for (_, b), (c, _) in zip(spans, spans[1:])):
        return False
    return p.arrival_ok(pl.arrival(p))


def repair_plan(prep: Prepared, placements: dict[int, Placement], missing: list[int], *,
                min_stay: dict[int, int] | None = None, beta: float = 0.1, time_budget: float = 0.2,
                placer: Placer | None = None) -> dict[int, Placement]:
    """Fit in patients who are missing by making room: take one seen patient out (the
    ones around the time the missing patient could come first), place the missing one,
    put the other back; keep the swap when both fit. Patients with fixed steps stay."""
    t_start = time.perf_counter()
    placer = placer or Placer(prep)
    ms = min_stay or {}
    plan = dict(placements)
    patients = prep.patients

    def timeline(without: set[int]) -> Timeline:
        tl = Timeline(prep)
        for j, pl in plan.items():
            if j not in without:
                placer.commit(tl, patients[j], pl)
        return tl

    for u in sorted(missing, key=lambda i: (-patients[i].weight, i)):
        if u in plan or time.perf_counter() - t_start > time_budget:
            continue
        pu = patients[u]
        lo = max(pu.lo, prep.t0)
        hi = pu.hi
        # Whoever is in the clinic while u could be: overlap with u's possible span first.
        candidates = sorted(
            (j for j in plan if not patients[j].has_fixed and patients[j].weight <= pu.weight),
            key=lambda j: (-(min(hi, plan[j].departure(patients[j])) - max(lo, plan[j].arrival(patients[j]))), j))
        for v in candidates:
            if time.perf_counter() - t_start > time_budget:
                break
            tl = timeline({v})
            pl_u = placer.place_compact(tl, pu, beta, min_stay=ms.get(u))
            if pl_u is None:
                continue
            placer.commit(tl, pu, pl_u)
            pl_v = placer.place_compact(tl, patients[v], beta, min_stay=ms.get(v))
            if pl_v is not None:
                plan[u], plan[v] = pl_u, pl_v
                break
    return plan


def exchange_plan(prep: Prepared, placements: dict[int, Placement], possible: list[int], *,
                  time_budget: float = 0.5,
                  placer: Placer | None = None) -> dict[int, Placement]:
    """More priority by exchanges: take one seen patient out (the most resource-hungry per
    unit of priority first), fit in as many unseen patients as will go, then the one taken
    out if it still fits; keep the exchange when the priority seen goes up."""
    t_start = time.perf_counter()
    placer = placer or Placer(prep)
    patients = prep.patients
    plan = dict(placements)
    rank = {i: k for k, i in enumerate(efficiency_order(prep, list(possible)))}   # best first

    def timeline(without: set[int]) -> Timeline:
        tl = Timeline(prep)
        for j, pl in plan.items():
            if j not in without:
                placer.commit(tl, patients[j], pl)
        return tl

    def attempt(out: tuple[int, ...], unseen: list[int]) -> bool:
        tl = timeline(set(out))
        added: dict[int, Placement] = {}
        for u in unseen + list(out):
            pl = placer.place_earliest(tl, patients[u])
            if pl is not None:
                placer.commit(tl, patients[u], pl)
                added[u] = pl
        if sum(patients[u].weight for u in added) > sum(patients[v].weight for v in out):
            for v in out:
                del plan[v]
            plan.update(added)
            return True
        return False

    improved = True
    while improved and time.perf_counter() - t_start < time_budget:
        improved = False
        unseen = sorted((i for i in possible if i not in plan), key=lambda i: rank[i])
        if not unseen:
            break
        hungry = sorted((j for j in plan if not patients[j].has_fixed), key=lambda j: -rank[j])
        # One out first, then two of the hungriest (who overlap in time) out.
        pairs = [(a, b) for k, a in enumerate(hungry[:10]) for b in hungry[k + 1:10]
                 if plan[a].arrival(patients[a]) < plan[b].departure(patients[b])
                 and plan[b].arrival(patients[b]) < plan[a].departure(patients[a])]
        for out in [(v,) for v in hungry] + pairs:
            if time.perf_counter() - t_start > time_budget:
                break
            if attempt(out, unseen):
                improved = True
                break
    return plan


def efficiency_order(prep: Prepared, ids: list[int]) -> list[int]:
    """Patients by priority per unit of congested resource time, best first.

    A kind's congestion is the minutes all these patients need of it over the minutes its
    resources are available; a patient's cost is their minutes of each kind weighted by
    that kind's congestion. Cheap, urgent patients go first: the order that fits the most
    priority into a morning that cannot take everyone."""
    capacity: dict[str, int] = {}
    for r in prep.resources:
        capacity[r.kind] = capacity.get(r.kind, 0) + sum(
            max(0, min(b, prep.w1) - max(a, prep.t0)) for a, b in r.available)
    demand: dict[int, dict[str, int]] = {}
    total: dict[str, int] = {}
    for i in ids:
        d: dict[str, int] = {}
        for st in prep.patients[i].steps:
            if st.fixed:
                continue
            for kind, m in st.kinds:
                d[kind] = d.get(kind, 0) + m * st.duration
        demand[i] = d
        for kind, x in d.items():
            total[kind] = total.get(kind, 0) + x
    load = {k: total[k] / max(1, capacity.get(k, 0)) for k in total}

    def cost(i: int) -> float:
        return sum(x * load[k] / max(1, capacity.get(k, 0)) for k, x in demand[i].items()) or 1e-9

    return sorted(ids, key=lambda i: (-prep.patients[i].weight / cost(i), i))


def construct_plan(prep: Prepared, *, patients: list[int] | None = None, time_budget: float = 0.5,
                   seed: int = 0, min_stay: dict[int, int] | None = None,
                   max_rounds: int = 200, target: tuple[int, int] | None = None) -> tuple[Plan, int]:
    """Best plan over several orders and placement rules within `time_budget` seconds
    (at least the first one is always built). `patients`: those who can be seen at all;
    `target`: stop as soon as a plan reaches this (priority, -total stay) key.

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

    file_order = list(ids)
    orders = [
        file_order,                                                             # as booked
        sorted(ids, key=lambda i: (pp[i].hi - length[i], -pp[i].weight, i)),   # least slack first
        sorted(ids, key=lambda i: (-pp[i].weight, pp[i].hi - length[i], i)),   # urgent, then slack
        sorted(ids, key=lambda i: (-pp[i].weight, -length[i], pp[i].lo, i)),   # urgent, long first
        efficiency_order(prep, ids),                                            # priority per busy minute
    ]
    # The first candidate is the first-come-first-served baseline itself: the engine's
    # plan can never see less priority than it.
    file_, slack, urgent_slack, urgent_long, efficient = orders
    # Most promising first (measured on the shared and generated mornings): tight
    # placements fit the most patients and polish well; compact ones wait least.
    candidates = [(file_, "earliest", 0.0), (slack, "earliest", 0.0), (urgent_slack, "earliest", 0.0),
                  (urgent_slack, "compact", 0.1), (file_, "compact", 0.3), (slack, "compact", 1.0),
                  (urgent_long, "compact", 0.1), (efficient, "compact", 0.3)]
    for rule, beta in (("compact", 0.1), ("compact", 1.0), ("compact", 0.3), ("earliest", 0.0)):
        for order in orders:
            if (order, rule, beta) not in candidates:
                candidates.append((order, rule, beta))
    best: Plan | None = None
    built = 0
    round_ = 0
    while round_ < max_rounds:
        if round_ < len(candidates):
            order, rule, beta = candidates[round_]
        else:
            # Randomised: perturb one of the orders, random trade-off.
            order = list(orders[round_ % len(orders)])
            for _ in range(max(1, n // 4)):
                if n < 2:
                    break
                a = rng.randrange(n)
                b = min(n - 1, max(0, a + rng.randint(-3, 3)))
                order[a], order[b] = order[b], order[a]
            rule, beta = "compact", rng.choice([0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0])
        plan = build_plan(prep, order, rule, beta, placer, base_tl, ms)
        missing = [i for i in ids if i not in plan.placements]
        if missing and rule == "compact" and time.perf_counter() - t_start < time_budget:
            repaired = repair_plan(prep, plan.placements, missing, min_stay=ms, beta=beta, placer=placer,
                                   time_budget=max(0.0, min(time_budget / 4, t_start + time_budget
                                                            - time.perf_counter())))
            if len(repaired) > len(plan.placements):
                plan = _evaluate(prep, repaired)
        if n <= 30 and (best is None or plan.weight >= best.weight):
            # Compare plans after a polish: a tight first-come plan often polishes best.
            plan = _evaluate(prep, compact_plan(prep, plan.placements, min_stay=ms, passes=2,
                                                time_budget=2 * time_budget, placer=placer))
        built += 1
        if best is None or plan.key() > best.key():
            best = plan
        round_ += 1
        if target is not None and best.key() >= target:
            break
        if time.perf_counter() - t_start > time_budget:
            break
    return best, built

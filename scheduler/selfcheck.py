"""The engine's own last look at a plan before it leaves `solve`.

A defensive check on the internal representation (every rule of the format), so that a
modelling bug shows up as a fallback to a checked plan and a note in the stats rather
than as a wrong plan. The independent validator for plans is `scheduler.check`.
"""

from __future__ import annotations

from .heuristic import Placement
from .prepared import Prepared
from .problem import fmt_time


def plan_violations(prep: Prepared, placements: dict[int, Placement]) -> list[str]:
    out: list[str] = []
    busy: dict[int, list[tuple[int, int, str]]] = {}
    for p in prep.patients:
        if p.has_fixed and p.index not in placements:
            out.append(f"patient {p.id} has fixed steps but is not scheduled")
    for i, pl in placements.items():
        p = prep.patients[i]
        if len(pl.starts) != len(p.steps) or len(pl.resources) != len(p.steps):
            out.append(f"patient {p.id}: not every step is placed")
            continue
        for s, st in enumerate(p.steps):
            a, b = pl.starts[s], pl.starts[s] + st.duration
            res = pl.resources[s]
            tag = f"{p.id}.{st.id} {fmt_time(a)}-{fmt_time(b)}"
            if a < p.lo or b > p.hi:
                out.append(f"{tag}: outside {fmt_time(p.lo)}-{fmt_time(p.hi)}")
            if st.fixed:
                fs, fe, fr = st.fixed
                if (a, b) != (fs, fe) or tuple(prep.resources[r].id for r in res) != fr:
                    out.append(f"{tag}: fixed step moved")
            elif a < prep.t0:
                out.append(f"{tag}: starts before now")
            elif p.arrived is not None and a < p.arrived:
                out.append(f"{tag}: starts before she arrived ({fmt_time(p.arrived)})")
            if len(res) != len(st.needs) or len(set(res)) != len(res):
                out.append(f"{tag}: wrong number of resources")
            else:
                for r, kind in zip(res, st.needs):
                    if prep.resources[r].kind != kind:
                        out.append(f"{tag}: {prep.resources[r].id} is not a {kind}")
            for r in res:
                if not st.fixed and not any(x <= a and b <= y for x, y in prep.resources[r].available):
                    out.append(f"{tag}: {prep.resources[r].id} not available")
                busy.setdefault(r, []).append((a, b, tag))
            for (q, mn, mx) in st.preds:
                gap = a - (pl.starts[q] + p.steps[q].duration)
                if gap < mn or (mx is not None and gap > mx):
                    out.append(f"{tag}: lag {gap} after {p.steps[q].id} outside [{mn}, {mx}]")
            for kind, o in st.same_as.items():
                mine = [r for r, k in zip(res, st.needs) if k == kind]
                theirs = [r for r, k in zip(pl.resources[o], p.steps[o].needs) if k == kind]
                if not set(mine) & set(theirs):
                    out.append(f"{tag}: not the same {kind} as {p.steps[o].id}")
        if not p.arrival_ok(pl.arrival(p)):
            out.append(f"patient {p.id}: arrival {fmt_time(pl.arrival(p))} moved from {fmt_time(p.published)} "
                       f"with less notice than until {fmt_time(p.gate)}")
        spans = sorted((pl.starts[s], pl.starts[s] + st.duration) for s, st in enumerate(p.steps))
        for (a1, b1), (a2, b2) in zip(spans, spans[1:]):
            if a2 < b1:
                out.append(f"patient {p.id}: two steps at once at {fmt_time(a2)}")
    for r, items in busy.items():
        items.sort()
        for (a1, b1, t1), (a2, b2, t2) in zip(items, items[1:]):
            if a2 < b1:
                out.append(f"{prep.resources[r].id}: {t1} overlaps {t2}")
    return out

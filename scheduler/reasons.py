"""Why a patient is not seen, in words a planner can act on.

The patient is tried alone in the final plan (everyone else kept where they are), with
every choice of their `same_as` resources; the attempt that gets furthest names the step
that cannot be placed in time, the resource or rule that holds it up and when, and when
the pathway would end at the earliest, e.g.
"pathologist patho-A is busy 10:40-12:30; the earliest result would end 13:05, after the window".
"""

from __future__ import annotations

from .heuristic import Placement, Placer, Timeline
from .prepared import PPatient, Prepared
from .problem import fmt_time

_FAR = 10_000


def _occupancy(prep: Prepared, placements: dict[int, Placement]) -> dict[int, list[tuple[int, int]]]:
    occ: dict[int, list[tuple[int, int]]] = {}
    for i, pl in placements.items():
        p = prep.patients[i]
        for s, st in enumerate(p.steps):
            for r in pl.resources[s]:
                occ.setdefault(r, []).append((pl.starts[s], pl.starts[s] + st.duration))
    for r in prep.resources:
        for a, b, _, _ in r.fixed_busy:
            occ.setdefault(r.index, []).append((a, b))
    return occ


def _span(prep: Prepared, occ, r: int, t: int, until: int) -> tuple[int, int, str]:
    """The stretch of [t, until) during which r is taken, and whether it is busy (booked),
    away (outside `available`) or both."""
    res = prep.resources[r]
    periods = [(a, b, "busy") for a, b in occ.get(r, [])]
    cursor = prep.w0 - _FAR
    for a, b in res.available:
        periods.append((cursor, a, "away"))
        cursor = b
    periods.append((cursor, prep.w1 + _FAR, "away"))
    hit = [(a, b, k) for a, b, k in periods if a < until and b > t and a < b]
    if not hit:
        return t, t, ""
    start = max(t, min(a for a, _, _ in hit))
    end = min(max(b for _, b, _ in hit), prep.w1)
    kinds = {k for _, _, k in hit}
    what = "busy" if kinds == {"busy"} else ("not available" if kinds == {"away"} else "busy or away")
    return start, end, what


def _limit_words(prep: Prepared, p: PPatient) -> str:
    if p.hi < prep.w1:
        return f"after the latest {fmt_time(p.hi)}"
    return "after the window"


def _blocking_words(prep: Prepared, occ, p: PPatient, fail: dict, tl: Timeline) -> tuple[str, int | None]:
    """Which kind holds up the failing step and from when, and when it could start."""
    st = p.steps[fail["step"]]
    ready = fail["ready"]
    worst, worst_t, worst_slot = None, None, None
    for kind, m, cands in fail.get("slots", []):
        if len(cands) < m:
            return (f"no {kind} can do step '{st.id}' ({st.duration} min) between {fmt_time(st.est)} and "
                    f"{fmt_time(st.lst + st.duration)}"), None
        fits = sorted(tl.earliest_fit(r, ready, st.duration) for r in cands)
        t = fits[m - 1]
        if worst_t is None or t > worst_t:
            worst, worst_t, worst_slot = kind, t, cands
    if worst is None:
        return "", None
    if worst_t <= ready:
        return "", worst_t
    if len(worst_slot) == 1:
        r = worst_slot[0]
        a, b, what = _span(prep, occ, r, ready, worst_t)
        words = f"{worst} {prep.resources[r].id} is {what} {fmt_time(a)}-{fmt_time(b)}"
    else:
        spans = [_span(prep, occ, r, ready, worst_t) for r in worst_slot]
        a = min(x[0] for x in spans)
        b = min(worst_t, prep.w1)
        whats = {x[2] for x in spans if x[2]}
        what = whats.pop() if len(whats) == 1 else "busy or away"
        ids = ", ".join(prep.resources[r].id for r in worst_slot)
        words = f"{worst}s {ids} are {what} {fmt_time(a)}-{fmt_time(b)}"
    return words, (worst_t if worst_t < prep.w1 + _FAR // 2 else None)


def why_not(prep: Prepared, placer: Placer, tl: Timeline, occ, p: PPatient) -> str:
    """The reason for one patient, against timeline `tl` (the plan without them)."""
    if p.temporal_error:
        return p.temporal_error
    for st in p.steps:
        for kind, m in st.kinds:
            if len(prep.by_kind.get(kind, [])) < m:
                have = len(prep.by_kind.get(kind, []))
                return (f"step '{st.id}' needs {m} {kind}{'s' if m > 1 else ''} and the clinic has {have} "
                        f"this morning")
    best = None
    for combo in placer.combos(p):
        trace: dict = {}
        starts = placer.forward(tl, p, combo, p.lo, trace=trace)
        if starts is not None:
            return "fits in the plan as it stands (not placed to keep the objective)"
        fail = trace.get("fail")
        if fail is None:
            continue
        rank = (list(p.order).index(fail["step"]), fail["ready"])
        if best is None or rank > best[0]:
            best = (rank, fail, combo)
    if not placer.combos(p):
        kinds = [k for k, _ in p.classes]
        return f"no single {'/'.join(kinds)} can do all the steps it must do for this patient"
    if best is None:
        return "no placement meets the pathway's rules"
    _, fail, combo = best
    st = p.steps[fail["step"]]
    why = fail["why"]
    if why == "fixed":
        return (f"step '{st.id}' is fixed at {fmt_time(st.fixed[0])} but the steps before it cannot be done "
                f"by then (ready {fmt_time(fail['ready'])})")
    words, could = _blocking_words(prep, occ, p, fail, tl)
    tail = st.tail  # from this step's start to the end of the pathway
    last = p.steps[p.order[-1]].id
    if why == "maxlag":
        q = p.steps[fail["pred"]]
        mx = next(mx for (x, _, mx) in st.preds if x == fail["pred"])
        lead = f"step '{st.id}' must start within {mx} min after '{q.id}' ends, and "
        base = words or f"no resource is free in time for '{st.id}'"
        return lead + base + f"; the earliest '{last}' would end {fmt_time(fail['start'] + tail)}, " \
                             f"{_limit_words(prep, p)}" if fail["start"] + tail > p.hi else lead + base
    if could is not None and could + tail > p.hi:
        end = could + tail
        head = f"{words}; " if words else ""
        return f"{head}the earliest '{last}' would end {fmt_time(end)}, {_limit_words(prep, p)}"
    if words:
        return f"{words}; no time left for '{st.id}' by {fmt_time(st.lst)}"
    return (f"step '{st.id}' cannot start between {fmt_time(fail['ready'])} and {fmt_time(st.lst)} "
            f"on free resources")


def reasons(prep: Prepared, placements: dict[int, Placement], unscheduled: list[int],
            alone_reason: dict[int, str]) -> dict[int, str]:
    """A reason per unscheduled patient; `alone_reason` for those who cannot fit even alone."""
    placer = Placer(prep)
    tl = Timeline(prep)
    for i, pl in placements.items():
        placer.commit(tl, prep.patients[i], pl)
    occ = _occupancy(prep, placements)
    out = {}
    for i in unscheduled:
        p = prep.patients[i]
        if i in alone_reason:
            out[i] = alone_reason[i]
        else:
            out[i] = why_not(prep, placer, tl, occ, p)
    return out


def alone_reasons(prep: Prepared, impossible: list[int]) -> dict[int, str]:
    """Reasons for patients who cannot be seen even with nobody else booked."""
    placer = Placer(prep)
    tl = Timeline(prep)
    occ = _occupancy(prep, {})
    return {i: why_not(prep, placer, tl, occ, prep.patients[i]) for i in impossible}

"""Why a patient is not seen, in words a planner can act on.

The patient is tried alone in the final plan (everyone else kept where they are), with
every choice of their `same_as` resources; the attempt that gets furthest names the step
that cannot be placed in time, the resource or rule that holds it up and when, and when
the pathway would end at the earliest, e.g.
"pathologist patho-A is busy 10:40-12:30; the earliest 'result' would end 13:05, after the window".

To say when the pathway *would* end, resources that work until the end of the window are
imagined to carry on after it (a second timeline, used only for these words).
"""

from __future__ import annotations

from .heuristic import Placement, Placer, Timeline
from .prepared import PPatient, Prepared, merge
from .problem import fmt_time

_FAR = 10_000


class _Board:
    """Who holds each resource when, in the final plan (for naming what blocks a step)."""

    def __init__(self, prep: Prepared, placements: dict[int, Placement]):
        self.prep = prep
        self.busy: dict[int, list[tuple[int, int]]] = {}
        for i, pl in placements.items():
            p = prep.patients[i]
            for s, st in enumerate(p.steps):
                for r in pl.resources[s]:
                    self.busy.setdefault(r, []).append((pl.starts[s], pl.starts[s] + st.duration))
        for r in prep.resources:
            for a, b, _, _ in r.fixed_busy:
                self.busy.setdefault(r.index, []).append((a, b))
        # The extended timeline: as the plan stands, but open after the window for a
        # resource available until its end.
        self.extended = Timeline()
        self.extended.starts, self.extended.ends = [], []
        for r in prep.resources:
            periods = list(self._away(r.index)) + self.busy.get(r.index, [])
            merged = merge(periods)
            self.extended.starts.append([a for a, _ in merged])
            self.extended.ends.append([b for _, b in merged])

    def _away(self, r: int):
        prep = self.prep
        res = prep.resources[r]
        cursor = prep.w0 - _FAR
        for a, b in res.available:
            yield cursor, a
            cursor = b
        if cursor < prep.w1:
            yield cursor, prep.w1 + _FAR

    def span(self, r: int, t: int, until: int) -> tuple[int, int, str]:
        """The stretch of [t, until) during which r is taken: busy (booked), not available,
        or both."""
        periods = [(a, b, "busy") for a, b in self.busy.get(r, [])]
        periods += [(a, b, "away") for a, b in self._away(r)]
        hit = [(a, b, k) for a, b, k in periods if a < until and b > t and a < b]
        if not hit:
            return t, t, ""
        start = max(t, min(a for a, _, _ in hit))
        end = max(b for _, b, _ in hit)
        kinds = {k for _, _, k in hit}
        if len(kinds) == 2:
            first_busy = min(a for a, _, k in hit if k == "busy")
            if all(b <= first_busy for _, b, k in hit if k == "away"):
                # Not yet at work, then booked: what stops the step is the booking.
                hit = [x for x in hit if x[2] == "busy"]
                start, kinds = max(t, first_busy), {"busy"}
        what = "busy" if kinds == {"busy"} else ("not available" if kinds == {"away"} else "busy or away")
        return start, end, what

    def describe(self, r: int, t: int, until: int) -> str:
        prep = self.prep
        a, b, what = self.span(r, t, until)
        name = f"{prep.resources[r].kind} {prep.resources[r].id}"
        if what == "not available" and b >= prep.w1:
            return f"{name} is not available after {fmt_time(a)}"
        if what == "not available" and a <= prep.w0:
            return f"{name} is not available before {fmt_time(b)}"
        return f"{name} is {what} {fmt_time(a)}-{fmt_time(min(b, prep.w1))}"


def _limit_words(prep: Prepared, p: PPatient) -> str:
    if p.hi < prep.w1:
        return f"after the latest {fmt_time(p.hi)}"
    return "after the window"


def _blocking(board: _Board, p: PPatient, fail: dict) -> tuple[str, int | None]:
    """Which kind holds up the failing step and from when, and the earliest time it
    could start (None: not in this morning, even after the window)."""
    prep = board.prep
    st = p.steps[fail["step"]]
    ready = fail["ready"]
    worst, worst_t, worst_slot = None, None, None
    for kind, m, cands in fail.get("slots", []):
        if len(cands) < m:
            return (f"no {kind} can do step '{st.id}' ({st.duration} min) between {fmt_time(st.est)} "
                    f"and {fmt_time(st.lst + st.duration)}"), None
        fits = sorted(board.extended.earliest_fit(r, ready, st.duration) for r in cands)
        t = fits[m - 1]
        if worst_t is None or t > worst_t:
            worst, worst_t, worst_slot = kind, t, cands
    if worst is None:
        return "", None
    could = worst_t if worst_t < prep.w1 + _FAR // 2 else None
    if worst_t <= ready:
        return "", could
    until = worst_t if could is not None else prep.w1
    if len(worst_slot) == 1:
        return board.describe(worst_slot[0], ready, until), could
    spans = [board.span(r, ready, until) for r in worst_slot]
    a = min(x[0] for x in spans)
    whats = {x[2] for x in spans if x[2]}
    what = whats.pop() if len(whats) == 1 else "busy or away"
    ids = ", ".join(prep.resources[r].id for r in worst_slot)
    if could is None:
        return f"every {worst} ({ids}) is {what} after {fmt_time(a)}", None
    return f"every {worst} ({ids}) is {what} {fmt_time(a)}-{fmt_time(min(until, prep.w1))}", could


def why_not(prep: Prepared, placer: Placer, tl: Timeline, board: _Board, p: PPatient) -> str:
    """The reason for one patient, against timeline `tl` (the plan without them)."""
    if p.temporal_error:
        return p.temporal_error
    for st in p.steps:
        for kind, m in st.kinds:
            have = len(prep.by_kind.get(kind, []))
            if have < m:
                if have == 0:
                    return f"step '{st.id}' needs a {kind} and the clinic has none this morning"
                return f"step '{st.id}' needs {m} {kind}s and the clinic has {have} this morning"
    combos = placer.combos(p)
    if not combos:
        kinds = sorted({k for k, _ in p.classes})
        return (f"no single {'/'.join(kinds)} is available for every step that must have the same "
                f"one (same_as)")
    best = None
    for combo in combos:
        trace: dict = {}
        starts = placer.forward(tl, p, combo, p.lo, trace=trace)
        if starts is not None:
            return "fits in the plan as it stands (left out to keep the objective)"
        fail = trace.get("fail")
        if fail is None:
            continue
        rank = (p.order.index(fail["step"]), fail["ready"])
        if best is None or rank > best[0]:
            best = (rank, fail, trace.get("pushed", {}))
    if best is None:
        return "no placement meets the pathway's rules"
    _, fail, pushed = best
    st = p.steps[fail["step"]]
    if fail["why"] == "fixed":
        return (f"step '{st.id}' is fixed at {fmt_time(st.fixed[0])} but the steps before it cannot be done "
                f"by then (ready {fmt_time(fail['ready'])})")
    words, could = _blocking(board, p, fail)
    last = p.steps[p.order[-1]].id
    lag_words = ""
    if fail["why"] == "maxlag":
        q = p.steps[fail["pred"]]
        mx = next(mx for (x, _, mx) in st.preds if x == fail["pred"])
        lag_words = (f"'{st.id}' cannot start before {fmt_time(fail['start'])} and must start within "
                     f"{mx} min after '{q.id}' ends")
        could = fail["start"]
    elif fail["step"] in pushed:
        t_step, mx, t_start = pushed[fail["step"]]
        lag_words = (f"'{p.steps[t_step].id}' cannot start before {fmt_time(t_start)} and must start "
                     f"within {mx} min after '{st.id}' ends")
    head = "; ".join(x for x in (lag_words, words) if x)
    if could is not None and could + st.tail > p.hi:
        end = f"the earliest '{last}' would end {fmt_time(could + st.tail)}, {_limit_words(prep, p)}"
        return f"{head}; {end}" if head else end
    if head:
        return head
    return (f"step '{st.id}' cannot start between {fmt_time(fail['ready'])} and {fmt_time(st.lst)} "
            f"on free resources")


def reasons(prep: Prepared, placements: dict[int, Placement], unscheduled: list[int],
            alone_reason: dict[int, str]) -> dict[int, str]:
    """A reason per unscheduled patient; `alone_reason` for those who cannot fit even alone."""
    placer = Placer(prep)
    tl = Timeline(prep)
    for i, pl in placements.items():
        placer.commit(tl, prep.patients[i], pl)
    board = _Board(prep, placements)
    return {i: alone_reason[i] if i in alone_reason else why_not(prep, placer, tl, board, prep.patients[i])
            for i in unscheduled}


def alone_reasons(prep: Prepared, impossible: list[int]) -> dict[int, str]:
    """Reasons for patients who cannot be seen even with nobody else booked."""
    placer = Placer(prep)
    tl = Timeline(prep)
    board = _Board(prep, {})
    return {i: why_not(prep, placer, tl, board, prep.patients[i]) for i in impossible}

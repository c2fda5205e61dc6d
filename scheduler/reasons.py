"""Why a patient is not seen, in words a planner can act on.

The patient is tried alone in the final plan (everyone else kept where they are), with
every choice of their `same_as` resources; the attempt that gets furthest names the step
that cannot be placed in time, the resource or rule that holds it up and when, and when
the pathway would end at the earliest, e.g.
"pathologist patho-A is busy 10:40-12:30; the earliest 'result' would end 13:05, after the window".

To say when the pathway *would* end, resources that work until the end of the window are
imagined to carry on after it (a second timeline, used only for these words).

Every reason is a `Reason`: the English words, and a stable code with its parameters (step
and kind ids, resource ids, "HH:MM" times) from which a user interface says the same in its
own language. The codes and their parameters:

- the pathway's own times cannot be met: `pathway_too_long` {pathway, needed, start, end, open},
  `no_time_left` {start, because, latest}, `fixed_lags_end` {step, at, latest}, `fixed_lags`
  {step, at}, otherwise `temporal` {latest};
- `kind_missing` {step, kind}, `kind_short` {step, kind, needed, have};
- `same_as_none` {kinds}; `fits_left_out`; `no_placement`;
- `fixed_unreachable` {step, at, ready}; `no_free_start` {step, start, end};
- clauses of a composed reason (code `clauses`): `max_lag` {step, start, max, after};
  `kind_cannot` {kind, step, duration, start, end}; `resource_busy` / `resource_away` /
  `resource_busy_or_away` {kind, resource, start, end}; `resource_away_after` {kind, resource, at};
  `resource_away_before` {kind, resource, at}; `every_busy` / `every_away` / `every_busy_or_away`
  {kind, resources, start, end}; the same with `_after` {kind, resources, at};
  `ends_too_late` {step, end, latest} (`latest` null: the end of the window).
"""

from __future__ import annotations

import re

from .placement import Placement
from .placer import Placer
from .timeline import Timeline
from .prepared import PPatient, Prepared, merge
from .clock import fmt_time
from .result import Reason

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

    def describe(self, r: int, t: int, until: int) -> Reason:
        prep = self.prep
        a, b, what = self.span(r, t, until)
        name = f"{prep.resources[r].kind} {prep.resources[r].id}"
        who = {"kind": prep.resources[r].kind, "resource": prep.resources[r].id}
        if what == "not available" and b >= prep.w1:
            return Reason(f"{name} is not available after {fmt_time(a)}", "resource_away_after",
                          {**who, "at": fmt_time(a)})
        if what == "not available" and a <= prep.w0:
            return Reason(f"{name} is not available before {fmt_time(b)}", "resource_away_before",
                          {**who, "at": fmt_time(b)})
        return Reason(f"{name} is {what} {fmt_time(a)}-{fmt_time(min(b, prep.w1))}", "resource_" + _WHAT[what],
                      {**who, "start": fmt_time(a), "end": fmt_time(min(b, prep.w1))})


#: The codes' word for how a resource is taken.
_WHAT = {"busy": "busy", "not available": "away", "busy or away": "busy_or_away"}


def _composed(clauses: list[Reason]) -> Reason:
    """Clauses read in order ("…; …"): one clause is itself, several are `clauses`."""
    if len(clauses) == 1:
        return clauses[0]
    return Reason("; ".join(clauses), "clauses",
                  {"clauses": [{"code": c.code, "params": c.params} for c in clauses]})


def _limit_words(prep: Prepared, p: PPatient) -> str:
    if p.hi < prep.w1:
        return f"after the latest {fmt_time(p.hi)}"
    return "after the window"


def _blocking(board: _Board, p: PPatient, fail: dict) -> tuple[Reason | None, int | None]:
    """Which kind holds up the failing step and from when, and the earliest time it
    could start (None: not in this morning, even after the window)."""
    prep = board.prep
    st = p.steps[fail["step"]]
    ready = fail["ready"]
    worst, worst_t, worst_slot = None, None, None
    for kind, m, cands in fail.get("slots", []):
        if len(cands) < m:
            return Reason(f"no {kind} can do step '{st.id}' ({st.duration} min) between {fmt_time(st.est)} "
                          f"and {fmt_time(st.lst + st.duration)}", "kind_cannot",
                          {"kind": kind, "step": st.id, "duration": st.duration, "start": fmt_time(st.est),
                           "end": fmt_time(st.lst + st.duration)}), None
        fits = sorted(board.extended.earliest_fit(r, ready, st.duration) for r in cands)
        t = fits[m - 1]
        if worst_t is None or t > worst_t:
            worst, worst_t, worst_slot = kind, t, cands
    if worst is None:
        return None, None
    could = worst_t if worst_t < prep.w1 + _FAR // 2 else None
    if worst_t <= ready:
        return None, could
    until = worst_t if could is not None else prep.w1
    if len(worst_slot) == 1:
        return board.describe(worst_slot[0], ready, until), could
    spans = [board.span(r, ready, until) for r in worst_slot]
    a = min(x[0] for x in spans)
    whats = {x[2] for x in spans if x[2]}
    what = whats.pop() if len(whats) == 1 else "busy or away"
    ids = ", ".join(prep.resources[r].id for r in worst_slot)
    which = {"kind": worst, "resources": [prep.resources[r].id for r in worst_slot]}
    if could is None:
        return Reason(f"every {worst} ({ids}) is {what} after {fmt_time(a)}", f"every_{_WHAT[what]}_after",
                      {**which, "at": fmt_time(a)}), None
    return Reason(f"every {worst} ({ids}) is {what} {fmt_time(a)}-{fmt_time(min(until, prep.w1))}",
                  f"every_{_WHAT[what]}", {**which, "start": fmt_time(a), "end": fmt_time(min(until, prep.w1))}), could


#: The temporal rules' words (`prepared.Prepared._propagate`) read back as codes (until they
#: come as `Reason`s from there); anything else is `temporal` with the patient's latest time.
_TEMPORAL = (
    (re.compile(r"the pathway '(?P<pathway>.+)' needs at least (?P<needed>\d+) min but only "
                r"(?P<start>\d\d:\d\d)-(?P<end>\d\d:\d\d) is open \((?P<open>\d+) min\)"), "pathway_too_long"),
    (re.compile(r"no time is left: the patient cannot start before (?P<start>\d\d:\d\d) \((?P<because>\w+)\) "
                r"and must be done by (?P<latest>\d\d:\d\d)"), "no_time_left"),
    (re.compile(r"step '(?P<step>.+)' cannot start after (?P<at>\d\d:\d\d) and still keep the lags of the fixed "
                r"steps and end by (?P<latest>\d\d:\d\d)"), "fixed_lags_end"),
    (re.compile(r"the steps around fixed step '(?P<step>.+)' at (?P<at>\d\d:\d\d) cannot meet their lags"),
     "fixed_lags"),
)


def _temporal(p: PPatient) -> Reason:
    for pattern, code in _TEMPORAL:
        if match := pattern.fullmatch(p.temporal_error):
            return Reason(p.temporal_error, code, match.groupdict())
    return Reason(p.temporal_error, "temporal", {"latest": fmt_time(p.hi)})


def why_not(prep: Prepared, placer: Placer, tl: Timeline, board: _Board, p: PPatient) -> Reason:
    """The reason for one patient, against timeline `tl` (the plan without them)."""
    if p.temporal_error:
        return _temporal(p)
    for st in p.steps:
        for kind, m in st.kinds:
            have = len(prep.by_kind.get(kind, []))
            if have < m:
                if have == 0:
                    return Reason(f"step '{st.id}' needs a {kind} and the clinic has none this morning",
                                  "kind_missing", {"step": st.id, "kind": kind})
                return Reason(f"step '{st.id}' needs {m} {kind}s and the clinic has {have} this morning",
                              "kind_short", {"step": st.id, "kind": kind, "needed": m, "have": have})
    combos = placer.combos(p)
    if not combos:
        kinds = sorted({k for k, _ in p.classes})
        return Reason(f"no single {'/'.join(kinds)} is available for every step that must have the same "
                      f"one (same_as)", "same_as_none", {"kinds": kinds})
    best = None
    for combo in combos:
        trace: dict = {}
        starts = placer.forward(tl, p, combo, p.lo, trace=trace)
        if starts is not None:
            return Reason("fits in the plan as it stands (left out to keep the objective)", "fits_left_out")
        fail = trace.get("fail")
        if fail is None:
            continue
        rank = (p.order.index(fail["step"]), fail["ready"])
        if best is None or rank > best[0]:
            best = (rank, fail, trace.get("pushed", {}))
    if best is None:
        return Reason("no placement meets the pathway's rules", "no_placement")
    _, fail, pushed = best
    st = p.steps[fail["step"]]
    if fail["why"] == "fixed":
        return Reason(f"step '{st.id}' is fixed at {fmt_time(st.fixed.start)} but the steps before it cannot be "
                      f"done by then (ready {fmt_time(fail['ready'])})", "fixed_unreachable",
                      {"step": st.id, "at": fmt_time(st.fixed.start), "ready": fmt_time(fail["ready"])})
    words, could = _blocking(board, p, fail)
    last = p.steps[p.order[-1]].id
    lag_words = None
    if fail["why"] == "maxlag":
        q = p.steps[fail["pred"]]
        mx = next(mx for (x, _, mx) in st.preds if x == fail["pred"])
        lag_words = _max_lag(st.id, fail["start"], mx, q.id)
        could = fail["start"]
    elif fail["step"] in pushed:
        t_step, mx, t_start = pushed[fail["step"]]
        lag_words = _max_lag(p.steps[t_step].id, t_start, mx, st.id)
    head = [x for x in (lag_words, words) if x]
    if could is not None and could + st.tail > p.hi:
        end = Reason(f"the earliest '{last}' would end {fmt_time(could + st.tail)}, {_limit_words(prep, p)}",
                     "ends_too_late", {"step": last, "end": fmt_time(could + st.tail),
                                       "latest": fmt_time(p.hi) if p.hi < prep.w1 else None})
        return _composed([*head, end])
    if head:
        return _composed(head)
    return Reason(f"step '{st.id}' cannot start between {fmt_time(fail['ready'])} and {fmt_time(st.lst)} "
                  f"on free resources", "no_free_start",
                  {"step": st.id, "start": fmt_time(fail["ready"]), "end": fmt_time(st.lst)})


def _max_lag(step: str, start: int, most: int, after: str) -> Reason:
    return Reason(f"'{step}' cannot start before {fmt_time(start)} and must start within {most} min after "
                  f"'{after}' ends", "max_lag", {"step": step, "start": fmt_time(start), "max": most, "after": after})


def reasons(prep: Prepared, placements: dict[int, Placement], unscheduled: list[int],
            alone_reason: dict[int, Reason]) -> dict[int, Reason]:
    """A reason per unscheduled patient; `alone_reason` for those who cannot fit even alone."""
    placer = Placer(prep)
    tl = Timeline(prep)
    for i, pl in placements.items():
        placer.commit(tl, prep.patients[i], pl)
    board = _Board(prep, placements)
    return {i: alone_reason[i] if i in alone_reason else why_not(prep, placer, tl, board, prep.patients[i])
            for i in unscheduled}


def alone_reasons(prep: Prepared, impossible: list[int]) -> dict[int, Reason]:
    """Reasons for patients who cannot be seen even with nobody else booked."""
    placer = Placer(prep)
    tl = Timeline(prep)
    board = _Board(prep, {})
    return {i: why_not(prep, placer, tl, board, prep.patients[i]) for i in impossible}

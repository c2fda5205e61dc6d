"""Hypothesis strategies for property tests: small random but well-formed mornings.

Realistic mornings (`scheduler.testing.generator`) all share four pathways; property tests need
the odd corners of the format too: lags with `min` and `max`, `same_as`, a kind needed
twice, parallel steps, breaks, late starts, `earliest`/`latest`, `extra`. Every instance
drawn here is valid `mammapoli-morning/1` (it may well be impossible to schedule anyone).

Hypothesis is a test dependency: it is imported here only, never by the engine.
"""

from __future__ import annotations

from hypothesis import strategies as st

from scheduler.clock import fmt_time

KINDS = ("doctor", "nurse", "room", "scanner")
_START = 8 * 60  # the window always opens at 08:00; it closes between 10:00 and 13:00


def _times(low: int, high: int) -> st.SearchStrategy[int]:
    """Minutes on the clinic's five-minute grid, low <= t <= high."""
    return st.integers(-(-low // 5), high // 5).map(lambda k: k * 5)


@st.composite
def _availability(draw, start: int, end: int) -> list[list[str]]:
    shape = draw(st.sampled_from(("all morning", "late start", "break", "early leave")))
    if shape == "all morning":
        return [[fmt_time(start), fmt_time(end)]]
    if shape == "late start":
        return [[fmt_time(draw(_times(start + 5, start + 60))), fmt_time(end)]]
    if shape == "early leave":
        return [[fmt_time(start), fmt_time(draw(_times(end - 60, end - 5)))]]
    pause = draw(_times(start + 30, end - 45))
    back = draw(_times(pause, pause + 30))  # back == pause: two touching intervals
    return [[fmt_time(start), fmt_time(pause)], [fmt_time(back), fmt_time(end)]]


@st.composite
def _step(draw, index: int, earlier: list[dict], counts: dict) -> dict:
    kinds = sorted(counts)
    needs = draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=2, unique=True))
    doubled = [k for k in needs if counts[k] >= 2]
    if doubled and draw(st.booleans()):
        needs.append(draw(st.sampled_from(doubled)))  # a kind needed twice
    step: dict = {"id": f"s{index + 1}", "duration": draw(_times(5, 30)), "needs": needs}
    if earlier:
        after = []
        for pred in draw(st.lists(st.sampled_from([s["id"] for s in earlier]), max_size=2,
                                  unique=True)):
            lag: dict = {"step": pred}
            low = draw(st.one_of(st.none(), _times(0, 30)))
            if low is not None:
                lag["min"] = low
            if draw(st.booleans()):
                lag["max"] = (low or 0) + draw(_times(0, 60))
            after.append(lag)
        if after:
            step["after"] = after
        same_as = {}
        for kind in dict.fromkeys(needs):
            sharing = [s["id"] for s in earlier if kind in s["needs"]]
            if sharing and draw(st.booleans()):
                same_as[kind] = draw(st.sampled_from(sharing))
        if same_as:
            step["same_as"] = same_as
    return step


@st.composite
def _pathway(draw, counts: dict) -> dict:
    steps: list[dict] = []
    for index in range(draw(st.integers(1, 4))):
        steps.append(draw(_step(index, steps, counts)))
    return {"steps": steps}


@st.composite
def _patient(draw, number: int, pathways: dict, start: int, end: int) -> dict:
    name = draw(st.sampled_from(sorted(pathways)))
    patient: dict = {"id": f"P{number}", "pathway": name}
    earliest = start
    if draw(st.booleans()):
        earliest = draw(_times(start, end - 30))
        patient["earliest"] = fmt_time(earliest)
    if draw(st.booleans()):
        patient["latest"] = fmt_time(draw(_times(earliest + 30, end)))
    if draw(st.booleans()):
        patient["priority"] = draw(st.integers(1, 3))
    step_ids = [s["id"] for s in pathways[name]["steps"]]
    extra = draw(st.dictionaries(st.sampled_from(step_ids), _times(0, 10), max_size=2))
    if extra:
        patient["extra"] = extra
    return patient


@st.composite
def small_mornings(draw) -> dict:
    """A valid `mammapoli-morning/1` with 1-6 patients and 1-3 resources of each kind."""
    end = draw(st.sampled_from((10 * 60, 11 * 60, 12 * 60, 13 * 60)))
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=len(KINDS),
                          unique=True))
    counts = {kind: draw(st.integers(1, 3)) for kind in kinds}
    resources = [{"id": f"{kind}-{chr(ord('A') + i)}", "kind": kind,
                  "available": draw(_availability(_START, end))}
                 for kind in kinds for i in range(counts[kind])]
    pathways = {f"path-{i + 1}": draw(_pathway(counts)) for i in range(draw(st.integers(1, 3)))}
    n_patients = draw(st.integers(1, 6))
    return {
        "format": "mammapoli-morning/1",
        "name": "hypothesis",
        "date": "2026-12-01",
        "window": {"start": fmt_time(_START), "end": fmt_time(end)},
        "resources": resources,
        "pathways": pathways,
        "patients": [draw(_patient(i + 1, pathways, _START, end)) for i in range(n_patients)],
    }

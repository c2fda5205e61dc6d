"""Place one more patient into a morning without moving anyone already planned.

The booking search: given a `mammapoli-morning/1` dict whose `reference` (the published
plan) and `fixed` steps hold the resources, find the earliest arrival at which every step
of the new patient's pathway fits into the free time of the resources, keeping the
pathway's lags, same-resource rules, availability, the window and the patient's own times.
Pure Python on integer minutes; no Django, no engine (nobody else moves, so this is a
small search, not an optimisation).

The search tries start times on a five-minute grid plus the moments a resource becomes
free, in increasing order, and backtracks. A step with no `max` lag after it and whose
resources no later step must reuse is placed at its earliest feasible time only (starting
it later only narrows the choices of the steps that follow). A node
budget bounds the work; `Blocked.exhausted` says when it ran out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

GRID = 5
NODE_BUDGET = 60_000


def minutes(text: str) -> int:
    return int(text[:2]) * 60 + int(text[3:5])


def clock(value: int) -> str:
    return f"{value // 60:02d}:{value % 60:02d}"


@dataclass(frozen=True)
class PlacedStep:
    step: str
    start: int
    end: int
    resources: tuple[str, ...]


@dataclass(frozen=True)
class Placement:
    steps: tuple[PlacedStep, ...]

    @property
    def arrival(self) -> int:
        return min(s.start for s in self.steps)

    @property
    def departure(self) -> int:
        return max(s.end for s in self.steps)


@dataclass(frozen=True)
class Blocked:
    """Why the patient does not fit, in terms a planner can act on.

    `step` is the first step of the pathway that cannot be placed, `kind` the resource kind
    that stops it, looked at between `start` and `end` (when that step could take place,
    given the pathway around it): `full` when no resource of the kind has `needed` free
    minutes there at all; otherwise the kind with the least free time (`free` minutes in
    total), none of which fits the order and the time limits of the pathway.
    """

    step: str
    kind: str
    resources: tuple[str, ...]
    needed: int
    start: int
    end: int
    full: bool
    free: int
    exhausted: bool = False
    too_late: bool = False  # a given arrival (`start`) leaves too little time: `needed` minutes until `end`
    too_early: bool = False  # a given arrival (`end`) is before the patient's earliest start or now (`start`)


@dataclass
class _Calendar:
    available: dict[str, list[tuple[int, int]]]
    kinds: dict[str, str]
    busy: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def free(self, rid: str, start: int, end: int) -> bool:
        if not any(lo <= start and end <= hi for lo, hi in self.available[rid]):
            return False
        return all(end <= s or e <= start for s, e in self.busy.get(rid, ()))

    def of_kind(self, kind: str) -> list[str]:
        return [rid for rid, k in self.kinds.items() if k == kind]

    def breakpoints(self) -> set[int]:
        points = {e for intervals in self.busy.values() for _, e in intervals}
        points.update(lo for intervals in self.available.values() for lo, _ in intervals)
        return points

    def gaps(self, rid: str, lower: int, upper: int) -> list[int]:
        """The lengths of the free stretches of `rid` inside [lower, upper)."""
        lengths = []
        for lo, hi in self.available[rid]:
            lo, hi = max(lo, lower), min(hi, upper)
            cursor = lo
            for s, e in sorted(self.busy.get(rid, ())):
                if e <= cursor or s >= hi:
                    continue
                lengths.append(s - cursor)
                cursor = max(cursor, e)
            lengths.append(hi - cursor)
        return [g for g in lengths if g > 0]


def _calendar(morning: dict) -> _Calendar:
    calendar = _Calendar(
        available={r["id"]: [(minutes(a), minutes(b)) for a, b in r["available"]] for r in morning["resources"]},
        kinds={r["id"]: r["kind"] for r in morning["resources"]},
    )
    lengths = _lengths(morning)
    fixed = {(f["patient"], f["step"]) for f in morning.get("fixed", [])}
    for entry in morning.get("fixed", []):
        start = minutes(entry["start"])
        end = minutes(entry["end"]) if "end" in entry else start + lengths[(entry["patient"], entry["step"])]
        for rid in entry["resources"]:
            calendar.busy.setdefault(rid, []).append((start, end))
    for entry in morning.get("reference", []):
        if (entry["patient"], entry["step"]) in fixed:
            continue  # what happened replaces what was planned
        for rid in entry["resources"]:
            calendar.busy.setdefault(rid, []).append((minutes(entry["start"]), minutes(entry["end"])))
    return calendar


def _lengths(morning: dict) -> dict[tuple[str, str], int]:
    result = {}
    for patient in morning["patients"]:
        for step in morning["pathways"][patient["pathway"]]["steps"]:
            result[(patient["id"], step["id"])] = step["duration"] + patient.get("extra", {}).get(step["id"], 0)
    return result


def _topological(steps: list[dict]) -> list[dict]:
    ordered, done = [], set()
    while len(ordered) < len(steps):
        for step in steps:
            if step["id"] not in done and all(lag["step"] in done for lag in step.get("after", [])):
                ordered.append(step)
                done.add(step["id"])
                break
    return ordered


class _Search:
    def __init__(self, morning: dict, patient: dict, arrival: int | None):
        self.calendar = _calendar(morning)
        self.steps = _topological(morning["pathways"][patient["pathway"]]["steps"])
        extra = patient.get("extra", {})
        self.length = {s["id"]: s["duration"] + extra.get(s["id"], 0) for s in self.steps}
        lower = minutes(morning["window"]["start"])
        if "earliest" in patient:
            lower = max(lower, minutes(patient["earliest"]))
        if "now" in morning:
            lower = max(lower, minutes(morning["now"]))
        self.lower = lower
        self.upper = minutes(patient["latest"]) if "latest" in patient else minutes(morning["window"]["end"])
        self.upper = min(self.upper, minutes(morning["window"]["end"]))
        self.arrival = arrival
        self.tail = self._tails()
        self.bound_later = {lag["step"] for s in self.steps for lag in s.get("after", []) if "max" in lag}
        self.referenced = {(other, kind) for s in self.steps for kind, other in s.get("same_as", {}).items()}
        self.reused = {other for other, _ in self.referenced}
        self.breakpoints = sorted(self.calendar.breakpoints())
        self.nodes = 0
        self.deepest = 0

    def _heads(self) -> dict[str, int]:
        """Minutes from the arrival to the earliest possible start of each step."""
        head: dict[str, int] = {}
        for step in self.steps:
            head[step["id"]] = max((head[lag["step"]] + self.length[lag["step"]] + lag.get("min", 0)
                                    for lag in step.get("after", [])), default=0)
        return head

    def _tails(self) -> dict[str, int]:
        """Minutes from a step's start to the end of the pathway (its length plus what must follow)."""
        tail: dict[str, int] = {}
        for step in reversed(self.steps):
            after = [s for s in self.steps if any(lag["step"] == step["id"] for lag in s.get("after", []))]
            follow = max((min_lag(s, step["id"]) + tail[s["id"]] for s in after), default=0)
            tail[step["id"]] = self.length[step["id"]] + follow
        return tail

    def run(self) -> Placement | None:
        return self._place(0, {})

    def _window(self, step: dict, placed: dict) -> tuple[int, int]:
        lo, hi = self.lower, self.upper - self.tail[step["id"]]
        for lag in step.get("after", []):
            before = placed[lag["step"]]
            lo = max(lo, before.end + lag.get("min", 0))
            if "max" in lag:
                hi = min(hi, before.end + lag["max"])
        return lo, hi

    def _candidates(self, lo: int, hi: int, first: bool) -> list[int]:
        if first and self.arrival is not None:
            return [self.arrival] if lo <= self.arrival <= hi else []
        grid_start = lo + (-(lo - self.lower) % GRID)
        times = set(range(grid_start, hi + 1, GRID)) | {lo}
        times.update(b for b in self.breakpoints if lo < b <= hi)
        return sorted(t for t in times if t <= hi)

    def _resource_options(self, step: dict, start: int, end: int, placed: dict) -> list[tuple[str, ...]]:
        """Resource tuples (in `needs` order) free over [start, end); alternatives only where a
        later step must reuse the resource (same_as), else the first free one."""
        options: list[tuple[str, ...]] = [()]
        for kind in step["needs"]:
            same = step.get("same_as", {}).get(kind)
            if same is not None and kind not in [self.calendar.kinds[r] for r in options[0]]:
                pool = [r for r in placed[same].resources if self.calendar.kinds[r] == kind]
            else:
                pool = self.calendar.of_kind(kind)
            branch = (step["id"], kind) in self.referenced
            grown = []
            for chosen in options:
                free = [r for r in pool if r not in chosen and self.calendar.free(r, start, end)]
                grown += [chosen + (r,) for r in (free if branch else free[:1])]
            options = grown
            if not options:
                return []
        return options

    def _place(self, index: int, placed: dict) -> Placement | None:
        if index == len(self.steps):
            return Placement(tuple(placed[s["id"]] for s in self.steps))
        self.deepest = max(self.deepest, index)
        step = self.steps[index]
        lo, hi = self._window(step, placed)
        length = self.length[step["id"]]
        patient_busy = [(p.start, p.end) for p in placed.values()]
        tried_one = False
        for start in self._candidates(lo, hi, first=index == 0):
            end = start + length
            if any(not (end <= s or e <= start) for s, e in patient_busy):
                continue
            for resources in self._resource_options(step, start, end, placed):
                self.nodes += 1
                if self.nodes > NODE_BUDGET:
                    return None
                placed[step["id"]] = PlacedStep(step["id"], start, end, resources)
                found = self._place(index + 1, placed)
                if found is not None:
                    return found
                del placed[step["id"]]
                tried_one = True
            if tried_one and step["id"] not in self.bound_later and step["id"] not in self.reused:
                return None  # a later start of this step cannot help the steps after it
        return None

    def blocked(self) -> Blocked:
        exhausted = self.nodes > NODE_BUDGET
        head = self._heads()
        first = self.steps[0]["id"]
        lower = self.lower
        if self.arrival is not None:
            if self.arrival < self.lower:
                return Blocked(first, "", (), self.tail[first], self.lower, self.arrival, True, 0, too_early=True)
            if self.arrival + self.tail[first] > self.upper:
                return Blocked(first, "", (), self.tail[first], self.arrival, self.upper, True, 0, too_late=True)
            lower = self.arrival
        failing = self.steps[min(self.deepest, len(self.steps) - 1)]["id"]
        tightest = None
        for step in self.steps:
            sid, length = step["id"], self.length[step["id"]]
            start, end = lower + head[sid], self.upper - self.tail[sid] + length
            if sid == first and self.arrival is not None:
                end = self.arrival + length
            for kind in dict.fromkeys(step["needs"]):
                pool = tuple(self.calendar.of_kind(kind))
                gaps = [g for r in pool for g in self.calendar.gaps(r, start, end)]
                if not any(g >= length for g in gaps):
                    return Blocked(sid, kind, pool, length, start, end, True, sum(gaps), exhausted)
                if sid == failing and (tightest is None or sum(gaps) < tightest.free):
                    tightest = Blocked(sid, kind, pool, length, start, end, False, sum(gaps), exhausted)
        return tightest


def min_lag(step: dict, before: str) -> int:
    return next(lag.get("min", 0) for lag in step["after"] if lag["step"] == before)


def place_patient(morning: dict, patient: dict, *, arrival: int | None = None) -> Placement | Blocked:
    """The earliest placement of `patient` (an entry of `patients`, not yet in the morning)
    that moves nobody, optionally with the first step at exactly `arrival`; or why not."""
    search = _Search(morning, patient, arrival)
    found = search.run()
    return found if found is not None else search.blocked()

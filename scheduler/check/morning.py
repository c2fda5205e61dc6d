"""Reading a `mammapoli-morning/1` instance for the validator: its shape and cross-references
(every way it breaks the format), and the morning as plain data for the plan's rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .common import (_ASSIGNMENT_KEYS, _check_keys, _DATE, _DEFAULT_NOTICE, _hm, _is_id, _is_int, _is_number,
    _minutes, MORNING_FORMAT, _MORNING_KEYS, _MORNING_REQUIRED, _PATIENT_KEYS, _STEP_KEYS, _UNCERTAINTY_KEYS)

# --------------------------------------------------------------------------- the morning

@dataclass(frozen=True)
class _Lag:
    step: str
    min: int
    max: int | None


@dataclass(frozen=True)
class _Step:
    id: str
    duration: int
    needs: tuple[str, ...]
    after: tuple[_Lag, ...]
    same_as: tuple[tuple[str, str], ...]  # (kind, step)


@dataclass(frozen=True)
class _Patient:
    id: str
    pathway: str
    steps: dict  # step id -> _Step, in pathway order
    earliest: int
    latest: int
    priority: int
    extra: dict  # step id -> minutes
    arrived: int | None = None  # on the day: in the clinic since then

    def length(self, step: str) -> int:
        return self.steps[step].duration + self.extra.get(step, 0)


@dataclass(frozen=True)
class _Resource:
    id: str
    kind: str
    available: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class _Fixed:
    patient: str
    step: str
    start: int
    end: int | None
    resources: tuple[str, ...]


@dataclass(frozen=True)
class _Morning:
    name: str | None
    start: int
    end: int
    now: int | None
    resources: dict  # id -> _Resource
    patients: dict  # id -> _Patient
    fixed: dict  # (patient, step) -> _Fixed
    notice: int = _DEFAULT_NOTICE
    published: dict | None = None  # patient id -> her first published start (the reference)

    def present(self, pid: str) -> bool:
        """In the clinic: she has arrived, or a step of hers is fixed."""
        return self.patients[pid].arrived is not None or any(p == pid for p, _ in self.fixed)

    def fixed_end(self, fixed: _Fixed) -> int:
        """A fixed step without `end` is still running and takes its planned length."""
        if fixed.end is not None:
            return fixed.end
        return fixed.start + self.patients[fixed.patient].length(fixed.step)


def instance_problems(instance: object) -> list[str]:
    """Every way `instance` breaks the `mammapoli-morning/1` format (empty when well-formed).

    Covers the schema and the cross-references the spec says the engine checks (a step
    named in `after` exists, `same_as` kinds are in both steps' needs, the step graph is
    acyclic, intervals are ordered), which is exactly when a plan's status must be INVALID.
    """
    return _read_morning(instance)[1]


def _read_morning(raw: object) -> tuple[_Morning | None, list[str]]:
    if not isinstance(raw, dict):
        return None, ["the instance is not a JSON object"]
    problems: list[str] = []
    _check_keys(raw, "instance", _MORNING_KEYS, _MORNING_REQUIRED, problems)
    if raw.get("format") != MORNING_FORMAT:
        problems.append(f"format is {raw.get('format')!r}, expected {MORNING_FORMAT!r}")
    name = raw.get("name")
    if name is not None and not isinstance(name, str):
        problems.append("name must be a string")
    _read_date(raw.get("date"), problems)
    window = _read_window(raw.get("window"), problems)
    now = None
    if "now" in raw:
        now = _minutes(raw["now"])
        if now is None:
            problems.append(f"now: {raw['now']!r} is not a time HH:MM")
    notice = raw.get("notice", _DEFAULT_NOTICE)
    if not _is_int(notice) or notice < 0:
        problems.append(f"notice must be whole minutes >= 0, got {notice!r}")
    resources = _read_resources(raw.get("resources"), window, problems)
    pathways = _read_pathways(raw.get("pathways"), problems)
    patients = _read_patients(raw.get("patients"), pathways, window, problems)
    for patient in patients.values():
        if patient.arrived is not None and now is not None and patient.arrived > now:
            problems.append(f"patient {patient.id}: arrived {_hm(patient.arrived)} is after now {_hm(now)}")
    fixed = _read_fixed(raw.get("fixed", []), patients, resources, problems)
    published = _read_reference(raw.get("reference", []), patients, problems)
    if "uncertainty" in raw:
        _read_uncertainty(raw["uncertainty"], pathways, problems)
    if problems or window is None:
        return None, problems
    return _Morning(name, window[0], window[1], now, resources, patients, fixed, notice, published), []


def _read_uncertainty(raw: object, pathways: dict, problems: list[str]) -> None:
    """The optional `uncertainty` block: its shape only (how the mornings vary does not
    change which plans are valid)."""
    if not isinstance(raw, dict):
        problems.append("uncertainty must be an object")
        return
    for key in sorted(k for k in raw if k not in _UNCERTAINTY_KEYS):
        problems.append(f"uncertainty: unknown key {key!r}")
    cv = raw.get("duration_cv", 0)
    if isinstance(cv, dict):
        if "default" not in cv:
            problems.append("uncertainty.duration_cv: missing key 'default'")
        steps = {sid for body in pathways.values() if body for sid in body}
        for key, value in cv.items():
            if not _is_number(value):
                problems.append(f"uncertainty.duration_cv.{key} must be a number >= 0, got {value!r}")
            if key != "default" and key not in steps:
                problems.append(f"uncertainty.duration_cv.{key}: no pathway has a step {key!r}")
    elif not _is_number(cv):
        problems.append(f"uncertainty.duration_cv must be a number >= 0 or an object with a "
                        f"'default', got {cv!r}")
    if "no_show" in raw and not _is_number(raw["no_show"], maximum=1):
        problems.append(f"uncertainty.no_show must be a probability (0..1), got {raw['no_show']!r}")
    for key in ("punctuality_sd", "overtime_p90"):
        if key in raw and not _is_number(raw[key]):
            problems.append(f"uncertainty.{key} must be a number >= 0, got {raw[key]!r}")


def _read_date(value: object, problems: list[str]) -> None:
    try:
        if not isinstance(value, str) or not _DATE.match(value):
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        problems.append(f"date: {value!r} is not a date YYYY-MM-DD")


def _read_window(raw: object, problems: list[str]) -> tuple[int, int] | None:
    if raw is None:
        return None  # reported as a missing key
    if not isinstance(raw, dict):
        problems.append("window must be an object with start and end")
        return None
    _check_keys(raw, "window", {"start", "end"}, {"start", "end"}, problems)
    start, end = _minutes(raw.get("start")), _minutes(raw.get("end"))
    if start is None or end is None:
        problems.append("window: start and end must be times HH:MM")
        return None
    if start >= end:
        problems.append(f"window: start {_hm(start)} is not before end {_hm(end)}")
        return None
    return start, end


def _read_resources(raw: object, window, problems: list[str]) -> dict:
    if raw is None:
        return {}  # reported as a missing key
    if not isinstance(raw, list):
        problems.append("resources must be a list")
        return {}
    resources: dict = {}
    for i, item in enumerate(raw):
        where = f"resources[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{where} must be an object")
            continue
        _check_keys(item, where, {"id", "kind", "available"}, {"id", "kind", "available"},
                    problems)
        rid, kind = item.get("id"), item.get("kind")
        if not _is_id(rid) or not _is_id(kind):
            problems.append(f"{where}: id and kind must be non-empty strings")
            continue
        if rid in resources:
            problems.append(f"{where}: duplicate resource id {rid!r}")
            continue
        intervals = _read_intervals(item.get("available"), f"{where} ({rid}).available",
                                    window, problems)
        resources[rid] = _Resource(rid, kind, intervals)
    return resources


def _read_intervals(raw: object, where: str, window, problems: list[str]) -> tuple:
    if not isinstance(raw, list):
        problems.append(f"{where} must be a list of [start, end] pairs")
        return ()
    intervals: list[tuple[int, int]] = []
    for j, pair in enumerate(raw):
        bounds = [_minutes(x) for x in pair] if isinstance(pair, list) and len(pair) == 2 else []
        if len(bounds) != 2 or None in bounds:
            problems.append(f"{where}[{j}]: {pair!r} is not a pair of times HH:MM")
            continue
        a, b = bounds
        if a >= b:
            problems.append(f"{where}[{j}]: start {_hm(a)} is not before end {_hm(b)}")
        elif window and (a < window[0] or b > window[1]):
            problems.append(f"{where}[{j}]: {_hm(a)}-{_hm(b)} is not inside the window "
                            f"{_hm(window[0])}-{_hm(window[1])}")
        elif intervals and a < intervals[-1][1]:
            problems.append(f"{where}[{j}]: {_hm(a)}-{_hm(b)} is not sorted after, or overlaps, "
                            f"{_hm(intervals[-1][0])}-{_hm(intervals[-1][1])}")
        else:
            intervals.append((a, b))
    return tuple(intervals)


def _read_pathways(raw: object, problems: list[str]) -> dict:
    """Pathway name -> steps, or -> None when the pathway is broken (and reported)."""
    if raw is None:
        return {}  # reported as a missing key
    if not isinstance(raw, dict):
        problems.append("pathways must be an object of named pathways")
        return {}
    pathways: dict = {}
    for name, body in raw.items():
        where = f"pathways[{name!r}]"
        if not isinstance(body, dict) or not isinstance(body.get("steps"), list) \
                or not body["steps"]:
            problems.append(f"{where} must be an object with a non-empty list of steps")
            continue
        _check_keys(body, where, {"steps"}, {"steps"}, problems)
        pathways[name] = _read_steps(body["steps"], where, problems)
    return pathways


def _read_steps(raw: list, where: str, problems: list[str]) -> dict | None:
    """Read one pathway's steps; None when they are too broken to schedule against."""
    before = len(problems)
    steps: dict = {}
    raw_by_id: dict = {}
    for i, item in enumerate(raw):
        at = f"{where}.steps[{i}]"
        if not isinstance(item, dict) or not _is_id(item.get("id")):
            problems.append(f"{at} must be an object with a non-empty string id")
            continue
        _check_keys(item, at, _STEP_KEYS, {"id", "duration", "needs"}, problems)
        if item["id"] in raw_by_id:
            problems.append(f"{at}: duplicate step id {item['id']!r}")
        raw_by_id[item["id"]] = item
    for sid, item in raw_by_id.items():
        at = f"{where} step {sid!r}"
        duration = item.get("duration")
        if not _is_int(duration) or duration < 1:
            problems.append(f"{at}: duration must be a whole number of minutes >= 1")
        needs = item.get("needs")
        if not isinstance(needs, list) or not all(_is_id(k) for k in needs):
            problems.append(f"{at}: needs must be a list of resource kinds")
            needs = []
        after = _read_after(item.get("after", []), at, raw_by_id, problems)
        same_as = _read_same_as(item.get("same_as", {}), at, sid, needs, raw_by_id, problems)
        steps[sid] = _Step(sid, duration if _is_int(duration) else 0, tuple(needs), after,
                           same_as)
    if len(problems) == before and _has_cycle(steps):
        problems.append(f"{where}: the steps' `after` graph has a cycle")
    return steps if len(problems) == before else None


def _read_after(raw: object, at: str, raw_by_id: dict, problems: list[str]) -> tuple:
    if not isinstance(raw, list):
        problems.append(f"{at}: after must be a list")
        return ()
    lags = []
    for lag in raw:
        if not isinstance(lag, dict):
            problems.append(f"{at}: after entry {lag!r} must be an object")
            continue
        _check_keys(lag, f"{at} after", {"step", "min", "max"}, {"step"}, problems)
        low, high = lag.get("min", 0), lag.get("max")
        if not isinstance(lag.get("step"), str) or lag["step"] not in raw_by_id:
            problems.append(f"{at}: after names unknown step {lag.get('step')!r}")
        elif not _is_int(low) or low < 0 or (high is not None and (not _is_int(high)
                                                                     or high < 0)):
            problems.append(f"{at}: after min/max must be whole minutes >= 0")
        elif high is not None and high < low:
            problems.append(f"{at}: after {lag['step']!r} has max {high} below min {low}")
        else:
            lags.append(_Lag(lag["step"], low, high))
    return tuple(lags)


def _read_same_as(raw: object, at: str, sid: str, needs: list, raw_by_id: dict,
                  problems: list[str]) -> tuple:
    if not isinstance(raw, dict):
        problems.append(f"{at}: same_as must be an object {{kind: step}}")
        return ()
    pairs = []
    for kind, other in raw.items():
        if not isinstance(other, str) or other not in raw_by_id or other == sid:
            problems.append(f"{at}: same_as names unknown step {other!r}")
        elif kind not in needs or kind not in _needs_of(raw_by_id[other]):
            problems.append(f"{at}: same_as kind {kind!r} is not in the needs of both "
                            f"{sid!r} and {other!r}")
        else:
            pairs.append((kind, other))
    return tuple(pairs)


def _needs_of(raw_step: dict) -> list:
    needs = raw_step.get("needs")
    return needs if isinstance(needs, list) else []


def _has_cycle(steps: dict) -> bool:
    state: dict = {}  # step -> 1 visiting, 2 done

    def visit(sid: str) -> bool:
        if state.get(sid) == 1:
            return True
        if state.get(sid) == 2:
            return False
        state[sid] = 1
        if any(visit(lag.step) for lag in steps[sid].after):
            return True
        state[sid] = 2
        return False

    return any(visit(sid) for sid in steps)


def _read_patients(raw: object, pathways: dict, window, problems: list[str]) -> dict:
    if raw is None:
        return {}  # reported as a missing key
    if not isinstance(raw, list):
        problems.append("patients must be a list")
        return {}
    patients: dict = {}
    for i, item in enumerate(raw):
        where = f"patients[{i}]"
        if not isinstance(item, dict) or not _is_id(item.get("id")):
            problems.append(f"{where} must be an object with a non-empty string id")
            continue
        pid = item["id"]
        where = f"patient {pid}"
        _check_keys(item, where, _PATIENT_KEYS, {"id", "pathway"}, problems)
        if pid in patients:
            problems.append(f"{where}: duplicate patient id")
            continue
        pathway = item.get("pathway")
        if not isinstance(pathway, str) or pathway not in pathways:
            problems.append(f"{where}: pathway {pathway!r} is unknown")
            continue
        steps = pathways[pathway]
        if steps is None:
            continue  # the broken pathway is reported already
        default_start, default_end = window if window else (0, 24 * 60)
        earliest = _minutes(item["earliest"]) if "earliest" in item else default_start
        latest = _minutes(item["latest"]) if "latest" in item else default_end
        if earliest is None or latest is None:
            problems.append(f"{where}: earliest and latest must be times HH:MM")
            continue
        arrived = None
        if "arrived" in item:
            arrived = _minutes(item["arrived"])
            if arrived is None:
                problems.append(f"{where}: arrived {item['arrived']!r} is not a time HH:MM")
        if earliest >= latest:
            problems.append(f"{where}: earliest {_hm(earliest)} is not before latest {_hm(latest)}")
        priority = item.get("priority", 1)
        if not _is_int(priority) or priority < 1:
            problems.append(f"{where}: priority must be a whole number >= 1")
        extra = item.get("extra", {})
        if not isinstance(extra, dict):
            problems.append(f"{where}: extra must be an object {{step: minutes}}")
            extra = {}
        for step, minutes in extra.items():
            if step not in steps:
                problems.append(f"{where}: extra names step {step!r}, not in pathway "
                                f"{item['pathway']!r}")
            elif not _is_int(minutes) or minutes < 0:
                problems.append(f"{where}: extra for {step!r} must be whole minutes >= 0")
        patients[pid] = _Patient(pid, item["pathway"], steps, earliest, latest, priority,
                                 dict(extra), arrived)
    return patients


def _read_fixed(raw: object, patients: dict, resources: dict, problems: list[str]) -> dict:
    if not isinstance(raw, list):
        problems.append("fixed must be a list")
        return {}
    fixed: dict = {}
    for i, item in enumerate(raw):
        where = f"fixed[{i}]"
        if not _is_assignment_shape(item, where, problems):
            continue
        pid, sid = item["patient"], item["step"]
        patient = patients.get(pid)
        if patient is None or sid not in patient.steps:
            problems.append(f"{where}: {pid} {sid} is not a step of a known patient")
            continue
        if (pid, sid) in fixed:
            problems.append(f"{where}: {pid} {sid} is fixed twice")
            continue
        start, end = _minutes(item["start"]), _minutes(item.get("end"))
        if end is not None and end <= start:
            problems.append(f"{where}: {pid} {sid} ends {_hm(end)}, not after its start "
                            f"{_hm(start)}")
        needs = patient.steps[sid].needs
        held = item["resources"]
        kinds = [resources[r].kind if r in resources else None for r in held]
        if None in kinds:
            problems.append(f"{where}: {pid} {sid} names an unknown resource in {held}")
        elif kinds != list(needs) or len(set(held)) != len(held):
            problems.append(f"{where}: {pid} {sid} resources {held} do not match its needs "
                            f"{list(needs)} (one distinct resource per need, in order)")
        fixed[(pid, sid)] = _Fixed(pid, sid, start, end, tuple(held))
    return fixed


def _read_reference(raw: object, patients: dict, problems: list[str]) -> dict:
    """The reference (the published plan) must be well-formed; it gives each patient's
    published arrival: the first start of a published step of her pathway (for `notice`)."""
    if not isinstance(raw, list):
        problems.append("reference must be a list")
        return {}
    published: dict = {}
    for i, item in enumerate(raw):
        if not _is_assignment_shape(item, f"reference[{i}]", problems):
            continue
        patient = patients.get(item["patient"])
        if patient is not None and item["step"] in patient.steps:
            start = _minutes(item["start"])
            published[patient.id] = min(published.get(patient.id, start), start)
    return published


def _is_assignment_shape(item: object, where: str, problems: list[str],
                         end_required: bool = False) -> bool:
    """Shape of {patient, step, start, [end], resources}; reports and returns False if bad."""
    if not isinstance(item, dict):
        problems.append(f"{where} must be an object")
        return False
    before = len(problems)
    required = {"patient", "step", "start", "resources"} | ({"end"} if end_required else set())
    _check_keys(item, where, _ASSIGNMENT_KEYS, required, problems)
    if not _is_id(item.get("patient")) or not _is_id(item.get("step")):
        problems.append(f"{where}: patient and step must be non-empty strings")
    for key in ("start", "end"):
        if key in item and _minutes(item[key]) is None:
            problems.append(f"{where}: {key} {item[key]!r} is not a time HH:MM")
    held = item.get("resources")
    if not isinstance(held, list) or not all(_is_id(r) for r in held):
        problems.append(f"{where}: resources must be a list of resource ids")
    return len(problems) == before

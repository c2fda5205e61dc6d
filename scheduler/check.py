"""Independent validator: does a `mammapoli-plan/1` plan keep every hard rule of its morning?

Written from `docs/morning-format.md` alone and sharing no code with the engine, so that
a bug in the engine's model cannot hide in the check of its own output. It reads the raw
JSON dicts with the standard library only, and never raises on bad input: a malformed
plan (or instance) comes back as violations.

Usage: `check_plan(instance, plan)` returns a list of `Violation`s, empty when the plan is
valid; `main([INSTANCE, PLAN])` is the body of `python -m scheduler check INSTANCE PLAN`.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from dataclasses import dataclass
from datetime import date

MORNING_FORMAT = "mammapoli-morning/1"
PLAN_FORMAT = "mammapoli-plan/1"
SOLVED_STATUSES = ("OPTIMAL", "FEASIBLE")
FAILED_STATUSES = ("INFEASIBLE", "INVALID")

_HM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

_MORNING_KEYS = {"format", "name", "date", "window", "now", "notice", "resources", "pathways",
                 "patients", "fixed", "reference", "uncertainty"}
_UNCERTAINTY_KEYS = {"duration_cv", "no_show", "punctuality_sd", "overtime_p90"}
_MORNING_REQUIRED = {"format", "date", "window", "resources", "pathways", "patients"}
_STEP_KEYS = {"id", "duration", "needs", "after", "same_as"}
_PATIENT_KEYS = {"id", "pathway", "earliest", "latest", "priority", "extra", "arrived"}
_DEFAULT_NOTICE = 30
_ASSIGNMENT_KEYS = {"patient", "step", "start", "end", "resources"}
_PLAN_KEYS = {"format", "instance", "status", "objective", "assignments", "unscheduled",
              "stats", "error", "risk"}
_RISK_KEYS = ("runs", "answered_expected", "priority_answered_expected", "overtime_p90",
              "overtime_mean")
_OBJECTIVE_KEYS = ("scheduled", "priority_scheduled", "total_stay", "lower_bound_total_stay")


@dataclass(frozen=True)
class Violation:
    """One broken rule: `rule` is a short stable code, `message` a sentence for a planner."""

    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


# --------------------------------------------------------------------------- time and types

def _minutes(value: object) -> int | None:
    """'HH:MM' -> minutes since midnight; None when it is not a valid clock time."""
    if not isinstance(value, str) or not _HM.match(value):
        return None
    return int(value[:2]) * 60 + int(value[3:])


def _hm(minutes: int) -> str:
    """Minutes since midnight -> 'HH:MM' (for messages)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_id(value: object) -> bool:
    return isinstance(value, str) and value != ""


def _check_keys(obj: dict, where: str, allowed: set, required: set, problems: list[str]) -> None:
    for key in sorted(required - obj.keys()):
        problems.append(f"{where}: missing key {key!r}")
    for key in sorted(k for k in required & obj.keys() if obj[k] is None):
        problems.append(f"{where}: {key!r} is null")
    for key in sorted(k for k in obj if k not in allowed):
        problems.append(f"{where}: unknown key {key!r}")


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


def _is_number(value: object, maximum: float | None = None) -> bool:
    """A finite number >= 0 (and <= maximum); booleans are not numbers here."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            and value >= 0 and (maximum is None or value <= maximum))


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


# --------------------------------------------------------------------------- the plan

@dataclass(frozen=True)
class _Assignment:
    patient: str
    step: str
    start: int
    end: int
    resources: tuple[str, ...]

    def label(self) -> str:
        return f"{self.patient} {self.step} {_hm(self.start)}-{_hm(self.end)}"


def check_plan(instance: dict, plan: dict) -> list[Violation]:
    """Every hard rule of the spec that `plan` breaks for `instance`; [] when it is valid."""
    try:
        return _check(instance, plan)
    except Exception as exc:  # noqa: BLE001 - fail closed: a validator bug never passes a plan
        return [Violation("internal", f"the validator could not finish checking: {exc!r}")]


def _check(instance: object, plan: object) -> list[Violation]:
    if not isinstance(plan, dict):
        return [Violation("format", "the plan is not a JSON object")]
    out: list[Violation] = []
    morning, problems = _read_morning(instance)
    status = _check_header(plan, morning, out)
    if status in FAILED_STATUSES:
        _check_failed_status(plan, status, morning, problems, out)
        return out
    if problems:
        out.extend(Violation("instance", f"the instance is invalid ({p}) but the plan's status "
                                         f"is {status!r}, not INVALID") for p in problems)
        return out
    if status not in SOLVED_STATUSES:
        return out  # already reported by the header check
    assignments = _read_assignments(plan.get("assignments"), out)
    unscheduled = _read_unscheduled(plan.get("unscheduled"), morning, out)
    known = _known_assignments(assignments, morning, out)
    by_patient = _check_coverage(known, unscheduled, morning, out)
    for a in known:
        _check_step(a, morning, out)
    for pid, steps in by_patient.items():
        _check_patient(morning.patients[pid], steps, morning, out)
    _check_capacity(known, morning, out)
    _check_objective(plan.get("objective"), by_patient, morning, out)
    if "risk" in plan:
        _check_risk(plan["risk"], by_patient, morning, out)
    return out


def _check_header(plan: dict, morning: _Morning | None, out: list[Violation]) -> object:
    for key in sorted(k for k in plan if k not in _PLAN_KEYS):
        out.append(Violation("format", f"unknown key {key!r} in the plan"))
    if plan.get("format") != PLAN_FORMAT:
        out.append(Violation("format", f"format is {plan.get('format')!r}, "
                                       f"expected {PLAN_FORMAT!r}"))
    if "instance" in plan and morning is not None and morning.name is not None \
            and plan["instance"] != morning.name:
        out.append(Violation("format", f"the plan is for instance {plan['instance']!r}, "
                                       f"not {morning.name!r}"))
    status = plan.get("status")
    if status not in SOLVED_STATUSES + FAILED_STATUSES:
        out.append(Violation("format", f"status is {status!r}, expected one of "
                                       f"{', '.join(SOLVED_STATUSES + FAILED_STATUSES)}"))
        return status
    if "stats" in plan and not isinstance(plan["stats"], dict):
        out.append(Violation("format", "stats must be an object"))
    if status in SOLVED_STATUSES:
        for key in ("assignments", "unscheduled", "objective"):
            if key not in plan:
                out.append(Violation("format", f"a {status} plan needs the key {key!r}"))
        if "error" in plan:
            out.append(Violation("format", f"a {status} plan has an 'error'"))
    return status


def _check_failed_status(plan: dict, status: str, morning: _Morning | None,
                         problems: list[str], out: list[Violation]) -> None:
    """INVALID/INFEASIBLE plans carry an error and no assignments, and must be justified."""
    if plan.get("assignments"):
        out.append(Violation("status", f"a {status} plan must not give assignments"))
    if "risk" in plan:
        out.append(Violation("status", f"a {status} plan has no plan to give the risk of"))
    if not isinstance(plan.get("error"), str) or not plan["error"].strip():
        out.append(Violation("status", f"a {status} plan must say why in 'error'"))
    if status == "INVALID" and not problems:
        out.append(Violation("status", "the plan says INVALID but the instance is well-formed"))
    if status == "INFEASIBLE" and morning is not None and not morning.fixed:
        out.append(Violation("status", "the plan says INFEASIBLE but the instance has no fixed "
                                       "steps, so leaving everyone unscheduled is feasible"))
    if status == "INFEASIBLE" and problems:
        out.append(Violation("status", f"the instance is invalid ({problems[0]}); "
                                       f"the status must be INVALID, not INFEASIBLE"))


def _read_assignments(raw: object, out: list[Violation]) -> list[_Assignment]:
    if not isinstance(raw, list):
        if raw is not None:
            out.append(Violation("format", "assignments must be a list"))
        return []
    assignments = []
    for i, item in enumerate(raw):
        problems: list[str] = []
        if _is_assignment_shape(item, f"assignments[{i}]", problems, end_required=True):
            assignments.append(_Assignment(item["patient"], item["step"],
                                           _minutes(item["start"]), _minutes(item["end"]),
                                           tuple(item["resources"])))
        out.extend(Violation("format", p) for p in problems)
    return assignments


def _read_unscheduled(raw: object, morning: _Morning, out: list[Violation]) -> list[str]:
    if not isinstance(raw, list):
        if raw is not None:
            out.append(Violation("format", "unscheduled must be a list"))
        return []
    listed: list[str] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not _is_id(item.get("patient")):
            out.append(Violation("format", f"unscheduled[{i}] must be an object with a patient"))
            continue
        for key in sorted(k for k in item if k not in {"patient", "reason"}):
            out.append(Violation("format", f"unscheduled[{i}]: unknown key {key!r}"))
        pid = item["patient"]
        reason = item.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            out.append(Violation("unscheduled", f"{pid} is unscheduled without a reason"))
        if pid not in morning.patients:
            out.append(Violation("unknown-patient", f"unscheduled {pid} is not a patient of "
                                                    f"this morning"))
        elif pid in listed:
            out.append(Violation("unscheduled", f"{pid} is listed as unscheduled twice"))
        else:
            listed.append(pid)
    return listed


def _known_assignments(assignments: list[_Assignment], morning: _Morning,
                       out: list[Violation]) -> list[_Assignment]:
    """Drop (and report) assignments to unknown patients or steps; keep the rest."""
    known = []
    for a in assignments:
        patient = morning.patients.get(a.patient)
        if patient is None:
            out.append(Violation("unknown-patient", f"{a.label()}: {a.patient} is not a "
                                                    f"patient of this morning"))
        elif a.step not in patient.steps:
            out.append(Violation("unknown-step", f"{a.label()}: {a.step} is not a step of "
                                                 f"{a.patient}'s pathway {patient.pathway}"))
        else:
            known.append(a)
    return known


def _check_coverage(known: list[_Assignment], unscheduled: list[str], morning: _Morning,
                    out: list[Violation]) -> dict:
    """Each patient fully scheduled (each step once) xor unscheduled; fixed ones scheduled.

    Returns patient id -> {step id: first assignment} for the patients that have any.
    """
    by_patient: dict = {}
    for a in known:
        steps = by_patient.setdefault(a.patient, {})
        if a.step in steps:
            out.append(Violation("partial-patient", f"{a.patient} {a.step} is assigned more "
                                                    f"than once ({a.label()})"))
        else:
            steps[a.step] = a
    for pid, patient in morning.patients.items():
        steps = by_patient.get(pid, {})
        if steps and pid in unscheduled:
            out.append(Violation("unscheduled", f"{pid} is listed as unscheduled but has "
                                                f"{len(steps)} assignment(s)"))
        missing = [s for s in patient.steps if s not in steps]
        if steps and missing:
            out.append(Violation("partial-patient", f"{pid} ({patient.pathway}) is missing "
                                                    f"step(s) {', '.join(missing)}"))
        if not steps and pid not in unscheduled:
            out.append(Violation("missing-patient", f"{pid} is neither scheduled nor listed "
                                                    f"as unscheduled"))
    for (pid, sid), fixed in morning.fixed.items():
        if sid not in by_patient.get(pid, {}):
            out.append(Violation("fixed", f"fixed step {pid} {sid} (started {_hm(fixed.start)}) "
                                          f"is missing from the plan"))
    for pid in dict.fromkeys(pid for pid, _ in morning.fixed):
        if pid in unscheduled:
            out.append(Violation("fixed", f"{pid} has fixed steps and must be fully "
                                          f"scheduled, but is listed as unscheduled"))
    return by_patient


def _check_step(a: _Assignment, morning: _Morning, out: list[Violation]) -> None:
    """Rules about one step on its own: length, resources, availability, window, now."""
    patient = morning.patients[a.patient]
    step = patient.steps[a.step]
    fixed = morning.fixed.get((a.patient, a.step))
    if fixed is not None:
        _check_fixed(a, fixed, morning, out)
    elif a.end - a.start != patient.length(a.step):
        extra = patient.extra.get(a.step, 0)
        out.append(Violation("duration", f"{a.label()} lasts {a.end - a.start} min; it must "
                                         f"last {step.duration} min + {extra} extra"))
    _check_needs(a, step, morning, out)
    if fixed is None:
        _check_availability(a, morning, out)
        if morning.now is not None and a.start < morning.now:
            out.append(Violation("now", f"{a.label()} starts before now ({_hm(morning.now)}) "
                                        f"and is not fixed"))
        if patient.arrived is not None and a.start < patient.arrived:
            out.append(Violation("arrived", f"{a.label()} starts before {a.patient} arrived "
                                            f"({_hm(patient.arrived)}) and is not fixed"))
    if a.start < morning.start or a.end > morning.end:
        out.append(Violation("window", f"{a.label()} is outside the window "
                                       f"{_hm(morning.start)}-{_hm(morning.end)}"))


def _check_fixed(a: _Assignment, fixed: _Fixed, morning: _Morning, out: list[Violation]) -> None:
    end = morning.fixed_end(fixed)
    if (a.start, a.end) != (fixed.start, end):
        out.append(Violation("fixed", f"{a.label()} is fixed at {_hm(fixed.start)}-{_hm(end)}"))
    if a.resources != fixed.resources:
        out.append(Violation("fixed", f"{a.label()} holds {', '.join(a.resources)}; it is fixed "
                                      f"on {', '.join(fixed.resources)}"))


def _check_needs(a: _Assignment, step: _Step, morning: _Morning, out: list[Violation]) -> None:
    if len(a.resources) != len(step.needs):
        out.append(Violation("needs", f"{a.label()} holds {len(a.resources)} resource(s) "
                                      f"({', '.join(a.resources) or 'none'}) but needs "
                                      f"{len(step.needs)} ({', '.join(step.needs) or 'none'})"))
    for position, (rid, kind) in enumerate(zip(a.resources, step.needs), start=1):
        resource = morning.resources.get(rid)
        if resource is None:
            out.append(Violation("unknown-resource", f"{a.label()} uses {rid}, which is not a "
                                                     f"resource of this morning"))
        elif resource.kind != kind:
            out.append(Violation("needs", f"{a.label()} holds {rid} ({resource.kind}) as need "
                                          f"{position}, which is {kind}"))
    for rid in sorted({r for r in a.resources if a.resources.count(r) > 1}):
        out.append(Violation("needs", f"{a.label()} holds {rid} more than once; a kind listed "
                                      f"twice needs two different resources"))


def _check_availability(a: _Assignment, morning: _Morning, out: list[Violation]) -> None:
    for rid in dict.fromkeys(a.resources):
        resource = morning.resources.get(rid)
        if resource is None:
            continue
        if not any(lo <= a.start and a.end <= hi for lo, hi in resource.available):
            shown = ", ".join(f"{_hm(lo)}-{_hm(hi)}" for lo, hi in resource.available) or "never"
            out.append(Violation("availability", f"{a.label()} uses {rid} outside its "
                                                 f"availability ({shown})"))


def _check_patient(patient: _Patient, steps: dict, morning: _Morning,
                   out: list[Violation]) -> None:
    """Rules between a patient's steps: lags, same resource, one at a time, own times."""
    for sid, a in steps.items():
        step = patient.steps[sid]
        for lag in step.after:
            pred = steps.get(lag.step)
            if pred is None:
                continue
            gap = a.start - pred.end
            if gap < lag.min:
                out.append(Violation("precedence-min", f"{a.label()} starts {gap} min after "
                                     f"{lag.step} ends ({_hm(pred.end)}); at least {lag.min} "
                                     f"min needed"))
            if lag.max is not None and gap > lag.max:
                out.append(Violation("precedence-max", f"{a.label()} starts {gap} min after "
                                     f"{lag.step} ends ({_hm(pred.end)}); at most {lag.max} "
                                     f"min allowed"))
        for kind, other_id in step.same_as:
            other = steps.get(other_id)
            if other is None:
                continue
            mine = _held_of_kind(a, step, kind)
            theirs = _held_of_kind(other, patient.steps[other_id], kind)
            if mine and theirs and not set(mine) & set(theirs):
                out.append(Violation("same-as", f"{a.label()} has {kind} {', '.join(mine)}; it "
                                     f"must be the one who did {other_id} "
                                     f"({', '.join(theirs)})"))
    ordered = sorted(steps.values(), key=lambda x: (x.start, x.end))
    for i, first in enumerate(ordered):
        for second in ordered[i + 1:]:
            if second.start >= first.end:
                break
            out.append(Violation("patient-overlap", f"{patient.id} is in {first.label()} and "
                                                    f"{second.label()} at the same time"))
    begin = min(a.start for a in ordered)
    finish = max(a.end for a in ordered)
    _check_notice(patient, begin, morning, out)
    if begin < patient.earliest:
        out.append(Violation("earliest", f"{patient.id} starts at {_hm(begin)}, before their "
                                         f"earliest {_hm(patient.earliest)}"))
    if finish > patient.latest:
        out.append(Violation("latest", f"{patient.id} finishes at {_hm(finish)}, after their "
                                       f"latest {_hm(patient.latest)}"))


def _check_notice(patient: _Patient, arrival: int, morning: _Morning, out: list[Violation]) -> None:
    """On the day, a published patient who is not in the clinic and not late keeps her
    published arrival, or is given one at least `notice` minutes after now."""
    published = (morning.published or {}).get(patient.id)
    if morning.now is None or published is None or published < morning.now or morning.present(patient.id):
        return
    if arrival != published and arrival < morning.now + morning.notice:
        out.append(Violation("notice", f"{patient.id} is asked to come at {_hm(arrival)} instead of "
                                       f"{_hm(published)}: a new arrival must be at least "
                                       f"{morning.notice} min after now ({_hm(morning.now)})"))


def _held_of_kind(a: _Assignment, step: _Step, kind: str) -> list[str]:
    """Resources the step holds in the positions where its needs list `kind`."""
    return [rid for rid, need in zip(a.resources, step.needs) if need == kind]


def _check_capacity(known: list[_Assignment], morning: _Morning, out: list[Violation]) -> None:
    """Capacity one: no two steps overlap on a resource ([start, end) is half-open)."""
    uses: dict = {}
    for a in known:
        for rid in dict.fromkeys(a.resources):
            if rid in morning.resources:
                uses.setdefault(rid, []).append(a)
    for rid, items in uses.items():
        items.sort(key=lambda x: (x.start, x.end))
        for i, first in enumerate(items):
            for second in items[i + 1:]:
                if second.start >= first.end:
                    break
                out.append(Violation("capacity", f"{rid} is used by {first.label()} and "
                                                 f"{second.label()} at the same time"))


def _stay(patient: _Patient, steps: dict) -> int:
    """End of her last step - start of her first, or - when she arrived if that was earlier."""
    begin = min(a.start for a in steps.values())
    if patient.arrived is not None:
        begin = min(begin, patient.arrived)
    return max(a.end for a in steps.values()) - begin


def _critical_path(patient: _Patient, morning: _Morning) -> int:
    """Longest path through the step DAG: step lengths plus `min` lags.

    A fixed step counts with the length it really took (or is taking), since a step that
    finished early can make the stay shorter than the planned critical path.
    """
    finish: dict = {}

    def finish_of(sid: str) -> int:
        if sid not in finish:
            step = patient.steps[sid]
            begin = max((finish_of(lag.step) + lag.min for lag in step.after), default=0)
            fixed = morning.fixed.get((patient.id, sid))
            length = morning.fixed_end(fixed) - fixed.start if fixed else patient.length(sid)
            finish[sid] = begin + length
        return finish[sid]

    return max(finish_of(sid) for sid in patient.steps)


def _check_objective(raw: object, by_patient: dict, morning: _Morning,
                     out: list[Violation]) -> None:
    if not isinstance(raw, dict):
        if raw is not None:
            out.append(Violation("format", "objective must be an object"))
        return
    for key in sorted(k for k in raw if k not in _OBJECTIVE_KEYS):
        out.append(Violation("format", f"unknown key {key!r} in objective"))
    bad = [k for k in _OBJECTIVE_KEYS if not _is_int(raw.get(k)) or raw[k] < 0]
    if bad:
        out.append(Violation("format", f"objective needs whole numbers >= 0 for "
                                       f"{', '.join(bad)}"))
        return
    scheduled = [morning.patients[pid] for pid in by_patient]
    actual = {
        "scheduled": len(scheduled),
        "priority_scheduled": sum(p.priority for p in scheduled),
        "total_stay": sum(_stay(p, by_patient[p.id]) for p in scheduled),
    }
    for key, value in actual.items():
        if raw[key] != value:
            out.append(Violation("objective", f"objective.{key} is {raw[key]} but the plan's "
                                              f"assignments give {value}"))
    bound = raw["lower_bound_total_stay"]
    if bound > actual["total_stay"]:
        out.append(Violation("lower-bound", f"lower_bound_total_stay {bound} exceeds the "
                                            f"total stay {actual['total_stay']}"))
    floor = sum(_critical_path(p, morning) for p in scheduled)
    if bound < floor:
        out.append(Violation("lower-bound", f"lower_bound_total_stay {bound} is below the sum "
                                            f"of the scheduled patients' critical paths "
                                            f"({floor} min)"))


def _check_risk(raw: object, by_patient: dict, morning: _Morning, out: list[Violation]) -> None:
    """The plan's `risk` figures (from the engine's own static runs): their shape, and what
    they cannot exceed (only scheduled patients can be answered; every priority is >= 1)."""
    if not isinstance(raw, dict):
        out.append(Violation("risk", "risk must be an object"))
        return
    for key in sorted(k for k in raw if k not in _RISK_KEYS):
        out.append(Violation("risk", f"unknown key {key!r} in risk"))
    for key in _RISK_KEYS:
        if key not in raw:
            out.append(Violation("risk", f"risk.{key} is missing"))
    runs = raw.get("runs")
    if "runs" in raw and (not _is_int(runs) or runs < 1):
        out.append(Violation("risk", f"risk.runs must be a whole number >= 1, got {runs!r}"))
    bad = [k for k in _RISK_KEYS[1:] if k in raw and not _is_number(raw[k])]
    for key in bad:
        out.append(Violation("risk", f"risk.{key} must be a number >= 0, got {raw[key]!r}"))
    if bad or any(k not in raw for k in _RISK_KEYS[1:3]):
        return
    scheduled = [morning.patients[pid] for pid in by_patient]
    answered, priority = raw["answered_expected"], raw["priority_answered_expected"]
    if answered > len(scheduled):
        out.append(Violation("risk", f"risk.answered_expected {answered} exceeds the "
                                     f"{len(scheduled)} scheduled patients"))
    if priority > sum(p.priority for p in scheduled):
        out.append(Violation("risk", f"risk.priority_answered_expected {priority} exceeds the "
                                     f"priority scheduled"))
    if priority < answered:
        out.append(Violation("risk", f"risk.priority_answered_expected {priority} is below "
                                     f"answered_expected {answered} (every priority is >= 1)"))


# --------------------------------------------------------------------------- command line

def main(argv: list[str] | None = None) -> int:
    """`python -m scheduler check INSTANCE PLAN`: 0 valid, 1 violations, 2 unreadable files.

    `argv` is the arguments after the `check` sub-command (default: sys.argv[1:]).
    """
    parser = argparse.ArgumentParser(prog="python -m scheduler check",
                                     description="Check a mammapoli-plan/1 plan against its "
                                                 "mammapoli-morning/1 instance.")
    parser.add_argument("instance", help="instance JSON (mammapoli-morning/1)")
    parser.add_argument("plan", help="plan JSON (mammapoli-plan/1)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # usage errors (2) and --help (0)
        return int(stop.code or 0)
    loaded = []
    for path in (args.instance, args.plan):
        try:
            with open(path, encoding="utf-8") as handle:
                loaded.append(json.load(handle))
        except (OSError, ValueError) as exc:
            print(f"error: cannot read {path}: {exc}", file=sys.stderr)
            return 2
    instance, plan = loaded
    violations = check_plan(instance, plan)
    for violation in violations:
        print(violation)
    if violations:
        return 1
    print(_summary(instance, plan))
    return 0


def _summary(instance: dict, plan: dict) -> str:
    name = instance.get("name") or "the instance"
    if plan["status"] in FAILED_STATUSES:
        return f"OK: {plan['status']} for {name} ({plan['error']})"
    objective = plan["objective"]
    return (f"OK: {plan['status']} plan for {name} is valid: {objective['scheduled']} of "
            f"{len(instance['patients'])} patients scheduled, {len(plan['assignments'])} steps, "
            f"total stay {objective['total_stay']} min "
            f"(lower bound {objective['lower_bound_total_stay']})")


if __name__ == "__main__":
    sys.exit(main())

"""The exchange format: read `mammapoli-morning/1`, write `mammapoli-plan/1`.

The one place where "HH:MM" strings become integer minutes and back. Shape errors
(unknown keys, missing fields, wrong types, bad times) raise `ProblemError` naming the
field as the JSON spells it; the dataclasses then check values and cross-references.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .clock import fmt_time, to_minutes
from .problem import (DEFAULT_NOTICE, Assignment, FixedStep, Lag, Pathway, Patient, Problem,
                      ProblemError, Resource, Step, Uncertainty)
from .result import Result, Status

MORNING_FORMAT = "mammapoli-morning/1"
PLAN_FORMAT = "mammapoli-plan/1"



def parse_time(value: Any, path: str) -> int:
    """"HH:MM" (24-hour clock) as minutes since midnight; `ProblemError` naming `path`."""
    if not isinstance(value, str):
        raise ProblemError(path, f"must be a time \"HH:MM\", got {value!r}")
    try:
        return to_minutes(value)
    except ValueError:
        raise ProblemError(path, f"{value!r} is not a time HH:MM") from None


def _object(value: Any, path: str, *, required: tuple[str, ...], optional: tuple[str, ...]) -> Mapping:
    if not isinstance(value, Mapping):
        what = "must be an object" if path else "the instance must be a JSON object"
        raise ProblemError(path, f"{what}, got {type(value).__name__}")
    for key in value:
        if key not in required and key not in optional:
            raise ProblemError(_join(path, str(key)), "unknown key")
    for key in required:
        if key not in value:
            raise ProblemError(_join(path, key), "missing (required)")
    return value


def _array(value: Any, path: str) -> list:
    if not isinstance(value, list):
        raise ProblemError(path, f"must be an array, got {type(value).__name__}")
    return value


def _integer(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProblemError(path, f"must be a whole number, got {value!r}")
    return value


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise ProblemError(path, f"must be a non-empty string, got {value!r}")
    return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _build(path: str, cls, **kwargs):
    try:
        return cls(**kwargs)
    except ProblemError as error:
        raise error.within(path) from None


def _assignment(item: Any, path: str, cls):
    item = _object(item, path, required=("patient", "step", "start", "resources"), optional=("end",))
    resources = [_string(r, f"{path}.resources[{j}]") for j, r in enumerate(_array(item["resources"], f"{path}.resources"))]
    end = parse_time(item["end"], f"{path}.end") if "end" in item else None
    return _build(path, cls, patient=_string(item["patient"], f"{path}.patient"),
                  step=_string(item["step"], f"{path}.step"),
                  start=parse_time(item["start"], f"{path}.start"), resources=tuple(resources), end=end)


def problem_from_json(data: Any) -> Problem:
    """A `Problem` from a parsed `mammapoli-morning/1` instance; `ProblemError` if it breaks the format."""
    data = _object(data, "", required=("format", "date", "window", "resources", "pathways", "patients"),
                   optional=("name", "now", "notice", "fixed", "reference", "uncertainty"))
    if data["format"] != MORNING_FORMAT:
        raise ProblemError("format", f"expected '{MORNING_FORMAT}', got {data['format']!r}")
    name = data.get("name", "")
    if not isinstance(name, str):
        raise ProblemError("name", f"must be a string, got {name!r}")
    if not isinstance(data["date"], str):
        raise ProblemError("date", f"must be a date \"YYYY-MM-DD\", got {data['date']!r}")
    window = _object(data["window"], "window", required=("start", "end"), optional=())
    window_pair = (parse_time(window["start"], "window.start"), parse_time(window["end"], "window.end"))
    now = parse_time(data["now"], "now") if "now" in data else None
    notice = _integer(data["notice"], "notice") if "notice" in data else DEFAULT_NOTICE

    resources = []
    for i, item in enumerate(_array(data["resources"], "resources")):
        path = f"resources[{i}]"
        item = _object(item, path, required=("id", "kind", "available"), optional=())
        available = []
        for j, pair in enumerate(_array(item["available"], f"{path}.available")):
            ipath = f"{path}.available[{j}]"
            if not isinstance(pair, list) or len(pair) != 2:
                raise ProblemError(ipath, "must be a pair [\"HH:MM\", \"HH:MM\"]")
            available.append((parse_time(pair[0], f"{ipath}[0]"), parse_time(pair[1], f"{ipath}[1]")))
        resources.append(_build(path, Resource, id=_string(item["id"], f"{path}.id"),
                                kind=_string(item["kind"], f"{path}.kind"), available=tuple(available)))

    pathways = []
    pathways_data = data["pathways"]
    if not isinstance(pathways_data, Mapping):
        raise ProblemError("pathways", f"must be an object, got {type(pathways_data).__name__}")
    for pathway_id, item in pathways_data.items():
        path = f"pathways.{pathway_id}"
        item = _object(item, path, required=("steps",), optional=())
        steps = []
        for i, step in enumerate(_array(item["steps"], f"{path}.steps")):
            spath = f"{path}.steps[{i}]"
            step = _object(step, spath, required=("id", "duration", "needs"), optional=("after", "same_as"))
            needs = tuple(_string(k, f"{spath}.needs[{j}]") for j, k in enumerate(_array(step["needs"], f"{spath}.needs")))
            after = []
            for j, lag in enumerate(_array(step.get("after", []), f"{spath}.after")):
                lpath = f"{spath}.after[{j}]"
                lag = _object(lag, lpath, required=("step",), optional=("min", "max"))
                after.append(_build(lpath, Lag, step=_string(lag["step"], f"{lpath}.step"),
                                    min=_integer(lag.get("min", 0), f"{lpath}.min"),
                                    max=_integer(lag["max"], f"{lpath}.max") if "max" in lag else None))
            same_as = step.get("same_as", {})
            if not isinstance(same_as, Mapping):
                raise ProblemError(f"{spath}.same_as", f"must be an object, got {type(same_as).__name__}")
            same_as = tuple((kind, _string(other, f"{spath}.same_as.{kind}")) for kind, other in same_as.items())
            steps.append(_build(spath, Step, id=_string(step["id"], f"{spath}.id"),
                                duration=_integer(step["duration"], f"{spath}.duration"),
                                needs=needs, after=tuple(after), same_as=same_as))
        pathways.append(_build(path, Pathway, id=pathway_id, steps=tuple(steps)))

    patients = []
    for i, item in enumerate(_array(data["patients"], "patients")):
        path = f"patients[{i}]"
        item = _object(item, path, required=("id", "pathway"),
                       optional=("earliest", "latest", "priority", "extra", "arrived"))
        extra = item.get("extra", {})
        if not isinstance(extra, Mapping):
            raise ProblemError(f"{path}.extra", f"must be an object, got {type(extra).__name__}")
        patients.append(_build(
            path, Patient, id=_string(item["id"], f"{path}.id"), pathway=_string(item["pathway"], f"{path}.pathway"),
            earliest=parse_time(item["earliest"], f"{path}.earliest") if "earliest" in item else None,
            latest=parse_time(item["latest"], f"{path}.latest") if "latest" in item else None,
            priority=_integer(item.get("priority", 1), f"{path}.priority"),
            extra=tuple((k, _integer(v, f"{path}.extra.{k}")) for k, v in extra.items()),
            arrived=parse_time(item["arrived"], f"{path}.arrived") if "arrived" in item else None))

    fixed = [_assignment(item, f"fixed[{i}]", FixedStep)
             for i, item in enumerate(_array(data.get("fixed", []), "fixed"))]
    reference = [_assignment(item, f"reference[{i}]", Assignment)
                 for i, item in enumerate(_array(data.get("reference", []), "reference"))]

    uncertainty = _uncertainty(data["uncertainty"]) if "uncertainty" in data else None

    return _build("", Problem, window=window_pair, resources=tuple(resources), pathways=tuple(pathways),
                  patients=tuple(patients), fixed=tuple(fixed), reference=tuple(reference), now=now,
                  name=name, date=data["date"], notice=notice, uncertainty=uncertainty)


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ProblemError(path, f"must be a number >= 0, got {value!r}")
    return value


def _uncertainty(item: Any) -> Uncertainty:
    """The optional `uncertainty` block; a left-out field means no variation of that kind."""
    item = _object(item, "uncertainty", required=(),
                   optional=("duration_cv", "no_show", "punctuality_sd", "overtime_p90"))
    cv = item.get("duration_cv", 0)
    step_cv: tuple = ()
    if isinstance(cv, Mapping):
        if "default" not in cv:
            raise ProblemError("uncertainty.duration_cv.default", "missing (required)")
        step_cv = tuple((str(k), _number(v, f"uncertainty.duration_cv.{k}")) for k, v in cv.items() if k != "default")
        cv = _number(cv["default"], "uncertainty.duration_cv.default")
    else:
        cv = _number(cv, "uncertainty.duration_cv")
    return _build("uncertainty", Uncertainty, duration_cv=cv, step_cv=step_cv,
                  no_show=_number(item.get("no_show", 0), "uncertainty.no_show"),
                  punctuality_sd=_number(item.get("punctuality_sd", 0), "uncertainty.punctuality_sd"),
                  overtime_p90=(_number(item["overtime_p90"], "uncertainty.overtime_p90")
                                if "overtime_p90" in item else None))


def problem_to_json(problem: Problem) -> dict:
    """The `mammapoli-morning/1` instance of a `Problem` (defaults left out); the inverse
    of `problem_from_json`."""
    out: dict[str, Any] = {"format": MORNING_FORMAT}
    if problem.name:
        out["name"] = problem.name
    out["date"] = problem.date
    out["window"] = {"start": fmt_time(problem.window[0]), "end": fmt_time(problem.window[1])}
    if problem.now is not None:
        out["now"] = fmt_time(problem.now)
    if problem.notice != DEFAULT_NOTICE:
        out["notice"] = problem.notice
    out["resources"] = [{"id": r.id, "kind": r.kind, "available": [[fmt_time(a), fmt_time(b)] for a, b in r.available]}
                        for r in problem.resources]
    pathways: dict[str, Any] = {}
    for pathway in problem.pathways:
        steps = []
        for step in pathway.steps:
            entry: dict[str, Any] = {"id": step.id, "duration": step.duration, "needs": list(step.needs)}
            if step.after:
                entry["after"] = [{"step": lag.step, **({"min": lag.min} if lag.min else {}),
                                   **({"max": lag.max} if lag.max is not None else {})} for lag in step.after]
            if step.same_as:
                entry["same_as"] = dict(step.same_as)
            steps.append(entry)
        pathways[pathway.id] = {"steps": steps}
    out["pathways"] = pathways
    patients = []
    for p in problem.patients:
        entry = {"id": p.id, "pathway": p.pathway}
        for key in ("earliest", "latest", "arrived"):
            if getattr(p, key) is not None:
                entry[key] = fmt_time(getattr(p, key))
        if p.priority != 1:
            entry["priority"] = p.priority
        if p.extra:
            entry["extra"] = dict(p.extra)
        patients.append(entry)
    out["patients"] = patients

    def assignment(a: Assignment) -> dict:
        entry = {"patient": a.patient, "step": a.step, "start": fmt_time(a.start), "resources": list(a.resources)}
        if a.end is not None:
            entry["end"] = fmt_time(a.end)
        return entry

    if problem.fixed:
        out["fixed"] = [assignment(a) for a in problem.fixed]
    if problem.reference:
        out["reference"] = [assignment(a) for a in problem.reference]
    u = problem.uncertainty
    if u is not None:
        cv: Any = {"default": u.duration_cv, **dict(u.step_cv)} if u.step_cv else u.duration_cv
        out["uncertainty"] = {"duration_cv": cv, "no_show": u.no_show, "punctuality_sd": u.punctuality_sd,
                              **({"overtime_p90": u.overtime_p90} if u.overtime_p90 is not None else {})}
    return out


def instance_name(data: Any) -> str:
    """The instance's name, if it can be read at all (for the plan of an invalid instance)."""
    if isinstance(data, Mapping) and isinstance(data.get("name"), str):
        return data["name"]
    return ""


def plan_to_json(result: Result) -> dict:
    """The `mammapoli-plan/1` document for a result."""
    plan: dict[str, Any] = {"format": PLAN_FORMAT, "instance": result.instance, "status": result.status.value}
    if result.error is not None:
        plan["error"] = result.error
    if result.objective is not None:
        o = result.objective
        plan["objective"] = {"scheduled": o.scheduled, "priority_scheduled": o.priority_scheduled,
                             "total_stay": o.total_stay, "lower_bound_total_stay": o.lower_bound_total_stay}
    plan["assignments"] = [
        {"patient": a.patient, "step": a.step, "start": fmt_time(a.start), "end": fmt_time(a.end),
         "resources": list(a.resources)} for a in result.assignments]
    plan["unscheduled"] = [{"patient": u.patient, "reason": u.reason} for u in result.unscheduled]
    if result.risk is not None:
        plan["risk"] = result.risk.to_json()
    plan["stats"] = result.stats.to_json()
    return plan


def plan_status(plan: Mapping) -> Status:
    return Status(plan["status"])

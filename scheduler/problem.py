"""The problem: one clinic morning as frozen dataclasses, validated at construction.

Times are integer minutes since midnight throughout the engine; `scheduler.io` converts
the exchange format's "HH:MM" strings. Every check raises `ProblemError(path, message)`
where `path` names the field the way the JSON instance spells it
(`patients[3].pathway`, `pathways.core.steps[2].after[0].step`), so a planner can find it.

Local checks (a duration is positive, intervals are ordered) live in each dataclass's
`__post_init__` and report a path relative to that object; `Problem.__post_init__` runs the
cross-reference checks (a step named in `after` exists, `same_as` kinds are needed by both
steps, the step graph is acyclic, fixed steps name real patients, steps and resources).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date as _date
from typing import Any

from .clock import fmt_time

_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class ProblemError(ValueError):
    """An instance breaks the format; `path` names the offending field."""

    def __init__(self, path: str, message: str):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)

    def within(self, prefix: str) -> "ProblemError":
        """The same error, seen from the object that contains the offending one."""
        if not prefix:
            return self
        if not self.path:
            path = prefix
        elif self.path.startswith("["):
            path = prefix + self.path
        else:
            path = f"{prefix}.{self.path}"
        return ProblemError(path, self.message)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_id(value: Any, path: str) -> None:
    if not isinstance(value, str) or not value:
        raise ProblemError(path, f"must be a non-empty string, got {value!r}")


def _check_minutes(value: Any, path: str, *, minimum: int = 0) -> None:
    if not _is_int(value) or value < minimum:
        raise ProblemError(path, f"must be an integer >= {minimum}, got {value!r}")


def _check_time(value: Any, path: str) -> None:
    if not _is_int(value) or not 0 <= value <= 24 * 60:
        raise ProblemError(path, f"must be minutes since midnight (0..1440), got {value!r}")


def _freeze_pairs(value: Any, path: str) -> tuple[tuple[str, Any], ...]:
    """Mappings become tuples of pairs (hashable, ordered as given)."""
    if isinstance(value, Mapping):
        return tuple(value.items())
    try:
        pairs = tuple(tuple(pair) for pair in value)
    except TypeError:
        raise ProblemError(path, f"must be a mapping, got {value!r}") from None
    if any(len(pair) != 2 for pair in pairs):
        raise ProblemError(path, "must be a mapping or a sequence of (key, value) pairs")
    return pairs


def _check_named_once(pairs: tuple[tuple[str, Any], ...], field: str, what: str, check_value) -> None:
    """A mapping's pairs (`field`): each key an id, each value checked as `field.key`, and no
    key named twice (a `what` is named once)."""
    seen: set[str] = set()
    for key, value in pairs:
        _check_id(key, field)
        check_value(value, f"{field}.{key}")
        if key in seen:
            raise ProblemError(f"{field}.{key}", f"{what} is named twice")
        seen.add(key)


#: Minutes a patient who is not yet in the clinic needs to be reached and to travel: a
#: re-plan keeps her published arrival or gives her one at least this long after `now`.
DEFAULT_NOTICE = 30


@dataclass(frozen=True)
class Lag:
    """Precedence: the step starts between `min` and `max` minutes after `step` ends."""

    step: str
    min: int = 0
    max: int | None = None

    def __post_init__(self) -> None:
        _check_id(self.step, "step")
        _check_minutes(self.min, "min")
        if self.max is not None:
            _check_minutes(self.max, "max")
            if self.max < self.min:
                raise ProblemError("", f"max {self.max} is less than min {self.min}")


@dataclass(frozen=True)
class Step:
    """One step of a pathway template; `needs` lists resource kinds (a kind twice = two)."""

    id: str
    duration: int
    needs: tuple[str, ...] = ()
    after: tuple[Lag, ...] = ()
    same_as: tuple[tuple[str, str], ...] = ()  # (kind, step id): same resource of that kind

    def __post_init__(self) -> None:
        _check_id(self.id, "id")
        _check_minutes(self.duration, "duration", minimum=1)
        object.__setattr__(self, "needs", tuple(self.needs))
        for i, kind in enumerate(self.needs):
            _check_id(kind, f"needs[{i}]")
        object.__setattr__(self, "after", tuple(self.after))
        for i, lag in enumerate(self.after):
            if not isinstance(lag, Lag):
                raise ProblemError(f"after[{i}]", f"must be a Lag, got {lag!r}")
        object.__setattr__(self, "same_as", _freeze_pairs(self.same_as, "same_as"))
        _check_named_once(self.same_as, "same_as", "kind", _check_id)

    @property
    def same_as_map(self) -> dict[str, str]:
        return dict(self.same_as)


@dataclass(frozen=True)
class Pathway:
    """A named template: the steps every patient on it goes through."""

    id: str
    steps: tuple[Step, ...]

    def __post_init__(self) -> None:
        _check_id(self.id, "id")
        object.__setattr__(self, "steps", tuple(self.steps))
        if not self.steps:
            raise ProblemError("steps", "must not be empty")
        ids: dict[str, int] = {}
        for i, step in enumerate(self.steps):
            if not isinstance(step, Step):
                raise ProblemError(f"steps[{i}]", f"must be a Step, got {step!r}")
            if step.id in ids:
                raise ProblemError(f"steps[{i}].id", f"duplicate step id '{step.id}'")
            ids[step.id] = i
        for i, step in enumerate(self.steps):
            for j, lag in enumerate(step.after):
                if lag.step not in ids:
                    raise ProblemError(f"steps[{i}].after[{j}].step", f"unknown step '{lag.step}'")
                if lag.step == step.id:
                    raise ProblemError(f"steps[{i}].after[{j}].step", "a step cannot follow itself")
            for kind, other in step.same_as:
                path = f"steps[{i}].same_as.{kind}"
                if other not in ids:
                    raise ProblemError(path, f"unknown step '{other}'")
                if other == step.id:
                    raise ProblemError(path, "a step cannot name itself")
                for holder in (step, self.steps[ids[other]]):
                    if kind not in holder.needs:
                        raise ProblemError(path, f"kind '{kind}' is not in the needs of step '{holder.id}'")
        self._check_acyclic(ids)

    def _check_acyclic(self, ids: dict[str, int]) -> None:
        state = [0] * len(self.steps)  # 0 new, 1 on the stack, 2 done
        for root in range(len(self.steps)):
            if state[root]:
                continue
            stack = [(root, 0)]
            trail = [root]
            state[root] = 1
            while stack:
                node, k = stack.pop()
                after = self.steps[node].after
                if k < len(after):
                    stack.append((node, k + 1))
                    nxt = ids[after[k].step]
                    if state[nxt] == 1:
                        cycle = trail[trail.index(nxt):] + [nxt]
                        names = " -> ".join(self.steps[c].id for c in reversed(cycle))
                        raise ProblemError(f"steps[{node}].after[{k}].step", f"cycle {names}")
                    if state[nxt] == 0:
                        state[nxt] = 1
                        trail.append(nxt)
                        stack.append((nxt, 0))
                else:
                    state[node] = 2
                    trail.pop()

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)


@dataclass(frozen=True)
class Resource:
    """One person, room or device with capacity one, usable inside its `available` intervals."""

    id: str
    kind: str
    available: tuple[tuple[int, int], ...]

    def __post_init__(self) -> None:
        _check_id(self.id, "id")
        _check_id(self.kind, "kind")
        try:
            intervals = tuple(tuple(pair) for pair in self.available)
        except TypeError:
            raise ProblemError("available", "must be a list of [start, end] pairs") from None
        object.__setattr__(self, "available", intervals)
        previous_end = None
        for i, pair in enumerate(intervals):
            if len(pair) != 2:
                raise ProblemError(f"available[{i}]", "must be a [start, end] pair")
            start, end = pair
            _check_time(start, f"available[{i}][0]")
            _check_time(end, f"available[{i}][1]")
            if end <= start:
                raise ProblemError(f"available[{i}]", "is empty: the end must be after the start")
            if previous_end is not None and start < previous_end:
                raise ProblemError(f"available[{i}]", "overlaps the previous interval (or is out of order)")
            previous_end = end


@dataclass(frozen=True)
class Patient:
    """A booked patient; `extra` adds minutes to named steps of their pathway."""

    id: str
    pathway: str
    earliest: int | None = None
    latest: int | None = None
    priority: int = 1
    extra: tuple[tuple[str, int], ...] = ()
    arrived: int | None = None   # on the day: in the clinic since then (checked in, or a walk-in)
    # (step id, resource id): the step must be done by that resource, e.g. her result handed
    # over to another surgeon. Not part of the exchange format: set by the caller in Python.
    assigned: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        _check_id(self.id, "id")
        _check_id(self.pathway, "pathway")
        if self.earliest is not None:
            _check_time(self.earliest, "earliest")
        if self.latest is not None:
            _check_time(self.latest, "latest")
        if self.arrived is not None:
            _check_time(self.arrived, "arrived")
        if not _is_int(self.priority) or self.priority < 1:
            raise ProblemError("priority", f"must be an integer >= 1, got {self.priority!r}")
        object.__setattr__(self, "extra", _freeze_pairs(self.extra, "extra"))
        object.__setattr__(self, "assigned", _freeze_pairs(self.assigned, "assigned"))
        _check_named_once(self.extra, "extra", "step", _check_minutes)

    @property
    def extra_map(self) -> dict[str, int]:
        return dict(self.extra)


@dataclass(frozen=True)
class Assignment:
    """A step placed in time on resources: a fixed step, a reference step or a planned one."""

    patient: str
    step: str
    start: int
    resources: tuple[str, ...] = ()
    end: int | None = None

    def __post_init__(self) -> None:
        _check_id(self.patient, "patient")
        _check_id(self.step, "step")
        _check_time(self.start, "start")
        if self.end is not None:
            _check_time(self.end, "end")
        object.__setattr__(self, "resources", tuple(self.resources))
        for i, resource in enumerate(self.resources):
            _check_id(resource, f"resources[{i}]")


@dataclass(frozen=True)
class FixedStep(Assignment):
    """A step under way or done (re-planning): kept exactly, exempt from `available`.

    Without `end`, it lasts the planned duration (with the patient's extra minutes).
    """

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.end is not None and self.end <= self.start:
            raise ProblemError("end", "must be after the start")


def _check_number(value: Any, path: str, *, maximum: float | None = None) -> None:
    """A finite number >= 0 (and <= `maximum`); whole numbers count, booleans do not."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0
    if not ok or (maximum is not None and value > maximum):
        bound = ">= 0" if maximum is None else f"between 0 and {maximum:g}"
        raise ProblemError(path, f"must be a number {bound}, got {value!r}")


@dataclass(frozen=True)
class Uncertainty:
    """How the clinic's mornings vary (the instance's optional `uncertainty` block).

    `duration_cv` is the coefficient of variation of every step's duration, `step_cv`
    overrides it for named step ids; `no_show` the probability that a patient who is not
    present does not come; `punctuality_sd` the standard deviation (minutes) of her arrival
    around the planned one; `overtime_p90` the clinic's limit (minutes) on the 90th
    percentile of overtime (None: no limit given). A field the instance leaves out means
    no variation of that kind.
    """

    duration_cv: float = 0.0
    step_cv: tuple[tuple[str, float], ...] = ()
    no_show: float = 0.0
    punctuality_sd: float = 0.0
    overtime_p90: float | None = None

    def __post_init__(self) -> None:
        _check_number(self.duration_cv, "duration_cv.default" if self.step_cv else "duration_cv")
        object.__setattr__(self, "step_cv", _freeze_pairs(self.step_cv, "duration_cv"))
        seen: set[str] = set()
        for step_id, cv in self.step_cv:
            _check_id(step_id, "duration_cv")
            if step_id == "default":
                raise ProblemError("duration_cv.default", "the default is `duration_cv` itself, not a step")
            if step_id in seen:
                raise ProblemError(f"duration_cv.{step_id}", "step is named twice")
            seen.add(step_id)
            _check_number(cv, f"duration_cv.{step_id}")
        _check_number(self.no_show, "no_show", maximum=1)
        _check_number(self.punctuality_sd, "punctuality_sd")
        if self.overtime_p90 is not None:
            _check_number(self.overtime_p90, "overtime_p90")

    def cv(self, step_id: str) -> float:
        """The coefficient of variation of a step's duration."""
        for named, cv in self.step_cv:
            if named == step_id:
                return cv
        return self.duration_cv


@dataclass(frozen=True)
class Problem:
    """One clinic morning: the input of `scheduler.solve`."""

    window: tuple[int, int]
    resources: tuple[Resource, ...]
    pathways: tuple[Pathway, ...]
    patients: tuple[Patient, ...]
    fixed: tuple[FixedStep, ...] = ()
    reference: tuple[Assignment, ...] = ()
    now: int | None = None
    name: str = ""
    date: str = ""
    notice: int = DEFAULT_NOTICE
    uncertainty: Uncertainty | None = None   # how the mornings vary (None: plan deterministically)
    _index: dict = field(default=None, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        for name in ("resources", "pathways", "patients", "fixed", "reference"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if not isinstance(self.name, str):
            raise ProblemError("name", f"must be a string, got {self.name!r}")
        if self.date:
            try:
                if not isinstance(self.date, str) or not _DATE.match(self.date):
                    raise ValueError
                _date.fromisoformat(self.date)
            except ValueError:
                raise ProblemError("date", f"{self.date!r} is not a date YYYY-MM-DD") from None
        try:
            start, end = self.window
        except (TypeError, ValueError):
            raise ProblemError("window", "must be a (start, end) pair") from None
        _check_time(start, "window.start")
        _check_time(end, "window.end")
        if end <= start:
            raise ProblemError("window", "the end must be after the start")
        object.__setattr__(self, "window", (start, end))
        if self.now is not None:
            _check_time(self.now, "now")
        _check_minutes(self.notice, "notice")

        resources: dict[str, int] = {}
        for i, res in enumerate(self.resources):
            if not isinstance(res, Resource):
                raise ProblemError(f"resources[{i}]", f"must be a Resource, got {res!r}")
            if res.id in resources:
                raise ProblemError(f"resources[{i}].id", f"duplicate resource id '{res.id}'")
            resources[res.id] = i
            for j, (a, b) in enumerate(res.available):
                if a < start or b > end:
                    raise ProblemError(f"resources[{i}].available[{j}]", "lies outside the window")

        pathways: dict[str, int] = {}
        for i, pathway in enumerate(self.pathways):
            if not isinstance(pathway, Pathway):
                raise ProblemError(f"pathways[{i}]", f"must be a Pathway, got {pathway!r}")
            if pathway.id in pathways:
                raise ProblemError(f"pathways.{pathway.id}", "duplicate pathway id")
            pathways[pathway.id] = i

        patients: dict[str, int] = {}
        for i, patient in enumerate(self.patients):
            if not isinstance(patient, Patient):
                raise ProblemError(f"patients[{i}]", f"must be a Patient, got {patient!r}")
            if patient.id in patients:
                raise ProblemError(f"patients[{i}].id", f"duplicate patient id '{patient.id}'")
            patients[patient.id] = i
            if patient.pathway not in pathways:
                raise ProblemError(f"patients[{i}].pathway", f"unknown pathway '{patient.pathway}'")
            earliest = start if patient.earliest is None else patient.earliest
            latest = end if patient.latest is None else patient.latest
            if earliest >= latest:
                field_ = "latest" if patient.latest is not None else "earliest"
                raise ProblemError(f"patients[{i}].{field_}",
                                   f"latest {fmt_time(latest)} is not after earliest {fmt_time(earliest)}")
            if patient.arrived is not None and self.now is not None and patient.arrived > self.now:
                raise ProblemError(f"patients[{i}].arrived",
                                   f"{fmt_time(patient.arrived)} is after now ({fmt_time(self.now)})")
            pathway = self.pathways[pathways[patient.pathway]]
            step_ids = {s.id for s in pathway.steps}
            for step_id, _ in patient.extra:
                if step_id not in step_ids:
                    raise ProblemError(f"patients[{i}].extra.{step_id}",
                                       f"unknown step '{step_id}' in pathway '{pathway.id}'")
            for step_id, rid in patient.assigned:
                path = f"patients[{i}].assigned.{step_id}"
                if step_id not in step_ids:
                    raise ProblemError(path, f"unknown step '{step_id}' in pathway '{pathway.id}'")
                if rid not in resources:
                    raise ProblemError(path, f"unknown resource '{rid}'")
                if self.resources[resources[rid]].kind not in pathway.step(step_id).needs:
                    raise ProblemError(path, f"resource '{rid}' is not of a kind step '{step_id}' needs")

        fixed_seen: dict[tuple[str, str], int] = {}
        for i, fixed in enumerate(self.fixed):
            path = f"fixed[{i}]"
            if not isinstance(fixed, Assignment):
                raise ProblemError(path, f"must be a FixedStep, got {fixed!r}")
            if fixed.patient not in patients:
                raise ProblemError(f"{path}.patient", f"unknown patient '{fixed.patient}'")
            patient = self.patients[patients[fixed.patient]]
            pathway = self.pathways[pathways[patient.pathway]]
            try:
                step = pathway.step(fixed.step)
            except KeyError:
                raise ProblemError(f"{path}.step", f"unknown step '{fixed.step}' in pathway '{pathway.id}'") from None
            key = (fixed.patient, fixed.step)
            if key in fixed_seen:
                raise ProblemError(path, f"step '{fixed.step}' of patient '{fixed.patient}' is fixed twice "
                                         f"(also fixed[{fixed_seen[key]}])")
            fixed_seen[key] = i
            for j, rid in enumerate(fixed.resources):
                if rid not in resources:
                    raise ProblemError(f"{path}.resources[{j}]", f"unknown resource '{rid}'")
            if len(set(fixed.resources)) != len(fixed.resources):
                raise ProblemError(f"{path}.resources", "names a resource twice")
            kinds = [self.resources[resources[rid]].kind for rid in fixed.resources]
            if kinds != list(step.needs):
                raise ProblemError(f"{path}.resources",
                                   f"kinds {kinds} do not match, in order, the needs {list(step.needs)} "
                                   f"of step '{step.id}'")

        for i, ref in enumerate(self.reference):
            if not isinstance(ref, Assignment):
                raise ProblemError(f"reference[{i}]", f"must be an Assignment, got {ref!r}")

        if self.uncertainty is not None:
            if not isinstance(self.uncertainty, Uncertainty):
                raise ProblemError("uncertainty", f"must be an Uncertainty, got {self.uncertainty!r}")
            step_ids = {s.id for pathway in self.pathways for s in pathway.steps}
            for step_id, _ in self.uncertainty.step_cv:
                if step_id not in step_ids:
                    raise ProblemError(f"uncertainty.duration_cv.{step_id}", "no pathway has a step of that id")

        object.__setattr__(self, "_index", {
            "resources": resources, "pathways": pathways, "patients": patients})

    # Look-ups -------------------------------------------------------------------------
    def pathway(self, pathway_id: str) -> Pathway:
        return self.pathways[self._index["pathways"][pathway_id]]

    def resource(self, resource_id: str) -> Resource:
        return self.resources[self._index["resources"][resource_id]]

    def patient(self, patient_id: str) -> Patient:
        return self.patients[self._index["patients"][patient_id]]

    def patient_index(self, patient_id: str) -> int:
        return self._index["patients"][patient_id]

    @property
    def on_the_day(self) -> bool:
        """The morning is under way (`now`, or someone has arrived): the objective keeps
        faith with the patients in the clinic first (see `scheduler.solve`)."""
        return self.now is not None or any(p.arrived is not None for p in self.patients)

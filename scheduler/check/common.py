"""What the validator's parts share: the formats' names and keys, `Violation`, and reading
times and ids from raw JSON (standard library only; no code shared with the engine)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

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


def _is_number(value: object, maximum: float | None = None) -> bool:
    """A finite number >= 0 (and <= maximum); booleans are not numbers here."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            and value >= 0 and (maximum is None or value <= maximum))

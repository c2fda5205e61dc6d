"""Checks a `mammapoli-morning/1` instance before anything is written.

The shape is checked against `docs/morning.schema.json`; the cross-references the import
relies on (a patient's pathway exists, `after`/`same_as` name steps of the same pathway,
fixed and reference entries name known patients, steps and resources) are checked here.
Errors name the field, as the engine does: `patients[3].pathway: unknown pathway 'fnaa'`.
"""

import datetime as dt
import json
from functools import cache

import jsonschema
from django.conf import settings


class MorningFormatError(ValueError):
    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((settings.BASE_DIR / "docs" / "morning.schema.json").read_text())
    return jsonschema.Draft202012Validator(schema)


def _path(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def validate_morning(data) -> None:
    if not isinstance(data, dict):
        raise MorningFormatError("", "an instance is a JSON object")
    error = jsonschema.exceptions.best_match(_validator().iter_errors(data))
    if error is not None:
        raise MorningFormatError(_path(error.absolute_path) or "(top level)", error.message)
    try:
        dt.date.fromisoformat(data["date"])
    except ValueError:
        raise MorningFormatError("date", f"not a date: {data['date']!r}") from None
    pathways = data["pathways"]
    for code, pathway in pathways.items():
        ids = [s["id"] for s in pathway["steps"]]
        for i, step in enumerate(pathway["steps"]):
            where = f"pathways.{code}.steps[{i}]"
            for j, lag in enumerate(step.get("after", [])):
                if lag["step"] not in ids:
                    raise MorningFormatError(f"{where}.after[{j}].step", f"unknown step {lag['step']!r}")
            for kind, other in step.get("same_as", {}).items():
                if other not in ids:
                    raise MorningFormatError(f"{where}.same_as.{kind}", f"unknown step {other!r}")
    patients = {}
    for i, patient in enumerate(data["patients"]):
        if patient["pathway"] not in pathways:
            raise MorningFormatError(f"patients[{i}].pathway", f"unknown pathway {patient['pathway']!r}")
        if patient["id"] in patients:
            raise MorningFormatError(f"patients[{i}].id", f"duplicate patient id {patient['id']!r}")
        if "arrived" in patient and "now" in data and patient["arrived"] > data["now"]:
            raise MorningFormatError(f"patients[{i}].arrived", f"{patient['arrived']} is after now ({data['now']})")
        patients[patient["id"]] = patient
    resources = {r["id"] for r in data["resources"]}
    for key in ("fixed", "reference"):
        for i, entry in enumerate(data.get(key, [])):
            patient = patients.get(entry["patient"])
            if patient is None:
                raise MorningFormatError(f"{key}[{i}].patient", f"unknown patient {entry['patient']!r}")
            steps = {s["id"] for s in pathways[patient["pathway"]]["steps"]}
            if entry["step"] not in steps:
                raise MorningFormatError(f"{key}[{i}].step", f"unknown step {entry['step']!r}")
            for j, code in enumerate(entry["resources"]):
                if code not in resources:
                    raise MorningFormatError(f"{key}[{i}].resources[{j}]", f"unknown resource {code!r}")

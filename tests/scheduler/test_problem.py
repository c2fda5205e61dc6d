"""Instances that break the format: status INVALID and an `error` naming the field.

Each case is also checked against the independent validator, which must agree that the
instance is not well-formed (and accept the INVALID plan).
"""

from __future__ import annotations

import copy
import dataclasses

import pytest

from engine_helpers import fixture
from scheduler import (Lag, Pathway, Patient, Problem, ProblemError, Resource, Status, Step, plan_to_json,
                       problem_from_json, solve)
from scheduler.check import check_plan, instance_problems


def broken(change) -> dict:
    inst = fixture("small-8")
    change(inst)
    return inst


def _set(path, value):
    def change(inst):
        target = inst
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


CASES = [
    ("unknown pathway", _set(["patients", 3, "pathway"], "fnaa"),
     "patients[3].pathway: unknown pathway 'fnaa'"),
    ("unknown step in after", _set(["pathways", "core", "steps", 2, "after", 0, "step"], "x"),
     "pathways.core.steps[2].after[0].step: unknown step 'x'"),
    ("overlapping availability", _set(["resources", 5, "available"], [["08:00", "10:00"], ["09:45", "13:00"]]),
     "resources[5].available[1]: overlaps the previous interval (or is out of order)"),
    ("availability outside the window", _set(["resources", 0, "available"], [["07:30", "13:00"]]),
     "resources[0].available[0]: lies outside the window"),
    ("empty availability interval", _set(["resources", 0, "available"], [["09:00", "09:00"]]),
     "resources[0].available[0]: is empty: the end must be after the start"),
    ("bad time", _set(["patients", 1, "earliest"], "9:30"),
     "patients[1].earliest: '9:30' is not a time HH:MM"),
    ("time past midnight", _set(["window", "end"], "24:00"), "window.end: '24:00' is not a time HH:MM"),
    ("unknown key", _set(["patients", 0, "prio"], 2), "patients[0].prio: unknown key"),
    ("unknown top-level key", _set(["horizon"], 5), "horizon: unknown key"),
    ("missing pathway", lambda inst: inst["patients"][2].pop("pathway"), "patients[2].pathway: missing (required)"),
    ("same_as kind not needed", _set(["pathways", "fna", "steps", 3, "same_as"], {"surgeon": "us"}),
     "pathways.fna.steps[3].same_as.surgeon: kind 'surgeon' is not in the needs of step 'fna'"),
    ("same_as unknown step", _set(["pathways", "fna", "steps", 3, "same_as"], {"radiologist": "echo"}),
     "pathways.fna.steps[3].same_as.radiologist: unknown step 'echo'"),
    ("cycle", _set(["pathways", "imaging", "steps", 0, "after"], [{"step": "result"}]),
     "pathways.imaging.steps[1].after[0].step: cycle exam -> mammo -> us -> result -> exam"),
    ("max below min", _set(["pathways", "imaging", "steps", 3, "after"], [{"step": "us", "min": 30, "max": 10}]),
     "pathways.imaging.steps[3].after[0]: max 10 is less than min 30"),
    ("zero duration", _set(["pathways", "imaging", "steps", 1, "duration"], 0),
     "pathways.imaging.steps[1].duration: must be an integer >= 1, got 0"),
    ("fractional duration", _set(["pathways", "imaging", "steps", 1, "duration"], 15.5),
     "pathways.imaging.steps[1].duration: must be a whole number, got 15.5"),
    ("duplicate step", _set(["pathways", "imaging", "steps", 1, "id"], "exam"),
     "pathways.imaging.steps[1].id: duplicate step id 'exam'"),
    ("duplicate patient", _set(["patients", 4, "id"], "P01"), "patients[4].id: duplicate patient id 'P01'"),
    ("duplicate resource", _set(["resources", 1, "id"], "chir-A"), "resources[1].id: duplicate resource id 'chir-A'"),
    ("priority zero", _set(["patients", 0, "priority"], 0), "patients[0].priority: must be an integer >= 1, got 0"),
    ("extra names no step", _set(["patients", 2, "extra"], {"biopsy": 10}),
     "patients[2].extra.biopsy: unknown step 'biopsy' in pathway 'imaging'"),
    ("latest before earliest", _set(["patients", 1, "latest"], "09:00"),
     "patients[1].latest: latest 09:00 is not after earliest 09:30"),
    ("wrong format", _set(["format"], "mammapoli-morning/2"),
     "format: expected 'mammapoli-morning/1', got 'mammapoli-morning/2'"),
    ("bad date", _set(["date"], "2026-13-01"), "date: '2026-13-01' is not a date YYYY-MM-DD"),
    ("window backwards", _set(["window"], {"start": "13:00", "end": "08:00"}), "window: the end must be after the start"),
    ("fixed unknown patient", _set(["fixed"], [{"patient": "P99", "step": "exam", "start": "08:00", "resources": []}]),
     "fixed[0].patient: unknown patient 'P99'"),
    ("fixed unknown resource",
     _set(["fixed"], [{"patient": "P01", "step": "exam", "start": "08:00", "resources": ["chir-A", "room-9"]}]),
     "fixed[0].resources[1]: unknown resource 'room-9'"),
    ("fixed resources out of order",
     _set(["fixed"], [{"patient": "P01", "step": "exam", "start": "08:00", "resources": ["spreek-A", "chir-A"]}]),
     "fixed[0].resources: kinds ['consult_room', 'surgeon'] do not match, in order, the needs "
     "['surgeon', 'consult_room'] of step 'exam'"),
    ("fixed ends before it starts",
     _set(["fixed"], [{"patient": "P01", "step": "exam", "start": "08:30", "end": "08:20",
                       "resources": ["chir-A", "spreek-A"]}]),
     "fixed[0].end: must be after the start"),
    ("not an object", lambda inst: inst.__setitem__("patients", {"P01": {}}), "patients: must be an array, got dict"),
]


@pytest.mark.parametrize("change,error", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_instance_names_the_field(change, error):
    inst = broken(change)
    result = solve(inst, time_limit=1, seed=0)
    assert result.status is Status.INVALID
    assert result.error == error
    plan = plan_to_json(result)
    assert plan["status"] == "INVALID" and plan["assignments"] == [] and plan["error"] == error
    assert instance_problems(inst) != []          # the validator agrees it is malformed
    assert check_plan(inst, plan) == []           # and accepts the INVALID plan


def test_not_even_an_object_is_invalid():
    result = solve(["not", "a", "morning"], time_limit=1)
    assert result.status is Status.INVALID and result.error == "the instance must be a JSON object, got list"


def test_problem_error_carries_path_and_message():
    with pytest.raises(ProblemError) as caught:
        problem_from_json(broken(_set(["patients", 3, "pathway"], "fnaa")))
    assert caught.value.path == "patients[3].pathway"
    assert caught.value.message == "unknown pathway 'fnaa'"


def test_dataclasses_validate_at_construction_and_are_frozen():
    exam = Step("exam", 15, ("surgeon",))
    with pytest.raises(ProblemError, match="duration: must be an integer >= 1"):
        Step("exam", 0, ("surgeon",))
    with pytest.raises(ProblemError, match=r"steps\[1\].after\[0\].step: unknown step 'x'"):
        Pathway("p", (exam, Step("b", 5, (), after=(Lag("x"),))))
    with pytest.raises(ProblemError, match=r"available\[1\]: overlaps"):
        Resource("chir-A", "surgeon", ((480, 600), (590, 700)))
    problem = Problem(window=(480, 780), resources=(Resource("chir-A", "surgeon", ((480, 780),)),),
                      pathways=(Pathway("p", (exam,)),), patients=(Patient("P1", "p"),))
    with pytest.raises(dataclasses.FrozenInstanceError):
        problem.now = 600  # type: ignore[misc]
    with pytest.raises(ProblemError, match=r"patients\[0\].pathway: unknown pathway 'q'"):
        Problem(window=(480, 780), resources=(), pathways=(Pathway("p", (exam,)),), patients=(Patient("P1", "q"),))
    result = solve(problem, time_limit=1, seed=0)
    assert result.status is Status.OPTIMAL
    assert [(a.patient, a.step, a.start, a.end, a.resources) for a in result.assignments] == \
        [("P1", "exam", 480, 495, ("chir-A",))]


def test_valid_fixture_round_trips_through_the_dataclasses():
    inst = fixture("standard-20-replan")
    problem = problem_from_json(copy.deepcopy(inst))
    assert problem.now == 10 * 60 + 15
    assert len(problem.fixed) == len(inst["fixed"]) and len(problem.reference) == len(inst["reference"])
    assert problem.pathway("core").step("histology").after == (Lag("core", 120, None),)

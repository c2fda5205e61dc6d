"""The instance's `uncertainty` block and the plan's `risk`: read by the engine (errors name
the field), accepted and shape-checked by the independent validator."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from engine_helpers import ROOT, fixture
from scheduler import Status, Uncertainty, plan_to_json, problem_from_json, solve
from scheduler.check import check_plan, instance_problems
from scheduler.testing.generator import generate_uncertain_morning, uncertainty_block
from scheduler.io import problem_to_json


def uncertain() -> dict:
    return fixture("uncertain/u-standard-20")


def with_block(block) -> dict:
    inst = uncertain()
    inst["uncertainty"] = block
    return inst


def test_the_example_block_is_read():
    problem = problem_from_json(uncertain())
    assert problem.uncertainty == Uncertainty(duration_cv=0.3, no_show=0.08, punctuality_sd=5, overtime_p90=15)
    assert problem.uncertainty.cv("core") == 0.3


def test_a_cv_per_step_with_a_default():
    block = {"duration_cv": {"default": 0.25, "core": 0.4, "fna": 0}, "no_show": 0.1}
    u = problem_from_json(with_block(block)).uncertainty
    assert (u.cv("core"), u.cv("fna"), u.cv("exam")) == (0.4, 0, 0.25)
    assert (u.no_show, u.punctuality_sd, u.overtime_p90) == (0.1, 0, None)   # left out: no variation, no limit
    assert instance_problems(with_block(block)) == []


def test_without_the_block_there_is_no_uncertainty():
    assert problem_from_json(fixture("standard-20")).uncertainty is None


BAD = [
    ({"duration_cv": {"default": 0.2, "core": -0.1}}, "uncertainty.duration_cv.core: must be a number >= 0, got -0.1",
     "uncertainty.duration_cv.core must be a number >= 0"),
    ({"duration_cv": {"core": 0.4}}, "uncertainty.duration_cv.default: missing (required)",
     "uncertainty.duration_cv: missing key 'default'"),
    ({"duration_cv": {"default": 0.2, "biopsy": 0.4}},
     "uncertainty.duration_cv.biopsy: no pathway has a step of that id",
     "uncertainty.duration_cv.biopsy: no pathway has a step 'biopsy'"),
    ({"duration_cv": "high"}, "uncertainty.duration_cv: must be a number >= 0, got 'high'",
     "uncertainty.duration_cv must be a number >= 0"),
    ({"no_show": 1.2}, "uncertainty.no_show: must be a number between 0 and 1, got 1.2",
     "uncertainty.no_show must be a probability"),
    ({"punctuality_sd": True}, "uncertainty.punctuality_sd: must be a number >= 0, got True",
     "uncertainty.punctuality_sd must be a number >= 0"),
    ({"overtime_p90": -5}, "uncertainty.overtime_p90: must be a number >= 0, got -5",
     "uncertainty.overtime_p90 must be a number >= 0"),
    ({"overtime": 15}, "uncertainty.overtime: unknown key", "uncertainty: unknown key 'overtime'"),
    ([0.3], "uncertainty: must be an object, got list", "uncertainty must be an object"),
]


@pytest.mark.parametrize("block, error, validator_says", BAD, ids=[e for _, e, _ in BAD])
def test_a_bad_block_is_invalid_with_the_field_named(block, error, validator_says):
    inst = with_block(block)
    result = solve(inst, time_limit=1, seed=0)
    assert result.status is Status.INVALID and result.error == error
    problems = instance_problems(inst)
    assert len(problems) == 1 and problems[0].startswith(validator_says)
    assert check_plan(inst, plan_to_json(result)) == []     # the INVALID plan is right


def test_the_dataclass_checks_its_fields():
    with pytest.raises(ValueError, match=r"duration_cv: must be a number >= 0, got -1"):
        Uncertainty(duration_cv=-1)
    with pytest.raises(ValueError, match=r"duration_cv.default: the default is `duration_cv` itself"):
        Uncertainty(step_cv=(("default", 0.2),))
    with pytest.raises(ValueError, match=r"duration_cv.exam: step is named twice"):
        Uncertainty(step_cv=(("exam", 0.2), ("exam", 0.3)))


# --------------------------------------------------------------------------- risk in the plan

def solved_plan() -> tuple[dict, dict]:
    inst = fixture("small-8")
    return inst, plan_to_json(solve(inst, time_limit=2, seed=0))


RISK = {"runs": 400, "answered_expected": 6.5, "priority_answered_expected": 8.25, "overtime_p90": 12,
        "overtime_mean": 3.5}


def test_the_validator_accepts_a_plan_with_risk():
    inst, plan = solved_plan()
    plan["risk"] = dict(RISK)
    assert check_plan(inst, plan) == []


BAD_RISK = [
    ("not an object", [1, 2], ["risk must be an object"]),
    ("missing", {k: v for k, v in RISK.items() if k != "overtime_p90"}, ["risk.overtime_p90 is missing"]),
    ("unknown key", {**RISK, "overtime_p95": 20}, ["unknown key 'overtime_p95' in risk"]),
    ("no runs", {**RISK, "runs": 0}, ["risk.runs must be a whole number >= 1, got 0"]),
    ("negative", {**RISK, "overtime_mean": -1}, ["risk.overtime_mean must be a number >= 0, got -1"]),
    ("more answered than scheduled", {**RISK, "answered_expected": 9, "priority_answered_expected": 9},
     ["risk.answered_expected 9 exceeds the 8 scheduled patients"]),
    ("priority below the count", {**RISK, "priority_answered_expected": 6},
     ["risk.priority_answered_expected 6 is below answered_expected 6.5 (every priority is >= 1)"]),
]


@pytest.mark.parametrize("risk, messages", [(r, m) for _, r, m in BAD_RISK], ids=[n for n, _, _ in BAD_RISK])
def test_the_validator_rejects_a_bad_risk_with_the_field_named(risk, messages):
    inst, plan = solved_plan()
    assert plan["objective"]["scheduled"] == 8
    plan["risk"] = risk
    assert [(v.rule, v.message) for v in check_plan(inst, plan)] == [("risk", m) for m in messages]


def test_a_failed_plan_carries_no_risk():
    inst = copy.deepcopy(fixture("small-8"))
    inst["patients"][0]["pathway"] = "nope"
    plan = plan_to_json(solve(inst, time_limit=1))
    plan["risk"] = dict(RISK)
    assert [v.rule for v in check_plan(inst, plan)] == ["status"]


def test_every_example_morning_round_trips_through_problem_to_json():
    for name in ("small-8", "standard-20", "standard-20-replan", "day/standard-20-mild", "uncertain/u-standard-20"):
        inst = fixture(name)
        assert problem_to_json(problem_from_json(inst)) == inst, name
    block = with_block({"duration_cv": {"default": 0.25, "core": 0.4}, "no_show": 0.1})
    assert problem_from_json(problem_to_json(problem_from_json(block))) == problem_from_json(block)


def test_generated_uncertain_mornings_are_valid_and_seeded():
    schema = json.loads((ROOT / "docs" / "morning.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    blocks = set()
    for n in (8, 20, 60):
        for seed in range(3):
            inst = generate_uncertain_morning(n, seed=seed)
            assert list(validator.iter_errors(inst)) == [] and instance_problems(inst) == []
            assert inst == generate_uncertain_morning(n, seed=seed)
            u = problem_from_json(inst).uncertainty
            assert 0.2 <= u.duration_cv <= 0.4 and u.cv("core") > u.duration_cv and 0.04 <= u.no_show <= 0.12
            assert u.overtime_p90 in (10, 15, 20, 30)
            blocks.add(json.dumps(inst["uncertainty"], sort_keys=True))
    assert len(blocks) == 9                      # other cvs and limits on every morning
    assert uncertainty_block(4) == uncertainty_block(4)

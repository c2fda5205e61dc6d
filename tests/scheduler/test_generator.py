"""The morning generator, the re-planning generator and the hypothesis strategies."""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
from greedy import greedy_plan
from hypothesis import HealthCheck, Phase, find, given, settings

from scheduler.clock import fmt_time, to_minutes
from scheduler.check import check_plan, instance_problems
from scheduler.testing.generator import generate_morning, generate_replan, staffing
from scheduler.testing.strategies import small_mornings

ROOT = Path(__file__).resolve().parents[2]
INSTANCES = ROOT / "fixtures" / "instances"
SCHEMA = json.loads((ROOT / "docs" / "morning.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
SIZES = (8, 12, 20, 40, 60)


def fixture(name: str) -> dict:
    return json.loads((INSTANCES / f"{name}.json").read_text())


def schema_errors(instance: dict) -> list[str]:
    return [error.message for error in VALIDATOR.iter_errors(instance)]


def of_kind(instance: dict, kind: str) -> list[dict]:
    return [r for r in instance["resources"] if r["kind"] == kind]


# --------------------------------------------------------------------------- generate_morning

@pytest.mark.parametrize("size", SIZES)
def test_generated_mornings_are_valid(size):
    for seed in range(3):
        morning = generate_morning(size, seed=seed)
        assert schema_errors(morning) == []
        assert instance_problems(morning) == []


def test_same_seed_same_morning_other_seed_other_morning():
    assert generate_morning(20, seed=7) == generate_morning(20, seed=7)
    assert generate_morning(20, seed=7)["patients"] != generate_morning(20, seed=8)["patients"]


def test_name_and_date():
    assert generate_morning(8, seed=3)["name"] == "generated-8-seed3"
    morning = generate_morning(8, seed=3, name="delft-tuesday", date="2027-01-05")
    assert (morning["name"], morning["date"]) == ("delft-tuesday", "2027-01-05")


def test_pathways_are_the_example_pathways():
    assert generate_morning(20, seed=0)["pathways"] == fixture("standard-20")["pathways"]


@pytest.mark.parametrize("size, example", [(8, "small-8"), (20, "standard-20")])
def test_resources_match_the_example_mornings(size, example):
    """Staff, rooms, late starts and staggered breaks are those of the examples."""
    assert generate_morning(size, seed=0)["resources"] == fixture(example)["resources"]


def test_regional_centre_of_60():
    morning = generate_morning(60, seed=0)
    counts = Counter(r["kind"] for r in morning["resources"])
    assert (counts["surgeon"], counts["radiologist"], counts["pathologist"]) == (6, 4, 2)
    assert counts["consult_room"] > counts["surgeon"]
    assert counts["ultrasound_room"] >= counts["radiologist"]
    assert counts["mammography_unit"] >= 3 and counts["radiographer"] >= 3
    assert counts["nurse"] >= 3


def test_staffing_grows_with_the_list():
    sizes = range(1, 121)
    for small, large in zip(sizes, sizes[1:]):
        assert all(staffing(small)[k] <= staffing(large)[k] for k in staffing(small))
    assert min(staffing(1).values()) == 1


def test_resource_ids_and_availability_look_like_the_examples():
    morning = generate_morning(60, seed=1)
    for resource in morning["resources"]:
        assert re.fullmatch(r"(chir|spreek|mbb|mammo|rad|echo|patho|mcv)-[A-Z]+", resource["id"])
    for kind in ("radiographer", "radiologist"):
        breaks = []
        for resource in of_kind(morning, kind):
            (_, pause), (back, _) = resource["available"]
            assert to_minutes(back) - to_minutes(pause) == 15
            breaks.append(pause)
        assert len(set(breaks)) == len(breaks)  # staggered: never two on a break at once
    assert {r["available"][0][0] for r in of_kind(morning, "pathologist")} == {"09:00"}
    assert {r["available"][0][0] for r in of_kind(morning, "nurse")} == {"08:30"}
    assert {r["available"][0][0] for r in of_kind(morning, "surgeon")} == {"08:00", "08:30"}


@pytest.mark.parametrize("size, expected", [
    (20, {"ultrasound-only": 4, "imaging": 8, "fna": 6, "core": 2}),
    (60, {"ultrasound-only": 12, "imaging": 24, "fna": 18, "core": 6}),
    (8, {"ultrasound-only": 2, "imaging": 3, "fna": 2, "core": 1}),
])
def test_pathway_mix(size, expected):
    for seed in range(3):
        morning = generate_morning(size, seed=seed)
        assert Counter(p["pathway"] for p in morning["patients"]) == expected


def test_patients_are_numbered_in_order():
    morning = generate_morning(12, seed=4)
    assert [p["id"] for p in morning["patients"]] == [f"P{i:02d}" for i in range(1, 13)]


@pytest.mark.parametrize("size", (20, 40, 60))
def test_urgent_share_is_ten_to_fifteen_percent(size):
    for seed in range(5):
        patients = generate_morning(size, seed=seed)["patients"]
        urgent = [p for p in patients if p.get("priority") == 3]
        assert round(0.10 * size) <= len(urgent) <= round(0.15 * size)
        assert all(p.get("priority", 1) in (1, 3) for p in patients)


def test_a_few_patients_have_times_and_extra_minutes():
    patients = [p for seed in range(5) for p in generate_morning(60, seed=seed)["patients"]]
    share = {key: sum(key in p for p in patients) / len(patients)
             for key in ("earliest", "latest", "extra")}
    assert 0.05 <= share["earliest"] <= 0.25
    assert 0.03 <= share["latest"] <= 0.20
    assert 0.05 <= share["extra"] <= 0.30
    extras = Counter((step, m) for p in patients for step, m in p.get("extra", {}).items())
    assert set(extras) <= {("exam", 5), ("exam", 10), ("fna", 10), ("core", 10)}
    assert extras[("exam", 5)] and extras[("exam", 10)] and extras[("fna", 10)]


@pytest.mark.parametrize("size", (8, 12, 20))
def test_ordinary_mornings_are_busy_but_mostly_feasible(size):
    """Even the simple greedy test planner fits at least 85% of the list."""
    for seed in range(3):
        morning = generate_morning(size, seed=seed)
        plan = greedy_plan(morning)
        assert check_plan(morning, plan) == []
        assert plan["objective"]["scheduled"] >= 0.85 * size


@pytest.mark.parametrize("size", (40, 60))
def test_large_mornings_get_valid_greedy_plans(size):
    morning = generate_morning(size, seed=0)
    assert check_plan(morning, greedy_plan(morning)) == []


# --------------------------------------------------------------------------- generate_replan

def published_standard_20_plan() -> dict:
    """The published plan of standard-20 is the reference of standard-20-replan (no P08)."""
    return {"format": "mammapoli-plan/1", "instance": "standard-20", "status": "FEASIBLE",
            "objective": {"scheduled": 19, "priority_scheduled": 23, "total_stay": 1860,
                          "lower_bound_total_stay": 1815},
            "assignments": fixture("standard-20-replan")["reference"],
            "unscheduled": [{"patient": "P08", "reason": "booked after the plan"}]}


def step_length(instance: dict, patient_id: str, step_id: str) -> int:
    patient = next(p for p in instance["patients"] if p["id"] == patient_id)
    step = next(s for s in instance["pathways"][patient["pathway"]]["steps"]
                if s["id"] == step_id)
    return step["duration"] + patient.get("extra", {}).get(step_id, 0)


# Rules that concern the fixed steps among themselves (the rest of the plan is still open).
FIXED_SET_RULES = {"format", "unknown-patient", "unknown-step", "unknown-resource", "needs",
                   "capacity", "patient-overlap", "precedence-min", "precedence-max",
                   "same-as", "window", "earliest", "latest", "fixed"}


def fixed_set_violations(replan: dict) -> list:
    """Check the fixed steps alone with the validator, as a partial plan."""
    steps = []
    for item in replan["fixed"]:
        end = item.get("end") or fmt_time(to_minutes(item["start"])
                                     + step_length(replan, item["patient"], item["step"]))
        steps.append({**item, "end": end})
    partial = {"format": "mammapoli-plan/1", "status": "FEASIBLE", "assignments": steps,
               "unscheduled": [], "objective": {"scheduled": 0, "priority_scheduled": 0,
                                                "total_stay": 0, "lower_bound_total_stay": 0}}
    return [v for v in check_plan(replan, partial) if v.rule in FIXED_SET_RULES]



def test_replan_of_standard_20_matches_the_example():
    """Same fixed steps as the hand-made standard-20-replan, plus one overrun."""
    example = fixture("standard-20-replan")
    for seed in range(4):
        replan = generate_replan(fixture("standard-20"), published_standard_20_plan(),
                                 now="10:15", seed=seed)
        assert list(replan) == list(example)
        assert replan["name"] == "standard-20-replan" and replan["now"] == "10:15"
        assert [(f["patient"], f["step"]) for f in replan["fixed"]] == \
               [(f["patient"], f["step"]) for f in example["fixed"]]
        changed = [(mine, theirs) for mine, theirs in zip(replan["fixed"], example["fixed"])
                   if mine != theirs]
        assert len(changed) == 1
        mine, theirs = changed[0]
        assert {**mine, "end": theirs["end"]} == theirs
        assert 5 <= to_minutes(mine["end"]) - to_minutes(theirs["end"]) <= 15
        assert fixed_set_violations(replan) == []


@pytest.mark.parametrize("size, seed, now", [
    (20, 0, "09:30"), (20, 1, "10:15"), (20, 2, "11:00"), (40, 3, "10:15"), (60, 4, "10:45"),
])
def test_replan_derivation_is_consistent(size, seed, now):
    morning = generate_morning(size, seed=seed)
    plan = greedy_plan(morning)
    replan = generate_replan(morning, plan, now=now, seed=seed)
    at = to_minutes(now)
    assert schema_errors(replan) == [] and instance_problems(replan) == []
    assert replan == generate_replan(morning, plan, now=now, seed=seed)

    # Fixed: exactly the plan's steps that started before now, one finished late.
    planned = {(a["patient"], a["step"]): a for a in plan["assignments"]}
    started = {key for key, a in planned.items() if to_minutes(a["start"]) < at}
    assert {(f["patient"], f["step"]) for f in replan["fixed"]} == started
    late = []
    for item in replan["fixed"]:
        original = planned[(item["patient"], item["step"])]
        assert (item["start"], item["resources"]) == (original["start"], original["resources"])
        if "end" not in item:
            assert to_minutes(original["end"]) > at  # still running at now
        elif item["end"] != original["end"]:
            late.append(to_minutes(item["end"]) - to_minutes(original["end"]))
        assert "end" not in item or to_minutes(item["end"]) <= at
    assert len(late) == 1 and 5 <= late[0] <= 15
    assert fixed_set_violations(replan) == []

    # One no-show who had not started; gone from patients and reference.
    before = {p["id"] for p in morning["patients"]}
    after = {p["id"] for p in replan["patients"]}
    (no_show,) = before - after
    assert no_show not in {patient for patient, _ in started}
    assert no_show not in {a["patient"] for a in replan["reference"]}
    assert replan["reference"] == [a for a in plan["assignments"] if a["patient"] != no_show]

    # One or two urgent fine-needle walk-ins from now.
    walk_ins = [p for p in replan["patients"] if p["id"] not in before]
    assert 1 <= len(walk_ins) <= 2
    assert all(p == {"id": p["id"], "pathway": "fna", "earliest": now, "priority": 3}
               for p in walk_ins)

    # One radiologist leaves at some time after now; nobody else's hours change.
    changed = [(old, new) for old, new in zip(morning["resources"], replan["resources"])
               if old != new]
    assert len(changed) == 1
    old, new = changed[0]
    assert new["kind"] == "radiologist"
    leaves = to_minutes(new["available"][-1][1])
    assert at < leaves < to_minutes(old["available"][-1][1])
    assert new["available"] == [[a, min(b, fmt_time(leaves))] for a, b in old["available"]
                                if to_minutes(a) < leaves]


def test_fixed_set_check_catches_overlapping_fixed_steps():
    """The consistency check above can fail: two fixed steps on one resource at once."""
    replan = generate_replan(fixture("standard-20"), published_standard_20_plan(),
                             now="10:15", seed=0)
    assert fixed_set_violations(replan) == []
    broken = copy.deepcopy(replan)
    p09_exam = next(f for f in broken["fixed"] if (f["patient"], f["step"]) == ("P09", "exam"))
    p09_exam["end"] = "08:20"  # chir-A also does P01's exam from 08:15
    # ...and P09 is still in it when their ultrasound starts at 08:15.
    assert {v.rule for v in fixed_set_violations(broken)} == {"capacity", "patient-overlap",
                                                             "precedence-min"}


def test_replan_refuses_bad_input():
    morning = generate_morning(8, seed=0)
    plan = greedy_plan(morning)
    with pytest.raises(ValueError, match="not inside the window"):
        generate_replan(morning, plan, now="13:30", seed=0)
    with pytest.raises(ValueError, match="HH:MM"):
        generate_replan(morning, plan, now="9:30", seed=0)
    broken = copy.deepcopy(plan)
    broken["assignments"][0]["start"] = "07:00"
    with pytest.raises(ValueError, match="valid solved plan"):
        generate_replan(morning, broken, now="10:00", seed=0)


# --------------------------------------------------------------------------- strategies

@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_mornings())
def test_small_mornings_are_valid_and_greedy_plans_of_them_check(morning):
    assert schema_errors(morning) == []
    assert instance_problems(morning) == []
    assert 1 <= len(morning["patients"]) <= 6
    assert all(1 <= n <= 3 for n in Counter(r["kind"] for r in morning["resources"]).values())
    assert check_plan(morning, greedy_plan(morning)) == []


def _steps(morning: dict) -> list[dict]:
    return [s for p in morning["pathways"].values() for s in p["steps"]]


@pytest.mark.parametrize("feature", [
    lambda m: any(len(s["needs"]) > len(set(s["needs"])) for s in _steps(m)),
    lambda m: any("same_as" in s for s in _steps(m)),
    lambda m: any("max" in lag and lag.get("min", 0) > 0
                  for s in _steps(m) for lag in s.get("after", [])),
    lambda m: any(len(r["available"]) == 2 for r in m["resources"]),
    lambda m: any(r["available"][0][1] == r["available"][1][0]
                  for r in m["resources"] if len(r["available"]) == 2),
    lambda m: any("earliest" in p and "latest" in p for p in m["patients"]),
    lambda m: any(len(s.get("after", [])) == 2 for s in _steps(m)),
], ids=["kind-twice", "same-as", "min-and-max-lag", "break", "touching-intervals",
        "earliest-and-latest", "two-predecessors"])
def test_small_mornings_reach_the_odd_corners(feature):
    quick = settings(max_examples=2000, database=None, phases=[Phase.generate])  # no shrinking
    example = find(small_mornings(), feature, settings=quick)
    assert feature(example)


def test_greedy_plans_of_small_mornings_schedule_the_odd_corners():
    """The property test above is not vacuous: plans do hold a kind twice and same_as."""
    def busy_and_odd(morning: dict) -> bool:
        plan = greedy_plan(morning)
        held = {(a["patient"], a["step"]) for a in plan["assignments"]}
        pathway = {p["id"]: p["pathway"] for p in morning["patients"]}
        steps = [next(s for s in morning["pathways"][pathway[pid]]["steps"] if s["id"] == sid)
                 for pid, sid in held]
        return (plan["objective"]["scheduled"] >= 3
                and any(len(s["needs"]) > len(set(s["needs"])) for s in steps)
                and any("same_as" in s for s in steps))

    quick = settings(max_examples=2000, database=None, phases=[Phase.generate])
    assert busy_and_odd(find(small_mornings(), busy_and_odd, settings=quick))

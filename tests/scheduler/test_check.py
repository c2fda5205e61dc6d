"""The independent plan validator: one small case per rule, with the exact rule codes.

`tiny_morning()` is a hand-made morning of two patients on a four-step pathway and
`tiny_plan()` a hand-checked valid plan of it (times worked out in the comments); each
test breaks one rule and asserts exactly which violations come back.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.check import Violation, check_plan, instance_problems, main

ROOT = Path(__file__).resolve().parents[2]
INSTANCES = ROOT / "fixtures" / "instances"
DATA = Path(__file__).resolve().parent / "data"


def tiny_morning() -> dict:
    """doc-B has a break 09:30-09:45; step d has no `after`, so it may go anywhere."""
    return {
        "format": "mammapoli-morning/1",
        "name": "tiny",
        "date": "2026-12-01",
        "window": {"start": "08:00", "end": "11:00"},
        "resources": [
            {"id": "doc-A", "kind": "doctor", "available": [["08:00", "11:00"]]},
            {"id": "doc-B", "kind": "doctor",
             "available": [["08:00", "09:30"], ["09:45", "11:00"]]},
            {"id": "doc-C", "kind": "doctor", "available": [["08:00", "11:00"]]},
            {"id": "room-A", "kind": "room", "available": [["08:00", "11:00"]]},
            {"id": "room-B", "kind": "room", "available": [["08:00", "11:00"]]},
            {"id": "nurse-A", "kind": "nurse", "available": [["08:00", "11:00"]]},
        ],
        "pathways": {
            "visit": {"steps": [
                {"id": "a", "duration": 10, "needs": ["doctor", "room"]},
                {"id": "b", "duration": 10, "needs": ["doctor", "doctor"],
                 "after": [{"step": "a", "min": 5, "max": 20}]},
                {"id": "c", "duration": 10, "needs": ["doctor", "room"],
                 "same_as": {"doctor": "a"}, "after": [{"step": "b"}]},
                {"id": "d", "duration": 5, "needs": ["nurse"]},
            ]},
        },
        "patients": [
            {"id": "P1", "pathway": "visit"},
            {"id": "P2", "pathway": "visit", "earliest": "09:00", "latest": "10:30",
             "priority": 3, "extra": {"a": 5}},
        ],
    }


def tiny_plan() -> dict:
    """Stays: P1 08:00-08:35 (35), P2 09:00-09:55 (55); critical paths 35 and 40."""
    return {
        "format": "mammapoli-plan/1",
        "instance": "tiny",
        "status": "OPTIMAL",
        "objective": {"scheduled": 2, "priority_scheduled": 4, "total_stay": 90,
                      "lower_bound_total_stay": 75},
        "assignments": [
            _a("P1", "a", "08:00", "08:10", "doc-A", "room-A"),
            _a("P1", "d", "08:10", "08:15", "nurse-A"),
            _a("P1", "b", "08:15", "08:25", "doc-A", "doc-B"),
            _a("P1", "c", "08:25", "08:35", "doc-A", "room-A"),  # touches b on doc-A: allowed
            _a("P2", "a", "09:00", "09:15", "doc-B", "room-B"),  # 10 min + 5 extra
            _a("P2", "d", "09:15", "09:20", "nurse-A"),
            _a("P2", "b", "09:20", "09:30", "doc-A", "doc-B"),  # ends as doc-B's break starts
            _a("P2", "c", "09:45", "09:55", "doc-B", "room-B"),  # starts as doc-B returns
        ],
        "unscheduled": [],
        "stats": {"engine": "hand-made"},
    }


def _a(patient: str, step: str, start: str, end: str, *resources: str) -> dict:
    return {"patient": patient, "step": step, "start": start, "end": end,
            "resources": list(resources)}


def find(plan: dict, patient: str, step: str) -> dict:
    return next(a for a in plan["assignments"] if (a["patient"], a["step"]) == (patient, step))


def move(plan: dict, patient: str, step: str, start: str, end: str) -> None:
    item = find(plan, patient, step)
    item["start"], item["end"] = start, end


def drop_patient(plan: dict, patient: str) -> None:
    plan["assignments"] = [a for a in plan["assignments"] if a["patient"] != patient]


def rules(instance: dict, plan: dict) -> list[str]:
    """The violated rule codes, sorted so that tests compare exact multisets."""
    return sorted(v.rule for v in check_plan(instance, plan))


# --------------------------------------------------------------------------- valid plans

def test_hand_made_plan_is_valid():
    assert check_plan(tiny_morning(), tiny_plan()) == []


def test_violation_is_a_frozen_rule_and_message():
    violation = Violation("capacity", "doc-A is double-booked")
    assert str(violation) == "capacity: doc-A is double-booked"
    with pytest.raises(AttributeError):
        violation.rule = "other"  # type: ignore[misc]


def test_fixture_instances_are_well_formed():
    for path in sorted(INSTANCES.glob("*.json")):
        assert instance_problems(json.loads(path.read_text())) == [], path.name


# --------------------------------------------------------------------------- plan format

def test_wrong_format_tag():
    plan = tiny_plan()
    plan["format"] = "mammapoli-plan/2"
    assert rules(tiny_morning(), plan) == ["format"]


def test_unknown_key_in_plan():
    plan = tiny_plan()
    plan["comment"] = "hello"
    assert rules(tiny_morning(), plan) == ["format"]


def test_unknown_key_in_assignment():
    plan = tiny_plan()
    find(plan, "P1", "b")["room"] = "room-A"
    # The malformed assignment is not used further, so P1 also lacks step b.
    assert rules(tiny_morning(), plan) == ["format", "partial-patient"]


def test_plan_for_another_instance():
    plan = tiny_plan()
    plan["instance"] = "standard-20"
    assert rules(tiny_morning(), plan) == ["format"]


def test_time_not_hh_mm():
    plan = tiny_plan()
    find(plan, "P1", "b")["start"] = "8:15"
    assert rules(tiny_morning(), plan) == ["format", "partial-patient"]


def test_assignment_without_end():
    plan = tiny_plan()
    del find(plan, "P1", "b")["end"]
    assert rules(tiny_morning(), plan) == ["format", "partial-patient"]


def test_unknown_status():
    plan = tiny_plan()
    plan["status"] = "GREAT"
    assert rules(tiny_morning(), plan) == ["format"]


def test_solved_plan_needs_assignments_unscheduled_and_objective():
    plan = tiny_plan()
    del plan["unscheduled"], plan["objective"]
    assert rules(tiny_morning(), plan) == ["format", "format"]


@pytest.mark.parametrize("garbage", [
    None, [], "plan", 3, {},
    {"format": "mammapoli-plan/1", "status": "OPTIMAL", "assignments": "all",
     "unscheduled": {}, "objective": []},
    {"format": "mammapoli-plan/1", "status": "FEASIBLE", "unscheduled": [None, {"x": 1}],
     "assignments": [None, 1, {"patient": ["P1"], "step": {}, "start": 800, "end": None,
                                "resources": "doc-A"}],
     "objective": {"scheduled": True, "total_stay": -1}},
    {"format": "mammapoli-plan/1", "status": ["OPTIMAL"]},
])
def test_garbage_plan_gives_violations_not_a_traceback(garbage):
    violations = check_plan(tiny_morning(), garbage)
    assert violations
    assert "internal" not in {v.rule for v in violations}


# --------------------------------------------------------------------------- status

def test_invalid_status_for_a_well_formed_instance():
    plan = {"format": "mammapoli-plan/1", "status": "INVALID", "error": "bad"}
    assert rules(tiny_morning(), plan) == ["status"]


def test_invalid_status_for_a_broken_instance_is_right():
    instance = tiny_morning()
    instance["pathways"]["visit"]["steps"][1]["after"] = [{"step": "nope"}]
    plan = {"format": "mammapoli-plan/1", "status": "INVALID",
            "error": "pathways.visit step b: after names unknown step 'nope'"}
    assert check_plan(instance, plan) == []


def test_solved_plan_for_a_broken_instance():
    instance = tiny_morning()
    instance["patients"][1]["extra"] = {"z": 5}
    assert rules(instance, tiny_plan()) == ["instance"]


def test_a_null_window_is_a_broken_instance_not_a_crash():
    instance = tiny_morning()
    instance["window"] = None
    assert rules(instance, tiny_plan()) == ["instance"]


def test_infeasible_without_fixed_steps_cannot_be_right():
    plan = {"format": "mammapoli-plan/1", "status": "INFEASIBLE", "error": "no room"}
    assert rules(tiny_morning(), plan) == ["status"]


def test_infeasible_with_fixed_steps_is_accepted():
    instance = tiny_morning()
    instance["fixed"] = [{"patient": "P1", "step": "a", "start": "08:00",
                          "resources": ["doc-A", "room-A"]}]
    plan = {"format": "mammapoli-plan/1", "status": "INFEASIBLE",
            "error": "P1: fixed step a cannot be followed in time"}
    assert check_plan(instance, plan) == []


def test_failed_status_must_not_carry_assignments_and_must_say_why():
    instance = tiny_morning()
    instance["fixed"] = [{"patient": "P1", "step": "a", "start": "08:00",
                          "resources": ["doc-A", "room-A"]}]
    plan = {"format": "mammapoli-plan/1", "status": "INFEASIBLE",
            "assignments": tiny_plan()["assignments"]}
    assert rules(instance, plan) == ["status", "status"]


# --------------------------------------------------------------------------- patients and steps

def test_assignment_to_unknown_patient():
    plan = tiny_plan()
    plan["assignments"].append(_a("P9", "a", "10:00", "10:10", "doc-C", "room-A"))
    assert rules(tiny_morning(), plan) == ["unknown-patient"]


def test_assignment_to_step_not_in_pathway():
    plan = tiny_plan()
    plan["assignments"].append(_a("P1", "biopsy", "10:00", "10:10", "doc-C", "room-A"))
    assert rules(tiny_morning(), plan) == ["unknown-step"]


def test_patient_missing_a_step():
    plan = tiny_plan()
    plan["assignments"].remove(find(plan, "P1", "b"))
    assert rules(tiny_morning(), plan) == ["partial-patient"]


def test_step_assigned_twice():
    plan = tiny_plan()
    plan["assignments"].append(_a("P1", "d", "10:00", "10:05", "nurse-A"))
    assert rules(tiny_morning(), plan) == ["partial-patient"]


def test_patient_neither_scheduled_nor_unscheduled():
    plan = tiny_plan()
    drop_patient(plan, "P2")
    plan["objective"] = {"scheduled": 1, "priority_scheduled": 1, "total_stay": 35,
                         "lower_bound_total_stay": 35}
    assert rules(tiny_morning(), plan) == ["missing-patient"]


def test_unscheduled_patient_with_a_reason_is_valid():
    plan = tiny_plan()
    drop_patient(plan, "P2")
    plan["unscheduled"] = [{"patient": "P2", "reason": "doc-B is away 09:30-09:45"}]
    plan["objective"] = {"scheduled": 1, "priority_scheduled": 1, "total_stay": 35,
                         "lower_bound_total_stay": 35}
    assert check_plan(tiny_morning(), plan) == []


@pytest.mark.parametrize("entries", [
    [{"patient": "P2", "reason": ""}],
    [{"patient": "P2"}],
    [{"patient": "P2", "reason": "busy"}, {"patient": "P2", "reason": "busy"}],
])
def test_unscheduled_needs_one_entry_with_a_reason(entries):
    plan = tiny_plan()
    drop_patient(plan, "P2")
    plan["unscheduled"] = entries
    plan["objective"] = {"scheduled": 1, "priority_scheduled": 1, "total_stay": 35,
                         "lower_bound_total_stay": 35}
    assert rules(tiny_morning(), plan) == ["unscheduled"]


def test_patient_both_scheduled_and_unscheduled():
    plan = tiny_plan()
    plan["unscheduled"] = [{"patient": "P1", "reason": "no surgeon"}]
    assert rules(tiny_morning(), plan) == ["unscheduled"]


def test_unscheduled_unknown_patient():
    plan = tiny_plan()
    plan["unscheduled"] = [{"patient": "P7", "reason": "no surgeon"}]
    assert rules(tiny_morning(), plan) == ["unknown-patient"]


# --------------------------------------------------------------------------- one step

def test_duration_must_equal_duration_plus_extra():
    plan = tiny_plan()
    move(plan, "P2", "a", "09:00", "09:10")  # forgot the 5 extra minutes
    assert rules(tiny_morning(), plan) == ["duration"]


def test_resource_of_the_wrong_kind():
    plan = tiny_plan()
    find(plan, "P1", "b")["resources"] = ["doc-A", "room-B"]
    assert rules(tiny_morning(), plan) == ["needs"]


def test_resources_out_of_needs_order():
    plan = tiny_plan()
    find(plan, "P1", "c")["resources"] = ["room-A", "doc-A"]
    # Position 1 holds a room where a doctor is needed and vice versa; and the doctor
    # of c (by position) is no longer the doctor of a.
    assert rules(tiny_morning(), plan) == ["needs", "needs", "same-as"]


def test_kind_needed_twice_needs_two_different_resources():
    plan = tiny_plan()
    find(plan, "P1", "b")["resources"] = ["doc-A", "doc-A"]
    assert rules(tiny_morning(), plan) == ["needs"]


def test_too_few_resources():
    plan = tiny_plan()
    find(plan, "P1", "b")["resources"] = ["doc-A"]
    assert rules(tiny_morning(), plan) == ["needs"]


def test_unknown_resource():
    plan = tiny_plan()
    find(plan, "P1", "b")["resources"] = ["doc-A", "doc-Z"]
    assert rules(tiny_morning(), plan) == ["unknown-resource"]


def test_capacity_one_per_resource():
    plan = tiny_plan()
    move(plan, "P1", "d", "09:17", "09:22")  # nurse-A does P2 d 09:15-09:20
    plan["objective"]["total_stay"] = 137  # P1 now stays 08:00-09:22
    assert rules(tiny_morning(), plan) == ["capacity"]


def test_availability_outside_a_break():
    plan = tiny_plan()
    move(plan, "P2", "c", "09:35", "09:45")  # doc-B is on a break 09:30-09:45
    assert rules(tiny_morning(), plan) == ["availability", "objective"]  # stay 45, not 55


def test_step_spanning_touching_intervals_is_not_available():
    """[08:00, 09:30) + [09:30, 11:00) is still two intervals: a step must fit in one."""
    instance = tiny_morning()
    instance["resources"][1]["available"] = [["08:00", "09:30"], ["09:30", "11:00"]]
    plan = tiny_plan()
    move(plan, "P2", "b", "09:25", "09:35")
    move(plan, "P2", "c", "09:45", "09:55")
    assert rules(instance, plan) == ["availability"]
    move(plan, "P2", "b", "09:30", "09:40")  # inside the second interval: fine
    assert rules(instance, plan) == []


def test_step_outside_the_window():
    plan = tiny_plan()
    move(plan, "P1", "c", "10:55", "11:05")
    # Outside the window is also outside doc-A's and room-A's availability, past P1's
    # default latest (the window end), and it lengthens P1's stay.
    assert rules(tiny_morning(), plan) == ["availability", "availability", "latest",
                                           "objective", "window"]


# --------------------------------------------------------------------------- between steps

def test_precedence_min_lag():
    plan = tiny_plan()
    move(plan, "P2", "d", "09:30", "09:35")
    move(plan, "P2", "b", "09:17", "09:27")  # 2 min after a, needs 5
    assert rules(tiny_morning(), plan) == ["precedence-min"]


def test_precedence_default_min_is_zero():
    plan = tiny_plan()
    move(plan, "P1", "c", "08:10", "08:20")  # c before b (a 08:00-08:10, b 08:25-08:35)
    move(plan, "P1", "d", "08:20", "08:25")
    move(plan, "P1", "b", "08:25", "08:35")
    assert rules(tiny_morning(), plan) == ["precedence-min"]


def test_precedence_max_lag():
    plan = tiny_plan()
    move(plan, "P1", "b", "08:31", "08:41")  # 21 min after a, at most 20
    move(plan, "P1", "c", "08:41", "08:51")
    plan["objective"]["total_stay"] = 106
    assert rules(tiny_morning(), plan) == ["precedence-max"]


def test_same_as_resource():
    plan = tiny_plan()
    find(plan, "P2", "c")["resources"] = ["doc-C", "room-B"]  # a was done by doc-B
    assert rules(tiny_morning(), plan) == ["same-as"]


def test_same_as_a_step_that_needs_the_kind_twice():
    """With a kind needed twice, same_as holds when the two steps share one of that kind."""
    instance = tiny_morning()
    instance["pathways"]["visit"]["steps"][2]["same_as"] = {"doctor": "b"}
    plan = tiny_plan()
    assert check_plan(instance, plan) == []  # P1 c: doc-A in {doc-A, doc-B}; P2 c: doc-B
    find(plan, "P2", "c")["resources"] = ["doc-C", "room-B"]
    assert rules(instance, plan) == ["same-as"]


def test_patient_in_two_steps_at_once():
    plan = tiny_plan()
    move(plan, "P1", "d", "08:05", "08:10")  # during a
    assert rules(tiny_morning(), plan) == ["patient-overlap"]


def test_patient_starts_before_earliest():
    instance = tiny_morning()
    instance["patients"][1]["earliest"] = "09:05"
    assert rules(instance, tiny_plan()) == ["earliest"]


def test_patient_ends_after_latest():
    instance = tiny_morning()
    instance["patients"][1]["latest"] = "09:50"
    assert rules(instance, tiny_plan()) == ["latest"]


# --------------------------------------------------------------------------- now and fixed

def test_step_that_is_not_fixed_starts_before_now():
    instance = tiny_morning()
    instance["now"] = "08:10"
    assert rules(instance, tiny_plan()) == ["now"]  # P1 a at 08:00; d at 08:10 is fine


# --------------------------------------------------------------------------- the day as it happens

def test_a_step_before_she_arrived():
    instance = tiny_morning()
    instance["patients"][0]["arrived"] = "08:05"
    plan = tiny_plan()
    plan["objective"]["total_stay"] = 90  # P1's stay counts from 08:00 (her first step) still
    assert rules(instance, plan) == ["arrived"]  # P1 a at 08:00


def test_her_stay_counts_from_when_she_arrived():
    instance = tiny_morning()
    instance["now"] = "08:00"
    instance["patients"][1]["arrived"] = "08:00"  # P2 arrived at 08:00; first step 09:00
    plan = tiny_plan()
    assert rules(instance, plan) == ["objective"]
    plan["objective"]["total_stay"] = 35 + 115
    assert check_plan(instance, plan) == []


def _published(instance: dict, start: str) -> None:
    instance["reference"] = [_a("P2", "a", start, "09:15", "doc-B", "room-B")]


def _p1_done(instance: dict, now: str) -> None:
    """It is `now`, and P1's morning happened as planned (her steps are fixed)."""
    instance["now"] = now
    instance["fixed"] = [{k: v for k, v in a.items()} for a in tiny_plan()["assignments"] if a["patient"] == "P1"]


def test_a_published_patient_keeps_her_arrival_or_is_told_in_time():
    instance = tiny_morning()
    _p1_done(instance, "08:40")
    _published(instance, "09:00")
    assert check_plan(instance, tiny_plan()) == []   # kept at 09:00
    _published(instance, "08:50")                    # moved to 09:00: only 20 min after now
    assert rules(instance, tiny_plan()) == ["notice"]
    instance["notice"] = 20
    assert check_plan(instance, tiny_plan()) == []
    _p1_done(instance, "08:30")                       # 09:00 is 30 min after now: in time
    instance["notice"] = 30
    _published(instance, "08:45")
    assert check_plan(instance, tiny_plan()) == []


def test_the_notice_does_not_bind_a_patient_in_the_clinic_or_a_late_one():
    instance = tiny_morning()
    _p1_done(instance, "08:40")
    _published(instance, "08:50")
    instance["patients"][1]["arrived"] = "08:35"
    plan = tiny_plan()
    plan["objective"]["total_stay"] = 35 + 80
    assert check_plan(instance, plan) == []           # she is here: no call to make
    del instance["patients"][1]["arrived"]
    _published(instance, "08:30")                     # late: due 08:30, not here at 08:40
    assert check_plan(instance, tiny_plan()) == []


@pytest.mark.parametrize(("change", "expected"), [
    ({"notice": -1}, "notice must be whole minutes >= 0, got -1"),
    ({"notice": "30"}, "notice must be whole minutes >= 0, got '30'"),
    ({"now": "08:00", "arrived": "08:30"}, "patient P1: arrived 08:30 is after now 08:00"),
    ({"arrived": "8:30"}, "patient P1: arrived '8:30' is not a time HH:MM"),
])
def test_day_fields_of_the_instance(change, expected):
    instance = tiny_morning()
    if "arrived" in change:
        instance["patients"][0]["arrived"] = change.pop("arrived")
    instance.update(change)
    assert instance_problems(instance) == [expected]


def fixed_a(**changes) -> dict:
    item = {"patient": "P1", "step": "a", "start": "08:00", "resources": ["doc-A", "room-A"]}
    item.update(changes)
    return item


def test_fixed_step_kept_exactly_is_valid():
    instance = tiny_morning()
    instance["fixed"] = [fixed_a(end="08:10")]
    instance["now"] = "08:10"
    assert check_plan(instance, tiny_plan()) == []


def test_running_fixed_step_ends_after_duration_plus_extra():
    instance = tiny_morning()
    instance["fixed"] = [{"patient": "P2", "step": "a", "start": "09:00",
                          "resources": ["doc-B", "room-B"]}]
    assert check_plan(instance, tiny_plan()) == []
    plan = tiny_plan()
    move(plan, "P2", "a", "09:00", "09:10")
    assert rules(instance, plan) == ["fixed"]


@pytest.mark.parametrize("changes", [
    {"start": "08:01", "end": "08:11"},
    {"resources": ["doc-C", "room-A"]},
    {"end": "08:09"},  # finished a minute early (an overrun would also raise the bound)
])
def test_fixed_step_moved_or_changed(changes):
    instance = tiny_morning()
    instance["fixed"] = [fixed_a(**changes)]
    assert rules(instance, tiny_plan()) == ["fixed"]


def test_fixed_step_is_exempt_from_availability_only():
    instance = tiny_morning()
    instance["resources"][0]["available"] = [["08:05", "11:00"]]  # doc-A arrives late
    assert rules(instance, tiny_plan()) == ["availability"]
    instance["fixed"] = [fixed_a(end="08:10")]
    assert check_plan(instance, tiny_plan()) == []


def test_fixed_step_overrun_counts_in_stay_and_lower_bound():
    """P1 a overran to 08:12; the lower bound must use that real length (37 + 40)."""
    instance = tiny_morning()
    instance["fixed"] = [fixed_a(end="08:12")]
    plan = tiny_plan()
    move(plan, "P1", "a", "08:00", "08:12")
    move(plan, "P1", "d", "08:12", "08:17")
    move(plan, "P1", "b", "08:17", "08:27")
    move(plan, "P1", "c", "08:27", "08:37")
    plan["objective"].update(total_stay=92, lower_bound_total_stay=77)
    assert check_plan(instance, plan) == []
    plan["objective"]["lower_bound_total_stay"] = 76
    assert rules(instance, plan) == ["lower-bound"]


def test_other_steps_may_not_overlap_fixed_steps():
    instance = tiny_morning()
    instance["fixed"] = [{"patient": "P1", "step": "d", "start": "09:15", "end": "09:20",
                          "resources": ["nurse-A"]}]
    plan = tiny_plan()
    move(plan, "P1", "d", "09:15", "09:20")  # kept as fixed, but P2 d is on nurse-A then
    plan["objective"]["total_stay"] = 135
    assert rules(instance, plan) == ["capacity"]


def test_fixed_patient_must_be_scheduled():
    instance = tiny_morning()
    instance["fixed"] = [fixed_a(end="08:10")]
    plan = tiny_plan()
    drop_patient(plan, "P1")
    plan["unscheduled"] = [{"patient": "P1", "reason": "gone home"}]
    plan["objective"] = {"scheduled": 1, "priority_scheduled": 3, "total_stay": 55,
                         "lower_bound_total_stay": 40}
    assert rules(instance, plan) == ["fixed", "fixed"]  # step missing; listed unscheduled


def test_rules_between_two_fixed_steps_still_apply():
    """Fixed steps that contradict each other make the plan INFEASIBLE, not valid."""
    instance = tiny_morning()
    instance["fixed"] = [{"patient": "P2", "step": "a", "start": "09:00",
                          "resources": ["doc-B", "room-B"]},
                         {"patient": "P2", "step": "b", "start": "09:17", "end": "09:27",
                          "resources": ["doc-A", "doc-B"]}]
    plan = tiny_plan()
    move(plan, "P2", "d", "09:30", "09:35")
    move(plan, "P2", "b", "09:17", "09:27")  # 2 min after a ends, needs 5
    assert rules(instance, plan) == ["precedence-min"]


# --------------------------------------------------------------------------- objective

@pytest.mark.parametrize("key, value", [
    ("scheduled", 1), ("priority_scheduled", 2), ("total_stay", 91),
])
def test_objective_must_match_the_assignments(key, value):
    plan = tiny_plan()
    plan["objective"][key] = value
    assert rules(tiny_morning(), plan) == ["objective"]


def test_objective_keys_are_exact():
    plan = tiny_plan()
    plan["objective"]["moved"] = 0
    assert rules(tiny_morning(), plan) == ["format"]
    plan = tiny_plan()
    del plan["objective"]["lower_bound_total_stay"]
    assert rules(tiny_morning(), plan) == ["format"]


@pytest.mark.parametrize("bound, expected", [
    (75, []), (90, []), (74, ["lower-bound"]), (91, ["lower-bound"]),
])
def test_lower_bound_between_critical_paths_and_total_stay(bound, expected):
    plan = tiny_plan()
    plan["objective"]["lower_bound_total_stay"] = bound
    assert rules(tiny_morning(), plan) == expected


# --------------------------------------------------------------------------- the instance

@pytest.mark.parametrize("break_it, expected", [
    (lambda i: i.pop("window"), "instance: missing key 'window'"),
    (lambda i: i.update(extra=1), "instance: unknown key 'extra'"),
    (lambda i: i["resources"][1].update(available=[["09:45", "11:00"], ["08:00", "09:30"]]),
     "resources[1] (doc-B).available[1]: 08:00-09:30 is not sorted after, or overlaps, "
     "09:45-11:00"),
    (lambda i: i["resources"][0].update(available=[["07:00", "11:00"]]),
     "resources[0] (doc-A).available[0]: 07:00-11:00 is not inside the window 08:00-11:00"),
    (lambda i: i["pathways"]["visit"]["steps"][0].update(after=[{"step": "c"}]),
     "pathways['visit']: the steps' `after` graph has a cycle"),
    (lambda i: i["pathways"]["visit"]["steps"][2].update(same_as={"nurse": "a"}),
     "pathways['visit'] step 'c': same_as kind 'nurse' is not in the needs of both 'c' "
     "and 'a'"),
    (lambda i: i["pathways"]["visit"]["steps"][1]["after"][0].update(max=2),
     "pathways['visit'] step 'b': after 'a' has max 2 below min 5"),
    (lambda i: i["patients"][1].update(latest="08:30"),
     "patient P2: earliest 09:00 is not before latest 08:30"),
    (lambda i: i.update(fixed=[{"patient": "P1", "step": "a", "start": "08:00",
                                "resources": ["room-A", "doc-A"]}]),
     "fixed[0]: P1 a resources ['room-A', 'doc-A'] do not match its needs ['doctor', 'room'] "
     "(one distinct resource per need, in order)"),
])
def test_instance_problems_name_the_field(break_it, expected):
    instance = tiny_morning()
    break_it(instance)
    assert instance_problems(instance) == [expected]


# --------------------------------------------------------------------------- small-8

def small_8() -> dict:
    return json.loads((INSTANCES / "small-8.json").read_text())


def small_8_plan() -> dict:
    return json.loads((DATA / "small-8.valid-plan.json").read_text())


def test_small_8_hand_checked_plan_is_valid():
    assert check_plan(small_8(), small_8_plan()) == []


def test_small_8_shift_a_step_into_a_busy_radiologist():
    plan = small_8_plan()
    move(plan, "P06", "us", "09:25", "09:40")  # rad-A/echo-A do P05 us 09:35-09:50
    # ...and P06's result at 09:45 is now only 5 of the 10 minutes after the ultrasound.
    assert rules(small_8(), plan) == ["capacity", "capacity", "precedence-min"]


def test_small_8_swap_the_radiologist_of_an_ultrasound():
    plan = small_8_plan()
    find(plan, "P08", "us")["resources"] = ["rad-A", "echo-B"]  # rad-A does P04 core then
    assert rules(small_8(), plan) == ["capacity", "same-as"]  # and fna is by rad-B


def test_small_8_drop_a_step():
    plan = small_8_plan()
    plan["assignments"].remove(find(plan, "P03", "mammo"))
    assert rules(small_8(), plan) == ["partial-patient"]


def test_small_8_histology_before_the_lab_lag():
    plan = small_8_plan()
    move(plan, "P04", "histology", "11:15", "11:35")  # core ended 09:20; +120 is 11:20
    assert rules(small_8(), plan) == ["precedence-min"]


def test_small_8_result_too_long_after_imaging():
    plan = small_8_plan()
    move(plan, "P07", "result", "12:40", "12:50")  # us ended 10:15; at most 120 min later
    assert rules(small_8(), plan) == ["objective", "precedence-max"]  # and a longer stay


def test_small_8_radiographer_during_the_coffee_break():
    plan = small_8_plan()
    find(plan, "P03", "mammo")["resources"] = ["mbb-A", "mammo-A"]  # 09:55-10:10
    # mbb-A breaks at 10:00, and does P07 mammo until 10:00.
    assert rules(small_8(), plan) == ["availability", "capacity"]


def test_small_8_message_names_patient_step_resource_and_times():
    plan = small_8_plan()
    find(plan, "P03", "mammo")["resources"] = ["mbb-A", "mammo-A"]
    messages = [v.message for v in check_plan(small_8(), plan)]
    assert ("P03 mammo 09:55-10:10 uses mbb-A outside its availability "
            "(08:00-10:00, 10:15-13:00)") in messages
    assert "mbb-A is used by P07 mammo 09:45-10:00 and P03 mammo 09:55-10:10 at the same " \
           "time" in messages


def test_spec_authors_plan_of_standard_20_is_valid():
    """The `reference` of standard-20-replan is the published plan of standard-20 less
    the no-show P08: an independent check that validator and spec authors agree."""
    morning = json.loads((INSTANCES / "standard-20.json").read_text())
    replan = json.loads((INSTANCES / "standard-20-replan.json").read_text())
    plan = {"format": "mammapoli-plan/1", "instance": "standard-20", "status": "FEASIBLE",
            "objective": {"scheduled": 19, "priority_scheduled": 23, "total_stay": 1860,
                          "lower_bound_total_stay": 1815},
            "assignments": replan["reference"],
            "unscheduled": [{"patient": "P08", "reason": "no-show"}]}
    assert check_plan(morning, plan) == []


# --------------------------------------------------------------------------- command line

def write(tmp_path: Path, name: str, data: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return str(path)


def test_cli_valid_plan(tmp_path, capsys):
    code = main([write(tmp_path, "i.json", tiny_morning()), write(tmp_path, "p.json", tiny_plan())])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("OK: OPTIMAL plan for tiny is valid: 2 of 2 patients scheduled")


def test_cli_prints_each_violation(tmp_path, capsys):
    plan = tiny_plan()
    move(plan, "P1", "d", "08:05", "08:10")
    plan["objective"]["total_stay"] = 1
    code = main([write(tmp_path, "i.json", tiny_morning()), write(tmp_path, "p.json", plan)])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert lines == [
        "patient-overlap: P1 is in P1 a 08:00-08:10 and P1 d 08:05-08:10 at the same time",
        "objective: objective.total_stay is 1 but the plan's assignments give 90",
    ]


def test_cli_unreadable_files(tmp_path, capsys):
    instance = write(tmp_path, "i.json", tiny_morning())
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert main([instance, str(tmp_path / "missing.json")]) == 2
    assert main([instance, str(broken)]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_cli_usage_error():
    assert main(["only-one-argument.json"]) == 2


# --------------------------------------------------------------------------- robustness

def _paths(node, prefix=()):
    """Every (container, key) path inside a JSON document."""
    items = node.items() if isinstance(node, dict) else enumerate(node) \
        if isinstance(node, list) else []
    for key, child in items:
        yield prefix + (key,)
        yield from _paths(child, prefix + (key,))


def _replace(document, path, value):
    document = copy.deepcopy(document)
    node = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return document


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 2000) | st.floats(allow_nan=True)
    | st.sampled_from(["", "08:00", "25:99", "P1", "a", "doc-A", "OPTIMAL", "INVALID"]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["patient", "step", "start", "end", "resources", "x"]),
                      inner, max_size=3),
    max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_corrupted_plan_or_instance_gives_violations_never_a_crash(data):
    plan, instance = tiny_plan(), tiny_morning()
    target = data.draw(st.sampled_from(["plan", "instance"]))
    document = plan if target == "plan" else instance
    path = data.draw(st.sampled_from(list(_paths(document))))
    corrupted = _replace(document, path, data.draw(_JSON))
    if target == "plan":
        plan = corrupted
    else:
        instance = corrupted
    violations = check_plan(instance, plan)
    assert all(isinstance(v, Violation) for v in violations)
    assert "internal" not in {v.rule for v in violations}


@pytest.mark.parametrize("key", ["window", "resources", "pathways", "patients"])
def test_a_required_key_set_to_null_is_a_format_problem_not_a_crash(key):
    instance = json.loads((ROOT / "fixtures/instances/small-8.json").read_text())
    instance[key] = None
    assert f"instance: {key!r} is null" in instance_problems(instance)
    rules = {v.rule for v in check_plan(instance, {"format": "mammapoli-plan/1", "status": "INVALID", "error": "x"})}
    assert "internal" not in rules

"""The day as it happens: one small morning per on-the-day rule, with the exact outcome.

`arrived` (she is in the clinic), `notice` (a patient not here keeps her published arrival or
is told in time), and the on-the-day objective: the patients in the clinic first, then the
others, then as few moves as possible, then the total stay. Every plan is also checked by the
independent validator (`engine_helpers.run`).
"""

from __future__ import annotations

from engine_helpers import fixture, morning, patient, res, run, step, steps_of, unscheduled
from scheduler import solve

ONE_STEP = {"p": {"steps": [step("a", 30, "doctor")]}}
FORTY = {"p": {"steps": [step("a", 40, "doctor")]}}


def ref(pid: str, start: str, resource: str = "D", sid: str = "a") -> dict:
    return {"patient": pid, "step": sid, "start": start, "resources": [resource]}


def test_a_patient_in_the_clinic_is_kept_over_one_with_a_higher_priority_who_is_not():
    inst = morning([res("D", "doctor")], FORTY,
                   [patient("W1", priority=5), patient("P1", arrived="07:55")],
                   window=("08:00", "09:00"), now="08:00")
    result, plan = run(inst)
    assert result.status.value == "OPTIMAL"
    assert steps_of(plan, "P1") == {"a": ("08:00", "08:40", ["D"])}
    assert unscheduled(plan) == {"W1": "doctor D is busy 08:00-08:40; the earliest 'a' would end 09:20, "
                                       "after the window"}
    assert plan["objective"]["priority_scheduled"] == 1


def test_a_move_inside_the_notice_is_refused():
    # P0's exam overran to 08:25: P1 (published 08:10, not here yet) cannot keep her time and
    # cannot be asked to come at 08:25 either: the first arrival she can be given is 08:30.
    inst = morning([res("D", "doctor")], ONE_STEP, [patient("P0"), patient("P1")], now="08:00",
                   fixed=[{"patient": "P0", "step": "a", "start": "07:55", "end": "08:25", "resources": ["D"]}],
                   reference=[ref("P0", "07:40"), ref("P1", "08:10")], window=("07:40", "10:00"))
    result, plan = run(inst)
    assert steps_of(plan, "P1") == {"a": ("08:30", "09:00", ["D"])}
    assert (plan["stats"]["moved_patients"], plan["stats"]["moved_minutes"]) == (1, 20)


def test_the_notice_is_the_instances_own():
    inst = morning([res("D", "doctor")], ONE_STEP, [patient("P0"), patient("P1")], now="08:00", notice=10,
                   fixed=[{"patient": "P0", "step": "a", "start": "07:55", "end": "08:25", "resources": ["D"]}],
                   reference=[ref("P0", "07:40"), ref("P1", "08:10")], window=("07:40", "10:00"))
    _, plan = run(inst)
    assert steps_of(plan, "P1") == {"a": ("08:25", "08:55", ["D"])}


def test_a_late_patient_is_not_counted_as_moved():
    # P1 was due at 08:00 and is not here at 08:10: whenever she is seen now, that is no move.
    inst = morning([res("D", "doctor")], ONE_STEP, [patient("P1"), patient("P2"), patient("P3")],
                   window=("08:00", "10:00"), now="08:10",
                   reference=[ref("P1", "08:00"), ref("P2", "08:30"), ref("P3", "09:00")])
    result, plan = run(inst)
    assert result.status.value == "OPTIMAL"
    assert steps_of(plan, "P2")["a"][0] == "08:30" and steps_of(plan, "P3")["a"][0] == "09:00"
    assert steps_of(plan, "P1")["a"][:2] == ("09:30", "10:00")
    assert (plan["stats"]["moved_patients"], plan["stats"]["moved_minutes"]) == (0, 0)


def test_moving_a_patient_is_worse_than_any_amount_of_stay():
    # P2 (published 09:00, second step at 09:40) could wait less if she came at 09:10, but
    # keeping her published arrival comes first.
    pathway = {"p": {"steps": [step("a", 10, "doctor"), step("b", 10, "scanner", after=[{"step": "a"}])]}}
    inst = morning([res("D", "doctor"), res("S", "scanner", ("09:40", "10:00"))], pathway,
                   [patient("P2")], now="08:00",
                   reference=[ref("P2", "09:00"), {"patient": "P2", "step": "b", "start": "09:40",
                                                   "resources": ["S"]}])
    _, plan = run(inst)
    assert steps_of(plan, "P2") == {"a": ("09:00", "09:10", ["D"]), "b": ("09:40", "09:50", ["S"])}
    assert plan["stats"]["moved_patients"] == 0


def test_her_stay_counts_from_when_she_arrived():
    # Equal otherwise, the patient who is waiting goes first: her stay runs from 08:00.
    inst = morning([res("D", "doctor")], ONE_STEP, [patient("P2"), patient("P1", arrived="08:00")],
                   window=("08:00", "10:00"), now="08:00")
    result, plan = run(inst)
    assert result.status.value == "OPTIMAL"
    assert steps_of(plan, "P1") == {"a": ("08:00", "08:30", ["D"])}
    assert steps_of(plan, "P2") == {"a": ("08:30", "09:00", ["D"])}
    assert plan["objective"]["total_stay"] == 60


def test_the_wait_since_she_arrived_is_in_her_stay():
    inst = morning([res("D", "doctor", ("08:40", "10:00"))], ONE_STEP, [patient("P1", arrived="08:00")],
                   window=("08:00", "10:00"), now="08:05")
    _, plan = run(inst)
    assert steps_of(plan, "P1") == {"a": ("08:40", "09:10", ["D"])}
    assert plan["objective"]["total_stay"] == 70 and plan["objective"]["lower_bound_total_stay"] == 70


def test_no_step_starts_before_she_arrived():
    inst = morning([res("D", "doctor")], ONE_STEP, [patient("P1", arrived="08:20")])
    _, plan = run(inst)
    assert steps_of(plan, "P1") == {"a": ("08:20", "08:50", ["D"])}


def test_a_present_patient_who_cannot_be_seen_is_named_with_the_resource_and_the_time():
    pathways = {"p": {"steps": [step("exam", 10, "surgeon"),
                                step("histology", 60, "pathologist", after=[{"step": "exam"}])]}}
    inst = morning([res("S", "surgeon"), res("patho-A", "pathologist", ("08:30", "10:00"))], pathways,
                   [patient("P1", arrived="08:05"), patient("P2", arrived="08:10")], window=("08:00", "10:00"),
                   now="08:10")
    result, plan = run(inst)
    assert result.status.value in ("OPTIMAL", "FEASIBLE") and plan["objective"]["scheduled"] == 1
    (who, reason), = unscheduled(plan).items()
    assert reason == ("pathologist patho-A is busy 08:30-09:30; the earliest 'histology' would end 10:30, "
                      "after the window")


def test_a_calm_morning_keeps_every_published_arrival():
    inst = fixture("day/standard-20-calm")
    result, plan = run(inst, time_limit=3)
    assert plan["stats"]["moved_patients"] == 0 and plan["objective"]["scheduled"] == 20
    published: dict[str, str] = {}
    for a in inst["reference"]:
        published[a["patient"]] = min(published.get(a["patient"], a["start"]), a["start"])
    arrived = {p["id"] for p in inst["patients"] if "arrived" in p} | {f["patient"] for f in inst["fixed"]}
    arrivals = {pid: min(s for s, _, _ in steps_of(plan, pid).values()) for pid in published}
    assert {pid: arrivals[pid] for pid in published if pid not in arrived} == \
        {pid: at for pid, at in published.items() if pid not in arrived}


def test_a_mild_morning_sees_everyone_in_the_clinic_and_moves_at_most_three():
    inst = fixture("day/standard-20-mild")
    _, plan = run(inst, time_limit=3)
    present = {p["id"] for p in inst["patients"] if "arrived" in p} | {f["patient"] for f in inst["fixed"]}
    assert not present & set(unscheduled(plan))
    assert plan["stats"]["moved_patients"] <= 3


def test_day_fields_are_validated_with_the_field_named():
    base = morning([res("D", "doctor")], ONE_STEP, [patient("P1", arrived="08:30")], now="08:10")
    cases = [
        ({}, "patients[0].arrived: 08:30 is after now (08:10)"),
        ({"patients": [patient("P1", arrived="8:00")]}, "patients[0].arrived: '8:00' is not a time HH:MM"),
        ({"notice": -5, "patients": [patient("P1")]}, "notice: must be an integer >= 0, got -5"),
        ({"notice": "30", "patients": [patient("P1")]}, "notice: must be a whole number, got '30'"),
    ]
    for change, error in cases:
        result = solve({**base, **change}, time_limit=1)
        assert (result.status.value, result.error) == ("INVALID", error)


def test_a_step_assigned_to_a_resource_is_done_by_it():
    # Set from Python only (not in the exchange format): her result handed over to D2.
    from dataclasses import replace

    from scheduler import ProblemError, problem_from_json

    inst = morning([res("D1", "doctor"), res("D2", "doctor", ("09:00", "10:00"))], ONE_STEP, [patient("P1")])
    problem = problem_from_json(inst)
    problem = replace(problem, patients=(replace(problem.patients[0], assigned=(("a", "D2"),)),))
    result = solve(problem, time_limit=1)
    assert [(a.start, a.resources) for a in result.assignments] == [(9 * 60, ("D2",))]
    try:
        replace(problem, patients=(replace(problem.patients[0], assigned=(("a", "X"),)),))
    except ProblemError as error:
        assert str(error) == "patients[0].assigned.a: unknown resource 'X'"
    else:
        raise AssertionError("an unknown resource was accepted")

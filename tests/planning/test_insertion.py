"""The booking search on exchange dicts: exact placements, reasons, and a brute-force cross-check."""

import copy
import random

import pytest

from mammapoli.planning.insertion import Blocked, Placement, clock, minutes, place_patient
from tests.planning.conftest import assert_valid, standard_pathway_specs

KINDS = ["surgeon", "consult_room", "radiographer", "mammography_unit", "radiologist", "ultrasound_room",
         "pathologist", "nurse"]


def morning(**extra) -> dict:
    """One resource of each kind, 08:00-13:00, the standard pathways, nobody booked."""
    return {"format": "mammapoli-morning/1", "name": "t", "date": "2026-12-01",
            "window": {"start": "08:00", "end": "13:00"},
            "resources": [{"id": f"{kind}-1", "kind": kind, "available": [["08:00", "13:00"]]} for kind in KINDS],
            "pathways": standard_pathway_specs(), "patients": [], **extra}


def as_assignments(patient: str, placement: Placement) -> list[dict]:
    return [{"patient": patient, "step": s.step, "start": clock(s.start), "end": clock(s.end),
             "resources": list(s.resources)} for s in placement.steps]


def with_patient(instance: dict, patient: dict, placement: Placement) -> dict:
    instance = copy.deepcopy(instance)
    instance["patients"].append(patient)
    instance["reference"] = instance.get("reference", []) + as_assignments(patient["id"], placement)
    return instance


def plan_of(instance: dict) -> dict:
    """The instance's reference as a plan (objective checked separately; not the point here)."""
    from mammapoli.planning.adapter import plan_objective

    assignments = instance.get("reference", [])
    return {"format": "mammapoli-plan/1", "instance": instance["name"], "status": "FEASIBLE",
            "objective": plan_objective(instance, assignments), "assignments": assignments, "unscheduled": []}


def steps_of(placement: Placement) -> list[tuple]:
    return [(s.step, clock(s.start), clock(s.end), s.resources) for s in placement.steps]


def test_an_empty_morning_takes_the_patient_at_the_start_with_the_lab_lag():
    found = place_patient(morning(), {"id": "N", "pathway": "imaging"})
    assert steps_of(found) == [
        ("exam", "08:00", "08:15", ("surgeon-1", "consult_room-1")),
        ("mammo", "08:15", "08:30", ("radiographer-1", "mammography_unit-1")),
        ("us", "08:30", "08:45", ("radiologist-1", "ultrasound_room-1")),
        ("result", "08:55", "09:05", ("surgeon-1", "consult_room-1")),  # at least 10 min after us
    ]
    assert (clock(found.arrival), clock(found.departure)) == ("08:00", "09:05")


def test_a_second_patient_goes_around_the_first_without_moving_her():
    first_patient = {"id": "P01", "pathway": "imaging"}
    instance = with_patient(morning(), first_patient, place_patient(morning(), first_patient))
    found = place_patient(instance, {"id": "N", "pathway": "imaging"})
    assert steps_of(found) == [
        ("exam", "08:15", "08:30", ("surgeon-1", "consult_room-1")),
        ("mammo", "08:30", "08:45", ("radiographer-1", "mammography_unit-1")),
        ("us", "08:45", "09:00", ("radiologist-1", "ultrasound_room-1")),
        ("result", "09:10", "09:20", ("surgeon-1", "consult_room-1")),  # the surgeon is back at 09:05
    ]
    both = with_patient(instance, {"id": "N", "pathway": "imaging"}, found)
    assert_valid(both, plan_of(both))


def test_a_given_arrival_is_kept_or_refused():
    first_patient = {"id": "P01", "pathway": "imaging"}
    instance = with_patient(morning(), first_patient, place_patient(morning(), first_patient))
    assert isinstance(place_patient(instance, {"id": "N", "pathway": "imaging"}, arrival=minutes("08:00")), Blocked)
    at_nine = place_patient(instance, {"id": "N", "pathway": "imaging"}, arrival=minutes("09:30"))
    assert clock(at_nine.arrival) == "09:30"


def test_the_patients_own_times_and_extra_minutes_count():
    found = place_patient(morning(), {"id": "N", "pathway": "ultrasound-only", "earliest": "10:00",
                                      "extra": {"exam": 10}})
    assert steps_of(found)[0] == ("exam", "10:00", "10:25", ("surgeon-1", "consult_room-1"))
    late = place_patient(morning(), {"id": "N", "pathway": "core", "latest": "11:00"})
    assert isinstance(late, Blocked)  # core biopsy needs 2 hours of lab time: cannot end by 11:00


def test_a_fully_booked_radiologist_is_named_as_the_reason():
    instance = morning()
    instance["resources"][KINDS.index("radiologist")]["available"] = [["08:00", "08:20"]]
    blocked = place_patient(instance, {"id": "N", "pathway": "imaging"})
    assert blocked == Blocked(step="us", kind="radiologist", resources=("radiologist-1",), needed=15,
                              start=minutes("08:30"), end=minutes("12:40"), full=True, free=0)


def test_a_fixed_step_holds_its_resource_until_its_real_end():
    instance = morning(patients=[{"id": "P01", "pathway": "ultrasound-only"}], now="08:30",
                       fixed=[{"patient": "P01", "step": "exam", "start": "08:00", "end": "08:40",
                               "resources": ["surgeon-1", "consult_room-1"]}])
    found = place_patient(instance, {"id": "N", "pathway": "ultrasound-only"})
    assert steps_of(found)[0] == ("exam", "08:40", "08:55", ("surgeon-1", "consult_room-1"))


def _brute_force_arrival(instance: dict) -> int | None:
    """Earliest exam start of an ultrasound-only patient, every 5 minutes, every combination."""
    from mammapoli.planning.insertion import _calendar

    calendar = _calendar(instance)
    free = calendar.free
    for exam in range(480, 780, 5):
        if not (free("surgeon-1", exam, exam + 15) and free("consult_room-1", exam, exam + 15)):
            continue
        for us in range(exam + 15, 780, 5):
            if not (free("radiologist-1", us, us + 15) and free("ultrasound_room-1", us, us + 15)):
                continue
            for result in range(us + 25, min(us + 15 + 120, 770) + 1, 5):
                if free("surgeon-1", result, result + 10) and free("consult_room-1", result, result + 10):
                    return exam
    return None


@pytest.mark.parametrize("seed", range(12))
def test_the_search_finds_the_earliest_arrival_a_brute_force_finds(seed):
    rng = random.Random(seed)
    instance = morning()
    reference = []
    for kind in ("surgeon", "consult_room", "radiologist", "ultrasound_room"):
        for _ in range(rng.randint(2, 7)):
            start = rng.randrange(480, 760, 5)
            reference.append({"resource": f"{kind}-1", "start": start, "end": start + rng.choice([15, 20, 30, 45])})
    # Busy blocks as one-step dummy patients on a one-step pathway per kind.
    instance["pathways"]["block"] = {"steps": [{"id": "b", "duration": 5, "needs": []}]}
    calendar_entries = []
    for i, block in enumerate(reference):
        calendar_entries.append({"patient": f"B{i}", "step": "b", "start": clock(block["start"]),
                                 "end": clock(min(block["end"], 780)), "resources": [block["resource"]]})
        instance["patients"].append({"id": f"B{i}", "pathway": "block"})
    instance["reference"] = calendar_entries
    expected = _brute_force_arrival(instance)
    found = place_patient(instance, {"id": "N", "pathway": "ultrasound-only"})
    if expected is None:
        assert isinstance(found, Blocked)
    else:
        assert isinstance(found, Placement) and found.arrival == expected


def test_an_arrival_too_late_for_the_pathway_says_so():
    blocked = place_patient(morning(), {"id": "N", "pathway": "imaging"}, arrival=minutes("12:00"))
    assert (blocked.too_late, blocked.needed, clock(blocked.start), clock(blocked.end)) == (True, 65, "12:00", "13:00")
    before_now = place_patient(morning(now="10:00"), {"id": "N", "pathway": "imaging"}, arrival=minutes("09:00"))
    assert (before_now.too_early, clock(before_now.start)) == (True, "10:00")

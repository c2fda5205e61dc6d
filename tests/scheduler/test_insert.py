"""One more patient into a morning without moving anyone (`scheduler.insert`): exact placements,
the reasons she does not fit, and a brute-force cross-check."""

from __future__ import annotations

import random
import pytest
from engine_helpers import fixture

from scheduler import problem_from_json
from scheduler.check import check_plan
from scheduler.insert import Blocked, Insertion, insert
from scheduler.clock import fmt_time
from scheduler.problem import Patient

KINDS = ["surgeon", "consult_room", "radiographer", "mammography_unit", "radiologist", "ultrasound_room",
         "pathologist", "nurse"]


def t(clock: str) -> int:
    return int(clock[:2]) * 60 + int(clock[3:])


def morning(**extra) -> dict:
    """One resource of each kind, 08:00-13:00, the standard pathways, nobody booked."""
    return {"format": "mammapoli-morning/1", "name": "t", "date": "2026-12-01",
            "window": {"start": "08:00", "end": "13:00"},
            "resources": [{"id": f"{kind}-1", "kind": kind, "available": [["08:00", "13:00"]]} for kind in KINDS],
            "pathways": fixture("standard-20")["pathways"], "patients": [], **extra}


def place(instance: dict, pathway: str, pid: str = "N", arrival: int | None = None, **fields) -> Insertion | Blocked:
    return insert(problem_from_json(instance), Patient(pid, pathway, **fields), arrival=arrival)


def with_patient(instance: dict, pid: str, pathway: str, found: Insertion) -> dict:
    return {**instance, "patients": instance["patients"] + [{"id": pid, "pathway": pathway}],
            "reference": instance.get("reference", []) + [
                {"patient": pid, "step": s.step, "start": fmt_time(s.start), "end": fmt_time(s.end),
                 "resources": list(s.resources)} for s in found.steps]}


def steps_of(found: Insertion) -> list[tuple]:
    return [(s.step, fmt_time(s.start), fmt_time(s.end), s.resources) for s in found.steps]


def test_an_empty_morning_takes_her_at_the_start_with_the_lab_lag():
    found = place(morning(), "imaging")
    assert steps_of(found) == [
        ("exam", "08:00", "08:15", ("surgeon-1", "consult_room-1")),
        ("mammo", "08:15", "08:30", ("radiographer-1", "mammography_unit-1")),
        ("us", "08:30", "08:45", ("radiologist-1", "ultrasound_room-1")),
        ("result", "08:55", "09:05", ("surgeon-1", "consult_room-1")),  # at least 10 min after us
    ]
    assert (found.arrival, found.departure) == (t("08:00"), t("09:05"))


def test_a_second_patient_goes_around_the_first_without_moving_her():
    first = with_patient(morning(), "P01", "imaging", place(morning(), "imaging", "P01"))
    found = place(first, "imaging")
    assert steps_of(found) == [
        ("exam", "08:15", "08:30", ("surgeon-1", "consult_room-1")),
        ("mammo", "08:30", "08:45", ("radiographer-1", "mammography_unit-1")),
        ("us", "08:45", "09:00", ("radiologist-1", "ultrasound_room-1")),
        ("result", "09:10", "09:20", ("surgeon-1", "consult_room-1")),  # the surgeon is back at 09:05
    ]
    both = with_patient(first, "N", "imaging", found)
    plan = {"format": "mammapoli-plan/1", "instance": "t", "status": "FEASIBLE", "assignments": both["reference"],
            "unscheduled": [], "objective": {"scheduled": 2, "priority_scheduled": 2, "total_stay": 65 + 65,
                                             "lower_bound_total_stay": 130}}
    assert check_plan(both, plan) == []


def test_a_given_arrival_is_kept_or_refused():
    first = with_patient(morning(), "P01", "imaging", place(morning(), "imaging", "P01"))
    assert isinstance(place(first, "imaging", arrival=t("08:00")), Blocked)
    assert place(first, "imaging", arrival=t("09:30")).arrival == t("09:30")


def test_her_own_times_and_extra_minutes_count():
    found = place(morning(), "ultrasound-only", earliest=t("10:00"), extra=(("exam", 10),))
    assert steps_of(found)[0] == ("exam", "10:00", "10:25", ("surgeon-1", "consult_room-1"))
    assert isinstance(place(morning(), "core", latest=t("11:00")), Blocked)   # 2 hours of lab time


def test_a_fully_booked_radiologist_is_named_as_the_reason():
    instance = morning()
    instance["resources"][KINDS.index("radiologist")]["available"] = [["08:00", "08:20"]]
    assert place(instance, "imaging") == Blocked(step="us", kind="radiologist", resources=("radiologist-1",),
                                                 needed=15, start=t("08:30"), end=t("12:40"), full=True, free=0)


def test_a_fixed_step_holds_its_resource_until_its_real_end():
    instance = morning(patients=[{"id": "P01", "pathway": "ultrasound-only"}], now="08:30",
                       fixed=[{"patient": "P01", "step": "exam", "start": "08:00", "end": "08:40",
                               "resources": ["surgeon-1", "consult_room-1"]}])
    assert steps_of(place(instance, "ultrasound-only"))[0] == ("exam", "08:40", "08:55", ("surgeon-1", "consult_room-1"))


def test_an_arrival_too_late_or_too_early_says_so():
    late = place(morning(), "imaging", arrival=t("12:00"))
    assert (late.too_late, late.needed, late.start, late.end) == (True, 65, t("12:00"), t("13:00"))
    early = place(morning(now="10:00"), "imaging", arrival=t("09:00"))
    assert (early.too_early, early.start) == (True, t("10:00"))


def _busy(instance: dict):
    """Resource id -> busy periods of the instance's reference (the brute force's own reading)."""
    out: dict[str, list[tuple[int, int]]] = {}
    for a in instance["reference"]:
        for rid in a["resources"]:
            out.setdefault(rid, []).append((t(a["start"]), t(a["end"])))
    return out


def _brute_force_arrival(instance: dict) -> int | None:
    """Earliest exam start of an ultrasound-only patient, every 5 minutes, every combination."""
    busy = _busy(instance)

    def free(rid, a, b):
        return a >= 480 and b <= 780 and all(b <= s or e <= a for s, e in busy.get(rid, []))

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
def test_she_comes_at_the_earliest_arrival_a_brute_force_finds(seed):
    rng = random.Random(seed)
    instance = morning()
    instance["pathways"]["block"] = {"steps": [{"id": "b", "duration": 5, "needs": []}]}
    reference = []
    for kind in ("surgeon", "consult_room", "radiologist", "ultrasound_room"):
        for _ in range(rng.randint(2, 7)):
            start = rng.randrange(480, 760, 5)
            reference.append((f"{kind}-1", start, min(start + rng.choice([15, 20, 30, 45]), 780)))
    instance["reference"] = [{"patient": f"B{i}", "step": "b", "start": fmt_time(a), "end": fmt_time(b),
                              "resources": [rid]} for i, (rid, a, b) in enumerate(reference)]
    instance["patients"] = [{"id": f"B{i}", "pathway": "block"} for i in range(len(reference))]
    expected = _brute_force_arrival(instance)
    found = place(instance, "ultrasound-only")
    assert (found.arrival if isinstance(found, Insertion) else None) == expected


def test_on_the_day_she_fits_around_what_happened_and_the_published_plan():
    day = fixture("day/standard-20-mild")
    found = insert(problem_from_json(day), Patient("+new", "ultrasound-only"))
    assert found.arrival >= t(day["now"])
    fixed = {(f["patient"], f["step"]) for f in day["fixed"]}
    pathway = {p["id"]: p for p in day["patients"]}

    def end_of(f):  # a step under way lasts its planned length (with her extra minutes)
        if "end" in f:
            return t(f["end"])
        who = pathway[f["patient"]]
        step = next(s for s in day["pathways"][who["pathway"]]["steps"] if s["id"] == f["step"])
        return t(f["start"]) + step["duration"] + who.get("extra", {}).get(f["step"], 0)

    taken = [(rid, t(f["start"]), end_of(f)) for f in day["fixed"] for rid in f["resources"]]
    taken += [(rid, t(a["start"]), t(a["end"])) for a in day["reference"] if (a["patient"], a["step"]) not in fixed
              for rid in a["resources"]]
    for s in found.steps:
        for rid in s.resources:
            assert all(not (rid == other and a < s.end and s.start < b) for other, a, b in taken), (s, rid)

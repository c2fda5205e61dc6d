"""The one adapter between the database and the engine: a morning out, as the format says it."""

import datetime as dt

import pytest

from mammapoli.planning.adapter import (
    critical_path,
    morning_fingerprint,
    session_assignments,
    session_to_morning,
)
from mammapoli.planning.clock import aware, hhmm
from mammapoli.planning.models import Visit, VisitStatus
from scheduler import problem_from_json
from tests.planning.conftest import load_instance

pytestmark = pytest.mark.django_db


def test_the_morning_has_the_sessions_window_resources_pathways_and_patients(small_morning):
    morning = session_to_morning(small_morning)
    assert (morning["format"], morning["date"], morning["window"]) == (
        "mammapoli-morning/1", "2026-12-01", {"start": "08:00", "end": "13:00"})
    assert sorted(p["id"] for p in morning["patients"]) == [f"P0{i}" for i in range(1, 9)]
    assert set(morning["pathways"]) == {"core", "fna", "imaging", "ultrasound-only"}
    assert "now" not in morning and "notice" not in morning and "reference" not in morning
    problem_from_json(morning)  # the engine reads it


def test_an_arrival_and_the_clinics_notice_are_written_on_the_day(small_morning):
    small_morning.state_at = dt.time(9, 0)
    small_morning.save()
    small_morning.clinic.notice_minutes = 20
    small_morning.clinic.save()
    Visit.objects.filter(session=small_morning, code="P03").update(
        status=VisitStatus.ARRIVED, arrived_at=aware(small_morning.date, "08:50"))
    Visit.objects.filter(session=small_morning, code="P04").update(
        status=VisitStatus.BOOKED, arrived_at=aware(small_morning.date, "08:40"))  # not here: no arrival
    morning = session_to_morning(small_morning)
    patients = {p["id"]: p for p in morning["patients"]}
    assert (morning["now"], morning["notice"]) == ("09:00", 20)
    assert patients["P03"]["arrived"] == "08:50" and "arrived" not in patients["P04"]


def test_an_arrival_after_the_recorded_now_is_written_as_now(small_morning):
    small_morning.state_at = dt.time(9, 0)
    small_morning.save()
    Visit.objects.filter(session=small_morning, code="P03").update(
        status=VisitStatus.ARRIVED, arrived_at=aware(small_morning.date, "09:10"))
    assert {p["id"]: p for p in session_to_morning(small_morning)["patients"]}["P03"]["arrived"] == "09:00"


def test_a_handed_over_result_is_her_own_pathway_and_a_named_resource(small_morning):
    visit = Visit.objects.get(session=small_morning, code="P03")  # imaging: the result by the exam's surgeon
    visit.result_surgeon = small_morning.clinic.resources.get(code="chir-B")
    visit.save()
    morning = session_to_morning(small_morning)
    entry = next(p for p in morning["patients"] if p["id"] == "P03")
    assert entry["pathway"] == "imaging~P03"
    assert [s.get("same_as", {}) for s in morning["pathways"]["imaging~P03"]["steps"]] == [{}, {}, {}, {}]
    assert morning["pathways"]["imaging"]["steps"][3]["same_as"] == {"surgeon": "exam"}  # the others keep it
    assert session_assignments(small_morning) == {"P03": [["result", "chir-B"]]}


def test_the_critical_path_counts_lags_and_a_fixed_steps_real_length():
    morning = load_instance("standard-20-replan")
    assert critical_path(morning, "P03") == 15 + 15 + 10 + 10  # exam, us, lab 10, result
    assert critical_path(morning, "P01") == 25 + 15 + 10 + 10  # her exam took 25 minutes


def test_the_fingerprint_changes_with_what_the_engine_would_see(small_morning):
    before = morning_fingerprint(session_to_morning(small_morning))
    assert before == morning_fingerprint(session_to_morning(small_morning))
    Visit.objects.filter(session=small_morning, code="P03").update(priority=2)
    assert morning_fingerprint(session_to_morning(small_morning)) != before


def test_times_are_clinic_local():
    assert hhmm(aware(dt.date(2026, 12, 1), "08:05")) == "08:05"
    assert aware(dt.date(2026, 7, 1), "08:05").utcoffset() == dt.timedelta(hours=2)   # summer time

"""The one adapter between the database and the engine: a morning out, as the format says it."""

import datetime as dt

import pytest

from mammapoli.planning.adapter import (
    problem_from_snapshot,
    problem_snapshot,
    session_problem,
    session_to_morning,
    session_to_plan,
)
from mammapoli.planning.clock import aware, hhmm
from mammapoli.planning.models import Visit, VisitStatus
from scheduler import problem_from_json, problem_to_json

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
    assert session_problem(small_morning).patient("P03").assigned == (("result", "chir-B"),)


def test_the_problem_is_built_from_the_rows_and_the_morning_is_its_exchange_form(small_morning):
    problem = session_problem(small_morning)
    assert problem.window == (8 * 60, 13 * 60) and problem.date == "2026-12-01"
    assert (problem.patient("P03").pathway, problem.patient("P03").extra) == ("imaging", (("exam", 10),))
    assert session_to_morning(small_morning) == problem_to_json(problem)
    assert problem_from_json(session_to_morning(small_morning)) == problem


def test_a_snapshot_keeps_the_named_resources_the_format_does_not_carry(small_morning):
    visit = Visit.objects.get(session=small_morning, code="P03")
    visit.result_surgeon = small_morning.clinic.resources.get(code="chir-B")
    visit.save()
    problem = session_problem(small_morning)
    morning, assigned = problem_snapshot(problem)
    assert assigned == {"P03": [["result", "chir-B"]]}
    assert problem_from_snapshot(morning, assigned) == problem


def test_the_published_plans_bound_is_the_engines_critical_path_and_her_stay_counts_from_her_arrival(small_morning):
    day = small_morning.date
    visit = Visit.objects.get(session=small_morning, code="P02")  # ultrasound-only: exam, us, 10 min, result
    for vs, (start, end) in zip(visit.steps.order_by("step__position"),
                                [("09:30", "09:45"), ("09:45", "10:00"), ("10:10", "10:20")]):
        vs.planned_start, vs.planned_end = aware(day, start), aware(day, end)
        vs.save()
    objective = session_to_plan(small_morning)["objective"]
    assert objective == {"scheduled": 1, "priority_scheduled": 1, "total_stay": 50, "lower_bound_total_stay": 50}
    Visit.objects.filter(pk=visit.pk).update(status=VisitStatus.ARRIVED, arrived_at=aware(day, "09:20"))
    objective = session_to_plan(small_morning)["objective"]
    assert (objective["total_stay"], objective["lower_bound_total_stay"]) == (60, 50)  # from 09:20, when she came


def test_times_are_clinic_local():
    assert hhmm(aware(dt.date(2026, 12, 1), "08:05")) == "08:05"
    assert aware(dt.date(2026, 7, 1), "08:05").utcoffset() == dt.timedelta(hours=2)   # summer time

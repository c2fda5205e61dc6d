"""What may be recorded as having happened (planning/step_rules.py): each rule on one patient
of small-8 (P01, ultrasound-only: exam, then ultrasound, then the result 10 to 120 minutes
after it by the surgeon who examined her), with the exact refusal."""

import datetime as dt

import pytest

from mammapoli.planning.clock import aware
from mammapoli.planning.models import AllocationPhase, VisitStep, VisitStepResource
from mammapoli.planning.step_rules import at_problems, resources_problems, start_problems

pytestmark = pytest.mark.django_db


def step(session, code: str) -> VisitStep:
    return VisitStep.objects.select_related("visit", "step").get(visit__session=session, visit__code="P01",
                                                                 step__code=code)


def happened(session, code: str, start: str, end: str | None, *resources: str) -> None:
    vs = step(session, code)
    vs.actual_start, vs.actual_end = aware(session.date, start), aware(session.date, end) if end else None
    vs.save()
    VisitStepResource.objects.bulk_create(
        VisitStepResource(visit_step=vs, phase=AllocationPhase.ACTUAL, position=i,
                          resource=session.clinic.resources.get(code=c)) for i, c in enumerate(resources))


def held(session, *codes: str) -> list:
    return [session.clinic.resources.get(code=c) for c in codes]


def test_the_resources_are_the_steps_needs_in_order_and_none_twice(small_morning):
    exam = step(small_morning, "exam").step
    assert resources_problems(exam, held(small_morning, "chir-A", "spreek-A")) == {}
    assert resources_problems(exam, held(small_morning, "spreek-A", "chir-A")) == {
        "resources": "Step exam needs surgeon, consult_room, in that order; given: consult_room, surgeon."}


def test_a_step_waits_for_its_predecessor_to_finish(small_morning):
    assert start_problems(step(small_morning, "us"), aware(small_morning.date, "08:30"),
                          held(small_morning, "rad-A", "echo-A")) == {"step": "Step exam must be finished before us starts."}
    happened(small_morning, "exam", "08:00", None, "chir-A", "spreek-A")
    assert start_problems(step(small_morning, "us"), aware(small_morning.date, "08:30"),
                          held(small_morning, "rad-A", "echo-A")) == {
        "step": "The patient is still in step exam (a patient is in one step at a time)."}


def test_the_result_keeps_its_lags_and_her_surgeon(small_morning):
    happened(small_morning, "exam", "08:00", "08:15", "chir-A", "spreek-A")
    happened(small_morning, "us", "08:15", "08:30", "rad-A", "echo-A")
    result, rooms = step(small_morning, "result"), ("chir-A", "spreek-B")
    assert start_problems(result, aware(small_morning.date, "08:35"), held(small_morning, *rooms)) == {
        "at": "Step result starts at least 10 minutes after us ended (08:30)."}
    assert start_problems(result, aware(small_morning.date, "10:31"), held(small_morning, *rooms)) == {
        "at": "Step result must start within 120 minutes after us ended (08:30); switch the pathway if it cannot."}
    assert start_problems(result, aware(small_morning.date, "08:40"), held(small_morning, "chir-B", "spreek-B")) == {
        "resources": "Step result is done by the surgeon who did exam: chir-A."}
    assert start_problems(result, aware(small_morning.date, "08:40"), held(small_morning, *rooms)) == {}


def test_a_resource_is_with_one_patient_at_a_time(small_morning):
    happened(small_morning, "exam", "08:00", "08:15", "chir-A", "spreek-A")
    other = VisitStep.objects.select_related("visit", "step").get(visit__session=small_morning, visit__code="P02",
                                                                  step__code="exam")
    problems = start_problems(other, aware(small_morning.date, "08:10"), held(small_morning, "chir-A", "spreek-B"))
    assert problems == {"resources": "Resource chir-A is with P01 (exam, since 08:00)."}


def test_an_event_is_on_the_mornings_date_within_its_window(small_morning):
    day = small_morning.date
    assert at_problems(small_morning, aware(day, "07:50")) == {"at": "Before the start of the morning (08:00)."}
    assert at_problems(small_morning, aware(day, "07:50"), before_start_allowed=True) == {}
    assert at_problems(small_morning, aware(day, "13:10")) == {"at": "After the end of the morning (13:00)."}
    assert list(at_problems(small_morning, aware(day + dt.timedelta(days=1), "09:00"))) == ["at"]


def test_a_refusal_is_in_dutch_with_the_clinics_names(small_morning):
    from django.utils import translation

    happened(small_morning, "exam", "08:00", "08:15", "chir-A", "spreek-A")
    happened(small_morning, "us", "08:15", "08:30", "rad-A", "echo-A")
    result = step(small_morning, "result")
    with translation.override("nl"):
        assert start_problems(result, aware(small_morning.date, "08:35"), held(small_morning, "chir-A", "spreek-B")) \
            == {"at": "Stap result begint minstens 10 minuten na het einde van us (08:30)."}
        assert start_problems(result, aware(small_morning.date, "08:40"), held(small_morning, "chir-B", "spreek-B")) \
            == {"resources": "Stap result wordt gedaan door de surgeon die exam deed: chir-A."}


def test_a_step_under_way_past_its_planned_length_still_holds_the_patient(small_morning):
    happened(small_morning, "exam", "08:00", None, "chir-A", "spreek-A")
    assert start_problems(step(small_morning, "us"), aware(small_morning.date, "09:30"),
                          held(small_morning, "rad-A", "echo-A")) == {
        "step": "The patient is still in step exam (a patient is in one step at a time)."}


def test_a_resource_that_is_not_active_is_refused(small_morning):
    happened(small_morning, "exam", "08:00", "08:15", "chir-A", "spreek-A")
    small_morning.clinic.resources.filter(code="echo-B").update(active=False)
    assert start_problems(step(small_morning, "us"), aware(small_morning.date, "08:20"),
                          held(small_morning, "rad-A", "echo-B")) == {
        "resources": "Not an active resource of this clinic."}

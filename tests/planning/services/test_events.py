"""On the day: each event is recorded (or refused, naming the rule) and re-plans the rest of
the morning; every re-plan is checked by the validator and keeps every fixed step."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from mammapoli.clinics.models import AvailabilityException
from mammapoli.planning.clock import aware, hhmm
from mammapoli.planning.models import (
    PlanJobStatus,
    PlanStatus,
    PlanTrigger,
    ResourceBooking,
    Visit,
    VisitStatus,
    VisitStep,
)
from mammapoli.planning.services.events import (
    absence_shorten,
    absence_withdraw,
    resource_unavailable_from,
    step_finish,
    step_start,
    visit_arrive,
    visit_leave,
    visit_no_show,
    visit_result_hand_over,
    visit_switch_pathway,
    walk_in_add,
)
from mammapoli.planning.services.plans import plan_publish
from mammapoli.records.models import VisitForm
from tests.factories import PatientFactory
from tests.planning.conftest import assert_published_plan_valid, assert_valid

pytestmark = pytest.mark.django_db


@pytest.fixture
def morning(small_morning, plan_now, django_capture_on_commit_callbacks):
    """small-8 planned and published; events run their re-plan eagerly on commit."""
    plan_publish(user=None, plan=plan_now(small_morning).plan)
    return small_morning


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    def run(event, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            outcome = event(**kwargs)
        outcome.job.refresh_from_db()
        return outcome
    return run


def step(session, code, step_code) -> VisitStep:
    return VisitStep.objects.select_related("visit", "step").get(visit__session=session, visit__code=code,
                                                                 step__code=step_code)


def at(session, clock: str) -> dt.datetime:
    return aware(session.date, clock)


def first_patient(session) -> Visit:
    """The visit whose first planned step is earliest."""
    return min(session.visits.all(), key=lambda v: min(vs.planned_start for vs in v.steps.all()))


def assert_valid_replan(job, trigger):
    """The re-plan succeeded, is valid for the morning it saw, and keeps every fixed step exactly."""
    assert (job.status, job.trigger, job.error) == (PlanJobStatus.SUCCEEDED, trigger, ""), job.error
    plan = job.plan
    assert plan.status == PlanStatus.PROPOSED
    assert_valid(job.morning, plan.data)
    assigned = {(a["patient"], a["step"]): a for a in plan.data["assignments"]}
    for fixed in job.morning.get("fixed", []):
        kept = assigned[(fixed["patient"], fixed["step"])]
        assert (kept["start"], kept["resources"]) == (fixed["start"], fixed["resources"])
        if "end" in fixed:
            assert kept["end"] == fixed["end"]
    assert job.morning["reference"], "the published plan is the reference"
    return plan


def start_as_planned(session, code, step_code, on_commit, *, late=0):
    vs = step(session, code, step_code)
    return on_commit(step_start, user=None, visit_step=vs, at=vs.planned_start + dt.timedelta(minutes=late))


def test_arrival_re_plans_with_now_at_the_arrival(morning, on_commit):
    visit = first_patient(morning)
    arrival = min(vs.planned_start for vs in visit.steps.all()) - dt.timedelta(minutes=10)
    outcome = on_commit(visit_arrive, user=None, visit=visit, at=arrival)
    assert outcome.visit.status == VisitStatus.ARRIVED
    assert outcome.visit.arrived_at == arrival  # the board's "since"
    assert outcome.job.morning["now"] == max(hhmm(arrival), "08:00")
    assert_valid_replan(outcome.job, PlanTrigger.ARRIVED)


def test_a_started_step_is_fixed_and_kept(morning, on_commit):
    visit = first_patient(morning)
    outcome = start_as_planned(morning, visit.code, "exam", on_commit, late=5)
    exam = step(morning, visit.code, "exam")
    assert (outcome.visit.status, hhmm(exam.actual_start)) == (VisitStatus.IN_PROGRESS, hhmm(exam.planned_start +
                                                                                              dt.timedelta(minutes=5)))
    assert [f["step"] for f in outcome.job.morning["fixed"]] == ["exam"]
    plan = assert_valid_replan(outcome.job, PlanTrigger.STEP_STARTED)
    plan_publish(user=None, plan=plan)
    assert_published_plan_valid(morning)


def test_a_step_that_overran_is_fixed_with_its_real_end(morning, on_commit, record):
    visit = first_patient(morning)
    start_as_planned(morning, visit.code, "exam", record)
    exam = step(morning, visit.code, "exam")
    end = exam.planned_end + dt.timedelta(minutes=12)
    outcome = on_commit(step_finish, user=None, visit_step=exam, at=end)
    fixed = outcome.job.morning["fixed"]
    assert (fixed[0]["step"], fixed[0]["end"]) == ("exam", hhmm(end))
    assert_valid_replan(outcome.job, PlanTrigger.STEP_FINISHED)


def test_a_step_under_way_past_its_planned_length_holds_its_resources_until_now(morning, on_commit, record):
    visit = first_patient(morning)
    start_as_planned(morning, visit.code, "exam", record)
    exam = step(morning, visit.code, "exam")
    now = exam.planned_end + dt.timedelta(minutes=10)  # the exam is still going on, 10 minutes over
    other = morning.visits.exclude(pk=visit.pk).filter(status=VisitStatus.BOOKED).order_by("code").first()
    outcome = on_commit(visit_arrive, user=None, visit=other, at=now)
    entry = next(p for p in outcome.job.morning["patients"] if p["id"] == visit.code)
    assert entry["extra"] == {"exam": 10}
    plan = assert_valid_replan(outcome.job, PlanTrigger.ARRIVED)
    kept = next(a for a in plan.data["assignments"] if (a["patient"], a["step"]) == (visit.code, "exam"))
    assert (kept["start"], kept["end"]) == (hhmm(exam.actual_start), hhmm(now))


def test_a_no_show_frees_her_resources_and_drops_her_from_the_morning(morning, on_commit):
    visit = first_patient(morning)
    outcome = on_commit(visit_no_show, user=None, visit=visit, at=at(morning, "08:30"))
    assert outcome.visit.status == VisitStatus.NO_SHOW
    assert not ResourceBooking.objects.filter(visit_step__visit=visit).exists()
    assert visit.code not in {p["id"] for p in outcome.job.morning["patients"]}
    assert_valid_replan(outcome.job, PlanTrigger.NO_SHOW)


def test_a_walk_in_is_added_and_fitted_in_if_she_can_be(morning, on_commit):
    outcome = on_commit(walk_in_add, user=None, session=morning, patient=PatientFactory(),
                        pathway=morning.clinic.pathways.get(code="ultrasound-only"), at=at(morning, "09:00"))
    assert (outcome.visit.code, outcome.visit.status, outcome.visit.arrived_at) == (
        "W01", VisitStatus.ARRIVED, at(morning, "09:00"))
    assert VisitForm.objects.filter(visit=outcome.visit).exists()  # her form, before anyone reads it
    plan = assert_valid_replan(outcome.job, PlanTrigger.WALK_IN)
    seen = {a["patient"] for a in plan.data["assignments"]}
    assert "W01" in seen or "W01" in {u["patient"] for u in plan.data["unscheduled"]}
    assert all(a["start"] >= "09:00" for a in plan.data["assignments"])  # nothing was under way: all after now


def test_a_doctor_called_away_is_not_planned_after_she_left(morning, on_commit):
    outcome = on_commit(resource_unavailable_from, user=None, session=morning,
                        resource=morning.clinic.resources.get(code="rad-B"), at=at(morning, "10:00"),
                        reason="called to the ER", entered=at(morning, "09:40"))
    absence = AvailabilityException.objects.get(reason="called to the ER")
    assert (absence.start, absence.end, absence.kind) == (dt.time(10), dt.time(13), "absent")
    assert outcome.job.morning["now"] == "09:40"  # entered at 09:40 for 10:00: the re-plan starts from 09:40
    plan = assert_valid_replan(outcome.job, PlanTrigger.RESOURCE_UNAVAILABLE)
    assert not [a for a in plan.data["assignments"] if "rad-B" in a["resources"] and a["end"] > "10:00"]


def earliest_imaging_patient(session) -> Visit:
    return min(session.visits.filter(pathway__code="imaging"),
               key=lambda v: v.steps.get(step__code="exam").planned_start)


def test_a_biopsy_decided_during_ultrasound_switches_the_pathway_and_keeps_what_was_done(morning, on_commit, record):
    visit = earliest_imaging_patient(morning)
    for step_code in ("exam", "mammo"):
        start_as_planned(morning, visit.code, step_code, record)
        done = step(morning, visit.code, step_code)
        record(step_finish, user=None, visit_step=done, at=done.planned_end)
    start_as_planned(morning, visit.code, "us", record)
    us = step(morning, visit.code, "us")
    outcome = on_commit(visit_switch_pathway, user=None, visit=visit,
                        pathway=morning.clinic.pathways.get(code="core"), at=us.actual_start + dt.timedelta(minutes=5))
    visit.refresh_from_db()
    assert visit.pathway.code == "core"
    kept = {vs.step.code: (vs.actual_start, vs.actual_end) for vs in visit.steps.select_related("step")}
    assert set(kept) == {"exam", "mammo", "us", "core", "histology", "result"}
    assert kept["us"][0] == us.actual_start and kept["exam"][1] is not None and kept["core"] == (None, None)
    fixed = {f["step"] for f in outcome.job.morning["fixed"] if f["patient"] == visit.code}
    assert fixed == {"exam", "mammo", "us"}
    plan = assert_valid_replan(outcome.job, PlanTrigger.PATHWAY_SWITCHED)
    assert {a["step"] for a in plan.data["assignments"] if a["patient"] == visit.code} == set(kept)


def test_a_switch_that_drops_a_step_under_way_is_refused_and_nothing_changes(morning, record):
    visit = earliest_imaging_patient(morning)
    start_as_planned(morning, visit.code, "exam", record)
    exam = step(morning, visit.code, "exam")
    record(step_finish, user=None, visit_step=exam, at=exam.planned_end)
    start_as_planned(morning, visit.code, "mammo", record)
    with pytest.raises(ValidationError) as refused:
        visit_switch_pathway(user=None, visit=visit, pathway=morning.clinic.pathways.get(code="ultrasound-only"),
                             at=exam.planned_end + dt.timedelta(minutes=5))
    assert "mammo" in refused.value.message_dict["pathway"][0]
    visit.refresh_from_db()
    assert visit.pathway.code == "imaging" and visit.steps.count() == 4


def actual_state():
    return sorted(VisitStep.objects.values_list("pk", "actual_start", "actual_end"))


def refused(field, event, **kwargs):
    before = actual_state()
    with pytest.raises(ValidationError) as refusal:
        event(**kwargs)
    assert actual_state() == before, "nothing was written"
    return refusal.value.message_dict[field][0]


def ultrasound_only_patient(session) -> Visit:
    return min(session.visits.filter(pathway__code="ultrasound-only"),
               key=lambda v: v.steps.get(step__code="exam").planned_start)


def exam_and_us_done(session, visit, record) -> dt.datetime:
    """Record `visit`'s exam and ultrasound, 15 minutes each from the exam's planned start;
    returns when the ultrasound ended."""
    clock = step(session, visit.code, "exam").planned_start
    for code in ("exam", "us"):
        record(step_start, user=None, visit_step=step(session, visit.code, code), at=clock)
        clock += dt.timedelta(minutes=15)
        record(step_finish, user=None, visit_step=step(session, visit.code, code), at=clock)
    return clock


def test_a_step_before_its_predecessor_is_refused(morning):
    visit = ultrasound_only_patient(morning)
    result = step(morning, visit.code, "result")
    assert refused("step", step_start, user=None, visit_step=result, at=result.planned_start) == \
        "Step us must be finished before result starts."


def test_a_step_before_its_lab_lag_is_over_is_refused(morning, record):
    visit = ultrasound_only_patient(morning)
    clock = exam_and_us_done(morning, visit, record)
    result = step(morning, visit.code, "result")
    assert refused("at", step_start, user=None, visit_step=result, at=clock + dt.timedelta(minutes=5)) == \
        f"Step result starts at least 10 minutes after us ended ({hhmm(clock)})."


def test_a_resource_with_another_patient_is_refused(morning, record):
    visit = ultrasound_only_patient(morning)
    exam = step(morning, visit.code, "exam")
    record(step_start, user=None, visit_step=exam, at=exam.planned_start)
    surgeon = exam.allocations.get(phase="actual", position=0).resource
    other = VisitStep.objects.filter(visit__session=morning, step__code="exam").exclude(visit=visit).first()
    room = morning.clinic.resources.exclude(pk__in=exam.allocations.values("resource")).filter(
        kind__code="consult_room").first()
    message = refused("resources", step_start, user=None, visit_step=other,
                      at=exam.planned_start + dt.timedelta(minutes=5), resources=[surgeon, room])
    assert message == f"Resource {surgeon.code} is with {visit.code} (exam, since {hhmm(exam.planned_start)})."


def test_resources_of_the_wrong_kind_are_refused(morning):
    exam = step(morning, ultrasound_only_patient(morning).code, "exam")
    message = refused("resources", step_start, user=None, visit_step=exam, at=exam.planned_start,
                      resources=[morning.clinic.resources.get(code="rad-A")])
    assert message == "Step exam needs surgeon, consult_room, in that order; given: radiologist."


def test_the_same_surgeon_gives_the_result(morning, record):
    visit = ultrasound_only_patient(morning)
    clock = exam_and_us_done(morning, visit, record)
    exam = step(morning, visit.code, "exam")
    own = exam.allocations.get(phase="actual", position=0).resource
    another = morning.clinic.resources.filter(kind__code="surgeon").exclude(pk=own.pk).first()
    room = exam.allocations.get(phase="actual", position=1).resource
    message = refused("resources", step_start, user=None, visit_step=step(morning, visit.code, "result"),
                      at=clock + dt.timedelta(minutes=10), resources=[another, room])
    assert message == f"Step result is done by the surgeon who did exam: {own.code}."


def test_an_event_outside_the_morning_is_refused(morning):
    exam = step(morning, ultrasound_only_patient(morning).code, "exam")
    assert refused("at", step_start, user=None, visit_step=exam, at=at(morning, "13:30")) == \
        "After the end of the morning (13:00)."
    assert refused("at", step_start, user=None, visit_step=exam, at=aware(dt.date(2026, 12, 2), "09:00")) == \
        "Not on the morning of Tue 1 December 2026."


def test_a_step_cannot_start_twice_or_finish_before_it_started(morning, record):
    exam = step(morning, ultrasound_only_patient(morning).code, "exam")
    assert refused("step", step_finish, user=None, visit_step=exam, at=exam.planned_end) == \
        "Step exam has not started."
    record(step_start, user=None, visit_step=exam, at=exam.planned_start)
    assert refused("step", step_start, user=None, visit_step=exam, at=exam.planned_end).startswith(
        "Step exam has started already")
    assert refused("at", step_finish, user=None, visit_step=exam, at=exam.planned_start).startswith(
        "A step ends after it started")


def test_a_patient_who_leaves_early_keeps_what_happened_and_frees_the_rest(morning, on_commit, record):
    visit = first_patient(morning)
    start_as_planned(morning, visit.code, "exam", record)
    exam = step(morning, visit.code, "exam")
    assert refused("type", visit_leave, user=None, visit=visit, at=exam.planned_end) == \
        "Step exam is under way: record its end first."
    record(step_finish, user=None, visit_step=exam, at=exam.planned_end)
    outcome = on_commit(visit_leave, user=None, visit=visit, at=exam.planned_end)
    assert outcome.visit.status == VisitStatus.LEFT
    ahead = VisitStep.objects.filter(visit=visit).exclude(step__code="exam")
    assert ahead.exists() and not ahead.filter(planned_start__isnull=False).exists()
    assert set(ResourceBooking.objects.filter(visit_step__visit=visit).values_list("visit_step__step__code",
                                                                                  flat=True)) == {"exam"}
    assert visit.code not in {p["id"] for p in outcome.job.morning["patients"]}
    assert_valid_replan(outcome.job, PlanTrigger.LEFT)


def test_only_a_patient_in_the_clinic_can_leave_early(morning):
    assert refused("type", visit_leave, user=None, visit=first_patient(morning), at=at(morning, "08:30")) == \
        "Only a patient in the clinic can leave early (this visit is booked)."


def test_a_no_show_after_arrival_is_refused(morning, record):
    visit = first_patient(morning)
    record(visit_arrive, user=None, visit=visit, at=at(morning, "08:00"))
    with pytest.raises(ValidationError) as refused:
        visit_no_show(user=None, visit=visit, at=at(morning, "08:30"))
    assert "type" in refused.value.message_dict


def test_a_biopsy_pathway_that_can_no_longer_end_this_morning_is_refused(morning, record):
    visit = earliest_imaging_patient(morning)
    record(visit_arrive, user=None, visit=visit, at=at(morning, "08:00"))
    with pytest.raises(ValidationError) as refused:
        visit_switch_pathway(user=None, visit=visit, pathway=morning.clinic.pathways.get(code="core"),
                             at=at(morning, "11:00"))
    assert refused.value.message_dict["pathway"] == [
        "On core the visit would end at 14:50 at the earliest, after 13:00."]  # 11:00, 110 min of steps, 2 h of lab
    visit.refresh_from_db()
    assert visit.pathway.code == "imaging"


# The day as it happens: arrived, notice, the result handed over, an absence withdrawn ------------

def test_her_arrival_goes_to_the_engine_as_arrived(morning, on_commit):
    visit = first_patient(morning)
    arrival = min(vs.planned_start for vs in visit.steps.all()) - dt.timedelta(minutes=10)
    outcome = on_commit(visit_arrive, user=None, visit=visit, at=arrival)
    assert outcome.visit.arrived_at == arrival
    entry = next(p for p in outcome.job.morning["patients"] if p["id"] == visit.code)
    assert entry["arrived"] == hhmm(arrival) and entry["arrived"] <= outcome.job.morning["now"]
    plan = assert_valid_replan(outcome.job, PlanTrigger.ARRIVED)
    assert visit.code in {a["patient"] for a in plan.data["assignments"]}


def test_a_walk_in_is_in_the_clinic_from_the_moment_she_is_added(morning, on_commit):
    outcome = on_commit(walk_in_add, user=None, session=morning, patient=PatientFactory(),
                        pathway=morning.clinic.pathways.get(code="imaging"), at=at(morning, "09:00"))
    entry = next(p for p in outcome.job.morning["patients"] if p["id"] == "W01")
    assert entry["arrived"] == "09:00"


def test_the_clinics_notice_goes_to_the_engine(morning, on_commit):
    morning.clinic.notice_minutes = 45
    morning.clinic.save()
    outcome = on_commit(visit_arrive, user=None, visit=first_patient(morning), at=at(morning, "08:00"))
    assert outcome.job.morning["notice"] == 45
    assert_valid_replan(outcome.job, PlanTrigger.ARRIVED)  # the validator checks the 45 minutes' notice


def _surgeon_of(plan_data: dict, code: str, step_code: str) -> str:
    entry = next(a for a in plan_data["assignments"] if (a["patient"], a["step"]) == (code, step_code))
    return entry["resources"][0]


def test_her_result_handed_over_to_another_surgeon_is_given_by_him(morning, on_commit, record):
    visit = first_patient(morning)   # exam then result, the same surgeon
    start_as_planned(morning, visit.code, "exam", record)
    exam = step(morning, visit.code, "exam")
    record(step_finish, user=None, visit_step=exam, at=exam.planned_end)
    examined_by = exam.allocations.get(phase="actual", position=0).resource
    other = morning.clinic.resources.filter(kind__code="surgeon").exclude(pk=examined_by.pk).get()
    outcome = on_commit(visit_result_hand_over, user=None, visit=visit, surgeon=other, at=exam.planned_end)
    visit.refresh_from_db()
    assert visit.result_surgeon == other
    entry = next(p for p in outcome.job.morning["patients"] if p["id"] == visit.code)
    variant = outcome.job.morning["pathways"][entry["pathway"]]
    assert entry["pathway"] == f"{visit.pathway.code}~{visit.code}"
    assert all("surgeon" not in s.get("same_as", {}) for s in variant["steps"])
    result_ref = next(r for r in outcome.job.morning["reference"] if (r["patient"], r["step"]) == (visit.code, "result"))
    assert result_ref["resources"][0] == other.code
    plan = assert_valid_replan(outcome.job, PlanTrigger.HANDOVER)
    assert _surgeon_of(plan.data, visit.code, "result") == other.code


def test_a_handover_to_someone_who_cannot_give_a_result_is_refused(morning):
    visit = first_patient(morning)
    radiologist = morning.clinic.resources.get(code="rad-A")
    with pytest.raises(ValidationError) as refused:
        visit_result_hand_over(user=None, visit=visit, surgeon=radiologist, at=at(morning, "09:00"))
    assert "surgeon" in refused.value.message_dict
    visit.refresh_from_db()
    assert visit.result_surgeon is None


def test_an_absence_withdrawn_re_plans_with_her_back(morning, on_commit):
    on_commit(resource_unavailable_from, user=None, session=morning, resource=morning.clinic.resources.get(code="rad-B"),
              at=at(morning, "10:00"), reason="called to the ER", entered=at(morning, "09:40"))
    absence = AvailabilityException.objects.get(reason="called to the ER")
    outcome = on_commit(absence_withdraw, user=None, absence=absence, at=at(morning, "09:50"))
    assert not AvailabilityException.objects.filter(pk=absence.pk).exists()
    rad_b = next(r for r in outcome.job.morning["resources"] if r["id"] == "rad-B")
    assert rad_b["available"][-1][1] == "13:00"
    assert outcome.job.morning["now"] == "09:50"
    assert_valid_replan(outcome.job, PlanTrigger.ABSENCE_CHANGED)


def test_an_absence_shortened_re_plans_with_her_back_earlier(morning, on_commit):
    on_commit(resource_unavailable_from, user=None, session=morning, resource=morning.clinic.resources.get(code="rad-B"),
              at=at(morning, "10:00"), reason="meeting", entered=at(morning, "09:40"))
    absence = AvailabilityException.objects.get(reason="meeting")
    with pytest.raises(ValidationError) as refused:
        absence_shorten(user=None, absence=absence, until=at(morning, "09:30"), at=at(morning, "09:45"))
    assert "until" in refused.value.message_dict
    outcome = on_commit(absence_shorten, user=None, absence=absence, until=at(morning, "11:00"), at=at(morning, "09:45"))
    absence.refresh_from_db()
    assert (absence.start, absence.end) == (dt.time(10), dt.time(11))
    rad_b = next(r for r in outcome.job.morning["resources"] if r["id"] == "rad-B")
    assert ["11:00", "13:00"] in rad_b["available"]
    assert_valid_replan(outcome.job, PlanTrigger.ABSENCE_CHANGED)

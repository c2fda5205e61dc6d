"""The morning's version: every kind of change to what the engine sees moves it on, in the same
transaction, so a proposal made before can no longer be published (services/versions.py)."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib import admin

from mammapoli.clinics.models import AvailabilityException
from mammapoli.planning.booking_search import earliest_fit
from mammapoli.planning.clock import aware
from mammapoli.planning.errors import StaleProposal
from mammapoli.planning.models import ClinicSession, PlanStatus, Visit, VisitStep
from mammapoli.planning.morning_import import morning_import
from mammapoli.planning.proposal_diff import proposal_diff
from mammapoli.planning.services.booking import visit_book
from mammapoli.planning.services.dropped import visit_rebook
from mammapoli.planning.services import events
from mammapoli.planning.services.plans import plan_publish
from tests.factories import ClinicSessionFactory, PatientFactory, ReferralFactory
from tests.planning.conftest import MONDAY, TUESDAY, load_instance

pytestmark = pytest.mark.django_db


@pytest.fixture
def morning(small_morning, plan_now):
    """small-8 planned and published."""
    plan_publish(user=None, plan=plan_now(small_morning).plan)
    small_morning.refresh_from_db()
    return small_morning


@pytest.fixture
def proposal(plan_now):
    """An open proposal of the morning, made at the morning's version as it is now."""
    def make(session):
        plan = plan_now(session).plan
        session.refresh_from_db()
        assert (plan.status, plan.job.session_version) == (PlanStatus.PROPOSED, session.version)
        return plan
    return make


def version(session) -> int:
    return ClinicSession.objects.values_list("version", flat=True).get(pk=session.pk)


def assert_moved_on(session, plan, *, stale=True):
    """The morning's version is past the proposal's; the service marked the proposal stale
    (the admin and the import leave that to publishing, which refuses it)."""
    plan.refresh_from_db()
    assert version(session) > plan.job.session_version
    assert proposal_diff(plan=plan).stale
    assert plan.status == (PlanStatus.STALE if stale else PlanStatus.PROPOSED)
    if not stale:
        with pytest.raises(StaleProposal):
            plan_publish(user=None, plan=plan)


def at(session, clock: str) -> dt.datetime:
    return aware(session.date, clock)


def first_patient(session) -> Visit:
    return min(session.visits.all(), key=lambda v: min(vs.planned_start for vs in v.steps.all()))


def exam_of(visit) -> VisitStep:
    return VisitStep.objects.select_related("visit", "step").get(visit=visit, step__code="exam")


def test_a_proposal_at_the_mornings_version_stays_open(morning, proposal):
    plan = proposal(morning)
    assert not proposal_diff(plan=plan).stale
    plan_publish(user=None, plan=plan)
    assert version(morning) == plan.job.session_version + 1  # the published plan is the next reference


def test_a_booking_moves_the_morning_on(clinic, pathways, planner, small_morning, proposal):
    plan = proposal(small_morning)
    search = earliest_fit(clinic=clinic, pathway=pathways["imaging"], urgency="urgent", received_on=MONDAY,
                          today=MONDAY)
    visit_book(user=planner, referral=ReferralFactory(clinic=clinic, patient=PatientFactory(), received_on=MONDAY),
               pathway=pathways["imaging"], day=small_morning.date,
               arrival=dt.time(*divmod(search.fit.placement.arrival, 60)), today=MONDAY)
    assert_moved_on(small_morning, plan)


def test_a_rebooked_patient_moves_her_old_morning_on(clinic, pathways, planner, proposal):
    session = ClinicSessionFactory(clinic=clinic, date=TUESDAY)
    visit = Visit.objects.create(session=session, patient=PatientFactory(), pathway=pathways["fna"], code="P09",
                                 referral=ReferralFactory(clinic=clinic, received_on=TUESDAY))
    VisitStep.objects.bulk_create(VisitStep(visit=visit, step=s) for s in pathways["fna"].steps.all())
    plan = proposal(session)
    visit_rebook(user=planner, visit=visit, today=TUESDAY)
    assert_moved_on(session, plan)


def test_an_arrival_moves_the_morning_on(morning, proposal, record):
    plan = proposal(morning)
    record(events.visit_arrive, user=None, visit=first_patient(morning), at=at(morning, "08:00"))
    assert_moved_on(morning, plan)


def test_a_started_and_a_finished_step_move_the_morning_on(morning, proposal, record):
    exam = exam_of(first_patient(morning))
    plan = proposal(morning)
    record(events.step_start, user=None, visit_step=exam, at=exam.planned_start)
    assert_moved_on(morning, plan)
    plan = proposal(morning)
    record(events.step_finish, user=None, visit_step=exam, at=exam.planned_end)
    assert_moved_on(morning, plan)


def test_a_no_show_moves_the_morning_on(morning, proposal, record):
    plan = proposal(morning)
    record(events.visit_no_show, user=None, visit=first_patient(morning), at=at(morning, "08:30"))
    assert_moved_on(morning, plan)


def test_a_patient_who_leaves_moves_the_morning_on(morning, proposal, record):
    visit = first_patient(morning)
    record(events.visit_arrive, user=None, visit=visit, at=at(morning, "08:00"))
    plan = proposal(morning)
    record(events.visit_leave, user=None, visit=visit, at=at(morning, "08:05"))
    assert_moved_on(morning, plan)


def test_a_walk_in_moves_the_morning_on(morning, proposal, record):
    plan = proposal(morning)
    record(events.walk_in_add, user=None, session=morning, patient=PatientFactory(),
           pathway=morning.clinic.pathways.get(code="ultrasound-only"), at=at(morning, "09:00"))
    assert_moved_on(morning, plan)


def test_a_pathway_switch_and_a_handed_over_result_move_the_morning_on(morning, proposal, record):
    visit = morning.visits.filter(pathway__code="imaging").order_by("code").first()
    plan = proposal(morning)
    record(events.visit_switch_pathway, user=None, visit=visit, pathway=morning.clinic.pathways.get(code="fna"),
           at=at(morning, "08:00"))
    assert_moved_on(morning, plan)
    plan = proposal(morning)
    surgeon = morning.clinic.resources.get(code="chir-B")
    record(events.visit_result_hand_over, user=None, visit=visit, surgeon=surgeon, at=at(morning, "08:00"))
    assert_moved_on(morning, plan)


def test_an_absence_entered_withdrawn_or_shortened_moves_the_morning_on(morning, proposal, record):
    plan = proposal(morning)
    record(events.resource_unavailable_from, user=None, session=morning, resource=morning.clinic.resources.get(code="rad-B"),
           at=at(morning, "10:00"), reason="meeting", entered=at(morning, "09:40"))
    assert_moved_on(morning, plan)
    absence = AvailabilityException.objects.get(reason="meeting")
    plan = proposal(morning)
    record(events.absence_shorten, user=None, absence=absence, until=at(morning, "11:00"), at=at(morning, "09:45"))
    assert_moved_on(morning, plan)
    plan = proposal(morning)
    record(events.absence_withdraw, user=None, absence=absence, at=at(morning, "09:50"))
    assert_moved_on(morning, plan)


def test_an_imported_file_of_the_morning_moves_it_on(morning, proposal):
    plan = proposal(morning)
    morning_import(data=load_instance("small-8"), clinic_name=morning.clinic.name)
    assert_moved_on(morning, plan, stale=False)


def test_an_absence_entered_or_deleted_in_the_admin_moves_the_clinics_mornings_on(morning, proposal, admin_client):
    plan = proposal(morning)
    response = admin_client.post("/admin/clinics/availabilityexception/add/", {
        "resource": morning.clinic.resources.get(code="chir-A").pk, "date": morning.date.isoformat(),
        "start": "11:00", "end": "12:00", "kind": "absent", "reason": "called away"})
    assert response.status_code == 302
    assert_moved_on(morning, plan, stale=False)
    before = version(morning)
    absence = AvailabilityException.objects.get(reason="called away")
    response = admin_client.post(f"/admin/clinics/availabilityexception/{absence.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not AvailabilityException.objects.filter(pk=absence.pk).exists()
    assert version(morning) == before + 1


def test_a_morning_saved_in_the_admin_moves_it_on(morning, proposal, rf):
    """(Visits and their steps are patient data and not in the admin; the morning itself is.)"""
    plan = proposal(morning)
    ClinicSession.objects.filter(pk=morning.pk).update(end=dt.time(12, 30))
    form = SimpleNamespace(instance=morning, save_m2m=lambda: None)  # what the change form hands on
    admin.site._registry[ClinicSession].save_related(rf.post("/"), form, [], True)
    assert_moved_on(morning, plan, stale=False)

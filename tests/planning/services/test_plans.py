"""Publishing a proposal: planned times and bookings in one transaction; 409 when stale; the diff."""

import datetime as dt

import pytest

from mammapoli.audit.models import AccessEvent
from mammapoli.planning.clock import hhmm
from mammapoli.planning.booking_search import earliest_fit
from mammapoli.planning.errors import Conflict, StaleProposal
from mammapoli.planning.models import AllocationPhase, Plan, PlanStatus, ResourceBooking, VisitStep, VisitStepResource
from mammapoli.planning.proposal_diff import Change, proposal_diff
from mammapoli.planning.services.booking import visit_book
from mammapoli.planning.services.plans import plan_publish
from tests.factories import PatientFactory, ReferralFactory
from tests.planning.conftest import MONDAY, assert_published_plan_valid

pytestmark = pytest.mark.django_db


def planned_state():
    return (sorted(VisitStep.objects.values_list("id", "planned_start", "planned_end")),
            sorted(VisitStepResource.objects.filter(phase=AllocationPhase.PLANNED)
                   .values_list("visit_step_id", "position", "resource_id")),
            sorted(ResourceBooking.objects.values_list("visit_step_id", "resource_id", "start", "end")))


def test_publishing_writes_the_plan_and_its_bookings(small_morning, plan_now, planner):
    plan = plan_now(small_morning).plan
    published = plan_publish(user=planner, plan=plan)
    assert (published.status, published.published_by) == (PlanStatus.PUBLISHED, planner)
    by_step = {(a["patient"], a["step"]): a for a in plan.data["assignments"]}
    for vs in VisitStep.objects.filter(visit__session=small_morning).select_related("visit", "step"):
        entry = by_step[(vs.visit.code, vs.step.code)]
        assert (hhmm(vs.planned_start), hhmm(vs.planned_end)) == (entry["start"], entry["end"])
        assert [a.resource.code for a in vs.allocations.filter(phase="planned").order_by("position")] == \
            entry["resources"]
    assert ResourceBooking.objects.count() == sum(len(a["resources"]) for a in plan.data["assignments"])
    assert AccessEvent.objects.filter(action="write", what="planned times").count() == 8
    exported = assert_published_plan_valid(small_morning)
    assert exported["status"] == plan.data["status"] and exported["objective"] == plan.data["objective"]


def test_a_new_proposal_replaces_the_published_plan_and_the_old_one_is_superseded(small_morning, plan_now, planner):
    first = plan_publish(user=planner, plan=plan_now(small_morning).plan)
    second_job = plan_now(small_morning)
    assert second_job.morning["reference"], "the re-plan sees the published plan as its reference"
    diff = proposal_diff(plan=second_job.plan)
    assert not diff.stale
    assert all(c.change == Change.UNCHANGED for c in diff.changes)  # stability: nothing to move
    plan_publish(user=planner, plan=second_job.plan)
    first.refresh_from_db()
    assert first.status == PlanStatus.SUPERSEDED
    assert Plan.objects.filter(status=PlanStatus.PUBLISHED).get() == second_job.plan
    assert_published_plan_valid(small_morning)


def test_a_proposal_made_before_the_morning_changed_in_the_admin_is_refused_with_nothing_written(
        small_morning, plan_now, planner, admin_client):
    plan = plan_now(small_morning).plan
    response = admin_client.post("/admin/clinics/availabilityexception/add/", {  # chir-A away, entered meanwhile
        "resource": small_morning.clinic.resources.get(code="chir-A").pk, "date": small_morning.date.isoformat(),
        "start": "11:00", "end": "12:00", "kind": "absent", "reason": "called away"})
    assert response.status_code == 302
    before = planned_state()
    with pytest.raises(StaleProposal):
        plan_publish(user=planner, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PROPOSED and planned_state() == before
    assert proposal_diff(plan=plan).stale


def test_a_booking_makes_open_proposals_stale(clinic, pathways, planner, plan_now, small_morning):
    plan = plan_now(small_morning).plan
    # The Monday before, a planner books a ninth patient into the Tuesday morning.
    search = earliest_fit(clinic=clinic, pathway=pathways["imaging"], urgency="urgent", received_on=MONDAY,
                          today=MONDAY)
    assert search.fit.day == small_morning.date
    arrival = dt.time(*divmod(search.fit.placement.arrival, 60))
    visit_book(user=planner, referral=ReferralFactory(clinic=clinic, patient=PatientFactory(), received_on=MONDAY),
               pathway=pathways["imaging"], day=small_morning.date, arrival=arrival, today=MONDAY)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.STALE
    before = planned_state()
    with pytest.raises(Conflict):
        plan_publish(user=planner, plan=plan)
    assert planned_state() == before


def test_the_diff_says_who_moves_by_how_much_and_whom_to_call(small_morning, plan_now, planner):
    plan_publish(user=planner, plan=plan_now(small_morning).plan)
    # The fna patient (P08) may now only come ten minutes after her published arrival (the
    # engine may publish any optimal plan, so the bound follows her, not a fixed time).
    first_start = VisitStep.objects.filter(visit__session=small_morning, visit__code="P08").order_by(
        "planned_start").values_list("planned_start", flat=True).first()
    later = hhmm(first_start + dt.timedelta(minutes=10))
    small_morning.visits.filter(code="P08").update(earliest=dt.time.fromisoformat(later))
    job = plan_now(small_morning)
    diff = proposal_diff(plan=job.plan, user=planner)
    moved = {c.visit.code: c for c in diff.moved}
    assert "P08" in moved
    p08 = moved["P08"]
    assert p08.new_arrival >= later and p08.shift >= 10
    assert p08.call  # booked, not here yet, her time changed
    assert {c.visit.code for c in diff.to_call} == {c.visit.code for c in diff.moved
                                                    if c.old_arrival != c.new_arrival}
    assert AccessEvent.objects.filter(what="plan proposal").count() == 8


def test_only_an_open_proposal_can_be_published(small_morning, plan_now, planner):
    plan = plan_publish(user=planner, plan=plan_now(small_morning).plan)
    with pytest.raises(Conflict):
        plan_publish(user=planner, plan=plan)


def test_the_shift_is_the_minutes_the_arrival_moves():
    from mammapoli.planning.proposal_diff import VisitChange

    def change(old, new):
        return VisitChange(None, Change.MOVED, old, new, None, None, 1, 0, "", False)

    assert (change("09:00", "09:25").shift, change("10:40", "09:05").shift, change(None, "09:05").shift) == (25, -95, None)

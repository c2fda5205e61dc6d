"""A patient the plan leaves out is never silently lost: rebooked in one click on the earliest
morning that takes her (the booking flow she would have had)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from mammapoli.audit.models import AccessEvent
from mammapoli.planning.models import Visit, VisitStatus, VisitStep
from mammapoli.planning.services.dropped import visit_is_dropped, visit_rebook
from mammapoli.planning.services.plans import plan_publish
from tests.factories import ClinicSessionFactory, PatientFactory, ReferralFactory
from tests.planning.conftest import MONDAY, TUESDAY

pytestmark = pytest.mark.django_db


def dropped_visit(clinic, pathways, *, referral=True, priority=1, status=VisitStatus.BOOKED):
    """A visit on Tuesday's morning with no planned steps (the published plan left her out)."""
    session = ClinicSessionFactory(clinic=clinic, date=TUESDAY)
    patient = PatientFactory(clinic=clinic)
    visit = Visit.objects.create(session=session, patient=patient, pathway=pathways["fna"], code="P09",
                                 priority=priority, status=status,
                                 referral=ReferralFactory(clinic=clinic, patient=patient, received_on=MONDAY,
                                                          urgency="urgent") if referral else None)
    VisitStep.objects.bulk_create(VisitStep(visit=visit, step=s) for s in pathways["fna"].steps.all())
    return visit


def test_a_dropped_patient_is_rebooked_on_the_earliest_morning_that_takes_her(clinic, pathways, planner):
    visit = dropped_visit(clinic, pathways)
    assert visit_is_dropped(visit)
    new = visit_rebook(user=planner, visit=visit, today=TUESDAY)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.REBOOKED
    assert (new.session.date, new.referral, new.pathway, new.status) == (
        dt.date(2026, 12, 2), visit.referral, visit.pathway, VisitStatus.BOOKED)   # Wednesday, within 2 days
    assert all(vs.planned_start is not None for vs in new.steps.all())
    assert AccessEvent.objects.filter(what="visit rebooked", visit_id=visit.pk).count() == 1


def test_a_walk_in_left_out_gets_a_referral_and_is_rebooked(clinic, pathways, planner):
    visit = dropped_visit(clinic, pathways, referral=False, priority=2, status=VisitStatus.ARRIVED)
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))):  # on Tuesday:
        new = visit_rebook(user=planner, visit=visit, today=TUESDAY)  # her referral is received that day
    assert (new.referral.urgency, new.referral.patient, new.referral.received_on) == ("urgent", visit.patient, TUESDAY)


def test_a_patient_on_the_plan_is_not_rebooked(small_morning, plan_now, planner):
    plan_publish(user=planner, plan=plan_now(small_morning).plan)
    visit = small_morning.visits.get(code="P01")
    assert not visit_is_dropped(visit)
    with pytest.raises(ValidationError) as refused:
        visit_rebook(user=planner, visit=visit, today=dt.date(2026, 11, 30))
    assert "visit" in refused.value.message_dict
    visit.refresh_from_db()
    assert visit.status == VisitStatus.BOOKED


def test_when_no_morning_takes_her_nothing_changes(clinic, pathways, planner):
    visit = dropped_visit(clinic, pathways)
    clinic.resources.filter(kind__code="pathologist").update(active=False)
    with pytest.raises(ValidationError):
        visit_rebook(user=planner, visit=visit, today=TUESDAY)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.BOOKED and Visit.objects.count() == 1

"""Structural rules the database itself enforces (on SQLite here, on PostgreSQL in CI)."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from mammapoli.planning.models import VisitStep
from tests.factories import ClinicSessionFactory, PathwayFactory, PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(clinic):
    return VisitFactory(session=ClinicSessionFactory(clinic=clinic), pathway=clinic.pathways.get(code="imaging"))


def test_a_visit_step_must_be_a_step_of_the_visits_pathway(clinic, visit):
    other_pathway = PathwayFactory.imaging(clinic=clinic, code="imaging-2")
    foreign_step = other_pathway.steps.get(code="exam")
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitStep.objects.create(visit=visit, step=foreign_step)
    own = visit.steps.get(step__code="exam")
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitStep.objects.filter(pk=own.pk).update(step=foreign_step)


def test_a_visit_cannot_change_pathway_while_it_has_steps_of_the_old_one(clinic, visit):
    other_pathway = PathwayFactory.imaging(clinic=clinic, code="imaging-2")
    visit.pathway = other_pathway
    with pytest.raises(IntegrityError), transaction.atomic():
        visit.save()
    visit.steps.all().delete()
    visit.save()  # with the old steps gone, the switch is allowed
    VisitStep.objects.create(visit=visit, step=other_pathway.steps.get(code="exam"))


def test_hospital_numbers_are_unique_within_a_clinic(clinic):
    PatientFactory(clinic=clinic, hospital_number="1234567")
    with pytest.raises(IntegrityError), transaction.atomic():
        PatientFactory(clinic=clinic, hospital_number="1234567")


def test_planned_and_actual_steps_end_after_they_start(visit):
    step = visit.steps.first()
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitStep.objects.filter(pk=step.pk).update(planned_start=start, planned_end=start)
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitStep.objects.filter(pk=step.pk).update(planned_start=start)  # an end is needed too
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitStep.objects.filter(pk=step.pk).update(actual_start=start, actual_end=start - dt.timedelta(minutes=5))
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitStep.objects.filter(pk=step.pk).update(actual_end=start)  # an end needs a start
    VisitStep.objects.filter(pk=step.pk).update(actual_start=start)  # under way: no end yet


def test_a_session_ends_after_it_starts_and_a_clinic_has_one_per_day(clinic):
    ClinicSessionFactory(clinic=clinic, date=dt.date(2026, 12, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        ClinicSessionFactory(clinic=clinic, date=dt.date(2026, 12, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        ClinicSessionFactory(clinic=clinic, date=dt.date(2026, 12, 2), start=dt.time(13), end=dt.time(8))


def test_a_patient_has_one_visit_per_session(clinic, visit):
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitFactory(session=visit.session, patient=visit.patient, pathway=visit.pathway)

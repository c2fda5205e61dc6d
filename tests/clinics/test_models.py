import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from mammapoli.clinics.models import (
    AvailabilityException,
    PathwayStep,
    Resource,
    StepPrecedence,
    WeeklyAvailability,
)
from tests.factories import ClinicFactory, ResourceKindFactory

pytestmark = pytest.mark.django_db


def test_availability_must_end_after_it_starts(clinic):
    resource = clinic.resources.get(code="chir-A")
    with pytest.raises(IntegrityError), transaction.atomic():
        WeeklyAvailability.objects.create(resource=resource, weekday=0, start=dt.time(12), end=dt.time(9))
    with pytest.raises(IntegrityError), transaction.atomic():
        AvailabilityException.objects.create(resource=resource, date=dt.date(2026, 12, 1),
                                             start=dt.time(10), end=dt.time(10))


def test_resource_codes_are_unique_within_a_clinic_only(clinic):
    kind = clinic.kinds.get(code="surgeon")
    with pytest.raises(IntegrityError), transaction.atomic():
        Resource.objects.create(clinic=clinic, code="chir-A", kind=kind)
    other = ClinicFactory(name="other")
    Resource.objects.create(clinic=other, code="chir-A", kind=ResourceKindFactory(clinic=other, code="surgeon"))


def test_a_resource_cannot_use_another_clinics_kind(clinic):
    other_kind = ResourceKindFactory(clinic=ClinicFactory(name="other"), code="surgeon")
    resource = Resource(clinic=clinic, code="chir-Z", kind=other_kind)
    with pytest.raises(ValidationError) as error:
        resource.full_clean()
    assert "kind" in error.value.message_dict


def test_step_duration_is_positive(clinic):
    pathway = clinic.pathways.get(code="imaging")
    with pytest.raises(IntegrityError), transaction.atomic():
        PathwayStep.objects.create(pathway=pathway, code="zero", duration=0)


def test_precedence_max_lag_not_below_min_lag(clinic):
    steps = {s.code: s for s in PathwayStep.objects.filter(pathway__clinic=clinic)}
    with pytest.raises(IntegrityError), transaction.atomic():
        StepPrecedence.objects.create(step=steps["result"], after=steps["exam"], min_lag=30, max_lag=10)


def test_a_precedence_that_closes_a_cycle_is_refused(clinic):
    steps = {s.code: s for s in PathwayStep.objects.filter(pathway__clinic=clinic)}
    # exam -> mammo -> us -> result exists; exam after result would close the loop.
    cycle = StepPrecedence(step=steps["exam"], after=steps["result"])
    with pytest.raises(ValidationError) as error:
        cycle.full_clean()
    assert error.value.message_dict["after"] == ["This precedence would make a cycle."]
    StepPrecedence(step=steps["result"], after=steps["exam"]).full_clean()  # a shortcut is no cycle


def test_a_precedence_across_pathways_is_refused(clinic):
    from tests.factories import PathwayFactory

    other = PathwayFactory.imaging(clinic=clinic, code="imaging-2")
    link = StepPrecedence(step=other.steps.get(code="mammo"), after=clinic.pathways.get(code="imaging").steps.get(code="exam"))
    with pytest.raises(ValidationError) as error:
        link.full_clean()
    assert "after" in error.value.message_dict

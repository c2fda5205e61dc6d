"""The clinic's uncertainty settings in every morning the planning sends to the engine."""

import datetime as dt
from decimal import Decimal

import pytest

from mammapoli.clinics.models import Clinic, ClinicUncertainty, StepVariation
from mammapoli.planning.adapter import session_to_morning
from mammapoli.planning.booking_search import earliest_fit, morning_for
from mammapoli.planning.models import Plan
from mammapoli.planning.morning_import import morning_import
from mammapoli.planning.morning_validation import MorningFormatError
from scheduler import problem_from_json
from tests.planning.conftest import MONDAY, load_instance

pytestmark = pytest.mark.django_db


def test_a_clinic_without_settings_sends_no_block(small_morning):
    assert "uncertainty" not in session_to_morning(small_morning)


def test_the_default_settings_are_the_typical_clinics(small_morning):
    ClinicUncertainty.objects.create(clinic=small_morning.clinic)
    morning = session_to_morning(small_morning)
    assert morning["uncertainty"] == load_instance("uncertain/u-standard-20")["uncertainty"] == {
        "duration_cv": 0.3, "no_show": 0.08, "punctuality_sd": 5, "overtime_p90": 15}
    assert problem_from_json(morning).uncertainty.no_show == 0.08


def test_steps_of_their_own_go_beside_the_default_and_an_empty_limit_is_left_out(small_morning):
    settings = ClinicUncertainty.objects.create(clinic=small_morning.clinic, duration_cv=Decimal("0.25"),
                                                no_show=Decimal("0.1"), punctuality_sd=Decimal("7.5"),
                                                overtime_p90=None)
    StepVariation.objects.create(uncertainty=settings, step_code="core", duration_cv=Decimal("0.45"))
    StepVariation.objects.create(uncertainty=settings, step_code="gone", duration_cv=Decimal("0.9"))  # no such step
    morning = session_to_morning(small_morning)
    assert morning["uncertainty"] == {"duration_cv": {"default": 0.25, "core": 0.45}, "no_show": 0.1,
                                      "punctuality_sd": 7.5}
    assert problem_from_json(morning).uncertainty.cv("core") == 0.45


def test_a_plan_of_a_clinic_with_settings_carries_its_risk(small_morning, plan_now):
    ClinicUncertainty.objects.create(clinic=small_morning.clinic)
    job = plan_now(small_morning)
    assert job.morning["uncertainty"]["overtime_p90"] == 15
    risk = Plan.objects.get(job=job).data["risk"]
    assert set(risk) == {"runs", "answered_expected", "priority_answered_expected", "overtime_p90", "overtime_mean"}
    assert risk["runs"] == 400 and 0 < risk["answered_expected"] <= 8


def test_without_settings_a_plan_has_no_risk(small_morning, plan_now):
    assert "risk" not in Plan.objects.get(job=plan_now(small_morning)).data


def test_the_booking_search_finds_the_same_morning_with_the_settings(clinic, pathways):
    def search():
        found = earliest_fit(clinic=clinic, pathway=pathways["fna"], urgency="urgent", received_on=MONDAY,
                             today=MONDAY)
        return found.fit.day, found.fit.placement.arrival

    without = search()
    ClinicUncertainty.objects.create(clinic=clinic)
    assert morning_for(clinic, dt.date(2026, 12, 1)).uncertainty is not None
    assert search() == without == (dt.date(2026, 12, 1), 8 * 60)


def test_an_instances_block_becomes_the_clinics_settings():
    session = morning_import(data=load_instance("uncertain/u-standard-20"))
    settings = session.clinic.uncertainty
    assert (settings.duration_cv, settings.no_show, settings.punctuality_sd, settings.overtime_p90) == (
        Decimal("0.30"), Decimal("0.08"), Decimal("5.0"), 15)
    instance = load_instance("uncertain/u-standard-20")
    instance["uncertainty"] = {"duration_cv": {"default": 0.2, "core": 0.5}}
    session = morning_import(data=instance)
    settings = ClinicUncertainty.objects.get(clinic=session.clinic)
    assert (settings.duration_cv, settings.no_show, settings.punctuality_sd, settings.overtime_p90) == (
        Decimal("0.20"), Decimal("0.00"), Decimal("0.0"), None)
    assert list(settings.steps.values_list("step_code", "duration_cv")) == [("core", Decimal("0.50"))]
    assert session_to_morning(session)["uncertainty"] == {
        "duration_cv": {"default": 0.2, "core": 0.5}, "no_show": 0, "punctuality_sd": 0}


@pytest.mark.parametrize(("block", "message"), [
    ({"duration_cv": 2.5}, "uncertainty.duration_cv: Ensure this value is less than or equal to 2."),
    ({"duration_cv": {"default": 0.3, "core": 3}},
     "uncertainty.duration_cv.core: Ensure this value is less than or equal to 2."),
    ({"overtime_p90": 300}, "uncertainty.overtime_p90: Ensure this value is less than or equal to 240."),
])
def test_a_block_the_settings_do_not_take_names_the_field_and_writes_nothing(block, message):
    instance = load_instance("uncertain/u-standard-20")
    instance["uncertainty"] = block
    with pytest.raises(MorningFormatError) as error:
        morning_import(data=instance)
    assert str(error.value) == message
    assert not Clinic.objects.exists() and not ClinicUncertainty.objects.exists()

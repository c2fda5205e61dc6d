"""A clinic's uncertainty settings: validated with a message per field, edited in the admin."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from mammapoli.clinics.models import ClinicUncertainty, StepVariation
from mammapoli.clinics.services.uncertainty import clinic_uncertainty_set

pytestmark = pytest.mark.django_db


def test_out_of_range_values_are_refused_per_field(clinic):
    settings = ClinicUncertainty(clinic=clinic, duration_cv=Decimal("2.5"), no_show=Decimal("1.2"),
                                 punctuality_sd=Decimal("-1"), overtime_p90=300)
    with pytest.raises(ValidationError) as error:
        settings.full_clean()
    assert error.value.message_dict == {
        "duration_cv": ["Ensure this value is less than or equal to 2."],
        "no_show": ["Ensure this value is less than or equal to 1."],
        "punctuality_sd": ["Ensure this value is greater than or equal to 0."],
        "overtime_p90": ["Ensure this value is less than or equal to 240."],
    }


def test_the_database_refuses_a_no_show_rate_above_one(clinic):
    with pytest.raises(IntegrityError), transaction.atomic():
        ClinicUncertainty.objects.create(clinic=clinic, no_show=Decimal("1.5"))


def test_a_step_variation_names_a_step_of_the_clinic(clinic):
    settings = ClinicUncertainty.objects.create(clinic=clinic)
    with pytest.raises(ValidationError) as error:
        StepVariation(uncertainty=settings, step_code="kore", duration_cv=Decimal("0.4")).full_clean()
    assert error.value.message_dict == {"step_code": ["No pathway of this clinic has a step kore."]}
    StepVariation(uncertainty=settings, step_code="us", duration_cv=Decimal("0.4")).full_clean()


def test_the_service_rounds_sets_the_named_steps_and_keeps_the_others(clinic):
    settings = clinic_uncertainty_set(clinic=clinic, duration_cv=0.333, no_show=0.071, punctuality_sd=6.44,
                                      overtime_p90=14.6, step_cv={"us": 0.5})
    clinic_uncertainty_set(clinic=clinic, duration_cv=0.3, no_show=0.08, punctuality_sd=5, overtime_p90=None,
                           step_cv={"exam": 0.2})
    settings.refresh_from_db()
    assert (settings.duration_cv, settings.no_show, settings.punctuality_sd, settings.overtime_p90) == (
        Decimal("0.30"), Decimal("0.08"), Decimal("5.0"), None)
    assert list(settings.steps.values_list("step_code", "duration_cv")) == [
        ("exam", Decimal("0.20")), ("us", Decimal("0.50"))]
    first = clinic_uncertainty_set(clinic=clinic, duration_cv=0.333, no_show=0.071, punctuality_sd=6.44,
                                   overtime_p90=14.6)
    assert (first.duration_cv, first.no_show, first.punctuality_sd, first.overtime_p90) == (
        Decimal("0.33"), Decimal("0.07"), Decimal("6.4"), 15)


def test_a_bad_step_in_the_service_names_it_and_writes_nothing(clinic):
    with pytest.raises(ValidationError) as error:
        clinic_uncertainty_set(clinic=clinic, duration_cv=0.3, no_show=0.08, punctuality_sd=5, overtime_p90=15,
                               step_cv={"us": 0.4, "kore": 0.5})
    assert error.value.message_dict == {"step_cv.kore": ["No pathway of this clinic has a step kore."]}
    assert not ClinicUncertainty.objects.exists() and not StepVariation.objects.exists()


def _form(clinic, **changes):
    data = {"clinic": clinic.pk, "duration_cv": "0.30", "no_show": "0.08", "punctuality_sd": "5", "overtime_p90": "15",
            "steps-TOTAL_FORMS": "1", "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "1000", "steps-0-step_code": "us", "steps-0-duration_cv": "0.45"}
    return {**data, **changes}


def test_the_application_manager_sets_the_clinics_uncertainty_in_the_admin(clinic, application_manager, client):
    client.force_login(application_manager)
    assert client.get("/admin/clinics/clinicuncertainty/add/").status_code == 200
    response = client.post("/admin/clinics/clinicuncertainty/add/", _form(clinic))
    assert response.status_code == 302
    settings = ClinicUncertainty.objects.get(clinic=clinic)
    assert (settings.duration_cv, settings.overtime_p90) == (Decimal("0.30"), 15)
    assert list(settings.steps.values_list("step_code", "duration_cv")) == [("us", Decimal("0.45"))]


def test_the_admin_names_each_bad_field_and_saves_nothing(clinic, application_manager, client):
    client.force_login(application_manager)
    response = client.post("/admin/clinics/clinicuncertainty/add/",
                           _form(clinic, no_show="1.5", overtime_p90="-5", **{"steps-0-step_code": "kore"}))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {"no_show": ["Ensure this value is less than or equal to 1."],
                           "overtime_p90": ["Ensure this value is greater than or equal to 0."]}
    response = client.post("/admin/clinics/clinicuncertainty/add/", _form(clinic, **{"steps-0-step_code": "kore"}))
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.errors == [
        {"step_code": ["No pathway of this clinic has a step kore."]}]
    assert not ClinicUncertainty.objects.exists()


def test_a_planner_does_not_reach_the_uncertainty_settings(clinic, planner, client):
    client.force_login(planner)
    assert client.get("/admin/clinics/clinicuncertainty/add/").status_code in (302, 403)
    assert client.post("/admin/clinics/clinicuncertainty/add/", _form(clinic)).status_code in (302, 403)
    assert not ClinicUncertainty.objects.exists()

"""A patient record belongs to a clinic: a planner cannot find, probe or link another clinic's
patient through the hospital number she types (issue 10)."""

import datetime as dt

import pytest
from django.db import IntegrityError
from rest_framework.test import APIClient

from mammapoli.audit.models import AccessEvent
from mammapoli.records.models import Patient, Referral
from tests.factories import ClinicFactory, PatientFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def referral_for(number, family_name, born):
    return {"clinic": "testpoli", "referring_gp": "Huisartsenpraktijk Zuid", "complaint": "palpable_lump",
            "patient": {"hospital_number": number, "given_name": "Anna", "family_name": family_name,
                        "date_of_birth": born}}


@pytest.fixture
def theirs(db):
    """A patient of another clinic."""
    return ReferralFactory(clinic=ClinicFactory(name="elders"),
                           patient__hospital_number="7005555", patient__family_name="Jansen",
                           patient__date_of_birth=dt.date(1966, 6, 6)).patient


def post(user, body):
    client = APIClient()
    client.force_authenticate(user)
    return client.post("/api/referrals/", body, format="json")


@pytest.mark.parametrize(("family_name", "born"), [
    ("Wrong", "1966-06-06"),    # a wrong name
    ("Jansen", "1970-01-01"),   # a wrong date of birth
    ("Jansen", "1966-06-06"),   # the right guess
])
def test_another_clinics_number_answers_the_same_whatever_is_guessed_and_links_nothing(clinic, planner, theirs,
                                                                                    family_name, born):
    response = post(planner, referral_for("7005555", family_name, born))
    assert response.status_code == 201, response.json()
    referral = Referral.objects.get(pk=response.json()["id"])
    assert referral.patient != theirs and referral.patient.clinic == clinic
    assert list(theirs.referrals.values_list("clinic__name", flat=True)) == ["elders"]


def test_a_wrong_guess_at_her_own_clinics_patient_gets_one_answer_and_is_logged(clinic, planner):
    ours = PatientFactory(clinic=clinic, hospital_number="7006666", family_name="Visser",
                          date_of_birth=dt.date(1980, 1, 1))
    wrong_name = post(planner, referral_for("7006666", "Bakker", "1980-01-01"))
    wrong_birth = post(planner, referral_for("7006666", "Visser", "1981-01-01"))
    assert (wrong_name.status_code, wrong_birth.status_code) == (400, 400)
    assert wrong_name.json() == wrong_birth.json() == {"hospital_number": [
        "This hospital number belongs to a patient with another name or date of birth."]}
    assert not ours.referrals.exists() and Patient.objects.count() == 1
    assert list(AccessEvent.objects.values_list("what", "outcome", "role", "clinic_id", "detail")) == [
        ("referral", "denied", "planner", clinic.pk, "hospital number of a patient with another name or date of birth")
    ] * 2


def test_the_hospital_number_is_unique_per_clinic_only(clinic):
    PatientFactory(clinic=clinic, hospital_number="7007777")
    PatientFactory(clinic=ClinicFactory(name="elders"), hospital_number="7007777")
    with pytest.raises(IntegrityError):
        PatientFactory(clinic=clinic, hospital_number="7007777")

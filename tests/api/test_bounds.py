"""Input without bounds is refused: ids too long for an id (404, logged, never a 500), free
text too long, dates that cannot be (a 400 naming the field, in Dutch and in English)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from mammapoli.audit.models import AccessEvent
from mammapoli.records.models import Patient, Referral
from mammapoli.records.services import form_section_sign, form_section_update
from tests.factories import ClinicSessionFactory, ReferralFactory, VisitFactory
from tests.second_factor import VerifiedClient

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # 20 digits: more than a 64-bit key holds

REFERRAL = {
    "clinic": "testpoli",
    "patient": {"hospital_number": "7001234", "given_name": "Anna", "family_name": "de Vries",
                "date_of_birth": "1971-03-02"},
    "referring_gp": "Huisartsenpraktijk Zuid", "complaint": "palpable_lump",
}


def api_as(user, language="en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("path", [
    f"/api/visits/{HUGE}/form/", f"/api/visits/{HUGE}/form/imaging/history/", f"/api/sessions/{HUGE}/plan/",
    f"/api/plans/{HUGE}/diff/", f"/api/referrals/{HUGE}/suggestion/", f"/api/patients/{HUGE}/access-log/",
])
def test_an_id_too_long_is_a_json_404_and_the_attempt_is_logged(surgeon, path):
    response = api_as(surgeon).get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json" and "detail" in response.json()
    (row,) = AccessEvent.objects.all()
    assert (row.username, row.outcome, row.detail) == ("sophie.surgeon", "denied", f"no such path {path}")


def test_a_write_to_an_id_too_long_is_refused_the_same_way(planner):
    response = api_as(planner).post(f"/api/visits/{HUGE}/events/", {"type": "arrived"}, format="json")
    assert response.status_code == 404 and "detail" in response.json()
    assert AccessEvent.objects.get().action == "write"


def test_a_page_with_an_id_too_long_is_a_404_and_logged(surgeon):
    client = VerifiedClient()
    client.force_login(surgeon)
    assert client.get(f"/visits/{HUGE}/form/").status_code == 404
    assert client.get(f"/sessions/{HUGE}/board/").status_code == 404
    assert list(AccessEvent.objects.values_list("outcome", flat=True)) == ["denied", "denied"]


def test_the_longest_id_that_fits_is_an_ordinary_refusal(surgeon):
    response = api_as(surgeon).get(f"/api/visits/{'9' * 18}/form/")
    assert response.status_code == 404
    assert AccessEvent.objects.get().detail == "no such visit"


# --- free text and dates -------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "field"), [
    ({"reason": "x" * 1_000_000}, "reason"),
    ({"received_on": "2026-12-25"}, "received_on"),
    ({"received_on": "1999-01-01"}, "received_on"),
    ({"patient": {**REFERRAL["patient"], "date_of_birth": "2030-01-01"}}, "date_of_birth"),
    ({"patient": {**REFERRAL["patient"], "date_of_birth": "1850-01-01"}}, "date_of_birth"),
])
def test_a_referral_out_of_bounds_is_a_400_naming_the_field_and_writes_nothing(planner, clinic, change, field):
    response = api_as(planner).post("/api/referrals/", {**REFERRAL, **change}, format="json")
    assert response.status_code == 400
    body = response.json()
    named = body["patient"] if field == "date_of_birth" else body
    assert list(named) == [field], body
    assert (Referral.objects.count(), Patient.objects.count()) == (0, 0)


def test_the_messages_are_dutch_first_and_english_second(planner, clinic):
    future = {**REFERRAL, "patient": {**REFERRAL["patient"], "date_of_birth": "2030-01-01"},
              "reason": "x" * 2001}
    dutch = api_as(planner, "nl").post("/api/referrals/", future, format="json").json()
    english = api_as(planner, "en").post("/api/referrals/", future, format="json").json()
    assert dutch["patient"]["date_of_birth"] == ["De geboortedatum kan niet in de toekomst liggen."]
    assert english["patient"]["date_of_birth"] == ["The date of birth cannot lie in the future."]
    assert dutch["reason"] == ["Zorg ervoor dat dit veld niet meer dan 2000 karakters bevat."]


def test_a_booking_on_9999_12_31_is_refused_naming_the_date(planner, clinic):
    referral = ReferralFactory(clinic=clinic, received_on=timezone.localdate())
    response = api_as(planner).post("/api/visits/", {"referral": referral.pk, "pathway": "imaging",
                                                     "date": "9999-12-31", "arrival": "09:00"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["date"], response.json()
    assert not referral.visits.exists()


def test_the_booking_service_refuses_a_morning_beyond_the_horizon_too(planner, clinic):
    from django.core.exceptions import ValidationError

    from mammapoli.planning.services.booking import visit_book

    referral = ReferralFactory(clinic=clinic, received_on=timezone.localdate())
    with pytest.raises(ValidationError) as refused:
        visit_book(user=planner, referral=referral, pathway=clinic.pathways.get(code="imaging"),
                   day=dt.date(2031, 1, 6), arrival=dt.time(9, 0))
    assert list(refused.value.message_dict) == ["date"]


def test_an_addendum_with_a_reason_of_a_megabyte_is_refused_and_not_kept(clinic, radiologist):
    visit = VisitFactory(session=ClinicSessionFactory(clinic=clinic, date=dt.date(2026, 12, 1)),
                         pathway=clinic.pathways.get(code="imaging"))
    form_section_update(user=radiologist, visit_id=visit.pk, section="imaging", changes={"birads": 3},
                        expected_version=0)
    form_section_sign(user=radiologist, visit_id=visit.pk, section="imaging", expected_version=1)
    response = api_as(radiologist).post(f"/api/visits/{visit.pk}/form/imaging/addenda/",
                                        {"reason": "x" * 1_000_000, "changes": {"birads": 4}},
                                        format="json", HTTP_IF_MATCH='W/"2"')
    assert response.status_code == 400 and list(response.json()) == ["reason"]
    assert "2000" in response.json()["reason"][0]
    from mammapoli.records.models import SectionVersion
    assert SectionVersion.objects.filter(kind="addendum").count() == 0

"""POST /api/referrals/, GET /api/referrals/{id}/suggestion/, POST /api/visits/ (booking)."""

import pytest
from django.utils import timezone

from mammapoli.audit.models import AccessEvent
from mammapoli.planning.models import ResourceBooking, Visit, VisitStep
from mammapoli.planning.working_days import add_working_days, working_days_after
from mammapoli.records.models import Patient, Referral
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db

REFERRAL = {
    "clinic": "testpoli",
    "patient": {"hospital_number": "7001234", "given_name": "Anna", "family_name": "de Vries",
                "date_of_birth": "1971-03-02"},
    "referring_gp": "Huisartsenpraktijk Zuid", "complaint": "palpable_lump", "urgency": "urgent",
    "suspicion": "moderate",
}


def test_a_planner_enters_a_referral(planner, api_as, clinic):
    response = api_as(planner).post("/api/referrals/", REFERRAL, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    referral = Referral.objects.get()
    today = timezone.localdate()
    assert body["id"] == referral.pk and body["patient"]["hospital_number"] == "7001234"
    assert body["received_on"] == today.isoformat()
    assert body["target_date"] == add_working_days(today, 2).isoformat()  # urgent
    assert AccessEvent.objects.filter(action="write", what="referral", patient_id=referral.patient_id).exists()


@pytest.mark.parametrize(("change", "field"), [
    ({"complaint": "headache"}, "complaint"),
    ({"patient": {"hospital_number": "x y", "given_name": "A", "family_name": "B", "date_of_birth": "1970-01-01"}},
     "hospital_number"),
    ({"patient": {"hospital_number": "1", "given_name": "A", "family_name": "B"}}, "patient"),
    ({"urgency": "yesterday"}, "urgency"),
])
def test_bad_referral_input_is_a_400_naming_the_field_and_writes_nothing(planner, api_as, clinic, change, field):
    response = api_as(planner).post("/api/referrals/", {**REFERRAL, **change}, format="json")
    assert response.status_code == 400
    assert field in str(response.json())
    assert (Referral.objects.count(), Patient.objects.count()) == (0, 0)


def test_an_existing_hospital_number_with_another_name_is_refused(planner, api_as, clinic):
    api_as(planner).post("/api/referrals/", REFERRAL, format="json")
    other = {**REFERRAL, "patient": {**REFERRAL["patient"], "family_name": "Jansen"}}
    response = api_as(planner).post("/api/referrals/", other, format="json")
    assert response.status_code == 400 and "hospital_number" in response.json()
    assert Referral.objects.count() == 1


def test_only_the_clinics_planners_enter_referrals(surgeon, outsider, api_as, clinic):
    assert api_as(surgeon).post("/api/referrals/", REFERRAL, format="json").status_code == 403
    assert api_as(outsider).post("/api/referrals/", REFERRAL, format="json").status_code == 404
    assert api_as(outsider).post("/api/referrals/", {**REFERRAL, "clinic": "nowhere"},
                                 format="json").status_code == 404
    assert Referral.objects.count() == 0


@pytest.fixture
def referral(clinic, pathways):
    return ReferralFactory(clinic=clinic, complaint="palpable_lump", urgency="urgent",
                           received_on=timezone.localdate())


def test_the_suggestion_gives_the_pathway_and_the_earliest_morning(planner, api_as, referral):
    body = api_as(planner).get(f"/api/referrals/{referral.pk}/suggestion/").json()
    tomorrow = next(working_days_after(timezone.localdate()))
    assert (body["suggested_pathway"], body["pathway"], body["within_target"]) == ("fna", "fna", True)
    assert body["fit"]["date"] == tomorrow.isoformat() and body["fit"]["arrival"] == "08:00"
    assert [s["step"] for s in body["fit"]["steps"]] == ["exam", "mammo", "us", "fna", "cytology", "result"]
    assert body["blocked"] == []
    chosen = api_as(planner).get(f"/api/referrals/{referral.pk}/suggestion/", {"pathway": "imaging"}).json()
    assert (chosen["suggested_pathway"], chosen["pathway"]) == ("fna", "imaging")
    assert api_as(planner).get(f"/api/referrals/{referral.pk}/suggestion/",
                               {"pathway": "nope"}).status_code == 400


def test_the_suggestion_is_the_planners_only(surgeon, outsider, api_as, referral):
    assert api_as(surgeon).get(f"/api/referrals/{referral.pk}/suggestion/").status_code == 403
    assert api_as(outsider).get(f"/api/referrals/{referral.pk}/suggestion/").status_code == 404
    assert AccessEvent.objects.filter(username="olaf.outsider", outcome="denied", what="referral").exists()


def test_confirming_books_the_visit_and_a_taken_slot_is_a_409(planner, api_as, referral, clinic):
    suggestion = api_as(planner).get(f"/api/referrals/{referral.pk}/suggestion/").json()
    booking = {"referral": referral.pk, "pathway": "fna", "date": suggestion["fit"]["date"],
               "arrival": suggestion["fit"]["arrival"]}
    response = api_as(planner).post("/api/visits/", booking, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["code"], body["pathway"], body["steps"][0]) == ("P01", "fna",
                                                                 {"step": "exam", "start": "08:00", "end": "08:15"})
    second = ReferralFactory(clinic=clinic, received_on=timezone.localdate())
    counts = (Visit.objects.count(), VisitStep.objects.count(), ResourceBooking.objects.count())
    taken = api_as(planner).post("/api/visits/", {**booking, "referral": second.pk}, format="json")
    assert taken.status_code == 409
    assert taken.json()["code"] == "booking_conflict" and "08:00" in taken.json()["detail"]
    assert (Visit.objects.count(), VisitStep.objects.count(), ResourceBooking.objects.count()) == counts


@pytest.mark.parametrize(("change", "field"), [
    ({"date": "01-12-2026"}, "date"),
    ({"arrival": "8 uur"}, "arrival"),
    ({"pathway": "nope"}, "pathway"),
    ({"date": "2020-01-06"}, "date"),  # in the past
])
def test_bad_booking_input_is_a_400_naming_the_field(planner, api_as, referral, change, field):
    tomorrow = next(working_days_after(timezone.localdate()))
    booking = {"referral": referral.pk, "pathway": "fna", "date": tomorrow.isoformat(), "arrival": "08:00"}
    response = api_as(planner).post("/api/visits/", {**booking, **change}, format="json")
    assert response.status_code == 400 and field in response.json()
    assert Visit.objects.count() == 0


def test_only_planners_book(surgeon, outsider, api_as, referral):
    booking = {"referral": referral.pk, "pathway": "fna", "date": "2030-01-07", "arrival": "08:00"}
    assert api_as(surgeon).post("/api/visits/", booking, format="json").status_code == 403
    assert api_as(outsider).post("/api/visits/", booking, format="json").status_code == 404
    assert Visit.objects.count() == 0

"""Every refused attempt leaves a row, in the clinic of what was tried, with the role; the
address is the client's behind a trusted proxy (issue 10)."""

import ipaddress

import pytest
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from mammapoli.audit.context import address_of
from mammapoli.audit.models import AccessEvent
from tests.audit.test_privacy_officer import api_as, visit  # noqa: F401 - the visit fixture
from tests.second_factor import VerifiedClient

pytestmark = pytest.mark.django_db

REFERRAL = {
    "clinic": "testpoli",
    "patient": {"hospital_number": "7001234", "given_name": "Anna", "family_name": "de Vries",
                "date_of_birth": "1971-03-02"},
    "referring_gp": "Huisartsenpraktijk Zuid", "complaint": "palpable_lump",
}


def page_as(user) -> Client:
    client = VerifiedClient()
    client.force_login(user)
    return client


def rows_of(username):
    return list(AccessEvent.objects.filter(username=username).values_list(
        "action", "what", "outcome", "role", "clinic_id", "patient_id", "detail"))


def test_a_nurse_searching_the_access_log_is_refused_and_logged_in_her_clinic(clinic, nurse):
    response = page_as(nurse).get("/privacy/", {"q": "Bakker"})
    assert response.status_code == 403
    assert rows_of("noor.nurse") == [
        ("search", "patient search", "denied", "nurse", clinic.pk, None, "query=Bakker not a privacy officer")]


def test_an_outsider_searching_the_access_log_is_refused_and_logged_where_she_works(clinic, outsider):
    assert page_as(outsider).get("/privacy/", {"q": "Bakker"}).status_code == 403
    elsewhere = outsider.memberships.get().clinic_id
    assert rows_of("olaf.outsider") == [
        ("search", "patient search", "denied", "surgeon", elsewhere, None, "query=Bakker not a privacy officer")]


def test_a_nurse_entering_a_referral_is_refused_and_logged(clinic, nurse):
    assert api_as(nurse).post("/api/referrals/", REFERRAL, format="json").status_code == 403
    assert rows_of("noor.nurse") == [
        ("write", "referral", "denied", "nurse", clinic.pk, None, "role nurse may not do this")]


def test_a_referral_written_is_logged_with_the_planners_role(clinic, planner):
    assert api_as(planner).post("/api/referrals/", REFERRAL, format="json").status_code == 201
    # the attempt's row and the service's row with the patient: both with her role
    assert [(action, what, outcome, role) for action, what, outcome, role, *_rest in rows_of("petra.planner")] == [
        ("write", "referral", "allowed", "planner")] * 2


def test_an_anonymous_request_is_refused_and_logged_in_the_visits_clinic(clinic, visit):
    assert APIClient().get(f"/api/visits/{visit.pk}/form/").status_code in (401, 403)
    assert Client().get(f"/visits/{visit.pk}/form/").status_code == 302  # to the login page
    assert list(AccessEvent.objects.values_list("username", "outcome", "clinic_id", "patient_id", "visit_id")) == [
        ("", "denied", clinic.pk, visit.patient_id, visit.pk)] * 2


def test_an_outsiders_look_at_the_access_log_is_shown_to_the_patients_privacy_officer(clinic, visit, outsider,
                                                                                       privacy_officer):
    assert api_as(outsider).get(f"/api/patients/{visit.patient_id}/access-log/").status_code == 404
    (probe,) = AccessEvent.objects.filter(username="olaf.outsider")
    assert (probe.outcome, probe.clinic_id, probe.patient_id) == ("denied", clinic.pk, visit.patient_id)
    events = api_as(privacy_officer).get(f"/api/patients/{visit.patient_id}/access-log/").json()["events"]
    assert [(e["username"], e["what"], e["outcome"]) for e in events] == [
        ("pim.privacy", "access log", "allowed"), ("olaf.outsider", "access log", "denied")]


def _request(remote: str, forwarded: str | None = None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_behind_a_trusted_proxy_the_address_is_the_clients(settings):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]
    assert address_of(_request("10.0.0.5", "203.0.113.7, 10.0.0.9")) == "203.0.113.7"
    # what the client put in the header itself (left of the first untrusted hop) is not believed
    assert address_of(_request("10.0.0.5", "6.6.6.6, 203.0.113.7")) == "203.0.113.7"
    assert address_of(_request("10.0.0.5")) == "10.0.0.5"


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert address_of(_request("198.51.100.2", "203.0.113.7")) == "198.51.100.2"
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]
    assert address_of(_request("198.51.100.2", "203.0.113.7")) == "198.51.100.2"


def test_the_access_log_row_of_a_request_through_the_proxy_has_the_clients_address(settings, visit, surgeon):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]
    client = APIClient(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7")
    client.force_authenticate(surgeon)
    assert client.get(f"/api/visits/{visit.pk}/form/").status_code == 200
    assert set(AccessEvent.objects.values_list("address", flat=True)) == {"203.0.113.7"}

"""The privacy officer sees, per patient, who looked at what (NEN 7513); looking is logged too."""

import datetime as dt

import pytest
from django.utils.html import escape

from mammapoli.audit.models import AccessEvent
from mammapoli.audit.services import access_event_record
from mammapoli.planning.access import visit_for_user
from mammapoli.records.services import form_section_update
from tests.api_clients import api_as
from tests.factories import (
    ClinicFactory,
    ClinicSessionFactory,
    PathwayFactory,
    PatientFactory,
    StaffMemberFactory,
    UserFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(clinic):
    return VisitFactory(session=ClinicSessionFactory(clinic=clinic, date=dt.date(2026, 12, 1)),
                        pathway=clinic.pathways.get(code="imaging"))


def test_the_officer_sees_who_did_what_newest_first_with_her_own_look_on_top(visit, surgeon, outsider,
                                                                              privacy_officer):
    form_section_update(user=surgeon, visit_id=visit.pk, section="clinical", changes={"p_score": 2},
                        expected_version=0)
    api_as(outsider).get(f"/api/visits/{visit.pk}/form/")  # refused, and logged
    response = api_as(privacy_officer).get(f"/api/patients/{visit.patient_id}/access-log/")
    assert response.status_code == 200
    body = response.json()
    assert body["patient"] == {"id": visit.patient_id, "hospital_number": visit.patient.hospital_number,
                               "name": visit.patient.full_name}
    assert [(e["username"], e["role"], e["action"], e["what"], e["outcome"]) for e in body["events"]] == [
        ("pim.privacy", "privacy_officer", "read", "access log", "allowed"),
        ("olaf.outsider", "", "read", "form", "denied"),
        ("sophie.surgeon", "surgeon", "write", "form section clinical", "allowed"),
    ]
    assert body["events"][1]["visit_id"] == visit.pk
    assert body["events"][0]["address"] == "127.0.0.1"


def test_only_the_officers_clinics_are_shown(clinic, visit, privacy_officer):
    """The same patient seen in another clinic: that clinic's log is not hers to read."""
    other = ClinicFactory(name="otherpoli")
    stranger = StaffMemberFactory(clinic=other, user=UserFactory(username="sam.elsewhere"), role="surgeon").user
    access_event_record(user=stranger, action="read", what="form", patient_id=visit.patient_id, clinic_id=other.pk)
    events = api_as(privacy_officer).get(f"/api/patients/{visit.patient_id}/access-log/").json()["events"]
    assert "sam.elsewhere" not in [e["username"] for e in events]


@pytest.mark.parametrize("persona", ["surgeon", "nurse", "planner"])
def test_other_roles_are_refused_and_the_attempt_is_logged(request, visit, persona):
    user = request.getfixturevalue(persona)
    response = api_as(user).get(f"/api/patients/{visit.patient_id}/access-log/")
    assert response.status_code == 403
    event = AccessEvent.objects.order_by("-id").first()
    assert (event.what, event.outcome, event.role, event.patient_id) == ("access log", "denied", persona,
                                                                        visit.patient_id)


def test_outside_the_clinic_or_no_such_patient_is_not_found(visit, outsider, privacy_officer):
    assert api_as(outsider).get(f"/api/patients/{visit.patient_id}/access-log/").status_code == 404
    assert api_as(privacy_officer).get("/api/patients/999999/access-log/").status_code == 404
    assert list(AccessEvent.objects.order_by("id").values_list("outcome", "detail")) == [
        ("denied", "not in the clinic team"), ("denied", "no such patient")]


def test_the_search_page_finds_patients_and_logs_the_search(client, visit, privacy_officer):
    client.force_login(privacy_officer)
    response = client.get("/privacy/", {"q": visit.patient.hospital_number})
    assert response.status_code == 200
    assert escape(visit.patient.full_name) in response.content.decode()
    assert f"/privacy/patients/{visit.patient_id}/" in response.content.decode()
    event = AccessEvent.objects.get()
    assert (event.action, event.what, event.patient_id, event.detail) == (
        "search", "patient search", visit.patient_id, f"query={visit.patient.hospital_number}")
    client.get("/privacy/", {"q": visit.patient.family_name[:3]})
    assert AccessEvent.objects.filter(action="search").count() == 2


def test_the_search_does_not_reach_other_clinics(client, privacy_officer):
    far = ClinicFactory(name="farpoli")
    PathwayFactory(clinic=far, code="imaging")
    foreign = VisitFactory(session=ClinicSessionFactory(clinic=far, date=dt.date(2026, 12, 1)),
                           patient=PatientFactory(family_name="Vermeulen"), with_steps=False)
    client.force_login(privacy_officer)
    response = client.get("/privacy/", {"q": "Vermeulen"})
    assert "No patient of your clinics matches." in response.content.decode()
    assert escape(foreign.patient.full_name) not in response.content.decode()
    assert not AccessEvent.objects.exists()


def test_the_log_page_shows_the_events_and_is_logged(client, visit, surgeon, privacy_officer):
    visit_for_user(surgeon, visit.pk, findings=True, what="form")
    client.force_login(privacy_officer)
    response = client.get(f"/privacy/patients/{visit.patient_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "sophie.surgeon" in html and "pim.privacy" in html and "access log" in html
    assert AccessEvent.objects.filter(username="pim.privacy", what="access log", outcome="allowed").count() == 1


def test_the_pages_refuse_everyone_else(client, visit, surgeon, outsider):
    client.force_login(surgeon)
    assert client.get("/privacy/").status_code == 403
    assert client.get(f"/privacy/patients/{visit.patient_id}/").status_code == 403
    client.force_login(outsider)
    assert client.get(f"/privacy/patients/{visit.patient_id}/").status_code == 404

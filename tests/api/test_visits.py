import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.api_clients import api_as

pytestmark = pytest.mark.django_db


def test_team_members_list_the_mornings_visits(visit, planner, pathologist):
    for user in (planner, pathologist):
        response = api_as(user).get("/api/visits/", {"date": "2026-12-01"})
        assert response.status_code == 200
        assert response.json() == [{
            "id": visit.pk, "code": "P01", "status": "booked", "pathway": "imaging",
            "patient": {"id": visit.patient_id, "hospital_number": visit.patient.hospital_number,
                        "name": visit.patient.full_name},
            "session": {"id": visit.session_id, "clinic": "testpoli", "date": "2026-12-01"},
        }]


def test_an_outsider_lists_nothing(visit, outsider):
    assert api_as(outsider).get("/api/visits/", {"date": "2026-12-01"}).json() == []


def test_a_bad_date_is_a_400_naming_the_field(surgeon):
    response = api_as(surgeon).get("/api/visits/", {"date": "1-12-2026"})
    assert response.status_code == 400
    assert "date" in response.json()


def test_anonymous_requests_are_refused(visit):
    assert APIClient().get("/api/visits/").status_code in (401, 403)


def test_token_authentication(visit, surgeon):
    _, token = AuthToken.objects.create(user=surgeon)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert [v["code"] for v in client.get("/api/visits/").json()] == ["P01"]


def test_the_openapi_schema_and_docs_are_served(surgeon):
    client = api_as(surgeon)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/visits/" in schema.content
    assert client.get("/api/docs/").status_code == 200

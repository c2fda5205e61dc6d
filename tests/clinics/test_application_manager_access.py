"""Managing the team gives no access to its patients: the application manager is in no team."""

import pytest

from mammapoli.audit.models import AccessEvent, Outcome
from tests.factories import VisitFactory

pytestmark = pytest.mark.django_db


def test_the_application_manager_reads_no_patient_data(client, application_manager, clinic):
    visit = VisitFactory(session__clinic=clinic, patient__family_name="Zeldenrust",
                         patient__hospital_number="7654321")
    client.force_login(application_manager)
    for page in (f"/api/visits/{visit.pk}/form/", f"/visits/{visit.pk}/form/",
                 f"/sessions/{visit.session_id}/board/", f"/patients/{visit.patient_id}/",
                 f"/privacy/patients/{visit.patient_id}/"):
        response = client.get(page)
        assert response.status_code in (403, 404), (page, response.status_code)
        assert b"Zeldenrust" not in response.content
    assert not AccessEvent.objects.filter(outcome=Outcome.ALLOWED).exists()
    listing = client.get("/visits/")
    assert b"Zeldenrust" not in listing.content
    assert b"7654321" not in client.get("/patients/", {"q": "Zeldenrust"}).content  # the query is echoed

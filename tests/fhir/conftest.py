"""FHIR test helpers: a client per persona speaking application/fhir+json, and the sample referral."""

import copy
import json

import pytest
from rest_framework.test import APIClient

from tests.conftest import FIXTURES
from tests.planning.conftest import pathways, plan_now, small_morning  # noqa: F401 - shared fixtures

FHIR_JSON = "application/fhir+json"


class FhirClient:
    def __init__(self, user):
        self.client = APIClient()
        if user is not None:
            self.client.force_authenticate(user)

    def get(self, url, **extra):
        return self.client.get(url, **{"HTTP_ACCEPT": FHIR_JSON, **extra})

    def post(self, url, resource):
        return self.client.post(url, json.dumps(resource), content_type=FHIR_JSON, HTTP_ACCEPT=FHIR_JSON)


@pytest.fixture
def fhir_as():
    return FhirClient


def sample_bundle(clinic_name: str = "testpoli") -> dict:
    """fixtures/fhir/referral-bundle.json, sent to `clinic_name`."""
    with open(f"{FIXTURES}/fhir/referral-bundle.json", encoding="utf-8") as handle:
        bundle = json.load(handle)
    bundle["entry"][1]["resource"]["performer"][0]["identifier"]["value"] = clinic_name
    return bundle


def service_request_of(bundle: dict) -> dict:
    return copy.deepcopy(bundle["entry"][1]["resource"])


def issues(response) -> list[dict]:
    body = response.json()
    assert body["resourceType"] == "OperationOutcome", body
    return body["issue"]


def expressions(response) -> list[str]:
    return [expression for issue in issues(response) for expression in issue.get("expression", [])]


def write_and_sign(user, visit, section: str, content: dict):
    """`user` writes `content` into `section` of the visit's form and signs it."""
    from mammapoli.records.models import FormSection
    from mammapoli.records.services import form_section_sign, form_section_update, visit_form_ensure

    visit_form_ensure(visit=visit)
    current = FormSection.objects.get(form__visit=visit, key=section).version
    updated = form_section_update(user=user, visit_id=visit.pk, section=section, changes=content,
                                  expected_version=current)
    return form_section_sign(user=user, visit_id=visit.pk, section=section, expected_version=updated.version)


#: A triple assessment: suspicious on examination and imaging, malignant on core biopsy.
CLINICAL = {"complaint": "Knobbel links", "p_score": 4,
            "findings": {"left": [{"quadrant": "upper_outer", "size_mm": 20}], "right": []}}
IMAGING = {"birads": 5, "m_score": 5, "u_score": 5, "report": "Spiculated mass left UOQ.",
           "ultrasound": {"left": [{"clock": 2, "size_mm": 18}], "right": []},
           "biopsies": [{"type": "core", "side": "left", "lesion": 1, "passes": 3}]}
PATHOLOGY = {"specimens": ["core"], "b_score": "B5b", "report": "Invasive carcinoma NST."}
CONCLUSION = {"outcome": "malignant", "plan": "mdo", "plan_notes": "Bespreking MDO donderdag."}


def fill_form(visit, *, surgeon, radiologist, pathologist, conclusion: bool = True):
    """The whole form written and signed at 13:00 on the visit's morning (she was told at 11:20)."""
    import time_machine

    from mammapoli.planning.clock import aware

    with time_machine.travel(aware(visit.session.date, "13:00"), tick=False):
        write_and_sign(surgeon, visit, "clinical", CLINICAL)
        write_and_sign(radiologist, visit, "imaging", IMAGING)
        write_and_sign(pathologist, visit, "pathology", PATHOLOGY)
        if conclusion:
            write_and_sign(surgeon, visit, "conclusion",
                           {**CONCLUSION, "told_at": aware(visit.session.date, "11:20").isoformat()})

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
        return self.client.get(url, HTTP_ACCEPT=FHIR_JSON, **extra)

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

"""schemathesis against the live OpenAPI schema: every operation with generated input, as a
few personas (bounded: a handful of examples each, a quick run). No 5xx, every answer as the
schema documents it (status, content type, body)."""

import itertools

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from knox.models import AuthToken

# The schema exactly as /api/schema/ serves it (that view needs a login; the generator does not).
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True)).exclude(
    path_regex="^/api/auth/")  # logging in: django-otp and the token issue are tested where they live
# Examples and generated input only: the coverage phase alone sends a thousand cases to some
# operations, past the bound (max_examples holds for the generated ones).
schema.config.phases.update(phases=["examples", "fuzzing"])
APP = get_wsgi_application()
PERSONAS = ["surgeon", "planner", "outsider"]
EXAMPLES = 15  # per operation, the personas taking turns: bounded and quick
# No 5xx, and nothing the schema does not document. (Whether the API accepts only what the
# schema allows is the serializers' tests' business, naming the field.)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The WSGI app closes the database connection after each request; in a test that is the
    test's own transaction (PostgreSQL). Django's test client keeps it open the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(request, db):
    """Each persona's token, in turn: the examples of an operation go to each of them."""
    keys = [AuthToken.objects.create(user=request.getfixturevalue(persona))[1] for persona in PERSONAS]
    return itertools.cycle(keys)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_answers_as_documented(case, tokens):
    case.call_and_validate(app=APP, headers={"Authorization": f"Token {next(tokens)}"}, checks=CHECKS)


@pytest.mark.django_db
@pytest.mark.parametrize("credentials", [None, "Token 0123456789abcdef0123456789abcdef01234567", "Bearer x"])
def test_without_a_valid_token_every_operation_is_401_with_www_authenticate(client, credentials):
    headers = {"HTTP_AUTHORIZATION": credentials} if credentials else {}
    for operation in schema.get_all_operations():
        operation = operation.ok()
        path = operation.path.replace("{", "").replace("}", "")
        path = "/".join("1" if part.endswith("_id") else ("clinical" if part == "section" else part)
                        for part in path.split("/"))
        if "job_id" in operation.path:
            path = path.replace("/1/", "/00000000-0000-0000-0000-000000000000/")
        response = getattr(client, operation.method.lower())(path, **headers)
        assert response.status_code == 401, (operation.method, path, response.status_code)
        assert response["WWW-Authenticate"] == "Token", (operation.method, path)
        assert response["Content-Type"] == "application/json"


def test_a_bad_id_is_json_not_found(client, surgeon):
    client.force_login(surgeon)
    for path in ("/api/visits/abc/form/", "/api/visits/1234567890123456789012/form/", "/api/nothing-here/"):
        response = client.get(path)
        assert (response.status_code, response["Content-Type"]) == (404, "application/json"), path
        assert response.json() == {"detail": "Not found."}

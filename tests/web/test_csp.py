"""A strict Content-Security-Policy (django-csp): everything from this site, nothing inline.
The pages keep to it: no inline script, no <style> block, no style attribute, no event
handler attribute; the API docs load Swagger UI from our own static files, logged in only."""

import datetime as dt
import re

import pytest
from rest_framework.test import APIClient

from tests.factories import ClinicSessionFactory, VisitFactory

pytestmark = pytest.mark.django_db

INLINE = {
    "inline script": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I),
    "style block": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"<[^>]+\sstyle=", re.I),
    "event handler": re.compile(r"<[^>]+\son[a-z]+=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def inline_parts(html: str) -> list[str]:
    return [name for name, pattern in INLINE.items() if pattern.search(html)]


def test_the_checker_finds_each_kind_of_inline_code():
    assert inline_parts('<script>alert(1)</script><style>p{}</style><p style="x" onclick="y">'
                        '<a href="javascript:void(0)">') == list(INLINE)
    assert inline_parts('<script src="/static/a.js" defer></script><p class="x-1">') == []


def test_every_response_carries_the_policy(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == directives["script-src"] == directives["style-src"] == "'self'"
    assert directives["object-src"] == directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy and "http" not in policy


@pytest.fixture
def visit(clinic):
    return VisitFactory(session=ClinicSessionFactory(clinic=clinic, date=dt.date(2026, 11, 30)),
                        pathway=clinic.pathways.get(code="imaging"))


@pytest.mark.parametrize(("persona", "path"), [
    (None, "/accounts/login/"), ("surgeon", "/"), ("surgeon", "/visits/"), ("surgeon", "/visits/{visit}/form/"),
    ("surgeon", "/visits/{visit}/form/?print=1"), ("planner", "/sessions/{session}/board/"),
    ("planner", "/sessions/{session}/day/"), ("planner", "/planning/"), ("planner", "/planning/referrals/"),
    ("planner", "/planning/sessions/{session}/"), ("surgeon", "/mdo/"), ("surgeon", "/patients/"),
    ("privacy_officer", "/privacy/log/"), ("privacy_officer", "/privacy/patients/{patient}/"),
    ("surgeon", "/my-patients/"),
])
def test_the_pages_have_no_inline_code(client, request, visit, persona, path):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    response = client.get(path.format(visit=visit.pk, session=visit.session_id, patient=visit.patient_id))
    assert response.status_code == 200
    assert inline_parts(response.content.decode()) == []


def test_the_api_docs_come_from_our_own_static_files_with_no_inline_code(surgeon):
    client = APIClient()
    client.force_authenticate(surgeon)
    html = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert not re.search(r"""(src|href)="(https?:)?//""", html), "nothing from another site"
    assert inline_parts(html) == []
    script = client.get("/api/docs/", {"script": ""})
    assert script["Content-Type"].startswith("application/javascript") and b"SwaggerUIBundle" in script.content


def test_the_schema_and_docs_need_a_login():
    for path in ("/api/schema/", "/api/docs/"):
        assert APIClient().get(path).status_code in (401, 403)

"""The demo users fill in a demo visit's form in the browser's way (posted HTML forms): the
surgeon examines, the radiologist images and biopsies, the pathologist reports, the surgeon
concludes; the badge follows; the privacy officer sees who did it."""

import io
import re

import pytest
from django.core.management import call_command

from mammapoli.planning.models import Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_visit():
    call_command("load_demo", stdout=io.StringIO())
    return Visit.objects.select_related("patient").get(session__clinic__name="demo", code="P04")


def as_demo(client, username):
    client.logout()
    assert client.login(username=username, password="demo")
    return client


def version_of(html: str, section: str) -> str:
    form = re.search(rf'action="/visits/\d+/form/{section}/"[^>]*>.*?name="version" value="(\d+)"', html, re.S)
    return form.group(1)


def save(client, visit, section, data):
    page = client.get(f"/visits/{visit.pk}/form/").content.decode()
    response = client.post(f"/visits/{visit.pk}/form/{section}/", {"version": version_of(page, section), **data})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(response["Location"]).content.decode()


def badge(html: str) -> str:
    return re.search(r'class="badge badge-(\w+)"', html).group(1)


def test_the_team_fills_in_a_demo_visit(client, demo_visit):
    visit = demo_visit
    html = save(as_demo(client, "surgeon"), visit, "clinical", {
        "complaint": "Palpabele knobbel linkerborst.", "p_score": "4", "findings.left.0.clock": "2",
        "findings.left.0.distance_mm": "40", "findings.left.0.size_mm": "20", "axilla.left.finding": "normal"})
    assert badge(html) == "positive"

    html = save(as_demo(client, "radiologist"), visit, "imaging", {
        "m_score": "4", "u_score": "5", "birads": "5", "ultrasound.left.0.clock": "2", "ultrasound.left.0.size_mm": "17",
        "biopsies.0.type": "core", "biopsies.0.side": "left", "biopsies.0.lesion": "1", "biopsies.0.passes": "3"})
    assert "Awaiting pathology: a biopsy was taken." in html

    html = save(as_demo(client, "pathologist"), visit, "pathology", {
        "specimens": "core", "b_score": "B2", "report": "Fibroadenoom."})
    assert badge(html) == "discordant"
    assert "Discordant: imaging BI-RADS 5, U5 is suspicious but pathology B2 is benign." in html
    mdo = client.get("/mdo/").content.decode()
    assert visit.patient.full_name in mdo

    page = client.get(f"/visits/{visit.pk}/form/").content.decode()
    client.post(f"/visits/{visit.pk}/form/pathology/sign/", {"version": version_of(page, "pathology")})
    html = client.get(f"/visits/{visit.pk}/form/").content.decode()
    addendum_version = re.search(r'action="/visits/\d+/form/pathology/addendum/"[^>]*>.*?name="version" value="(\d+)"',
                                 html, re.S).group(1)
    response = client.post(f"/visits/{visit.pk}/form/pathology/addendum/", {
        "version": addendum_version, "reason": "Revisie na MDO: invasief carcinoom.", "specimens": "core",
        "b_score": "B5b", "report": "Fibroadenoom."})
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert badge(html) == "positive"

    html = save(as_demo(client, "surgeon"), visit, "conclusion", {
        "outcome": "malignant", "plan": "mdo", "told_at": "2026-01-05T11:40"})
    assert "multidisciplinary meeting (MDO)" in html
    printout = client.get(f"/visits/{visit.pk}/form/?print=1").content.decode()
    assert "Revisie na MDO: invasief carcinoom." in printout and "B5b malignant, invasive" in printout

    log = as_demo(client, "privacy").get(f"/api/patients/{visit.patient_id}/access-log/").json()["events"]
    writers = {(e["username"], e["what"]) for e in log if e["action"] == "write" and e["outcome"] == "allowed"}
    assert writers == {("surgeon", "form section clinical"), ("radiologist", "form section imaging"),
                       ("pathologist", "form section pathology"), ("surgeon", "form section conclusion")}
    assert any(e["action"] == "print" and e["username"] == "surgeon" for e in log)


def test_loading_the_demo_again_keeps_the_forms(client, demo_visit):
    save(as_demo(client, "surgeon"), demo_visit, "clinical", {"p_score": "2"})
    call_command("load_demo", stdout=io.StringIO())
    html = as_demo(client, "nurse").get(f"/visits/{demo_visit.pk}/form/").content.decode()
    assert "P2 benign" in html

"""Who may do what, cell by cell: persona × section × operation, with the exact HTTP status and
the access-log row each attempt leaves (one row, allowed or refused, naming the patient).

Everyone in the clinic team who reads findings reads every section; each section has one
writing role (the surgeon writes clinical and conclusion); the planner and the privacy
officer do not read findings (403); someone outside the clinic gets 404 for everything.
"""

import datetime as dt

import pytest

from mammapoli.audit.models import AccessEvent
from mammapoli.records.models import FormSection, SectionVersion
from mammapoli.records.services import form_section_sign, form_section_update
from tests.api_clients import api_as
from tests.factories import ClinicSessionFactory, VisitFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["surgeon", "radiologist", "pathologist", "nurse", "planner", "privacy_officer", "outsider"]
SECTIONS = ["clinical", "imaging", "pathology", "conclusion"]
WRITER = {"clinical": "surgeon", "imaging": "radiologist", "pathology": "pathologist", "conclusion": "surgeon"}
CHANGE = {"clinical": {"p_score": 2}, "imaging": {"birads": 2}, "pathology": {"specimens": ["cytology"], "c_score": 2},
          "conclusion": {"outcome": "benign"}}
READS_FINDINGS = {"surgeon", "radiologist", "pathologist", "nurse"}


def read_status(persona: str) -> int:
    if persona == "outsider":
        return 404
    return 200 if persona in READS_FINDINGS else 403


def write_status(persona: str, section: str, success: int = 200) -> int:
    if persona == "outsider":
        return 404
    return success if WRITER[section] == persona else 403


@pytest.fixture
def visit(clinic):
    return VisitFactory(session=ClinicSessionFactory(clinic=clinic, date=dt.date(2026, 12, 1)),
                        pathway=clinic.pathways.get(code="imaging"))


@pytest.fixture
def team(request, clinic, outsider):
    return {name: request.getfixturevalue(name) for name in PERSONAS}


def one_new_event(before: int) -> AccessEvent:
    new = list(AccessEvent.objects.filter(id__gt=before).order_by("id"))
    assert len(new) == 1, [str(e) for e in new]
    return new[0]


def assert_logged(event: AccessEvent, *, persona: str, team, visit, status: int, action: str, what: str):
    assert (event.user_id, event.action, event.what) == (team[persona].pk, action, what)
    assert event.outcome == ("allowed" if status < 400 else "denied")
    assert (event.patient_id, event.visit_id) == (visit.patient_id, visit.pk)
    assert event.role == ("" if persona == "outsider" else persona)  # the role in the patient's clinic


def last_id() -> int:
    return AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.mark.parametrize("persona", PERSONAS)
def test_read_the_whole_form(team, visit, persona):
    before = last_id()
    response = api_as(team[persona]).get(f"/api/visits/{visit.pk}/form/")
    assert response.status_code == read_status(persona)
    assert_logged(one_new_event(before), persona=persona, team=team, visit=visit, status=response.status_code,
                  action="read", what="form")


@pytest.mark.parametrize("section", SECTIONS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_read_a_section(team, visit, persona, section):
    before = last_id()
    response = api_as(team[persona]).get(f"/api/visits/{visit.pk}/form/{section}/")
    assert response.status_code == read_status(persona)
    assert_logged(one_new_event(before), persona=persona, team=team, visit=visit, status=response.status_code,
                  action="read", what=f"form section {section}")
    if response.status_code == 200:
        assert response.json()["writable"] is (WRITER[section] == persona)


@pytest.mark.parametrize("section", SECTIONS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_read_a_sections_history(team, visit, persona, section):
    before = last_id()
    response = api_as(team[persona]).get(f"/api/visits/{visit.pk}/form/{section}/history/")
    assert response.status_code == read_status(persona)
    assert_logged(one_new_event(before), persona=persona, team=team, visit=visit, status=response.status_code,
                  action="read", what=f"form section {section} history")


@pytest.mark.parametrize("section", SECTIONS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_patch_a_section(team, visit, persona, section):
    before = last_id()
    response = api_as(team[persona]).patch(f"/api/visits/{visit.pk}/form/{section}/", CHANGE[section],
                                           format="json", HTTP_IF_MATCH='W/"0"')
    assert response.status_code == write_status(persona, section)
    assert_logged(one_new_event(before), persona=persona, team=team, visit=visit, status=response.status_code,
                  action="write", what=f"form section {section}")
    written = SectionVersion.objects.filter(section__key=section).count()
    assert written == (1 if response.status_code == 200 else 0)


def _prepare(team, visit, section, *, sign: bool):
    writer = team[WRITER[section]]
    form_section_update(user=writer, visit_id=visit.pk, section=section, changes=CHANGE[section], expected_version=0)
    if sign:
        form_section_sign(user=writer, visit_id=visit.pk, section=section, expected_version=1)


@pytest.mark.parametrize("section", SECTIONS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_sign_a_section(team, visit, persona, section):
    _prepare(team, visit, section, sign=False)
    before = last_id()
    response = api_as(team[persona]).post(f"/api/visits/{visit.pk}/form/{section}/sign/", HTTP_IF_MATCH='W/"1"')
    assert response.status_code == write_status(persona, section)
    assert_logged(one_new_event(before), persona=persona, team=team, visit=visit, status=response.status_code,
                  action="write", what=f"form section {section}")
    signed_by = FormSection.objects.get(form__visit=visit, key=section).signed_by
    assert signed_by == (team[persona] if response.status_code == 200 else None)


@pytest.mark.parametrize("section", SECTIONS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_add_an_addendum(team, visit, persona, section):
    _prepare(team, visit, section, sign=True)
    before = last_id()
    response = api_as(team[persona]).post(f"/api/visits/{visit.pk}/form/{section}/addenda/",
                                          {"reason": "Aanvulling."}, format="json", HTTP_IF_MATCH='W/"2"')
    assert response.status_code == write_status(persona, section, success=201)
    assert_logged(one_new_event(before), persona=persona, team=team, visit=visit, status=response.status_code,
                  action="write", what=f"form section {section}")
    assert SectionVersion.objects.filter(kind="addendum").count() == (1 if response.status_code == 201 else 0)


@pytest.mark.parametrize(("persona", "status"), [
    ("privacy_officer", 200), ("surgeon", 403), ("radiologist", 403), ("pathologist", 403), ("nurse", 403),
    ("planner", 403), ("outsider", 404)])
def test_read_a_patients_access_log(team, visit, persona, status):
    before = last_id()
    response = api_as(team[persona]).get(f"/api/patients/{visit.patient_id}/access-log/")
    assert response.status_code == status
    event = one_new_event(before)
    assert (event.action, event.what, event.patient_id, event.outcome) == (
        "read", "access log", visit.patient_id, "allowed" if status == 200 else "denied")


@pytest.mark.parametrize(("persona", "status"), [
    ("surgeon", 200), ("radiologist", 200), ("pathologist", 200), ("nurse", 200),
    ("planner", 403), ("privacy_officer", 403), ("outsider", 200)])
def test_list_discordant_visits_for_the_mdo(team, visit, persona, status):
    # Discordant: a suspicious palpable lesion that the imaging calls benign.
    form_section_update(user=team["surgeon"], visit_id=visit.pk, section="clinical", changes={"p_score": 5},
                        expected_version=0)
    form_section_update(user=team["radiologist"], visit_id=visit.pk, section="imaging", changes={"birads": 1},
                        expected_version=0)
    before = last_id()
    response = api_as(team[persona]).get("/api/mdo/discordant/", {"date": "2026-12-01"})
    assert response.status_code == status
    rows = list(AccessEvent.objects.filter(id__gt=before))
    if persona == "outsider":
        assert response.json() == [] and rows == []
    elif status == 200:
        assert [item["visit"]["id"] for item in response.json()] == [visit.pk]
        assert [(r.action, r.what, r.patient_id, r.outcome) for r in rows] == [
            ("list", "MDO discordant list", visit.patient_id, "allowed")]
    else:
        assert [(r.action, r.outcome) for r in rows] == [("list", "denied")]

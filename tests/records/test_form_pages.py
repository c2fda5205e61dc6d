"""The carbon-copy page: all sections on one screen, your own editable, no JavaScript; saving,
conflicts shown side by side, signing, addenda, the printout, and the lists around it."""

import datetime as dt
import re

import pytest
from django.http import QueryDict
from django.utils.html import escape

from mammapoli.audit.models import AccessEvent
from mammapoli.records.content import content_validate
from mammapoli.records.form_layout import layout, parse
from mammapoli.records.models import FormSection, SectionVersion
from mammapoli.records.services import form_section_sign, form_section_update
from tests.factories import ClinicSessionFactory, StaffMemberFactory, UserFactory, VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(clinic):
    return VisitFactory(session=ClinicSessionFactory(clinic=clinic, date=dt.date(2026, 12, 1)),
                        pathway=clinic.pathways.get(code="imaging"), code="P07")


def page_as(client, user, visit, query=""):
    client.force_login(user)
    return client.get(f"/visits/{visit.pk}/form/{query}")


def post_as(client, user, visit, section, data, tail=""):
    client.force_login(user)
    return client.post(f"/visits/{visit.pk}/form/{section}/{tail}", data)


def section_row(visit, key) -> FormSection:
    return FormSection.objects.get(form__visit=visit, key=key)


def forms_on(html: str) -> list[str]:
    return re.findall(r'<form method="post" action="([^"]+)"', html)


def test_the_page_shows_every_section_and_the_users_own_as_forms(client, visit, surgeon):
    response = page_as(client, surgeon, visit)
    assert response.status_code == 200
    html = response.content.decode()
    for title in ("Clinical examination", "Imaging", "Pathology", "Conclusion", "Triple assessment"):
        assert title in html
    actions = [a for a in forms_on(html) if "/form/" in a]
    assert actions == [f"/visits/{visit.pk}/form/clinical/", f"/visits/{visit.pk}/form/conclusion/"]
    assert html.count('name="version" value="0"') == 2
    assert "<script" not in html
    assert escape(visit.patient.full_name) in html and visit.patient.hospital_number in html
    event = AccessEvent.objects.order_by("-id").first()
    assert (event.action, event.what, event.outcome) == ("read", "form", "allowed")


def test_a_nurse_reads_everything_and_edits_nothing(client, visit, nurse, radiologist):
    form_section_update(user=radiologist, visit_id=visit.pk, section="imaging", changes={"birads": 4}, expected_version=0)
    html = page_as(client, nurse, visit).content.decode()
    assert [a for a in forms_on(html) if "/form/" in a] == []
    assert "BI-RADS 4 suspicious" in html


def test_the_planner_gets_403_and_the_outsider_404(client, visit, planner, outsider):
    response = page_as(client, planner, visit)
    assert response.status_code == 403
    assert "The attempt has been logged." in response.content.decode()
    assert page_as(client, outsider, visit).status_code == 404
    assert page_as(client, outsider, visit, "?print=1").status_code == 404
    assert list(AccessEvent.objects.order_by("id").values_list("role", "outcome")) == [
        ("planner", "denied"), ("", "denied"), ("", "denied")]


def test_anonymous_users_are_sent_to_log_in(client, visit):
    response = client.get(f"/visits/{visit.pk}/form/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    # the refused attempt is logged, in the visit's clinic (issue 10)
    assert list(AccessEvent.objects.values_list("username", "outcome", "clinic_id", "visit_id")) == [
        ("", "denied", visit.session.clinic_id, visit.pk)]


def test_saving_a_section_from_the_page(client, visit, surgeon):
    data = {"version": "0", "complaint": "Knobbel links, 3 weken.", "p_score": "4", "risk_factors": ["family_history"],
            "findings.left.0.quadrant": "upper_outer", "findings.left.0.distance_mm": "30",
            "findings.left.0.size_mm": "18", "findings.left.1.size_mm": "", "findings.right.0.quadrant": "",
            "axilla.left.finding": "normal", "axilla.right.finding": "normal"}
    response = post_as(client, surgeon, visit, "clinical", data)
    assert response.status_code == 302
    assert response["Location"] == f"/visits/{visit.pk}/form/#section-clinical"
    section = section_row(visit, "clinical")
    assert section.version == 1
    assert section.content["findings"] == {"left": [{"quadrant": "upper_outer", "clock": None, "distance_mm": 30,
                                                     "size_mm": 18, "description": ""}], "right": []}
    assert section.content["risk_factors"] == ["family_history"] and section.content["p_score"] == 4
    html = client.get(response["Location"]).content.decode()
    assert "Clinical examination saved." in html
    assert "History (1 version)" in html
    assert 'name="version" value="1"' in html


def test_invalid_input_is_shown_by_the_field_and_nothing_is_written(client, visit, surgeon):
    data = {"version": "0", "complaint": "Pijn", "findings.left.0.clock": "14", "findings.left.0.size_mm": "12"}
    response = post_as(client, surgeon, visit, "clinical", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please correct the errors below." in html
    assert "Ensure this value is less than or equal to 12." in html
    assert 'name="findings.left.0.size_mm" value="12"' in html  # what was typed is kept
    assert not SectionVersion.objects.exists()


def test_a_late_save_shows_their_version_beside_yours(client, clinic, visit, surgeon):
    colleague = StaffMemberFactory(clinic=clinic, role="surgeon",
                                   user=UserFactory(username="sven.surgeon", first_name="Sven", last_name="Snijder")).user
    form_section_update(user=colleague, visit_id=visit.pk, section="clinical",
                        changes={"p_score": 4, "history": "Moeder mammacarcinoom."}, expected_version=0)
    response = post_as(client, surgeon, visit, "clinical", {"version": "0", "p_score": "3", "history": "Geen."})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Their version (saved)" in html and "Your version (not saved)" in html
    assert "Moeder mammacarcinoom." in html and "Geen." in html
    assert "Their changes since your version" in html and "Version 1 was saved by Sven Snijder" in html
    assert re.search(r"<td>Clinical score \(P1–P5\)</td><td>P4 suspicious</td><td>P3 uncertain</td>", html)
    assert 'name="version" value="1"' in html  # saving the merged version is now a deliberate choice
    assert section_row(visit, "clinical").content["history"] == "Moeder mammacarcinoom."
    assert SectionVersion.objects.count() == 1


def test_another_roles_section_cannot_be_posted(client, visit, radiologist):
    response = post_as(client, radiologist, visit, "clinical", {"version": "0", "p_score": "5"})
    assert response.status_code == 403
    assert not SectionVersion.objects.exists()


def test_a_post_without_version_is_refused(client, visit, surgeon):
    response = post_as(client, surgeon, visit, "clinical", {"p_score": "5"})
    assert response.status_code == 302
    assert "Say which version" in client.get(response["Location"]).content.decode()
    assert not SectionVersion.objects.exists()


def test_sign_then_addendum_from_the_page(client, visit, pathologist):
    form_section_update(user=pathologist, visit_id=visit.pk, section="pathology",
                        changes={"specimens": ["cytology"], "c_score": 2, "report": "Fibroadenoom."}, expected_version=0)
    assert post_as(client, pathologist, visit, "pathology", {"version": "1"}, "sign/").status_code == 302
    assert section_row(visit, "pathology").signed_by == pathologist
    html = page_as(client, pathologist, visit).content.decode()
    assert "Version 1 signed by" in html and "Add an addendum" in html
    assert f"/visits/{visit.pk}/form/pathology/addendum/" in forms_on(html)
    assert f"/visits/{visit.pk}/form/pathology/" not in forms_on(html)

    refused = post_as(client, pathologist, visit, "pathology",
                      {"version": "2", "reason": "", "specimens": "cytology", "c_score": "3"}, "addendum/")
    assert refused.status_code == 400
    assert "Say why this addendum is added." in refused.content.decode()

    data = {"version": "2", "reason": "Revisie: atypie.", "specimens": "cytology", "c_score": "3",
            "report": "Fibroadenoom."}
    assert post_as(client, pathologist, visit, "pathology", data, "addendum/").status_code == 302
    section = section_row(visit, "pathology")
    assert (section.version, section.signed_version, section.content["c_score"]) == (3, 2, 3)
    html = page_as(client, pathologist, visit).content.decode()
    assert "As signed" in html and "Revisie: atypie." in html and "C2 benign" in html and "C3 atypia" in html


def test_a_signed_section_is_not_edited_from_the_page(client, visit, pathologist):
    form_section_update(user=pathologist, visit_id=visit.pk, section="pathology",
                        changes={"specimens": ["core"], "b_score": "B2"}, expected_version=0)
    form_section_sign(user=pathologist, visit_id=visit.pk, section="pathology", expected_version=1)
    response = post_as(client, pathologist, visit, "pathology", {"version": "2", "specimens": "core", "b_score": "B5b"})
    assert response.status_code == 302
    assert "add an addendum" in client.get(response["Location"]).content.decode()
    assert section_row(visit, "pathology").content["b_score"] == "B2"


def test_the_badge_shows_discordance(client, visit, surgeon, radiologist, pathologist):
    form_section_update(user=surgeon, visit_id=visit.pk, section="clinical", changes={"p_score": 2}, expected_version=0)
    form_section_update(user=radiologist, visit_id=visit.pk, section="imaging", changes={"birads": 5},
                        expected_version=0)
    form_section_update(user=pathologist, visit_id=visit.pk, section="pathology",
                        changes={"specimens": ["core"], "b_score": "B2"}, expected_version=0)
    html = page_as(client, surgeon, visit).content.decode()
    assert 'class="badge badge-discordant"' in html
    assert "Discordant: imaging BI-RADS 5 is suspicious but pathology B2 is benign." in html


def test_the_printable_form_is_logged_as_print(client, visit, surgeon):
    form_section_update(user=surgeon, visit_id=visit.pk, section="clinical", changes={"p_score": 3}, expected_version=0)
    response = page_as(client, surgeon, visit, "?print=1")
    assert response.status_code == 200
    html = response.content.decode()
    assert "records/form-print.css" in html and 'media="print"' in html
    assert all("/form/" not in action for action in forms_on(html))
    assert "P3 uncertain" in html and "Printed by" in html
    event = AccessEvent.objects.order_by("-id").first()
    assert (event.action, event.what) == ("print", "form")


def test_the_visit_list_shows_names_to_the_planner_and_form_links_to_clinicians(client, visit, planner, surgeon):
    client.force_login(planner)
    html = client.get("/visits/", {"date": "2026-12-01"}).content.decode()
    assert escape(visit.patient.full_name) in html and f"/visits/{visit.pk}/form/" not in html
    client.force_login(surgeon)
    html = client.get("/visits/", {"date": "2026-12-01"}).content.decode()
    assert f"/visits/{visit.pk}/form/" in html
    assert list(AccessEvent.objects.values_list("action", "patient_id")) == [
        ("list", visit.patient_id), ("list", visit.patient_id)]


def test_a_bad_date_on_the_visit_list_is_named_not_a_500(client, surgeon):
    client.force_login(surgeon)
    response = client.get("/visits/", {"date": "31-12-2026"})
    assert response.status_code == 200
    assert "That is not a date" in response.content.decode()


def test_the_mdo_page_lists_discordant_visits(client, visit, surgeon, radiologist, planner):
    form_section_update(user=surgeon, visit_id=visit.pk, section="clinical", changes={"p_score": 5}, expected_version=0)
    form_section_update(user=radiologist, visit_id=visit.pk, section="imaging", changes={"birads": 1},
                        expected_version=0)
    client.force_login(radiologist)
    html = client.get("/mdo/", {"date": "2026-11-30", "until": "2026-12-02"}).content.decode()
    assert escape(visit.patient.full_name) in html and "clinical examination P5 is suspicious" in html
    client.force_login(planner)
    assert client.get("/mdo/", {"date": "2026-12-01"}).status_code == 403


def test_the_home_page_links_to_the_visits_the_mdo_and_for_officers_the_log(client, surgeon, planner, privacy_officer):
    client.force_login(surgeon)
    html = client.get("/").content.decode()
    assert 'href="/visits/"' in html and 'href="/mdo/"' in html and 'href="/privacy/"' not in html
    client.force_login(planner)
    html = client.get("/").content.decode()
    assert 'href="/visits/"' in html and 'href="/mdo/"' not in html
    client.force_login(privacy_officer)
    assert 'href="/privacy/"' in client.get("/").content.decode()


# --- the form's fields and the posted data agree --------------------------------------------


def posted(nodes, data: QueryDict):
    """What a browser submits for the rendered (editable) nodes."""
    for node in nodes:
        if node.kind == "group":
            posted(node.children, data)
        elif node.kind == "table":
            for row in node.rows:
                posted(row, data)
        elif node.widget in ("select", "checkboxes"):
            for value, _label, selected in node.options:
                if selected:
                    data.appendlist(node.name, value)
        else:
            data.appendlist(node.name, node.value)
    return data


RICH = {
    "clinical": {"complaint": "Knobbel", "history": "Sinds mei.\nGroeit.", "risk_factors": ["family_history"],
                 "risk_notes": "", "p_score": 4, "axilla": {"left": {"finding": "suspicious_node", "note": "1,5 cm"},
                                                            "right": {"finding": None, "note": ""}},
                 "findings": {"left": [{"quadrant": None, "clock": 2, "distance_mm": 40, "size_mm": 15,
                                        "description": "vast"}], "right": []}},
    "imaging": {"mammography": {"left": [{"quadrant": "upper_outer", "clock": None, "distance_mm": None,
                                          "size_mm": 14, "description": ""}], "right": []},
                "ultrasound": {"left": [{"quadrant": None, "clock": 2, "distance_mm": 38, "size_mm": 13,
                                         "description": "onscherp"}], "right": []},
                "m_score": 4, "u_score": 5, "birads": 5, "report": "Verdacht.",
                "biopsies": [{"type": "core", "guidance": "ultrasound", "side": "left", "lesion": 1, "passes": 3}]},
    "pathology": {"specimens": ["core", "cytology"], "c_score": 5, "b_score": "B5b", "report": "Invasief."},
    "conclusion": {"outcome": "malignant", "plan": "mdo", "plan_notes": "", "told_at": "2026-11-20T11:45:00+01:00"},
}


@pytest.mark.parametrize("section", list(RICH))
def test_a_section_rendered_as_a_form_posts_back_the_same_content(section):
    content, errors = content_validate(section, RICH[section])
    assert errors == {}
    data = posted(layout(section, content, editable=True), QueryDict(mutable=True))
    again, errors = content_validate(section, parse(section, data))
    assert errors == {}
    assert again == content


def test_the_page_speaks_dutch(client, visit, surgeon, radiologist):
    form_section_update(user=radiologist, visit_id=visit.pk, section="imaging", changes={"birads": 4}, expected_version=0)
    client.force_login(surgeon)
    html = client.get(f"/visits/{visit.pk}/form/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    for text in ("Klinisch onderzoek", "Beeldvorming", "Pathologie", "Conclusie", "Triple diagnostiek",
                 "positief, nog niet volledig", "Positief: beeldvorming BI-RADS 4 is 3 of hoger.", "BI-RADS 4 verdacht"):
        assert text in html, text

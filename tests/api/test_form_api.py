"""The form over HTTP: sections with versions and ETags, If-Match (428/412), roles (403/404),
validation (400 naming the field), sign-off, addenda and history."""

import io

import pytest
from django.core.management import call_command

from mammapoli.audit.models import AccessEvent
from mammapoli.records.models import FormSection, SectionVersion
from tests.api_clients import api_as

pytestmark = pytest.mark.django_db


def url(visit, section=None, tail=""):
    return f"/api/visits/{visit.pk}/form/" + (f"{section}/" if section else "") + tail


def patch(user, visit, section, body, version=None, **headers):
    if version is not None:
        headers["HTTP_IF_MATCH"] = f'W/"{version}"'
    return api_as(user).patch(url(visit, section), body, format="json", **headers)


def last_event() -> AccessEvent:
    return AccessEvent.objects.order_by("-id").first()


def section_row(visit, key) -> FormSection:
    return FormSection.objects.get(form__visit=visit, key=key)


def version_of(visit, key) -> int:
    """0 also when a refused first write left no form at all (its creation rolled back too)."""
    row = FormSection.objects.filter(form__visit=visit, key=key).first()
    return row.version if row else 0


def test_the_form_has_four_empty_sections_at_version_zero(visit, surgeon):
    response = api_as(surgeon).get(url(visit))
    assert response.status_code == 200
    body = response.json()
    assert body["visit"]["id"] == visit.pk and body["visit"]["patient"]["name"] == visit.patient.full_name
    assert body["concordance"] == {"positive": False, "discordant": False, "reasons": []}
    assert list(body["sections"]) == ["clinical", "imaging", "pathology", "conclusion"]
    clinical = body["sections"]["clinical"]
    assert (clinical["version"], clinical["signed"], clinical["addenda"], clinical["writable"]) == (0, None, [], True)
    assert clinical["content"]["p_score"] is None and clinical["content"]["findings"] == {"left": [], "right": []}
    assert body["sections"]["imaging"]["writable"] is False
    assert (last_event().action, last_event().what, last_event().outcome) == ("read", "form", "allowed")


def test_a_section_carries_its_version_as_a_weak_etag(visit, radiologist):
    response = api_as(radiologist).get(url(visit, "imaging"))
    assert response.status_code == 200
    assert response["ETag"] == 'W/"0"'
    assert response.json()["section"] == "imaging" and response.json()["version"] == 0
    assert (last_event().what, last_event().role) == ("form section imaging", "radiologist")


def test_a_patch_with_the_current_etag_saves_one_version(visit, surgeon):
    response = patch(surgeon, visit, "clinical", {"p_score": 4, "complaint": "Knobbel links"}, version=0)
    assert response.status_code == 200, response.json()
    assert response["ETag"] == 'W/"1"'
    assert response.json()["content"]["p_score"] == 4
    assert response.json()["updated_by"]["username"] == "sophie.surgeon"
    row = SectionVersion.objects.get()
    assert (row.version, row.kind, row.role, row.author) == (1, "edit", "surgeon", surgeon)
    assert row.changes == {"p_score": {"old": None, "new": 4}, "complaint": {"old": "", "new": "Knobbel links"}}
    assert row.content["p_score"] == 4
    event = last_event()
    assert (event.action, event.what, event.outcome, event.detail) == (
        "write", "form section clinical", "allowed", "edit version 1: complaint, p_score")


def test_without_if_match_428_and_nothing_written(visit, surgeon):
    response = patch(surgeon, visit, "clinical", {"p_score": 4})
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]
    assert version_of(visit, "clinical") == 0 and not SectionVersion.objects.exists()
    assert (last_event().action, last_event().outcome, last_event().detail) == ("write", "denied", "no version given")


def test_a_stale_etag_gets_412_with_the_current_section(visit, surgeon):
    assert patch(surgeon, visit, "clinical", {"p_score": 2}, version=0).status_code == 200
    response = patch(surgeon, visit, "clinical", {"p_score": 5}, version=0)
    assert response.status_code == 412
    body = response.json()
    assert (body["version"], body["content"]["p_score"], body["updated_by"]["username"]) == (1, 2, "sophie.surgeon")
    assert response["ETag"] == 'W/"1"'
    assert section_row(visit, "clinical").content["p_score"] == 2
    assert SectionVersion.objects.count() == 1
    assert (last_event().outcome, last_event().detail) == ("denied", "stale version 0, current 1")


@pytest.mark.parametrize("header", ['"0"', "W/0", "garbage", "*"])
def test_an_unreadable_or_wildcard_if_match_matches_nothing(visit, surgeon, header):
    assert patch(surgeon, visit, "clinical", {"p_score": 2}, version=0).status_code == 200
    response = patch(surgeon, visit, "clinical", {"p_score": 3}, HTTP_IF_MATCH=header)
    assert response.status_code == 412
    assert section_row(visit, "clinical").version == 1


def test_a_strong_etag_with_the_current_version_is_accepted(visit, surgeon):
    assert patch(surgeon, visit, "clinical", {"p_score": 2}, HTTP_IF_MATCH='"0"').status_code == 200


def test_the_wrong_role_gets_403_and_nothing_is_written(visit, radiologist):
    response = patch(radiologist, visit, "clinical", {"p_score": 5}, version=0)
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not write this section."}
    assert version_of(visit, "clinical") == 0 and not SectionVersion.objects.exists()
    event = last_event()
    assert (event.action, event.outcome, event.role, event.detail) == (
        "write", "denied", "radiologist", "role radiologist does not write clinical")


def test_a_score_out_of_its_scale_is_a_400_naming_the_field(visit, radiologist):
    response = patch(radiologist, visit, "imaging", {"birads": 7, "m_score": 3}, version=0)
    assert response.status_code == 400
    assert list(response.json()) == ["birads"]
    assert version_of(visit, "imaging") == 0
    assert (last_event().outcome, last_event().detail) == ("denied", "invalid: birads")


@pytest.mark.parametrize(("section", "body", "field"), [
    ("clinical", {"p_score": 0}, "p_score"),
    ("clinical", {"p_score": "P4"}, "p_score"),
    ("imaging", {"birads": -1}, "birads"),
    ("imaging", {"m_score": 6}, "m_score"),
    ("imaging", {"u_score": 0}, "u_score"),
    ("pathology", {"specimens": ["cytology"], "c_score": 6}, "c_score"),
    ("pathology", {"specimens": ["core"], "b_score": "B5"}, "b_score"),
    ("pathology", {"specimens": ["core"], "b_score": "B6"}, "b_score"),
    ("conclusion", {"plan": "wait and see"}, "plan"),
])
def test_every_scale_refuses_values_outside_it(visit, surgeon, radiologist, pathologist, section, body, field):
    user = {"clinical": surgeon, "conclusion": surgeon, "imaging": radiologist, "pathology": pathologist}[section]
    response = patch(user, visit, section, body, version=0)
    assert response.status_code == 400
    assert field in response.json()
    assert version_of(visit, section) == 0


def test_a_nested_error_names_the_lesion_and_the_field(visit, surgeon):
    findings = {"left": [{"clock": 2, "size_mm": 12}, {"clock": 14, "size_mm": 0}], "right": []}
    response = patch(surgeon, visit, "clinical", {"findings": findings}, version=0)
    assert response.status_code == 400
    assert response.json() == {"findings": {"left": [{}, {
        "clock": ["Ensure this value is less than or equal to 12."],
        "size_mm": ["Ensure this value is greater than or equal to 1."]}]}}


def test_unknown_fields_are_refused_by_name(visit, surgeon):
    response = patch(surgeon, visit, "clinical", {"p_scor": 4}, version=0)
    assert response.status_code == 400
    assert response.json() == {"p_scor": ["Unknown field."]}


def test_a_body_that_is_not_an_object_is_a_400(visit, surgeon):
    response = patch(surgeon, visit, "clinical", [1, 2], version=0)
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_a_biopsy_must_name_a_lesion_that_exists(visit, radiologist):
    body = {"ultrasound": {"left": [{"clock": 2, "size_mm": 14}], "right": []},
            "biopsies": [{"type": "core", "side": "left", "lesion": 1, "passes": 3},
                         {"type": "fna", "side": "left", "lesion": 2, "passes": 2}]}
    response = patch(radiologist, visit, "imaging", body, version=0)
    assert response.status_code == 400
    assert response.json() == {"biopsies": [{}, {"lesion": [
        "There is no lesion 2 in the ultrasound findings of the left breast."]}]}
    body["biopsies"].pop()
    assert patch(radiologist, visit, "imaging", body, version=0).status_code == 200


def test_a_save_that_changes_nothing_writes_no_version(visit, surgeon):
    assert patch(surgeon, visit, "clinical", {"p_score": 2}, version=0).status_code == 200
    response = patch(surgeon, visit, "clinical", {"p_score": 2}, version=1)
    assert response.status_code == 200 and response["ETag"] == 'W/"1"'
    assert SectionVersion.objects.count() == 1
    assert (last_event().outcome, last_event().detail) == ("allowed", "no changes, version 1")


def test_saves_to_different_sections_never_conflict(visit, surgeon, radiologist):
    assert patch(surgeon, visit, "clinical", {"p_score": 3}, version=0).status_code == 200
    assert patch(radiologist, visit, "imaging", {"birads": 2}, version=0).status_code == 200
    assert patch(surgeon, visit, "conclusion", {"outcome": "indeterminate"}, version=0).status_code == 200
    versions = dict(FormSection.objects.filter(form__visit=visit).values_list("key", "version"))
    assert versions == {"clinical": 1, "imaging": 1, "pathology": 0, "conclusion": 1}


def test_an_unknown_section_is_not_found(visit, surgeon):
    assert api_as(surgeon).get(url(visit, "radiology")).status_code == 404
    assert patch(surgeon, visit, "radiology", {}, version=0).status_code == 404


def test_a_planner_asking_for_the_form_gets_403(visit, planner):
    for path in (url(visit), url(visit, "clinical"), url(visit, "clinical", "history/")):
        response = api_as(planner).get(path)
        assert response.status_code == 403, path
        assert response.json() == {"detail": "Your role does not read the findings."}
        assert (last_event().outcome, last_event().role) == ("denied", "planner")


def test_an_outsider_gets_404_for_everything(visit, outsider):
    client = api_as(outsider)
    assert client.get(url(visit)).json() == {"detail": "Not found."}  # as for a visit that does not exist
    assert client.get(url(visit)).status_code == 404
    assert client.get(url(visit, "imaging")).status_code == 404
    assert patch(outsider, visit, "clinical", {"p_score": 1}, version=0).status_code == 404
    assert client.post(url(visit, "clinical", "sign/"), HTTP_IF_MATCH='W/"0"').status_code == 404
    assert (last_event().outcome, last_event().detail) == ("denied", "not in the clinic team")


# --- sign-off, addenda, history -------------------------------------------------------------


def sign(user, visit, section, version):
    return api_as(user).post(url(visit, section, "sign/"), HTTP_IF_MATCH=f'W/"{version}"')


def addendum(user, visit, section, body, version):
    return api_as(user).post(url(visit, section, "addenda/"), body, format="json", HTTP_IF_MATCH=f'W/"{version}"')


def test_signing_then_an_addendum_keeps_the_signed_text(visit, radiologist):
    assert patch(radiologist, visit, "imaging", {"birads": 3, "report": "Cyste links."}, version=0).status_code == 200
    signed = sign(radiologist, visit, "imaging", 1)
    assert signed.status_code == 200
    assert signed["ETag"] == 'W/"2"'
    assert signed.json()["signed"]["by"]["username"] == "ruben.radiologist"
    assert signed.json()["signed"]["version"] == 2

    refused = patch(radiologist, visit, "imaging", {"birads": 4}, version=2)
    assert refused.status_code == 409
    assert "addendum" in refused.json()["detail"]
    assert section_row(visit, "imaging").content["birads"] == 3

    missing_reason = addendum(radiologist, visit, "imaging", {"changes": {"birads": 4}}, version=2)
    assert missing_reason.status_code == 400 and list(missing_reason.json()) == ["reason"]
    bad_change = addendum(radiologist, visit, "imaging", {"reason": "herbeoordeeld", "changes": {"birads": 9}}, 2)
    assert bad_change.status_code == 400 and bad_change.json() == {"changes": {"birads": [
        "Ensure this value is less than or equal to 6."]}}

    added = addendum(radiologist, visit, "imaging", {"reason": "Herbeoordeeld na MDO.", "changes": {"birads": 4}}, 2)
    assert added.status_code == 201
    body = added.json()
    assert added["ETag"] == 'W/"3"'
    assert body["content"]["birads"] == 4
    assert body["signed"]["content"]["birads"] == 3 and body["signed"]["content"]["report"] == "Cyste links."
    assert [(a["version"], a["reason"], a["changes"]) for a in body["addenda"]] == [
        (3, "Herbeoordeeld na MDO.", {"birads": {"old": 3, "new": 4}})]

    history = api_as(radiologist).get(url(visit, "imaging", "history/"))
    assert history.status_code == 200
    assert [(v["version"], v["kind"], v["role"], sorted(v["changes"])) for v in history.json()] == [
        (1, "edit", "radiologist", ["birads", "report"]), (2, "sign", "radiologist", []),
        (3, "addendum", "radiologist", ["birads"])]
    assert (last_event().action, last_event().what) == ("read", "form section imaging history")


def test_an_addendum_without_changes_is_a_note(visit, pathologist):
    patch(pathologist, visit, "pathology", {"specimens": ["core"], "b_score": "B2"}, version=0)
    sign(pathologist, visit, "pathology", 1)
    added = addendum(pathologist, visit, "pathology", {"reason": "Besproken met radioloog."}, version=2)
    assert added.status_code == 201
    assert added.json()["addenda"][0]["changes"] == {}


def test_sign_and_addendum_need_if_match_and_the_current_version(visit, surgeon):
    patch(surgeon, visit, "clinical", {"p_score": 2}, version=0)
    assert api_as(surgeon).post(url(visit, "clinical", "sign/")).status_code == 428
    assert sign(surgeon, visit, "clinical", 0).status_code == 412
    assert sign(surgeon, visit, "clinical", 1).status_code == 200
    assert api_as(surgeon).post(url(visit, "clinical", "addenda/"), {"reason": "x"}, format="json").status_code == 428
    assert addendum(surgeon, visit, "clinical", {"reason": "x"}, version=1).status_code == 412


def test_what_cannot_be_signed_or_amended_is_a_409(visit, surgeon):
    assert sign(surgeon, visit, "clinical", 0).status_code == 409  # nothing written yet
    assert addendum(surgeon, visit, "clinical", {"reason": "x"}, version=0).status_code == 409  # not signed
    patch(surgeon, visit, "clinical", {"p_score": 2}, version=0)
    assert sign(surgeon, visit, "clinical", 1).status_code == 200
    assert sign(surgeon, visit, "clinical", 2).status_code == 409  # signed already
    assert SectionVersion.objects.count() == 2


def test_only_the_sections_role_signs_it(visit, surgeon, radiologist):
    patch(radiologist, visit, "imaging", {"birads": 1}, version=0)
    assert sign(surgeon, visit, "imaging", 1).status_code == 403
    assert section_row(visit, "imaging").signed_by is None


def test_the_form_shows_the_computed_concordance(visit, surgeon, radiologist, pathologist):
    patch(surgeon, visit, "clinical", {"p_score": 2}, version=0)
    patch(radiologist, visit, "imaging", {"birads": 5, "u_score": 5}, version=0)
    patch(pathologist, visit, "pathology", {"specimens": ["core"], "b_score": "B2"}, version=0)
    concordance = api_as(surgeon).get(url(visit)).json()["concordance"]
    assert concordance["positive"] is True and concordance["discordant"] is True
    assert concordance["reasons"][0] == (
        "Discordant: imaging BI-RADS 5, U5 is suspicious but pathology B2 is benign.")


def test_discharge_is_refused_while_the_assessment_is_positive(visit, surgeon, radiologist):
    patch(surgeon, visit, "clinical", {"p_score": 2}, version=0)
    patch(radiologist, visit, "imaging", {"birads": 4}, version=0)
    response = patch(surgeon, visit, "conclusion", {"plan": "discharge"}, version=0)
    assert response.status_code == 400
    assert list(response.json()) == ["plan"]
    assert patch(surgeon, visit, "conclusion", {"plan": "mdo"}, version=0).status_code == 200


def test_discharge_after_a_negative_complete_assessment(visit, surgeon, radiologist):
    patch(surgeon, visit, "clinical", {"p_score": 2}, version=0)
    patch(radiologist, visit, "imaging", {"birads": 2, "m_score": 2, "u_score": 2}, version=0)
    told_at = "2020-03-02T11:30:00+01:00"
    response = patch(surgeon, visit, "conclusion", {"outcome": "benign", "plan": "discharge", "told_at": told_at},
                     version=0)
    assert response.status_code == 200, response.json()
    assert response.json()["content"]["told_at"] == told_at


def test_the_patient_cannot_be_told_in_the_future(visit, surgeon):
    response = patch(surgeon, visit, "conclusion", {"told_at": "2999-01-01T10:00:00+01:00"}, version=0)
    assert response.status_code == 400
    assert response.json() == {"told_at": ["This is in the future."]}


def test_the_openapi_schema_validates_without_warnings():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = out.getvalue()
    for path in ("/api/visits/{visit_id}/form/:", "/api/visits/{visit_id}/form/{section}/:",
                 "/api/visits/{visit_id}/form/{section}/sign/:", "/api/visits/{visit_id}/form/{section}/addenda/:",
                 "/api/visits/{visit_id}/form/{section}/history/:", "/api/mdo/discordant/:",
                 "/api/patients/{patient_id}/access-log/:"):
        assert path in schema
    for name in ("p_score:", "birads:", "m_score:", "u_score:", "c_score:", "b_score:", "discordant:"):
        assert name in schema

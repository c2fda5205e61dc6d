"""The form's services: versions, history, sign-off, addenda, and one access-log row per attempt."""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from mammapoli.audit.models import AccessEvent
from mammapoli.records.errors import PatientDataForbidden, PatientDataNotFound
from mammapoli.records.errors import (
    ContentInvalid,
    NothingToSign,
    SectionNotSigned,
    SectionSigned,
    StaleVersion,
    VersionRequired,
)
from mammapoli.records.models import Addendum, FormSection, ImmutableError, SectionVersion, VisitForm
from mammapoli.records.selectors import form_for_user, versions_since
from mammapoli.records.services import form_addendum_add, form_section_sign, form_section_update, visit_form_ensure
from tests.factories import ClinicSessionFactory, VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(clinic):
    return VisitFactory(session=ClinicSessionFactory(clinic=clinic, date=dt.date(2026, 12, 1)),
                        pathway=clinic.pathways.get(code="imaging"))


def update(user, visit, section, changes, version):
    return form_section_update(user=user, visit_id=visit.pk, section=section, changes=changes,
                               expected_version=version)


def events() -> list[tuple[str, str, str, str]]:
    return [(e.action, e.what, e.outcome, e.detail) for e in AccessEvent.objects.order_by("id")]


def test_the_form_is_created_once_with_four_empty_sections(visit):
    first = visit_form_ensure(visit=visit)
    again = visit_form_ensure(visit=visit)
    assert first == again and VisitForm.objects.count() == 1
    sections = {s.key: (s.version, s.content) for s in FormSection.objects.all()}
    assert set(sections) == {"clinical", "imaging", "pathology", "conclusion"}
    assert sections["pathology"] == (0, {"specimens": [], "c_score": None, "b_score": None, "report": ""})


def test_each_save_is_a_version_with_the_changed_fields(visit, surgeon):
    update(surgeon, visit, "clinical", {"p_score": 3}, 0)
    section = update(surgeon, visit, "clinical", {"p_score": 4, "history": "Sinds 2 weken."}, 1)
    assert section.version == 2
    rows = list(SectionVersion.objects.order_by("version"))
    assert [(r.version, r.changes) for r in rows] == [
        (1, {"p_score": {"old": None, "new": 3}}),
        (2, {"p_score": {"old": 3, "new": 4}, "history": {"old": "", "new": "Sinds 2 weken."}}),
    ]
    assert rows[0].content["p_score"] == 3 and rows[1].content["p_score"] == 4
    assert events() == [("write", "form section clinical", "allowed", "edit version 1: p_score"),
                        ("write", "form section clinical", "allowed", "edit version 2: history, p_score")]


def test_a_patch_replaces_only_the_fields_it_names(visit, surgeon):
    update(surgeon, visit, "clinical", {"complaint": "Knobbel", "p_score": 3}, 0)
    section = update(surgeon, visit, "clinical", {"p_score": None}, 1)
    assert section.content["complaint"] == "Knobbel" and section.content["p_score"] is None


def test_a_stale_version_is_refused_and_carries_the_current_section(visit, surgeon):
    update(surgeon, visit, "clinical", {"p_score": 3}, 0)
    with pytest.raises(StaleVersion) as refused:
        update(surgeon, visit, "clinical", {"p_score": 5}, 0)
    assert (refused.value.expected, refused.value.current.version) == (0, 1)
    assert refused.value.current.content["p_score"] == 3
    assert events()[-1] == ("write", "form section clinical", "denied", "stale version 0, current 1")
    assert versions_since(refused.value.current, 0)[0].changes == {"p_score": {"old": None, "new": 3}}


def test_a_missing_version_is_refused(visit, surgeon):
    with pytest.raises(VersionRequired):
        update(surgeon, visit, "clinical", {"p_score": 5}, None)
    assert not SectionVersion.objects.exists()


def test_invalid_content_is_refused_with_errors_by_field_and_leaves_only_the_log_row(visit, radiologist):
    with pytest.raises(ContentInvalid) as refused:
        update(radiologist, visit, "imaging", {"birads": 9, "u_score": 0}, 0)
    assert set(refused.value.errors) == {"birads", "u_score"}
    assert not SectionVersion.objects.exists()
    assert not FormSection.objects.filter(version__gt=0).exists()
    assert events() == [("write", "form section imaging", "denied", "invalid: birads, u_score")]


def test_the_wrong_role_is_forbidden_and_an_outsider_not_found(visit, nurse, planner, outsider):
    with pytest.raises(PatientDataForbidden):
        update(nurse, visit, "clinical", {"p_score": 1}, 0)
    with pytest.raises(PatientDataForbidden):
        update(planner, visit, "conclusion", {"plan": "mdo"}, 0)
    with pytest.raises(PatientDataNotFound):
        update(outsider, visit, "clinical", {"p_score": 1}, 0)
    assert [(e.role, e.outcome, e.detail) for e in AccessEvent.objects.order_by("id")] == [
        ("nurse", "denied", "role nurse does not write clinical"),
        ("planner", "denied", "role planner does not read findings"),
        ("", "denied", "not in the clinic team"),
    ]
    assert not SectionVersion.objects.exists()


def test_the_surgeon_writes_clinical_and_conclusion_only(visit, surgeon):
    update(surgeon, visit, "clinical", {"p_score": 2}, 0)
    update(surgeon, visit, "conclusion", {"outcome": "benign"}, 0)
    for section, changes in (("imaging", {"birads": 1}), ("pathology", {"report": "x"})):
        with pytest.raises(PatientDataForbidden):
            update(surgeon, visit, section, changes, 0)


def test_signing_freezes_the_section_and_addenda_sit_beside_it(visit, pathologist):
    with pytest.raises(NothingToSign):
        form_section_sign(user=pathologist, visit_id=visit.pk, section="pathology", expected_version=0)
    update(pathologist, visit, "pathology", {"specimens": ["core"], "b_score": "B3", "report": "Papilloom."}, 0)
    with pytest.raises(PatientDataForbidden):
        form_section_sign(user=pathologist, visit_id=visit.pk, section="clinical", expected_version=0)
    with pytest.raises(SectionNotSigned):
        form_addendum_add(user=pathologist, visit_id=visit.pk, section="pathology", reason="x", changes={},
                          expected_version=1)
    signed = form_section_sign(user=pathologist, visit_id=visit.pk, section="pathology", expected_version=1)
    assert (signed.version, signed.signed_version, signed.signed_by) == (2, 2, pathologist)
    with pytest.raises(SectionSigned):
        update(pathologist, visit, "pathology", {"b_score": "B4"}, 2)
    with pytest.raises(ContentInvalid) as refused:
        form_addendum_add(user=pathologist, visit_id=visit.pk, section="pathology", reason="  ",
                          changes={"b_score": "B9"}, expected_version=2)
    assert set(refused.value.errors) == {"reason", "changes"}
    amended = form_addendum_add(user=pathologist, visit_id=visit.pk, section="pathology",
                                reason="Revisie na immuunkleuring.", changes={"b_score": "B5a"}, expected_version=2)
    assert (amended.version, amended.signed_version, amended.content["b_score"]) == (3, 2, "B5a")
    addendum = Addendum.objects.get()
    assert (addendum.version, addendum.reason, addendum.changes) == (
        3, "Revisie na immuunkleuring.", {"b_score": {"old": "B3", "new": "B5a"}})
    assert SectionVersion.objects.get(version=2).content["b_score"] == "B3"  # the signed text

    view = form_for_user(pathologist, visit.pk).sections["pathology"]
    assert view.signed_content["b_score"] == "B3" and [a.version for a in view.addenda] == [3]
    assert [r.kind for r in view.section.history] == ["edit", "sign", "addendum"]


def test_the_history_cannot_be_changed_or_deleted(visit, surgeon):
    update(surgeon, visit, "clinical", {"p_score": 3}, 0)
    row = SectionVersion.objects.get()
    row.changes = {}
    with pytest.raises(ImmutableError):
        row.save()
    with pytest.raises(ImmutableError):
        row.delete()
    with pytest.raises(ImmutableError):
        SectionVersion.objects.update(reason="x")
    with pytest.raises(ImmutableError):
        SectionVersion.objects.all().delete()
    assert SectionVersion.objects.get().changes == {"p_score": {"old": None, "new": 3}}


@pytest.mark.postgres
def test_postgresql_refuses_to_rewrite_the_history(visit, surgeon):
    update(surgeon, visit, "clinical", {"p_score": 3}, 0)
    with pytest.raises(DatabaseError, match="form history is immutable: UPDATE refused"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE records_sectionversion SET content = '{}'")
    with pytest.raises(DatabaseError, match="form history is immutable: DELETE refused"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM records_sectionversion")
    assert SectionVersion.objects.get().content["p_score"] == 3


def test_reading_the_form_logs_one_row_and_computes_concordance(visit, surgeon, radiologist, nurse):
    update(surgeon, visit, "clinical", {"p_score": 5}, 0)
    update(radiologist, visit, "imaging", {"birads": 1, "m_score": 1}, 0)
    before = AccessEvent.objects.count()
    view = form_for_user(nurse, visit.pk)
    assert AccessEvent.objects.count() == before + 1
    assert events()[-1] == ("read", "form", "allowed", "")
    assert view.concordance.discordant and view.concordance.positive
    assert not any(section.writable for section in view.sections.values())

"""The shared form as the team fills it: the referral at the top and the complaint taken from
it; a benign conclusion against a positive or discordant assessment only with a reason;
signing asks first and says which version is signed."""

import datetime as dt

import pytest
from django.utils.html import escape

from mammapoli.records.errors import ContentInvalid
from mammapoli.records.models import FormSection, SectionVersion
from mammapoli.records.services import form_section_update
from tests.factories import ClinicSessionFactory, ReferralFactory, VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(clinic):
    referral = ReferralFactory(clinic=clinic, referring_gp="Huisartsenpraktijk De Linde", complaint="palpable_lump",
                               reason="Knobbel links boven, sinds drie weken.", urgency="urgent", suspicion="high")
    return VisitFactory(session=ClinicSessionFactory(clinic=clinic, date=dt.date(2026, 12, 1)), patient=referral.patient,
                        referral=referral, pathway=clinic.pathways.get(code="imaging"), code="P07")


def page(client, user, visit) -> str:
    client.force_login(user)
    return client.get(f"/visits/{visit.pk}/form/").content.decode()


def test_the_referral_is_at_the_top_of_the_form(client, visit, radiologist):
    html = page(client, radiologist, visit)
    top = html[:html.index('id="section-clinical"')]
    for text in ("Huisartsenpraktijk De Linde", "Knobbel links boven, sinds drie weken.", "Urgent (within 2 working days)",
                 "High (suspected malignancy)", "Palpable lump"):
        assert escape(text) in top, text


def test_the_surgeon_finds_the_complaint_taken_from_the_referral_and_saves_it_as_hers(client, visit, surgeon):
    html = page(client, surgeon, visit)
    assert ('name="complaint" rows="3">Palpable lump: Knobbel links boven, sinds drie weken.</textarea>' in html)
    assert "The complaint is taken from the referral" in html
    assert not FormSection.objects.filter(form__visit=visit, key="clinical", version__gt=0).exists()  # nothing
    # saved until she saves (the page, a read, writes nothing)
    client.post(f"/visits/{visit.pk}/form/clinical/", {"version": "0", "complaint": "Knobbel links boven."})
    assert "taken from the referral" not in page(client, surgeon, visit)  # hers now: no pre-fill over it


def test_without_a_referral_nothing_is_prefilled(client, clinic, surgeon):
    visit = VisitFactory(session=ClinicSessionFactory(clinic=clinic), pathway=clinic.pathways.get(code="imaging"))
    assert 'name="complaint" rows="3"></textarea>' in page(client, surgeon, visit)


def positive_and_discordant(visit, surgeon, radiologist):
    form_section_update(user=surgeon, visit_id=visit.pk, section="clinical", changes={"p_score": 4},
                        expected_version=0)
    form_section_update(user=radiologist, visit_id=visit.pk, section="imaging", changes={"birads": 1},
                        expected_version=0)


def test_a_benign_conclusion_against_a_discordant_assessment_needs_the_surgeons_reason(visit, surgeon, radiologist):
    positive_and_discordant(visit, surgeon, radiologist)
    with pytest.raises(ContentInvalid) as refused:
        form_section_update(user=surgeon, visit_id=visit.pk, section="conclusion",
                            changes={"outcome": "benign", "plan": "follow_up"}, expected_version=0)
    assert list(refused.value.errors) == ["outcome_override"]
    assert "discordant" in refused.value.errors["outcome_override"][0]
    assert FormSection.objects.get(form__visit=visit, key="conclusion").version == 0
    section = form_section_update(user=surgeon, visit_id=visit.pk, section="conclusion", expected_version=0,
                                  changes={"outcome": "benign", "plan": "follow_up",
                                           "outcome_override": "Lipoom, klinisch duidelijk; MDO akkoord."})
    kept = SectionVersion.objects.get(section=section, version=1)
    assert kept.changes["outcome_override"] == {"old": "", "new": "Lipoom, klinisch duidelijk; MDO akkoord."}


def test_a_benign_conclusion_of_a_negative_assessment_needs_no_reason(visit, surgeon, radiologist):
    form_section_update(user=surgeon, visit_id=visit.pk, section="clinical", changes={"p_score": 2}, expected_version=0)
    form_section_update(user=radiologist, visit_id=visit.pk, section="imaging", changes={"birads": 2},
                        expected_version=0)
    assert form_section_update(user=surgeon, visit_id=visit.pk, section="conclusion",
                               changes={"outcome": "benign"}, expected_version=0).version == 1


def test_the_refusal_shows_beside_the_field_on_the_page(client, visit, surgeon, radiologist):
    positive_and_discordant(visit, surgeon, radiologist)
    client.force_login(surgeon)
    response = client.post(f"/visits/{visit.pk}/form/conclusion/", {"version": "0", "outcome": "benign"})
    assert response.status_code == 400
    assert "say why the outcome is benign nevertheless" in response.content.decode()


def test_signing_asks_first_and_says_which_version_is_signed(client, visit, pathologist):
    form_section_update(user=pathologist, visit_id=visit.pk, section="pathology",
                        changes={"specimens": ["cytology"], "c_score": 2}, expected_version=0)
    html = page(client, pathologist, visit)
    assert "Sign version 1…</summary>" in html and "You sign version 1 of Pathology" in html
    assert "Yes, sign version 1</button>" in html
    response = client.post(f"/visits/{visit.pk}/form/pathology/sign/", {"version": "1"}, follow=True)
    html = response.content.decode()
    assert "Pathology: version 1 signed." in html and "Version 1 signed by" in html
    assert FormSection.objects.get(form__visit=visit, key="pathology").signed_version == 2  # the signature's row

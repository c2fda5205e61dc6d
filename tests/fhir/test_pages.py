"""The pages around the FHIR interface: the planner's intake list, the letter on the form."""

import pytest

from mammapoli.audit.models import AccessEvent
from mammapoli.letters.models import GpLetter
from tests.factories import ClinicSessionFactory, ReferralFactory, VisitFactory
from tests.fhir.conftest import fill_form, sample_bundle

pytestmark = pytest.mark.django_db


def test_a_referral_received_over_fhir_is_in_the_planners_intake_list(planner, fhir_as, client, clinic, pathways):
    fhir_as(planner).post("/fhir", sample_bundle())
    booked = ReferralFactory(clinic=clinic)
    VisitFactory(session=ClinicSessionFactory(clinic=clinic), patient=booked.patient, referral=booked)
    client.force_login(planner)
    page = client.get("/planning/").content.decode()
    intake = page[page.index('id="intake"'):]
    assert "Anouk Bakker" in intake and "electronic (FHIR)" in intake and "fna" in intake
    assert booked.patient.family_name not in intake  # booked already: not in the list
    assert AccessEvent.objects.filter(what="intake list", username=planner.username).count() == 1
    referral = booked.__class__.objects.get(patient__hospital_number="07009911")
    detail = client.get(f"/planning/referrals/{referral.pk}/").content.decode()
    assert "Received electronically (FHIR)" in detail and "ZD-2026-118734" in detail
    assert "Moeder op 52-jarige leeftijd borstkanker." in detail
    assert "Book this morning" in detail  # the booking suggestion, nothing typed


def test_the_letter_is_on_the_form_and_its_pdf_is_logged_as_a_print(
        clinic, surgeon, radiologist, pathologist, planner, outsider, client, django_capture_on_commit_callbacks):
    visit = VisitFactory(session=ClinicSessionFactory(clinic=clinic))
    with django_capture_on_commit_callbacks(execute=True):
        fill_form(visit, surgeon=surgeon, radiologist=radiologist, pathologist=pathologist)
    letter = GpLetter.objects.get(visit=visit)
    client.force_login(surgeon)
    assert f'href="/letters/{letter.pk}.pdf"' in client.get(f"/visits/{visit.pk}/form/").content.decode()
    pdf = client.get(f"/letters/{letter.pk}.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content == bytes(letter.pdf)
    assert AccessEvent.objects.filter(action="print", what="GP letter PDF", patient_id=visit.patient_id).exists()
    client.force_login(planner)
    assert client.get(f"/letters/{letter.pk}.pdf").status_code == 403
    client.force_login(outsider)
    assert client.get(f"/letters/{letter.pk}.pdf").status_code == 404

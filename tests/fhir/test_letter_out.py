"""The GP letter over FHIR: DocumentReference, Composition, Binary (the PDF)."""

import hashlib

import pytest
from fhir.resources.R4B.binary import Binary
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.composition import Composition
from fhir.resources.R4B.diagnosticreport import DiagnosticReport
from fhir.resources.R4B.documentreference import DocumentReference

from mammapoli.audit.models import AccessEvent
from mammapoli.letters.models import GpLetter
from tests.factories import ClinicSessionFactory, ReferralFactory, VisitFactory
from tests.fhir.conftest import fill_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter(clinic, surgeon, radiologist, pathologist, django_capture_on_commit_callbacks):
    referral = ReferralFactory(clinic=clinic)
    visit = VisitFactory(session=ClinicSessionFactory(clinic=clinic), patient=referral.patient, referral=referral)
    with django_capture_on_commit_callbacks(execute=True):
        fill_form(visit, surgeon=surgeon, radiologist=radiologist, pathologist=pathologist)
    return GpLetter.objects.get(visit=visit)


def test_the_letter_as_document_reference_composition_and_pdf(letter, surgeon, fhir_as):
    client = fhir_as(surgeon)
    found = Bundle.model_validate(client.get(f"/fhir/DocumentReference?subject=Patient/{letter.visit.patient_id}").json())
    document = DocumentReference.model_validate(found.entry[0].resource.model_dump())
    assert (document.id, document.status, document.type.coding[0].code) == (str(letter.pk), "current", "11488-4")
    pdf = document.content[0].attachment
    assert (pdf.contentType, pdf.url, pdf.size) == ("application/pdf", f"Binary/{letter.pk}", len(letter.pdf))
    raw = client.get(f"/fhir/{pdf.url}", HTTP_ACCEPT="application/pdf")
    assert raw["Content-Type"] == "application/pdf" and raw.content == bytes(letter.pdf)
    assert hashlib.sha1(raw.content).digest() == pdf.hash  # base64Binary, decoded by the model
    binary = Binary.model_validate(client.get(f"/fhir/{pdf.url}").json())
    assert binary.data == bytes(letter.pdf)  # base64Binary, decoded by the model
    composition = Composition.model_validate(client.get(f"/fhir/Composition/{letter.pk}").json())
    assert composition.language == "nl" and composition.title == "Uitslag van de mammapoli"
    assert "P4 verdacht" in composition.section[0].text.div
    report = DiagnosticReport.model_validate(client.get(f"/fhir/DiagnosticReport/{letter.visit_id}").json())
    assert report.presentedForm[0].url == f"Binary/{letter.pk}"
    assert AccessEvent.objects.filter(action="export", what="FHIR Binary (GP letter PDF)", username="sophie.surgeon",
                                      patient_id=letter.visit.patient_id).count() == 2


def test_the_letter_is_for_the_roles_that_read_findings(letter, planner, outsider, nurse, fhir_as):
    for url in (f"/fhir/DocumentReference/{letter.pk}", f"/fhir/Composition/{letter.pk}", f"/fhir/Binary/{letter.pk}",
                f"/fhir/DocumentReference?subject=Patient/{letter.visit.patient_id}"):
        assert fhir_as(planner).get(url).status_code == 403, url
        assert fhir_as(outsider).get(url).status_code == 404, url
        assert fhir_as(nurse).get(url).status_code == 200, url
    assert fhir_as(nurse).get("/fhir/Binary/999999").status_code == 404

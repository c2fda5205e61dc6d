"""The visit out as FHIR: who may read what, only what is signed, status in step with the board."""

import pytest
from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.diagnosticreport import DiagnosticReport
from fhir.resources.R4B.observation import Observation

from mammapoli.audit.models import AccessEvent
from mammapoli.fhir.codes import APPOINTMENT_STATUS
from mammapoli.planning.models import AllocationPhase, VisitStatus, VisitStepResource
from mammapoli.records.services import form_addendum_add, form_section_update, visit_form_ensure
from tests.factories import ClinicSessionFactory, VisitFactory
from tests.fhir.conftest import CLINICAL, IMAGING, expressions, fill_form, issues, write_and_sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(clinic):
    return VisitFactory(session=ClinicSessionFactory(clinic=clinic))


def observation_codes(response) -> dict[str, str]:
    bundle = Bundle.model_validate(response.json())
    return {entry.resource.id.split("-", 1)[1]: entry.resource.status for entry in bundle.entry or []}


def test_rights_per_persona(visit, planner, surgeon, radiologist, pathologist, nurse, outsider, fhir_as):
    fill_form(visit, surgeon=surgeon, radiologist=radiologist, pathologist=pathologist)
    patient = f"Patient/{visit.patient_id}"
    reads = [f"/fhir/Appointment/{visit.pk}", f"/fhir/DiagnosticReport/{visit.pk}", f"/fhir/Observation/{visit.pk}-birads",
             f"/fhir/Observation?subject={patient}", f"/fhir/DiagnosticReport?subject={patient}",
             f"/fhir/Appointment?patient={patient}"]
    for url in reads:
        refused = fhir_as(outsider).get(url)
        assert refused.status_code == 404 and issues(refused)[0]["code"] == "not-found", url
    assert fhir_as(planner).get(reads[0]).status_code == 200
    assert fhir_as(planner).get(reads[-1]).json()["total"] == 1
    for url in reads[1:5]:
        refused = fhir_as(planner).get(url)
        assert refused.status_code == 403 and issues(refused)[0]["code"] == "forbidden", url
    for reader in (surgeon, radiologist, pathologist, nurse):
        assert fhir_as(reader).get(reads[1]).status_code == 200
        assert len(observation_codes(fhir_as(reader).get(reads[3]))) == 6
    assert fhir_as(None).get(reads[0]).status_code in (401, 403)


def test_every_read_is_in_the_access_log(visit, surgeon, radiologist, pathologist, planner, outsider, fhir_as):
    fill_form(visit, surgeon=surgeon, radiologist=radiologist, pathologist=pathologist)
    before = AccessEvent.objects.count()
    fhir_as(surgeon).get(f"/fhir/DiagnosticReport/{visit.pk}")
    fhir_as(surgeon).get(f"/fhir/Observation?subject=Patient/{visit.patient_id}")
    fhir_as(planner).get(f"/fhir/Observation?subject=Patient/{visit.patient_id}")
    fhir_as(outsider).get(f"/fhir/Appointment/{visit.pk}")
    rows = list(AccessEvent.objects.order_by("id")[before:].values_list("username", "action", "what", "outcome",
                                                                      "patient_id"))
    assert rows == [
        ("sophie.surgeon", "read", "FHIR DiagnosticReport", "allowed", visit.patient_id),
        ("sophie.surgeon", "list", "FHIR Observation search", "allowed", visit.patient_id),
        ("petra.planner", "list", "FHIR Observation search", "denied", visit.patient_id),
        ("olaf.outsider", "read", "FHIR Appointment", "denied", visit.patient_id),
    ]


def test_unsigned_sections_are_not_released(visit, surgeon, radiologist, fhir_as):
    visit_form_ensure(visit=visit)
    form_section_update(user=radiologist, visit_id=visit.pk, section="imaging", changes=IMAGING, expected_version=0)
    subject = f"/fhir/Observation?subject=Patient/{visit.patient_id}"
    assert fhir_as(surgeon).get(subject).json()["total"] == 0
    report = DiagnosticReport.model_validate(fhir_as(surgeon).get(f"/fhir/DiagnosticReport/{visit.pk}").json())
    assert (report.status, report.result) == ("registered", None)
    assert fhir_as(surgeon).get(f"/fhir/Observation/{visit.pk}-birads").status_code == 404

    write_and_sign(surgeon, visit, "clinical", CLINICAL)
    assert observation_codes(fhir_as(surgeon).get(subject)) == {"p-score": "final", "concordance": "preliminary"}
    concordance = Observation.model_validate(fhir_as(surgeon).get(f"/fhir/Observation/{visit.pk}-concordance").json())
    # P4 alone is positive; the unsigned BI-RADS 5 does not show through the computed verdict either.
    assert concordance.valueCodeableConcept.coding[0].code == "positive"
    assert all("BI-RADS" not in note.text for note in concordance.note)
    assert DiagnosticReport.model_validate(
        fhir_as(surgeon).get(f"/fhir/DiagnosticReport/{visit.pk}").json()).status == "partial"


def test_an_addendum_makes_the_result_amended(visit, surgeon, radiologist, pathologist, fhir_as):
    fill_form(visit, surgeon=surgeon, radiologist=radiologist, pathologist=pathologist)
    signed = visit.form.sections.get(key="imaging")
    form_addendum_add(user=radiologist, visit_id=visit.pk, section="imaging", reason="Second reading",
                      changes={"birads": 4}, expected_version=signed.version)
    birads = Observation.model_validate(fhir_as(surgeon).get(f"/fhir/Observation/{visit.pk}-birads").json())
    assert (birads.status, birads.valueCodeableConcept.coding[0].code, birads.valueCodeableConcept.coding[1].code) == (
        "amended", "4", "397144001")
    assert DiagnosticReport.model_validate(
        fhir_as(surgeon).get(f"/fhir/DiagnosticReport/{visit.pk}").json()).status == "amended"


@pytest.mark.parametrize("status", VisitStatus.values)
def test_the_appointment_status_follows_the_board(visit, planner, fhir_as, status):
    visit.status = status
    visit.save(update_fields=["status"])
    appointment = Appointment.model_validate(fhir_as(planner).get(f"/fhir/Appointment/{visit.pk}").json())
    assert appointment.status == APPOINTMENT_STATUS[status]
    assert (appointment.cancelationReason is not None) == (status in ("no_show", "cancelled", "rebooked"))


def test_a_step_under_way_shows_what_really_happens(visit, planner, fhir_as, clinic):
    from mammapoli.planning.clock import aware

    step = visit.steps.select_related("step").get(step__code="exam")
    step.actual_start = aware(visit.session.date, "08:10")
    step.save(update_fields=["actual_start"])
    VisitStepResource.objects.create(visit_step=step, phase=AllocationPhase.ACTUAL, position=0,
                                     resource=clinic.resources.get(code="chir-A"))
    visit.status = VisitStatus.IN_PROGRESS
    visit.save(update_fields=["status"])
    appointment = Appointment.model_validate(fhir_as(planner).get(f"/fhir/Appointment/{visit.pk}").json())
    exam = [p for p in appointment.participant[1:] if p.type[1].coding[0].code == "exam"]
    assert [(p.actor.identifier.value, p.period.start, p.period.end) for p in exam] == [
        ("testpoli/chir-A", aware(visit.session.date, "08:10"), None)]
    assert appointment.status == "arrived" and appointment.start == aware(visit.session.date, "08:10")


@pytest.mark.parametrize(("query", "parameter"), [
    ("date=tomorrow", "date"), ("date=ap2026-12-01", "date"), ("colour=blue", "colour"), ("", "patient"),
    ("patient=Observation/3", "patient"), ("patient=1&patient=2", "patient"), ("_format=xml", "_format"),
])
def test_a_bad_appointment_search_names_the_parameter(visit, planner, fhir_as, query, parameter):
    response = fhir_as(planner).get(f"/fhir/Appointment?{query}")
    assert response.status_code == 400 and expressions(response) == [parameter]


def test_appointments_by_date_range(clinic, planner, fhir_as):
    early = VisitFactory(session=ClinicSessionFactory(clinic=clinic, date="2026-12-01"))
    VisitFactory(session=ClinicSessionFactory(clinic=clinic, date="2026-12-03"))
    response = fhir_as(planner).get("/fhir/Appointment?date=ge2026-12-01&date=lt2026-12-03")
    assert [e["resource"]["id"] for e in response.json()["entry"]] == [str(early.pk)]
    assert AccessEvent.objects.filter(what="FHIR Appointment search", patient_id=early.patient_id).count() == 1

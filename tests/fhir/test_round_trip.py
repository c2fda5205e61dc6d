"""Nothing re-typed: the referral comes in as FHIR, is booked, and the visit goes out as FHIR."""

import pytest
import time_machine
from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.diagnosticreport import DiagnosticReport
from fhir.resources.R4B.observation import Observation

from mammapoli.clinics.models import ResourceKind
from mammapoli.planning.clock import aware
from mammapoli.planning.booking_search import booking_suggestion
from mammapoli.planning.clock import clock
from mammapoli.planning.services.booking import visit_book
from mammapoli.records.models import Referral
from tests.fhir.conftest import fill_form, sample_bundle

pytestmark = pytest.mark.django_db


def test_a_referral_posted_in_becomes_a_booked_visit_and_comes_out_as_fhir(
        planner, surgeon, radiologist, pathologist, fhir_as, clinic, pathways):
    ResourceKind.objects.filter(code__in=["consult_room", "ultrasound_room"]).update(category="room")
    ResourceKind.objects.filter(code="mammography_unit").update(category="device")
    posted = fhir_as(planner).post("/fhir", sample_bundle())
    assert posted.status_code == 200, posted.json()
    referral = Referral.objects.get()

    # The planner sees it with its booking suggestion, and books what it suggests: nothing typed.
    suggestion = booking_suggestion(referral=referral)
    fit = suggestion.search.fit
    assert suggestion.suggested.pathway.code == "fna" and suggestion.search.within_target
    arrival = aware(fit.day, clock(fit.placement.arrival)).timetz().replace(tzinfo=None)
    visit = visit_book(user=planner, referral=referral, pathway=suggestion.search.pathway, day=fit.day,
                       arrival=arrival)

    # Out as Appointments: by patient and date, and by id.
    patient = f"Patient/{referral.patient_id}"
    found = fhir_as(planner).get(f"/fhir/Appointment?patient={patient}&date={fit.day.isoformat()}")
    assert found.status_code == 200, found.json()
    bundle = Bundle.model_validate(found.json())
    assert bundle.type == "searchset" and bundle.total == 1
    appointment = Appointment.model_validate(fhir_as(planner).get(f"/fhir/Appointment/{visit.pk}").json())
    assert appointment.status == "booked"
    assert appointment.start == aware(fit.day, clock(fit.placement.arrival))
    assert appointment.end == aware(fit.day, clock(fit.placement.departure))
    assert appointment.basedOn[0].reference == f"ServiceRequest/{referral.pk}"
    assert appointment.participant[0].actor.reference == patient
    held = {(p.type[1].coding[0].code, p.actor.identifier.value) for p in appointment.participant[1:]}
    assert held == {(s.step, f"testpoli/{code}") for s in fit.placement.steps for code in s.resources}
    assert {p.actor.type for p in appointment.participant[1:]} == {"Practitioner", "Location", "Device"}

    # The morning happens; the sections are signed; the result goes out.
    fill_form(visit, surgeon=surgeon, radiologist=radiologist, pathologist=pathologist)
    with time_machine.travel(aware(fit.day, "14:00"), tick=False):
        report = fhir_as(surgeon).get(f"/fhir/DiagnosticReport/{visit.pk}")
        observations = fhir_as(surgeon).get(f"/fhir/Observation?subject={patient}")
    assert report.status_code == 200, report.json()
    report = DiagnosticReport.model_validate(report.json())
    assert report.status == "final" and report.subject.reference == patient
    assert report.conclusionCode[0].coding[0].code == "malignant"
    searchset = Bundle.model_validate(observations.json())
    parsed = [Observation.model_validate(entry.resource.model_dump()) for entry in searchset.entry]
    values = {o.code.coding[-1].code: o.valueCodeableConcept.coding[0].code for o in parsed}
    assert values == {"p-score": "P4", "birads": "5", "m-score": "M5", "u-score": "U5", "b-score": "B5b",
                      "concordance": "positive"}
    assert [r.reference for r in report.result] == [f"Observation/{o.id}" for o in parsed]

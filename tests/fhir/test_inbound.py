"""A GP's referral comes in over FHIR: mapped, idempotent, refused whole when it is wrong."""

import copy

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.servicerequest import ServiceRequest

from mammapoli.audit.models import AccessEvent
from mammapoli.fhir.models import ReceivedServiceRequest
from mammapoli.records.models import Patient, Referral
from tests.factories import PatientFactory
from tests.fhir.conftest import expressions, issues, sample_bundle, service_request_of

pytestmark = pytest.mark.django_db

HOSPITAL_NUMBER = "https://mammapoli.example/fhir/NamingSystem/hospital-number"


def nothing_written():
    return (Referral.objects.count(), Patient.objects.count(), ReceivedServiceRequest.objects.count()) == (0, 0, 0)


def test_a_referral_bundle_becomes_a_referral_in_the_intake_list(planner, fhir_as, clinic):
    response = fhir_as(planner).post("/fhir", sample_bundle())
    assert response.status_code == 200, response.json()
    answer = Bundle.model_validate(response.json())
    assert answer.type == "transaction-response"
    assert [e.response.status for e in answer.entry] == ["201 Created", "201 Created"]
    referral = Referral.objects.select_related("patient").get()
    assert answer.entry[0].response.location == f"Patient/{referral.patient_id}"
    assert answer.entry[1].response.location == f"ServiceRequest/{referral.pk}"
    patient = referral.patient
    assert (patient.hospital_number, patient.given_name, patient.family_name, str(patient.date_of_birth),
            patient.sex, patient.phone.as_e164) == ("07009911", "Anouk", "Bakker", "1971-06-23", "F", "+31612345699")
    assert (referral.clinic, referral.urgency, referral.suspicion, referral.complaint, referral.biopsy_requested) == (
        clinic, "urgent", "high", "palpable_lump", False)
    assert referral.referring_gp == "Huisartsenpraktijk Hof van Delft, dr. M. de Groot"
    assert referral.reason == ("Knobbel linkerborst, sinds 2 weken, 2 cm, vast aanvoelend.\n"
                               "Moeder op 52-jarige leeftijd borstkanker.")
    assert str(referral.received_on) == "2026-11-30"  # today on the suite clock
    assert AccessEvent.objects.filter(action="write", what="referral", patient_id=patient.pk,
                                      username="petra.planner").exists()


def test_the_same_referral_sent_again_is_not_duplicated(planner, fhir_as, clinic):
    first = fhir_as(planner).post("/fhir", sample_bundle())
    again = fhir_as(planner).post("/fhir", sample_bundle())
    assert (first.status_code, again.status_code) == (200, 200)
    assert [e["response"]["status"] for e in again.json()["entry"]] == ["200 OK", "200 OK"]
    assert again.json()["entry"][1]["response"]["location"] == first.json()["entry"][1]["response"]["location"]
    assert (Referral.objects.count(), Patient.objects.count(), ReceivedServiceRequest.objects.count()) == (1, 1, 1)
    assert AccessEvent.objects.filter(action="read", what="referral", detail__endswith="sent again over FHIR").count() == 1
    alone = fhir_as(planner).post("/fhir/ServiceRequest", {
        **service_request_of(sample_bundle()),
        "subject": {"identifier": {"system": HOSPITAL_NUMBER, "value": "07009911"}}})
    assert alone.status_code == 200 and Referral.objects.count() == 1


def test_a_service_request_alone_for_a_known_patient(planner, fhir_as, clinic):
    patient = PatientFactory(clinic=clinic, hospital_number="07001237")
    request = {**service_request_of(sample_bundle()), "priority": "routine", "authoredOn": "2026-11-27",
               "subject": {"identifier": {"system": HOSPITAL_NUMBER, "value": "07001237"}},
               "orderDetail": [{"coding": [{"system": "http://snomed.info/sct", "code": "122548005"}]}],
               "reasonCode": [{"coding": [{"system": "http://snomed.info/sct", "code": "53430007"}]}],
               "extension": [], "note": []}
    response = fhir_as(planner).post("/fhir/ServiceRequest", request)
    assert response.status_code == 201, response.json()
    referral = Referral.objects.get()
    assert response["Location"].endswith(f"/fhir/ServiceRequest/{referral.pk}")
    assert (referral.patient, referral.urgency, referral.complaint, referral.biopsy_requested, referral.suspicion,
            str(referral.received_on), referral.reason) == (patient, "regular", "pain", True, "low", "2026-11-27",
                                                            "")
    echoed = ServiceRequest.model_validate(response.json())
    assert echoed.identifier[0].value == "ZD-2026-118734" and echoed.priority == "routine"
    assert echoed.subject.reference == f"Patient/{patient.pk}"


def test_a_contained_patient_and_practitioner(planner, fhir_as, clinic):
    bundle = sample_bundle()
    request = service_request_of(bundle)
    patient = copy.deepcopy(bundle["entry"][0]["resource"]) | {"id": "pt"}
    practitioner = {"resourceType": "Practitioner", "id": "gp",
                    "name": [{"prefix": ["dr."], "given": ["Mira"], "family": "de Groot"}]}
    request |= {"contained": [patient, practitioner], "subject": {"reference": "#pt"},
                "requester": {"reference": "#gp"}, "reasonCode": [{"text": "Huidintrekking"}]}
    response = fhir_as(planner).post("/fhir/ServiceRequest", request)
    assert response.status_code == 201, response.json()
    referral = Referral.objects.get()
    assert (referral.referring_gp, referral.complaint, referral.patient.family_name) == (
        "dr. Mira de Groot", "other", "Bakker")


def _without(path, data):
    *parents, last = path
    for key in parents:
        data = data[key]
    del data[last]


@pytest.mark.parametrize(("change", "expression"), [
    (lambda b: b["entry"][1]["resource"].update(priority="soon"), "Bundle.entry[1].resource.priority"),
    (lambda b: b["entry"][1]["resource"].update(status="draft"), "Bundle.entry[1].resource.status"),
    (lambda b: b["entry"][1]["resource"].update(intent="proposal"), "Bundle.entry[1].resource.intent"),
    (lambda b: _without(["entry", 1, "resource", "identifier"], b), "Bundle.entry[1].resource.identifier"),
    (lambda b: _without(["entry", 1, "resource", "requester"], b), "Bundle.entry[1].resource.requester"),
    (lambda b: b["entry"][1]["resource"].update(authoredOn="2026-12-25"), "Bundle.entry[1].resource.authoredOn"),
    (lambda b: b["entry"][1]["resource"].update(authoredOn="30-11-2026"), "Bundle.entry[1].resource.authoredOn"),
    (lambda b: b["entry"][1]["resource"].update(subject={"reference": "urn:uuid:nobody"}),
     "Bundle.entry[1].resource.subject.reference"),
    (lambda b: b["entry"][1]["resource"].update(subject={"identifier": {"system": HOSPITAL_NUMBER, "value": "1"}}),
     "Bundle.entry[1].resource.subject.reference"),
    (lambda b: b["entry"][1]["resource"]["extension"][0].update(valueCode="very"),
     "Bundle.entry[1].resource.extension[0].valueCode"),
    (lambda b: b["entry"][1]["resource"].update(colour="blue"), "Bundle.entry[1].resource.colour"),
    (lambda b: b["entry"][0]["resource"].update(birthDate="23-06-1971"), "Bundle.entry[0].resource.birthDate"),
    (lambda b: b["entry"][0]["resource"].update(birthDate="1971"), "Bundle.entry[0].resource.birthDate"),
    (lambda b: b["entry"][0]["resource"].update(gender="vrouw"), "Bundle.entry[0].resource.gender"),
    (lambda b: b["entry"][0]["resource"]["telecom"][0].update(value="bel me"), "Bundle.entry[0].resource.telecom"),
    (lambda b: b["entry"][0]["resource"]["identifier"][0].update(system="urn:other"),
     "Bundle.entry[0].resource.identifier"),
    (lambda b: b["entry"][0]["resource"]["identifier"][0].update(value="07 00"), "Bundle.entry[0].resource.identifier"),
    (lambda b: b["entry"][0]["resource"].update(name=[{"given": ["Anouk"]}]), "Bundle.entry[0].resource.name"),
    (lambda b: b["entry"][0]["resource"]["name"][0].update(family=7), "Bundle.entry[0].resource.name[0].family"),
    (lambda b: b["entry"][0].update(resource={"resourceType": "Medication"}), "Bundle.entry[0].resource.resourceType"),
    (lambda b: b["entry"][0]["request"].update(method="PUT"), "Bundle.entry[0].request.method"),
    (lambda b: b.update(type="batch"), "Bundle.type"),
    (lambda b: b.update(entry=[b["entry"][0]]), "Bundle.entry"),
])
def test_an_invalid_referral_gets_an_operation_outcome_naming_the_element_and_writes_nothing(
        planner, fhir_as, clinic, change, expression):
    bundle = sample_bundle()
    change(bundle)
    response = fhir_as(planner).post("/fhir", bundle)
    assert response.status_code == 400, response.json()
    assert expression in expressions(response), issues(response)
    assert all(issue["severity"] == "error" and issue["diagnostics"] for issue in issues(response))
    assert nothing_written()


def test_a_known_hospital_number_with_another_name_is_refused_whole(planner, fhir_as, clinic):
    PatientFactory(clinic=clinic, hospital_number="07009911", family_name="Visser", date_of_birth="1971-06-23")
    response = fhir_as(planner).post("/fhir", sample_bundle())
    assert response.status_code == 400
    assert expressions(response) == ["Bundle.entry[0].resource.identifier"]
    assert (Referral.objects.count(), ReceivedServiceRequest.objects.count()) == (0, 0)
    assert list(AccessEvent.objects.filter(outcome="denied").values_list("what", "role", "detail")) == [
        ("referral", "planner", "FHIR: Bundle.entry[0].resource.identifier")]


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"resourceType": "Patient"}'])
def test_what_is_not_a_referral_is_refused(planner, fhir_as, clinic, body):
    response = fhir_as(planner).client.post("/fhir/ServiceRequest", body, content_type="application/fhir+json")
    assert response.status_code == 400 and issues(response)
    assert nothing_written()


def test_only_the_clinics_planners_receive_referrals(surgeon, outsider, fhir_as, clinic):
    assert fhir_as(surgeon).post("/fhir", sample_bundle()).status_code == 403
    refused = fhir_as(outsider).post("/fhir", sample_bundle())
    assert refused.status_code == 404 and issues(refused)[0]["code"] == "not-found"
    anonymous = fhir_as(None).post("/fhir", sample_bundle())
    assert anonymous.status_code in (401, 403) and issues(anonymous)[0]["code"] == "login"
    assert nothing_written()


def test_an_identifier_used_in_another_clinic_is_a_conflict(planner, outsider, fhir_as, clinic):
    from mammapoli.clinics.models import StaffMember

    fhir_as(planner).post("/fhir", sample_bundle())
    StaffMember.objects.filter(user=outsider).update(role="planner")
    response = fhir_as(outsider).post("/fhir", sample_bundle("elsewhere"))
    assert response.status_code == 409 and expressions(response) == ["Bundle.entry[1].resource.identifier"]
    assert Referral.objects.count() == 1

"""A GP's referral as it comes in: a ServiceRequest, alone or in a transaction Bundle with its
Patient, validated with the R4B models and mapped onto the clinic's referral.

Reads only (no database writes): `referral_received` in services.py writes what this returns.
Every refusal is a `FhirError` whose issues name the element, e.g.
`Bundle.entry[1].resource.priority`.

Mapping (the codes are in codes.py):

- `ServiceRequest.identifier` (the first with a system and a value): the key that makes a
  re-sent referral find the one already received;
- `status` must be active, `intent` order (or original-order);
- `subject`: a reference to the Bundle's Patient entry (its `fullUrl`), or to a contained
  Patient (`#id`), or `subject.identifier` with the hospital-number system for a patient the
  hospital already knows. A Patient needs `identifier` in the hospital-number system (she is
  matched on it, or created), `name` (family, given), `birthDate`; `gender` maps to sex;
  `telecom` with system phone (mobile first) is her phone number, for the calls on the day;
- `requester.display` (or the name of a contained Practitioner): the referring GP;
- `priority`: routine -> regular, urgent / asap / stat -> urgent;
- `reasonCode`: the complaint (SNOMED CT or the clinic's complaint code system; none known:
  other), its text and `note` the reason;
- the extension `clinical-suspicion` (valueCode low | moderate | high): the suspicion;
- `orderDetail` with SNOMED CT 122548005 (biopsy of breast): a biopsy is requested;
- `authoredOn`: received on (default today); `performer.identifier` in the clinic system: the clinic.
"""

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.servicerequest import ServiceRequest
from pydantic import ValidationError as PydanticValidationError

from mammapoli.records.models import Complaint, Suspicion, Urgency

from . import codes
from .outcome import Issue, invalid, model_errors

MAX_REASON = 4000


@dataclass(frozen=True)
class PatientIntake:
    """The patient as sent: matched on the hospital number, or created."""

    hospital_number: str
    given_name: str
    family_name: str
    date_of_birth: dt.date
    sex: str
    path: str  # where she was in the request, for errors: "Bundle.entry[0].resource"
    phone: str = ""  # to reach her on the day (telecom, system phone: mobile first)


@dataclass(frozen=True)
class PatientByNumber:
    """Only her hospital number: the hospital must know her already."""

    hospital_number: str
    path: str


@dataclass(frozen=True)
class ReferralIntake:
    identifier_system: str
    identifier_value: str
    patient: PatientIntake | PatientByNumber
    clinic_name: str | None
    referral: dict  # the keyword arguments of `referral_create` besides user, clinic and patient
    resource: dict  # the ServiceRequest as received (kept with the referral)
    path: str  # "ServiceRequest" or "Bundle.entry[n].resource"
    entry_index: int | None = None  # its entry in the Bundle
    patient_entry_index: int | None = None
    warnings: list[Issue] = field(default_factory=list)


def _validated(model, data: dict, path: str):
    try:
        return model.model_validate(data)
    except PydanticValidationError as error:
        raise model_errors(path, error) from None
    except (KeyError, TypeError, ValueError) as error:  # e.g. an unknown resourceType inside
        raise invalid(path, f"Not a valid {model.__name__}: {error}", code="structure") from None


def intake_of(data) -> ReferralIntake:
    """A ServiceRequest or a transaction Bundle (Patient + ServiceRequest) as a referral intake."""
    if not isinstance(data, dict):
        raise invalid("", "Send a FHIR resource as a JSON object.", code="structure")
    kind = data.get("resourceType")
    if kind == "ServiceRequest":
        request = _validated(ServiceRequest, data, "ServiceRequest")
        return _service_request_intake(request, data, path="ServiceRequest", bundle_patients={})
    if kind == "Bundle":
        return _bundle_intake(data)
    raise invalid("resourceType", "Expected a ServiceRequest or a transaction Bundle.", code="not-supported")


def _bundle_intake(data: dict) -> ReferralIntake:
    entries = data.get("entry") if isinstance(data.get("entry"), list) else []
    for index, entry in enumerate(entries):  # before the model: it cannot parse an unknown type
        kind = entry.get("resource", {}).get("resourceType") if isinstance(entry, dict) and isinstance(
            entry.get("resource"), dict) else None
        if kind not in ("Patient", "ServiceRequest"):
            raise invalid(f"Bundle.entry[{index}].resource.resourceType",
                          "A referral Bundle carries one Patient and one ServiceRequest.", code="not-supported")
    bundle = _validated(Bundle, data, "Bundle")
    if bundle.type != "transaction":
        raise invalid("Bundle.type", "Send the referral as a transaction Bundle.", code="not-supported")
    patients: dict[str, tuple[int, FhirPatient]] = {}
    requests = []
    for index, entry in enumerate(bundle.entry or []):
        path = f"Bundle.entry[{index}]"
        if entry.request is None or entry.request.method != "POST":
            raise invalid(f"{path}.request.method", "Each entry is created: request.method POST.",
                          code="not-supported")
        kind = entry.resource.get_resource_type()
        if entry.request.url.split("?")[0] != kind:
            raise invalid(f"{path}.request.url", f"POST a {kind} to {kind}.")
        if kind == "Patient":
            if not entry.fullUrl:
                raise invalid(f"{path}.fullUrl", "The Patient needs a fullUrl for the ServiceRequest to refer to.",
                              code="required")
            patients[entry.fullUrl] = (index, entry.resource)
        else:
            requests.append((index, entry.resource))
    if len(requests) != 1 or len(patients) > 1:
        raise invalid("Bundle.entry", "A referral Bundle carries exactly one ServiceRequest and at most one Patient.")
    index, request = requests[0]
    intake = _service_request_intake(request, data["entry"][index]["resource"], path=f"Bundle.entry[{index}].resource",
                                     bundle_patients=patients)
    if patients and intake.patient_entry_index is None:
        raise invalid(f"Bundle.entry[{index}].resource.subject.reference",
                      "The ServiceRequest's subject must be the Bundle's Patient (its fullUrl).")
    return dataclasses.replace(intake, entry_index=index)


def _service_request_intake(request: ServiceRequest, raw: dict, *, path: str,
                            bundle_patients: dict[str, tuple[int, FhirPatient]]) -> ReferralIntake:
    system, value = _identifier(request, path)
    if request.status not in codes.ACCEPTED_STATUS:
        raise invalid(f"{path}.status", "Only an active referral can be received.", code="not-supported")
    if request.intent not in codes.ACCEPTED_INTENTS:
        raise invalid(f"{path}.intent", "A referral is an order: intent order or original-order.",
                      code="not-supported")
    patient, patient_index = _subject(request, path, bundle_patients)
    complaint, reason_texts = _complaint(request)
    notes = [note.text for note in request.note or [] if note.text]
    reason = "\n".join(text.strip() for text in [*reason_texts, *notes] if text.strip())
    if len(reason) > MAX_REASON:
        raise invalid(f"{path}.note", f"The reason and notes together are at most {MAX_REASON} characters.")
    referral = {
        "referring_gp": _requester(request, path),
        "complaint": complaint,
        "reason": reason,
        "urgency": _urgency(request, path),
        "suspicion": _suspicion(request, path),
        "biopsy_requested": any(coding.system == codes.SNOMED and coding.code == codes.BIOPSY_OF_BREAST
                                for concept in request.orderDetail or [] for coding in concept.coding or []),
        "received_on": _received_on(request, path),
    }
    return ReferralIntake(identifier_system=system, identifier_value=value, patient=patient,
                          clinic_name=_clinic(request, path), referral=referral, resource=raw, path=path,
                          patient_entry_index=patient_index)


def _identifier(request: ServiceRequest, path: str) -> tuple[str, str]:
    for identifier in request.identifier or []:
        if identifier.system and identifier.value:
            if len(identifier.system) > 255 or len(identifier.value) > 255:
                raise invalid(f"{path}.identifier", "An identifier's system and value are at most 255 characters.")
            return identifier.system, identifier.value
    raise invalid(f"{path}.identifier", "The referral needs an identifier (system and value): a referral sent "
                                        "again is recognised by it.", code="required")


def _subject(request: ServiceRequest, path: str, bundle_patients) -> tuple[PatientIntake | PatientByNumber, int | None]:
    subject = request.subject
    reference = subject.reference or ""
    if reference in bundle_patients:
        index, patient = bundle_patients[reference]
        return _patient_intake(patient, f"Bundle.entry[{index}].resource"), index
    if reference.startswith("#"):
        contained = {resource.id: resource for resource in request.contained or []}
        patient = contained.get(reference[1:])
        if patient is None or patient.get_resource_type() != "Patient":
            raise invalid(f"{path}.subject.reference", "No contained Patient with this id.")
        return _patient_intake(patient, f"{path}.contained[{list(contained).index(reference[1:])}]"), None
    if reference:
        raise invalid(f"{path}.subject.reference", "Refer to the Bundle's Patient entry (its fullUrl) or to a "
                                                   "contained Patient; or give subject.identifier (hospital number).")
    identifier = subject.identifier
    if identifier is None or identifier.system != codes.hospital_number_system() or not identifier.value:
        raise invalid(f"{path}.subject", f"Identify the patient: a Patient in the Bundle, or subject.identifier "
                                         f"with system {codes.hospital_number_system()}.", code="required")
    return PatientByNumber(hospital_number=identifier.value, path=f"{path}.subject.identifier"), None


def _patient_intake(patient: FhirPatient, path: str) -> PatientIntake:
    numbers = [i.value for i in patient.identifier or [] if i.system == codes.hospital_number_system() and i.value]
    if not numbers:
        raise invalid(f"{path}.identifier", f"The patient needs her hospital number: an identifier with system "
                                            f"{codes.hospital_number_system()}.", code="required")
    names = [name for name in patient.name or [] if name.family]
    if not names:
        raise invalid(f"{path}.name", "The patient needs a name with a family name.", code="required")
    name = next((n for n in names if n.use == "official"), names[0])
    if patient.birthDate is None:
        raise invalid(f"{path}.birthDate", "The patient's date of birth is needed to match her safely.",
                      code="required")
    if not isinstance(patient.birthDate, dt.date):
        raise invalid(f"{path}.birthDate", "Give the full date of birth (YYYY-MM-DD).")
    gender = patient.gender or "unknown"
    if gender not in codes.GENDER_SEX:
        raise invalid(f"{path}.gender", "Expected female, male, other or unknown.", code="value")
    phones = sorted((t for t in patient.telecom or [] if t.system == "phone" and t.value),
                    key=lambda t: (t.use != "mobile", t.rank or 99))
    return PatientIntake(hospital_number=numbers[0], given_name=" ".join(name.given or []),
                         family_name=name.family, date_of_birth=patient.birthDate, sex=codes.GENDER_SEX[gender],
                         path=path, phone=phones[0].value if phones else "")


def _requester(request: ServiceRequest, path: str) -> str:
    requester = request.requester
    if requester is not None and requester.display and requester.display.strip():
        return requester.display.strip()
    reference = requester.reference if requester is not None else None
    if reference and reference.startswith("#"):
        contained = {resource.id: resource for resource in request.contained or []}
        practitioner = contained.get(reference[1:])
        if practitioner is not None and practitioner.get_resource_type() == "Practitioner" and practitioner.name:
            name = practitioner.name[0]
            text = name.text or " ".join([*(name.prefix or []), *(name.given or []), name.family or ""])
            if text.strip():
                return " ".join(text.split())
    raise invalid(f"{path}.requester", "Name the referring GP: requester.display, or a contained Practitioner "
                                       "with a name.", code="required")


def _urgency(request: ServiceRequest, path: str) -> str:
    if request.priority is None:
        return Urgency.REGULAR
    if request.priority not in codes.PRIORITY_URGENCY:
        raise invalid(f"{path}.priority", "Expected routine, urgent, asap or stat.", code="value")
    return codes.PRIORITY_URGENCY[request.priority]


def _complaint(request: ServiceRequest) -> tuple[str, list[str]]:
    found, texts = None, []
    for concept in request.reasonCode or []:
        if concept.text:
            texts.append(concept.text)
        for coding in concept.coding or []:
            if found is None and coding.system == codes.SNOMED and coding.code in codes.COMPLAINT_SNOMED:
                found = codes.COMPLAINT_SNOMED[coding.code]
            elif found is None and coding.system == codes.own("CodeSystem", "complaint") \
                    and coding.code in Complaint.values:
                found = coding.code
    return found or Complaint.OTHER, texts


def _suspicion(request: ServiceRequest, path: str) -> str:
    for index, extension in enumerate(request.extension or []):
        if extension.url == codes.suspicion_extension_url():
            if extension.valueCode not in codes.SUSPICION_CODES:
                raise invalid(f"{path}.extension[{index}].valueCode", "Expected low, moderate or high.", code="value")
            return extension.valueCode
    return Suspicion.LOW


def _received_on(request: ServiceRequest, path: str) -> dt.date:
    authored = request.authoredOn
    if authored is None:
        return timezone.localdate()
    if isinstance(authored, dt.datetime):
        if authored.tzinfo is None:
            raise invalid(f"{path}.authoredOn", "A time needs its time zone.")
        day = timezone.localtime(authored).date()
    elif isinstance(authored, dt.date):
        day = authored
    else:
        raise invalid(f"{path}.authoredOn", "Give at least the full date (YYYY-MM-DD).")
    if day > timezone.localdate():
        raise invalid(f"{path}.authoredOn", "This is in the future.", code="value")
    return day


def _clinic(request: ServiceRequest, path: str) -> str | None:
    for index, performer in enumerate(request.performer or []):
        identifier = performer.identifier
        if identifier is not None and identifier.system == codes.clinic_system():
            if not identifier.value:
                raise invalid(f"{path}.performer[{index}].identifier.value", "Name the clinic.", code="required")
            return identifier.value
    return None


"""Writes of the FHIR interface: a referral received becomes the clinic's referral.

One transaction: the patient (matched on her hospital number, or created), the referral, and
the row that remembers the ServiceRequest's identifier. A refusal writes nothing.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from mammapoli.audit.models import Action, Outcome
from mammapoli.audit.services import access_event_record
from mammapoli.clinics.access import clinic_membership_for_user
from mammapoli.clinics.models import Clinic, StaffMember
from mammapoli.planning.permissions import PLANNERS
from mammapoli.records.errors import PatientDataForbidden
from mammapoli.records.models import Patient, Referral
from mammapoli.records.patient_services import patient_get_or_create, referral_create

from .inbound import PatientByNumber, PatientIntake, ReferralIntake
from .models import ReceivedServiceRequest
from .outcome import FhirError, Issue, invalid


@dataclass(frozen=True)
class Received:
    referral: Referral
    created: bool  # False: this identifier had been received before; nothing was changed
    patient_created: bool
    changed_since: bool = False  # a re-sent referral whose content differs from the first


#: Where each field of the referral and the patient comes from in the resource.
_PATIENT_ELEMENTS = {"hospital_number": "identifier", "given_name": "name.given", "family_name": "name.family",
                     "date_of_birth": "birthDate", "sex": "gender", "phone": "telecom"}
_REFERRAL_ELEMENTS = {"referring_gp": "requester", "complaint": "reasonCode", "reason": "note",
                      "urgency": "priority", "suspicion": "extension", "received_on": "authoredOn"}


def _clinic_for(user: AbstractBaseUser, intake: ReferralIntake) -> Clinic:
    """The clinic named in `performer`, else the only clinic the user plans for."""
    if intake.clinic_name is not None:
        clinic = Clinic.objects.filter(name=intake.clinic_name).first()
        if clinic is None or not StaffMember.objects.filter(user=user, clinic=clinic).exists():
            raise FhirError(Issue(f"{intake.path}.performer", "No such clinic among yours.", "not-found"), status=404)
        return clinic
    clinics = list(Clinic.objects.filter(staff__user=user, staff__role__in=PLANNERS).distinct()[:2])
    if not clinics and StaffMember.objects.filter(user=user).exists():
        raise PatientDataForbidden(_("Only a clinic's planners receive referrals."))
    if len(clinics) != 1:
        raise invalid(f"{intake.path}.performer", "Name the clinic: performer.identifier with system "
                                                  "the clinic system (you plan for several, or none).",
                      code="required")
    return clinics[0]


def _patient(intake: ReferralIntake, clinic: Clinic) -> tuple[Patient, bool]:
    """The clinic's own patient (another clinic's patients are never looked at)."""
    wanted = intake.patient
    if isinstance(wanted, PatientByNumber):
        patient = Patient.objects.filter(clinic=clinic, hospital_number=wanted.hospital_number).first()
        if patient is None:
            raise invalid(wanted.path, "No patient with this hospital number: send her Patient with the "
                                       "ServiceRequest in a transaction Bundle.", code="not-found")
        return patient, False
    assert isinstance(wanted, PatientIntake)
    existed = Patient.objects.filter(clinic=clinic, hospital_number=wanted.hospital_number).exists()
    try:
        patient = patient_get_or_create(clinic=clinic, hospital_number=wanted.hospital_number,
                                        given_name=wanted.given_name,
                                        family_name=wanted.family_name, date_of_birth=wanted.date_of_birth,
                                        sex=wanted.sex, phone=wanted.phone)
    except ValidationError as error:
        raise _validation_issues(error, wanted.path, _PATIENT_ELEMENTS) from None
    return patient, not existed


def _validation_issues(error: ValidationError, path: str, elements: dict[str, str]) -> FhirError:
    fields = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    return FhirError([Issue(f"{path}.{elements[name]}" if name in elements else path, " ".join(messages))
                      for name, messages in fields.items()])


def referral_received(*, user: AbstractBaseUser, intake: ReferralIntake) -> Received:
    """Receive a referral for a planner of the clinic it is sent to (404 outside her clinics,
    403 for another role). Sent again with the same identifier: the referral received then,
    unchanged."""
    clinic = _clinic_for(user, intake)
    membership = clinic_membership_for_user(user, clinic.pk, roles=PLANNERS)
    try:
        with transaction.atomic():
            received = _receive(user=user, clinic=clinic, intake=intake)
    except FhirError as refusal:  # refused whole (nothing written): the attempt is logged all the same
        access_event_record(user=user, action=Action.WRITE, what="referral", outcome=Outcome.DENIED,
                            clinic_id=clinic.pk, role=membership.role,
                            detail="FHIR: " + ", ".join(sorted({issue.expression for issue in refusal.issues}))[:200])
        raise
    except IntegrityError:
        # Sent twice at once: the other request won the identifier; answer with its referral.
        earlier = _earlier(intake)
        if earlier is None:
            raise
        received = _as_repeat(earlier, clinic, intake)
    if not received.created:  # the answer shows the referral received before: a read
        access_event_record(user=user, action=Action.READ, what="referral", patient_id=received.referral.patient_id,
                            clinic_id=clinic.pk, role=membership.role,
                            detail=f"referral={received.referral.pk} sent again over FHIR"
                                   + (", content differs (not changed)" if received.changed_since else ""))
    return received


def _earlier(intake: ReferralIntake) -> ReceivedServiceRequest | None:
    return (ReceivedServiceRequest.objects.select_related("referral__patient", "referral__clinic")
            .filter(system=intake.identifier_system, value=intake.identifier_value).first())


def _as_repeat(earlier: ReceivedServiceRequest, clinic: Clinic, intake: ReferralIntake) -> Received:
    if earlier.referral.clinic_id != clinic.pk:
        raise FhirError(Issue(f"{intake.path}.identifier", "This identifier belongs to a referral sent elsewhere.",
                              "duplicate"), status=409)
    return Received(referral=earlier.referral, created=False, patient_created=False,
                    changed_since=earlier.resource != intake.resource)


def _receive(*, user: AbstractBaseUser, clinic: Clinic, intake: ReferralIntake) -> Received:
    earlier = _earlier(intake)
    if earlier is not None:
        return _as_repeat(earlier, clinic, intake)
    patient, patient_created = _patient(intake, clinic)
    try:
        referral = referral_create(user=user, clinic=clinic, patient=patient, **intake.referral)
    except ValidationError as error:
        raise _validation_issues(error, intake.path, _REFERRAL_ELEMENTS) from None
    row = ReceivedServiceRequest(system=intake.identifier_system, value=intake.identifier_value, referral=referral,
                                 resource=intake.resource, received_by=user)
    row.full_clean(validate_unique=False)
    row.save()
    return Received(referral=referral, created=True, patient_created=patient_created)

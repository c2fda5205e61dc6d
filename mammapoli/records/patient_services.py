"""Writes of patients and referrals."""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mammapoli.audit.models import Action
from mammapoli.audit.services import access_event_record
from mammapoli.clinics.models import Clinic

from .models import Patient, Referral, Sex, Suspicion, Urgency


class NotThisPatient(ValidationError):
    """The clinic's patient with this hospital number has another name or date of birth. One
    answer whichever differs, so a wrong guess tells nothing of her."""

    log_detail = "hospital number of a patient with another name or date of birth"

    def __init__(self):
        super().__init__({"hospital_number": _(
            "This hospital number belongs to a patient with another name or date of birth.")})


@transaction.atomic
def patient_get_or_create(
    *, clinic: Clinic, hospital_number: str, given_name: str, family_name: str, date_of_birth: dt.date | None,
    sex: str = Sex.FEMALE, phone: str = "",
) -> Patient:
    """The clinic's patient with this hospital number, or a new one of the clinic (another
    clinic's patients are never looked at). An existing number with another family name or
    date of birth is refused (a typo would otherwise book the wrong woman). A phone number
    given is kept as her current one."""
    existing = Patient.objects.select_for_update().filter(clinic=clinic, hospital_number=hospital_number).first()
    if existing is not None:
        if existing.family_name.casefold() != family_name.casefold() or existing.date_of_birth != date_of_birth:
            raise NotThisPatient()
        if phone and existing.phone != phone:
            existing.phone = phone
            existing.full_clean()
            existing.save(update_fields=["phone"])
        return existing
    patient = Patient(clinic=clinic, hospital_number=hospital_number, given_name=given_name,
                      family_name=family_name, date_of_birth=date_of_birth, sex=sex, phone=phone or "")
    patient.full_clean()
    patient.save()
    return patient


@transaction.atomic
def referral_create(
    *,
    user: AbstractBaseUser | None,
    clinic: Clinic,
    patient: Patient,
    referring_gp: str,
    complaint: str,
    urgency: str = Urgency.REGULAR,
    suspicion: str = Suspicion.LOW,
    biopsy_requested: bool = False,
    reason: str = "",
    received_on: dt.date | None = None,
) -> Referral:
    referral = Referral(clinic=clinic, patient=patient, referring_gp=referring_gp, complaint=complaint,
                        urgency=urgency, suspicion=suspicion, biopsy_requested=biopsy_requested, reason=reason,
                        received_on=received_on or timezone.localdate())
    referral.full_clean()
    referral.save()
    if user is not None:
        access_event_record(user=user, action=Action.WRITE, what="referral", patient_id=patient.pk,
                            clinic_id=clinic.pk, detail=f"referral={referral.pk} created")
    return referral


@transaction.atomic
def referral_intake(*, user: AbstractBaseUser | None, clinic: Clinic, patient: dict, **referral) -> Referral:
    """A referral as the planner types it: the patient (found by hospital number or new) and
    the GP's request, written together or not at all."""
    return referral_create(user=user, clinic=clinic, patient=patient_get_or_create(clinic=clinic, **patient),
                           **referral)

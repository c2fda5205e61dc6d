"""Reading the access log: a privacy officer, per patient, for the clinics she is officer of."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from mammapoli.clinics.models import Role
from mammapoli.records.access import patient_log_for_user
from mammapoli.records.models import Patient

from .models import AccessEvent


def is_privacy_officer(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether `user` is privacy officer of some clinic."""
    return user.is_authenticated and user.memberships.filter(role=Role.PRIVACY_OFFICER).exists()


def access_log_for_user(
    user: AbstractBaseUser | AnonymousUser, patient_id: int,
) -> tuple[Patient, QuerySet[AccessEvent]]:
    """The patient and her access log in the officer's clinics, newest first. The look is logged
    before the rows are read, so it shows in what it returns."""
    access = patient_log_for_user(user, patient_id)
    events = AccessEvent.objects.filter(patient_id=access.patient.pk, clinic_id__in=access.clinic_ids)
    return access.patient, events.order_by("-at", "-id")

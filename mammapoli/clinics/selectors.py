"""Reads of clinic master data."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from .models import Clinic, StaffMember


def memberships_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[StaffMember]:
    if not user.is_authenticated:
        return StaffMember.objects.none()
    return StaffMember.objects.filter(user=user).select_related("clinic").order_by("clinic__name")


def clinic_by_name(name: str) -> Clinic | None:
    return Clinic.objects.filter(name=name).first()

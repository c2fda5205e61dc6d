"""Reads of clinic master data."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .models import Clinic, Pathway, StaffMember


def memberships_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[StaffMember]:
    if not user.is_authenticated:
        return StaffMember.objects.none()
    return StaffMember.objects.filter(user=user).select_related("clinic").order_by("clinic__name")


def clinic_by_name(name: str) -> Clinic | None:
    return Clinic.objects.filter(name=name).first()


def active_pathway(clinic_id: int, code: str | None, *, field: str = "pathway") -> Pathway:
    """The clinic's active pathway `code`; a `ValidationError` naming `field` when there is none."""
    pathway = Pathway.objects.filter(clinic_id=clinic_id, code=code or "", active=True).first()
    if pathway is None:
        raise ValidationError({field: _("Not an active pathway of this clinic: %(code)s.") % {"code": code}})
    return pathway


def active_pathways(clinic_id: int) -> QuerySet[Pathway]:
    return Pathway.objects.filter(clinic_id=clinic_id, active=True).order_by("code")

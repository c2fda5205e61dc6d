"""Who manages whose team and accounts.

A superuser manages every clinic. An application manager manages the clinics she is
appointed to (`ApplicationManager`), and there only:

- the staff rows (roles) of those clinics, except her own: nobody changes their own role;
- the accounts of those clinics' users: users whose every membership is in a clinic she
  manages, never a superuser, a staff (admin) account or herself.

Managing a team gives no access to its patients: that needs a `StaffMember` row.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from .models import Clinic, StaffMember

#: The access log's role of whoever changes a team (`AccessEvent.role`).
APPLICATION_MANAGER = "application_manager"
SUPERUSER = "superuser"


def _active(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_superuser(user: AbstractBaseUser | AnonymousUser) -> bool:
    return _active(user) and user.is_superuser


def clinics_managed_by(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Clinic]:
    if not _active(user):
        return Clinic.objects.none()
    if user.is_superuser:
        return Clinic.objects.all()
    return Clinic.objects.filter(application_managers__user=user)


def manages_a_clinic(user: AbstractBaseUser | AnonymousUser) -> bool:
    return clinics_managed_by(user).exists()


def manages_clinic(user: AbstractBaseUser | AnonymousUser, clinic_id: int | None) -> bool:
    return clinic_id is not None and clinics_managed_by(user).filter(pk=clinic_id).exists()


def manager_role(user: AbstractBaseUser) -> str:
    """What the access log records as the role of whoever manages a team."""
    return SUPERUSER if user.is_superuser else APPLICATION_MANAGER


def manageable_members(user: AbstractBaseUser | AnonymousUser) -> QuerySet[StaffMember]:
    """The staff rows `user` sees in the team admin (her own included, read-only)."""
    return StaffMember.objects.filter(clinic__in=clinics_managed_by(user))


def manageable_users(user: AbstractBaseUser | AnonymousUser) -> QuerySet:
    """The accounts `user` may see, change, (de)activate and give a role in her clinics."""
    User = get_user_model()
    if not _active(user):
        return User.objects.none()
    if user.is_superuser:
        return User.objects.all()
    managed = clinics_managed_by(user)
    return (User.objects.filter(memberships__clinic__in=managed)
            .exclude(memberships__in=StaffMember.objects.exclude(clinic__in=managed))
            .exclude(is_superuser=True).exclude(is_staff=True).exclude(pk=user.pk)
            .distinct())


def may_manage_user(actor: AbstractBaseUser | AnonymousUser, user_id: int | None) -> bool:
    return user_id is not None and manageable_users(actor).filter(pk=user_id).exists()

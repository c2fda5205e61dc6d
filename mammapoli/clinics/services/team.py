"""Changing who is in a clinic's team, in which role, and their accounts.

Every change is checked here (`team_rights`), not only in the pages that call it, and is
written to the append-only access log in the same transaction: a role given, changed or
taken away, an account created or (de)activated, an application manager appointed or
dismissed. Nobody changes their own role. Accounts are deactivated, never deleted, by an
application manager.
"""

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mammapoli.audit.models import Action, Outcome
from mammapoli.audit.services import access_event_record

from ..models import ApplicationManager, Clinic, Role, StaffMember
from ..team_rights import (
    APPLICATION_MANAGER,
    is_superuser,
    manager_role,
    manages_a_clinic,
    manages_clinic,
    may_manage_user,
)


ACCOUNT_FLAGS = ("is_active", "is_staff", "is_superuser")


class TeamChangeRefused(PermissionDenied):
    """The user may not make this change to a team or an account."""


def _log(*, actor: AbstractBaseUser, action: Action, what: str, clinic_id: int | None, detail: str) -> None:
    access_event_record(user=actor, action=action, what=what, role=manager_role(actor), clinic_id=clinic_id,
                        detail=detail)


def team_change_refused_record(*, actor: AbstractBaseUser, action: Action, what: str, detail: str) -> None:
    """A refused attempt to change a team or an account: logged after the attempt's own
    transaction is rolled back, so the refusal stays."""
    access_event_record(user=actor, action=action, what=what, outcome=Outcome.DENIED,
                        role=manager_role(actor) if manages_a_clinic(actor) else "", detail=detail)


def _check_manages(actor: AbstractBaseUser, clinic_id: int) -> None:
    if not manages_clinic(actor, clinic_id):
        raise TeamChangeRefused(_("You do not manage this clinic's team."))


def _check_not_self(actor: AbstractBaseUser, user_id: int) -> None:
    if actor.pk == user_id:
        raise TeamChangeRefused(_("Nobody may change their own role."))


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("Not a role: %(role)s.") % {"role": role}})


@transaction.atomic
def staff_member_grant(*, actor: AbstractBaseUser, clinic: Clinic, user: AbstractBaseUser, role: str) -> StaffMember:
    """Give `user` a role in `clinic`'s team (she must be one of the actor's users)."""
    _check_manages(actor, clinic.pk)
    _check_not_self(actor, user.pk)
    if not may_manage_user(actor, user.pk):
        raise TeamChangeRefused(_("This user is not one of your clinic's users."))
    return _grant(actor=actor, clinic=clinic, user=user, role=role)


def _grant(*, actor: AbstractBaseUser, clinic: Clinic, user: AbstractBaseUser, role: str) -> StaffMember:
    _check_role(role)
    member = StaffMember(clinic=clinic, user=user, role=role)
    member.full_clean()
    member.save()
    _log(actor=actor, action=Action.ROLE_GRANT, what="staff member", clinic_id=clinic.pk,
         detail=f"user={user.get_username()} role={role}")
    return member


@transaction.atomic
def staff_member_role_change(*, actor: AbstractBaseUser, member_id: int, role: str) -> StaffMember:
    member = StaffMember.objects.select_for_update().select_related("user").get(pk=member_id)
    _check_manages(actor, member.clinic_id)
    _check_not_self(actor, member.user_id)
    _check_role(role)
    before = member.role
    if before == role:
        return member
    member.role = role
    member.full_clean()
    member.save(update_fields=["role"])
    _log(actor=actor, action=Action.ROLE_CHANGE, what="staff member", clinic_id=member.clinic_id,
         detail=f"user={member.user.get_username()} role {before} -> {role}")
    return member


@transaction.atomic
def staff_member_remove(*, actor: AbstractBaseUser, member_id: int) -> None:
    member = StaffMember.objects.select_for_update().select_related("user").get(pk=member_id)
    _check_manages(actor, member.clinic_id)
    _check_not_self(actor, member.user_id)
    detail = f"user={member.user.get_username()} role={member.role}"
    clinic_id = member.clinic_id
    member.delete()
    _log(actor=actor, action=Action.ROLE_REVOKE, what="staff member", clinic_id=clinic_id, detail=detail)


@transaction.atomic
def account_create(
    *,
    actor: AbstractBaseUser,
    clinic: Clinic,
    role: str,
    username: str,
    first_name: str,
    last_name: str,
    email: str = "",
    password: str,
) -> AbstractBaseUser:
    """A new user of `clinic`, in `role` there: the only way an application manager adds a user."""
    _check_manages(actor, clinic.pk)
    _check_role(role)
    User = get_user_model()
    user = User(username=username, first_name=first_name, last_name=last_name, email=email,
                is_staff=False, is_superuser=False, is_active=True)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    user.full_clean()
    user.save()
    _log(actor=actor, action=Action.ACCOUNT_CREATE, what="account", clinic_id=clinic.pk,
         detail=f"user={user.get_username()}")
    _grant(actor=actor, clinic=clinic, user=user, role=role)
    return user


@transaction.atomic
def account_update(
    *, actor: AbstractBaseUser, user_id: int, first_name: str, last_name: str, email: str, is_active: bool,
) -> AbstractBaseUser:
    """Name, e-mail and active flag of one of the actor's users; deactivating replaces deleting."""
    if not may_manage_user(actor, user_id):
        raise TeamChangeRefused(_("This user is not one of your clinic's users."))
    user = get_user_model().objects.select_for_update().get(pk=user_id)
    if user.pk == actor.pk and not is_active:
        raise TeamChangeRefused(_("You cannot deactivate your own account."))
    before = account_flags(user.pk)
    user.first_name, user.last_name, user.email, user.is_active = first_name, last_name, email, is_active
    user.full_clean()
    user.save(update_fields=["first_name", "last_name", "email", "is_active"])
    account_activity_record(actor=actor, user=user, before=before)
    return user


def account_activity_record(*, actor: AbstractBaseUser, user: AbstractBaseUser, before: dict | None) -> None:
    """Log an account created (`before` None), (de)activated, or made or unmade superuser or
    admin (staff) by `actor`; `before` holds the flags (`ACCOUNT_FLAGS`) before the change.

    The superuser's user admin saves through Django's forms and calls this after saving.
    """
    clinic_ids = list(user.memberships.values_list("clinic_id", flat=True))
    clinic_id = clinic_ids[0] if len(clinic_ids) == 1 else None
    detail = f"user={user.get_username()}"
    if before is None:
        _log(actor=actor, action=Action.ACCOUNT_CREATE, what="account", clinic_id=clinic_id, detail=detail)
        before = {flag: False for flag in ACCOUNT_FLAGS} | {"is_active": True}
    if before["is_active"] and not user.is_active:
        _log(actor=actor, action=Action.ACCOUNT_DEACTIVATE, what="account", clinic_id=clinic_id, detail=detail)
    elif user.is_active and not before["is_active"]:
        _log(actor=actor, action=Action.ACCOUNT_REACTIVATE, what="account", clinic_id=clinic_id, detail=detail)
    for flag, role in (("is_superuser", "superuser"), ("is_staff", "admin")):
        if getattr(user, flag) != before[flag]:
            _log(actor=actor, action=Action.ROLE_GRANT if getattr(user, flag) else Action.ROLE_REVOKE,
                 what="account", clinic_id=clinic_id, detail=f"{detail} role={role}")


def account_flags(user_id: int) -> dict | None:
    """The flags `account_activity_record` compares, as stored now (None: no such user yet)."""
    return get_user_model().objects.filter(pk=user_id).values(*ACCOUNT_FLAGS).first() if user_id else None


@transaction.atomic
def account_delete(*, actor: AbstractBaseUser, user_id: int) -> None:
    """A superuser deletes an account: each role it loses is logged first (an application
    manager deactivates instead)."""
    _check_superuser(actor)
    if actor.pk == user_id:
        raise TeamChangeRefused(_("You cannot deactivate your own account."))
    user = get_user_model().objects.select_for_update().get(pk=user_id)
    for member in user.memberships.all():
        _log(actor=actor, action=Action.ROLE_REVOKE, what="staff member", clinic_id=member.clinic_id,
             detail=f"user={user.get_username()} role={member.role}")
    for appointment in user.managed_clinics.all():
        _log(actor=actor, action=Action.ROLE_REVOKE, what="application manager", clinic_id=appointment.clinic_id,
             detail=f"user={user.get_username()} role={APPLICATION_MANAGER}")
    _log(actor=actor, action=Action.ACCOUNT_DELETE, what="account", clinic_id=None,
         detail=f"user={user.get_username()}")
    user.delete()


def _check_superuser(actor: AbstractBaseUser) -> None:
    if not is_superuser(actor):
        raise TeamChangeRefused(_("Only a superuser does this."))


@transaction.atomic
def application_manager_appoint(
    *, actor: AbstractBaseUser, clinic: Clinic, user: AbstractBaseUser,
) -> ApplicationManager:
    """`user` manages `clinic`'s team from now on (and may enter the admin for it)."""
    _check_superuser(actor)
    _check_not_self(actor, user.pk)
    appointment = ApplicationManager(clinic=clinic, user=user)
    appointment.full_clean()
    appointment.save()
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    _log(actor=actor, action=Action.ROLE_GRANT, what="application manager", clinic_id=clinic.pk,
         detail=f"user={user.get_username()} role={APPLICATION_MANAGER}")
    return appointment


@transaction.atomic
def application_manager_dismiss(*, actor: AbstractBaseUser, appointment_id: int) -> None:
    _check_superuser(actor)
    appointment = ApplicationManager.objects.select_for_update().select_related("user").get(pk=appointment_id)
    user = appointment.user
    _check_not_self(actor, user.pk)
    clinic_id = appointment.clinic_id
    appointment.delete()
    if not user.is_superuser and not user.managed_clinics.exists():
        user.is_staff = False  # nothing left for her in the admin
        user.save(update_fields=["is_staff"])
    _log(actor=actor, action=Action.ROLE_REVOKE, what="application manager", clinic_id=clinic_id,
         detail=f"user={user.get_username()} role={APPLICATION_MANAGER}")

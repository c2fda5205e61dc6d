"""A clinic's data is for its team: the membership check every access helper starts from.

Outside the team the answer is "not found" (existence is not revealed), inside, a role
without the right gets "forbidden". Each refusal is chosen by its type (`Refusal`), not read
back from a log text, and leaves one access-log row with the clinic the target belongs to,
so the clinic's privacy officer sees the probe.
"""

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NoReturn

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from mammapoli.audit.attempts import WriteAttempt, write_attempt
from mammapoli.audit.models import Action, Outcome
from mammapoli.audit.services import access_event_record

from .models import Resource, StaffMember


class NotInYourClinics(Http404):
    """No such thing, or not in one of the user's clinics: 404 in pages and API alike."""


class RoleMayNot(PermissionDenied):
    """In the clinic team, but this role may not do this: 403 in pages and API alike."""


@dataclass(frozen=True)
class Refusal:
    """Why an access is refused: the exception raised (its type says 404 or 403), the sentence
    the user reads, and the short detail of the access-log row."""

    error: type[Exception]
    message: str
    detail: str

    def raise_logged(self, log: dict) -> NoReturn:
        """One refused row (the attempt's fields in `log`), then the refusal itself."""
        detail = " ".join(part for part in (log.get("detail", ""), self.detail) if part)
        access_event_record(**{**log, "detail": detail}, outcome=Outcome.DENIED)
        raise self.error(self.message)


def membership_for(user: AbstractBaseUser | AnonymousUser, clinic_id: int) -> StaffMember | None:
    if not user.is_authenticated:
        return None
    return StaffMember.objects.filter(user=user, clinic_id=clinic_id).first()


def role_refusal(role: str, error: type[Exception] = RoleMayNot) -> Refusal:
    return Refusal(error, _("Your role may not do this."), f"role {role} may not do this")


def clinic_membership_for_user(
    user: AbstractBaseUser | AnonymousUser, clinic_id: int | None, *, roles: Collection[str] | None = None,
    action: Action = Action.READ, what: str = "clinic", detail: str = "",
) -> StaffMember:
    """The user's membership of a clinic's team (with `roles`: in one of them); else 404/403,
    the refusal logged with the clinic (an allowed check logs nothing: what follows does)."""
    membership = membership_for(user, clinic_id) if clinic_id is not None else None
    log = {"user": user, "action": action, "what": what, "clinic_id": clinic_id,
           "role": membership.role if membership else "", "detail": detail}
    if membership is None:
        Refusal(NotInYourClinics, _("No such clinic among yours."),
                "not in the clinic team" if clinic_id is not None else "no such clinic").raise_logged(log)
    if roles is not None and membership.role not in roles:
        role_refusal(membership.role).raise_logged(log)
    return membership


def resource_for_user(
    user: AbstractBaseUser | AnonymousUser, resource_id: int, *, roles: Collection[str] | None = None,
    action: Action = Action.READ, what: str = "resource",
) -> tuple[Resource, StaffMember]:
    """A resource of one of the user's clinics (with `roles`: where she has one of them)."""
    resource = Resource.objects.select_related("clinic", "kind").filter(pk=resource_id).first()
    if resource is None:
        Refusal(NotInYourClinics, _("No such resource in your clinics."), "no such resource").raise_logged(
            {"user": user, "action": action, "what": what, "detail": f"resource={resource_id}"})
    return resource, clinic_membership_for_user(user, resource.clinic_id, roles=roles, action=action, what=what,
                                                detail=f"resource={resource_id}")


@contextmanager
def resource_attempt(
    user: AbstractBaseUser | AnonymousUser, resource_id: int, *, roles: Collection[str] | None = None, what: str,
) -> Iterator[WriteAttempt]:
    """A write about a resource (she is called away): refused before it starts (one row), or
    run in a transaction and logged with its outcome (one row)."""
    resource, membership = resource_for_user(user, resource_id, roles=roles, action=Action.WRITE, what=what)
    log = {"user": user, "action": Action.WRITE, "what": what, "clinic_id": resource.clinic_id,
           "role": membership.role, "detail": f"resource={resource_id}"}
    with write_attempt(resource, log) as attempt:
        yield attempt


@contextmanager
def clinic_attempt(
    user: AbstractBaseUser | AnonymousUser, clinic_id: int | None, *, roles: Collection[str] | None = None, what: str,
) -> Iterator[WriteAttempt]:
    """A write in a clinic (a referral typed in): refused before it starts (one row), or run in
    a transaction and logged with its outcome, so a refused one (a hospital number that is not
    this patient's) is logged too and leaves nothing else."""
    membership = clinic_membership_for_user(user, clinic_id, roles=roles, action=Action.WRITE, what=what)
    log = {"user": user, "action": Action.WRITE, "what": what, "clinic_id": clinic_id, "role": membership.role}
    with write_attempt(membership, log) as attempt:
        yield attempt

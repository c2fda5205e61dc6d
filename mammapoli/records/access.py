"""Patient data is fetched only through these helpers (as Zulip's `access_message`).

Each checks the user's place in the visit's clinic team and writes one access-log row,
allowed or refused. Outside the clinic the answer is "not found" (the visit's existence is
not revealed); inside, a role without the right gets "forbidden".
"""

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from mammapoli.audit.models import Action, Outcome
from mammapoli.audit.services import access_event_record, access_events_record_many
from mammapoli.clinics.models import Role, StaffMember
from mammapoli.planning.models import ClinicSession, Visit

from .models import Referral

#: Roles that read the findings on the shared form (the planner sees name and visit only).
FINDINGS_ROLES = frozenset({Role.SURGEON, Role.RADIOLOGIST, Role.PATHOLOGIST, Role.RADIOGRAPHER, Role.NURSE})


class PatientDataNotFound(Http404):
    """No such visit, or not in one of the user's clinics: 404 in pages and API alike."""


class PatientDataForbidden(PermissionDenied):
    """In the clinic team, but this role may not do this: 403 in pages and API alike."""


@dataclass(frozen=True)
class VisitAccess:
    visit: Visit
    membership: StaffMember

    @property
    def role(self) -> str:
        return self.membership.role


def membership_for(user: AbstractBaseUser | AnonymousUser, clinic_id: int) -> StaffMember | None:
    if not user.is_authenticated:
        return None
    return StaffMember.objects.filter(user=user, clinic_id=clinic_id).first()


def visit_for_user(
    user: AbstractBaseUser | AnonymousUser,
    visit_id: int,
    *,
    lock: bool = False,
    findings: bool = False,
    roles: Collection[str] | None = None,
    action: Action = Action.READ,
    what: str = "visit",
) -> VisitAccess:
    """The visit, if `user` is in its clinic's team (and, with `findings`, in a role that reads
    them; with `roles`, in one of those roles).

    `lock` takes a row lock (SELECT … FOR UPDATE) for a write that follows in the same
    transaction. Every call logs one access event.
    """
    queryset = Visit.objects.select_related("session__clinic", "patient", "pathway")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    visit = queryset.filter(pk=visit_id).first()
    membership = membership_for(user, visit.session.clinic_id) if visit else None
    log = {"user": user, "action": action, "what": what, "visit_id": visit_id,
           "patient_id": visit.patient_id if visit else None,
           "clinic_id": visit.session.clinic_id if visit else None,
           "role": membership.role if membership else ""}
    if visit is None or membership is None:
        access_event_record(**log, outcome=Outcome.DENIED, detail="not in the clinic team" if visit else "no such visit")
        raise PatientDataNotFound(visit_id)
    if findings and membership.role not in FINDINGS_ROLES:
        access_event_record(**log, outcome=Outcome.DENIED, detail=f"role {membership.role} does not read findings")
        raise PatientDataForbidden(visit_id)
    if roles is not None and membership.role not in roles:
        access_event_record(**log, outcome=Outcome.DENIED, detail=f"role {membership.role} may not do this")
        raise PatientDataForbidden(visit_id)
    access_event_record(**log)
    return VisitAccess(visit=visit, membership=membership)


@dataclass(frozen=True)
class SessionAccess:
    session: ClinicSession
    membership: StaffMember

    @property
    def role(self) -> str:
        return self.membership.role


def session_for_user(
    user: AbstractBaseUser | AnonymousUser,
    session_id: int,
    *,
    roles: Collection[str] | None = None,
    lock: bool = False,
    action: Action = Action.READ,
    what: str = "session",
) -> SessionAccess:
    """A clinic morning, if `user` is in its clinic's team (with `roles`: in one of them).

    As `visit_for_user`: outside the team "not found", a role without the right "forbidden",
    and one access-log row per call (the morning itself, no patient; a page or answer that
    then shows patients logs them as it shows them).
    """
    queryset = ClinicSession.objects.select_related("clinic")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    session = queryset.filter(pk=session_id).first()
    membership = membership_for(user, session.clinic_id) if session else None
    log = {"user": user, "action": action, "what": what, "clinic_id": session.clinic_id if session else None,
           "role": membership.role if membership else "", "detail": f"session={session_id}"}
    if session is None or membership is None:
        access_event_record(**{**log, "detail": log["detail"] + (" not in the clinic team" if session else
                                                                 " no such session")},
                            outcome=Outcome.DENIED)
        raise PatientDataNotFound(session_id)
    if roles is not None and membership.role not in roles:
        access_event_record(**{**log, "detail": log["detail"] + f" role {membership.role} may not do this"},
                            outcome=Outcome.DENIED)
        raise PatientDataForbidden(session_id)
    access_event_record(**log)
    return SessionAccess(session=session, membership=membership)


def visits_for_user(
    user: AbstractBaseUser | AnonymousUser, *, day: dt.date | None = None, what: str = "visit list",
) -> QuerySet[Visit]:
    """The visits of the user's clinics (on `day`), listed: one LIST row per patient shown."""
    if not user.is_authenticated:
        return Visit.objects.none()
    roles = dict(StaffMember.objects.filter(user=user).values_list("clinic_id", "role"))
    visits = Visit.objects.filter(session__clinic_id__in=roles).select_related("session__clinic", "patient", "pathway")
    if day is not None:
        visits = visits.filter(session__date=day)
    visits = visits.order_by("session__date", "session__clinic__name", "code")
    by_clinic: dict[int, list[tuple[int, int]]] = {}
    for visit in visits:
        by_clinic.setdefault(visit.session.clinic_id, []).append((visit.patient_id, visit.pk))
    for clinic_id, subjects in by_clinic.items():
        access_events_record_many(user=user, action=Action.LIST, what=what, subjects=subjects,
                                  role=roles[clinic_id], clinic_id=clinic_id,
                                  detail=f"date={day.isoformat()}" if day else "")
    return visits


@dataclass(frozen=True)
class ReferralAccess:
    referral: Referral
    membership: StaffMember


def referral_for_user(
    user: AbstractBaseUser | AnonymousUser,
    referral_id: int,
    *,
    roles: Collection[str] | None = None,
    action: Action = Action.READ,
    what: str = "referral",
) -> ReferralAccess:
    """A referral, if `user` is in the team of the clinic it was sent to (with `roles`: in one
    of them). Logged like `visit_for_user`."""
    referral = Referral.objects.select_related("clinic", "patient").filter(pk=referral_id).first()
    membership = membership_for(user, referral.clinic_id) if referral else None
    log = {"user": user, "action": action, "what": what,
           "patient_id": referral.patient_id if referral else None,
           "clinic_id": referral.clinic_id if referral else None,
           "role": membership.role if membership else "", "detail": f"referral={referral_id}"}
    if referral is None or membership is None:
        access_event_record(**log, outcome=Outcome.DENIED)
        raise PatientDataNotFound(referral_id)
    if roles is not None and membership.role not in roles:
        access_event_record(**{**log, "detail": log["detail"] + f" role {membership.role} may not do this"},
                            outcome=Outcome.DENIED)
        raise PatientDataForbidden(referral_id)
    access_event_record(**log)
    return ReferralAccess(referral=referral, membership=membership)


def clinic_membership_for_user(
    user: AbstractBaseUser | AnonymousUser, clinic_id: int, *, roles: Collection[str] | None = None,
) -> StaffMember:
    """The user's membership of a clinic's team (with `roles`: in one of them); else 404/403."""
    membership = membership_for(user, clinic_id)
    if membership is None:
        raise PatientDataNotFound(clinic_id)
    if roles is not None and membership.role not in roles:
        raise PatientDataForbidden(clinic_id)
    return membership

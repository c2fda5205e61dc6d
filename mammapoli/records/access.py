"""Patient data is fetched only through these helpers (as Zulip's `access_message`).

Each checks the user's place in the visit's clinic team and writes one access-log row,
allowed or refused. Outside the clinic the answer is "not found" (the visit's existence is
not revealed); inside, a role without the right gets "forbidden".
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from mammapoli.audit.models import Action, Outcome
from mammapoli.audit.services import access_event_record, access_events_record_many
from mammapoli.clinics.models import Role, StaffMember
from mammapoli.planning.models import Visit

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
    action: Action = Action.READ,
    what: str = "visit",
) -> VisitAccess:
    """The visit, if `user` is in its clinic's team (and, with `findings`, in a role that reads them).

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
    access_event_record(**log)
    return VisitAccess(visit=visit, membership=membership)


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

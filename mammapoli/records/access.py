"""Patient data is fetched only through these helpers (as Zulip's `access_message`).

Each checks the user's place in the visit's clinic team and writes one access-log row,
allowed or refused. Outside the clinic the answer is "not found" (the visit's existence is
not revealed); inside, a role without the right gets "forbidden".
"""

import datetime as dt
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from mammapoli.audit.models import Action, Outcome
from mammapoli.audit.services import access_event_record, access_events_record_many
from mammapoli.clinics.models import Role, StaffMember
from mammapoli.planning.models import ClinicSession, Visit

from .errors import FormChangeRefused
from .models import Patient, Referral
from .sections import SECTION_WRITERS

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


def _visit_check(user, visit_id: int, *, findings: bool, write_section: str | None, action: Action, what: str,
                 lock: bool = False, roles: Collection[str] | None = None) -> tuple[VisitAccess | None, dict, str]:
    """(access or None, the access-log fields, why it is refused or "")."""
    queryset = Visit.objects.select_related("session__clinic", "patient", "pathway", "referral")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    visit = queryset.filter(pk=visit_id).first()
    membership = membership_for(user, visit.session.clinic_id) if visit else None
    log = {"user": user, "action": action, "what": what, "visit_id": visit_id,
           "patient_id": visit.patient_id if visit else None,
           "clinic_id": visit.session.clinic_id if visit else None,
           "role": membership.role if membership else ""}
    if visit is None:
        return None, log, "no such visit"
    if membership is None:
        return None, log, "not in the clinic team"
    if (findings or write_section) and membership.role not in FINDINGS_ROLES:
        return None, log, f"role {membership.role} does not read findings"
    if write_section and SECTION_WRITERS.get(write_section) != membership.role:
        return None, log, f"role {membership.role} does not write {write_section}"
    if roles is not None and membership.role not in roles:
        return None, log, f"role {membership.role} may not do this"
    return VisitAccess(visit=visit, membership=membership), log, ""


def _refuse(log: dict, reason: str, visit_id: int):
    access_event_record(**log, outcome=Outcome.DENIED, detail=reason)
    if log["role"] == "":
        raise PatientDataNotFound(_("No such visit in your clinics."))
    if reason.endswith("may not do this"):
        raise PatientDataForbidden(_("Your role may not do this."))
    if log["role"] not in FINDINGS_ROLES:
        raise PatientDataForbidden(_("Your role does not read the findings."))
    raise PatientDataForbidden(_("Your role does not write this section."))


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
    access, log, refused = _visit_check(user, visit_id, findings=findings, write_section=None, action=action,
                                        what=what, lock=lock, roles=roles)
    if access is None:
        _refuse(log, refused, visit_id)
    access_event_record(**log)
    return access


@dataclass
class WriteAttempt:
    """A write in progress; the service may say what it did in `detail` (it goes into the log row)."""

    access: VisitAccess
    detail: str = ""
    log: dict = field(default_factory=dict, repr=False)


@contextmanager
def visit_write(
    user: AbstractBaseUser | AnonymousUser, visit_id: int, *, section: str, what: str,
) -> Iterator[WriteAttempt]:
    """Check that `user` may write `section` of the visit's form, then run the write in a transaction.

    One access-log row per attempt, with its outcome: refused (404 outside the team, 403 for
    a role that does not write this section) before anything starts; allowed, in the write's
    own transaction, when it commits; refused, after the rollback, when the write raises
    (stale version, signed section, invalid content…), so the refusal outlives the rollback.
    """
    access, log, refused = _visit_check(user, visit_id, findings=True, write_section=section,
                                        action=Action.WRITE, what=what)
    if access is None:
        _refuse(log, refused, visit_id)
    attempt = WriteAttempt(access=access, log=log)
    try:
        with transaction.atomic():
            yield attempt
            access_event_record(**log, detail=attempt.detail)
    except FormChangeRefused as refusal:
        access_event_record(**log, outcome=Outcome.DENIED, detail=refusal.log_detail)
        raise
    except Exception as error:
        access_event_record(**log, outcome=Outcome.DENIED, detail=f"failed: {type(error).__name__}")
        raise


def visits_for_user(
    user: AbstractBaseUser | AnonymousUser, *, day: dt.date | None = None, what: str = "visit list",
) -> QuerySet[Visit]:
    """The visits of the user's clinics (on `day`), listed: one LIST row per patient shown."""
    visits, roles = visible_visits(user, day=day)
    visits_log_listed(user, visits, roles=roles, what=what, detail=f"date={day.isoformat()}" if day else "")
    return visits


def visible_visits(
    user: AbstractBaseUser | AnonymousUser, *, day: dt.date | None = None, until: dt.date | None = None,
    findings: bool = False,
) -> tuple[QuerySet[Visit], dict[int, str]]:
    """The visits of the user's clinics (on `day`, or from `day` through `until`) and the user's
    role per clinic. Logs nothing: the caller logs what it shows with `visits_log_listed`.
    With `findings`, only the clinics where the user's role reads findings."""
    if not user.is_authenticated:
        return Visit.objects.none(), {}
    roles = dict(StaffMember.objects.filter(user=user).values_list("clinic_id", "role"))
    if findings:
        roles = {clinic_id: role for clinic_id, role in roles.items() if role in FINDINGS_ROLES}
    visits = Visit.objects.filter(session__clinic_id__in=roles).select_related("session__clinic", "patient", "pathway")
    if day is not None and until is not None:
        visits = visits.filter(session__date__range=(day, until))
    elif day is not None:
        visits = visits.filter(session__date=day)
    return visits.order_by("session__date", "session__clinic__name", "code"), roles


def visits_log_listed(
    user: AbstractBaseUser | AnonymousUser, visits: Iterable[Visit], *, roles: dict[int, str], what: str,
    detail: str = "", action: Action = Action.LIST,
) -> None:
    """One access-log row per patient shown in a list, with the user's role in that clinic."""
    by_clinic: dict[int, list[tuple[int, int]]] = {}
    for visit in visits:
        by_clinic.setdefault(visit.session.clinic_id, []).append((visit.patient_id, visit.pk))
    for clinic_id, subjects in by_clinic.items():
        access_events_record_many(user=user, action=action, what=what, subjects=subjects,
                                  role=roles[clinic_id], clinic_id=clinic_id, detail=detail)


@dataclass(frozen=True)
class PatientLogAccess:
    patient: Patient
    clinic_ids: tuple[int, ...]  # the clinics whose access log the privacy officer may read for this patient


def patient_clinic_ids(patient_id: int) -> set[int]:
    """The clinics a patient belongs to: where she has a visit or a referral."""
    visits = Visit.objects.filter(patient_id=patient_id).values_list("session__clinic_id", flat=True)
    referrals = Patient.objects.filter(pk=patient_id).values_list("referrals__clinic_id", flat=True)
    return {clinic_id for clinic_id in [*visits, *referrals] if clinic_id is not None}


def patient_log_for_user(
    user: AbstractBaseUser | AnonymousUser, patient_id: int, *, what: str = "access log",
) -> PatientLogAccess:
    """A patient's access log, for a privacy officer of one of her clinics. Logged (action read).

    Outside her clinics: not found. In her clinic's team but not a privacy officer: forbidden.
    """
    patient = Patient.objects.filter(pk=patient_id).first()
    roles = (dict(StaffMember.objects.filter(user=user).values_list("clinic_id", "role"))
             if user.is_authenticated else {})
    shared = sorted(patient_clinic_ids(patient_id) & set(roles)) if patient else []
    officer_of = tuple(clinic_id for clinic_id in shared if roles[clinic_id] == Role.PRIVACY_OFFICER)
    clinic_id = (officer_of or shared or [None])[0]
    log = {"user": user, "action": Action.READ, "what": what, "patient_id": patient.pk if patient else None,
           "clinic_id": clinic_id, "role": roles.get(clinic_id, "") if clinic_id else ""}
    if not shared:
        access_event_record(**log, outcome=Outcome.DENIED, detail="not in the clinic team" if patient else "no such patient")
        raise PatientDataNotFound(_("No such patient in your clinics."))
    if not officer_of:
        access_event_record(**log, outcome=Outcome.DENIED, detail=f"role {log['role']} does not read the access log")
        raise PatientDataForbidden(_("Only a privacy officer of the patient's clinic reads the access log."))
    access_event_record(**log, detail=f"clinics {','.join(map(str, officer_of))}" if len(officer_of) > 1 else "")
    return PatientLogAccess(patient=patient, clinic_ids=officer_of)


def patients_search_for_privacy_officer(
    user: AbstractBaseUser | AnonymousUser, query: str, *, limit: int = 50,
) -> list[Patient]:
    """Patients of the clinics where `user` is privacy officer whose hospital number is `query`
    or whose family name starts with it. One SEARCH row per patient found."""
    query = query.strip()
    if not user.is_authenticated or not query:
        return []
    clinic_ids = list(StaffMember.objects.filter(user=user, role=Role.PRIVACY_OFFICER)
                      .values_list("clinic_id", flat=True))
    if not clinic_ids:
        return []
    patients = list(
        Patient.objects.filter(Q(hospital_number=query) | Q(family_name__istartswith=query))
        .filter(Q(visits__session__clinic_id__in=clinic_ids) | Q(referrals__clinic_id__in=clinic_ids))
        .distinct().order_by("family_name", "given_name")[:limit]
    )
    if patients:
        access_events_record_many(user=user, action=Action.SEARCH, what="patient search",
                                  subjects=[(patient.pk, None) for patient in patients],
                                  role=Role.PRIVACY_OFFICER, clinic_id=clinic_ids[0] if len(clinic_ids) == 1 else None,
                                  detail=f"query={query}")
    return patients


@dataclass(frozen=True)
class SessionAccess:
    session: ClinicSession
    membership: StaffMember

    @property
    def role(self) -> str:
        return self.membership.role


def session_checked(
    user: AbstractBaseUser | AnonymousUser,
    session_id: int,
    *,
    roles: Collection[str] | None = None,
    lock: bool = False,
    action: Action = Action.READ,
    what: str = "session",
) -> SessionAccess:
    """The check of `session_for_user`, logging only a refusal: for a page that logs, one row
    each, the patients it then shows (the day view, the board)."""
    queryset = ClinicSession.objects.select_related("clinic")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    session = queryset.filter(pk=session_id).first()
    membership = membership_for(user, session.clinic_id) if session else None
    refused = {"user": user, "action": action, "what": what, "outcome": Outcome.DENIED,
               "clinic_id": session.clinic_id if session else None, "role": membership.role if membership else ""}
    if session is None or membership is None:
        access_event_record(**refused, detail=f"session={session_id} " + (
            "not in the clinic team" if session else "no such session"))
        raise PatientDataNotFound(_("No such morning in your clinics."))
    if roles is not None and membership.role not in roles:
        access_event_record(**refused, detail=f"session={session_id} role {membership.role} may not do this")
        raise PatientDataForbidden(_("Your role may not do this."))
    return SessionAccess(session=session, membership=membership)


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
    access = session_checked(user, session_id, roles=roles, lock=lock, action=action, what=what)
    access_event_record(user=user, action=action, what=what, clinic_id=access.session.clinic_id, role=access.role,
                        detail=f"session={session_id}")
    return access


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
        raise PatientDataNotFound(_("No such referral in your clinics."))
    if roles is not None and membership.role not in roles:
        access_event_record(**{**log, "detail": log["detail"] + f" role {membership.role} may not do this"},
                            outcome=Outcome.DENIED)
        raise PatientDataForbidden(_("Your role may not do this."))
    access_event_record(**log)
    return ReferralAccess(referral=referral, membership=membership)


def clinic_membership_for_user(
    user: AbstractBaseUser | AnonymousUser, clinic_id: int, *, roles: Collection[str] | None = None,
) -> StaffMember:
    """The user's membership of a clinic's team (with `roles`: in one of them); else 404/403."""
    membership = membership_for(user, clinic_id)
    if membership is None:
        raise PatientDataNotFound(_("No such clinic among yours."))
    if roles is not None and membership.role not in roles:
        raise PatientDataForbidden(_("Your role may not do this."))
    return membership


def referrals_awaiting_booking(
    user: AbstractBaseUser | AnonymousUser, *, roles: Collection[str], limit: int = 50,
) -> list[Referral]:
    """The intake list: referrals to the clinics where the user has one of `roles` that have no
    visit yet, the most pressing first (urgent, then the oldest). One LIST row per patient shown."""
    if not user.is_authenticated:
        return []
    clinic_roles = dict(StaffMember.objects.filter(user=user, role__in=roles).values_list("clinic_id", "role"))
    referrals = list(
        Referral.objects.filter(clinic_id__in=clinic_roles, visits__isnull=True)
        .select_related("clinic", "patient", "received_as")
        .order_by("-urgency", "received_on", "id")[:limit]  # "urgent" sorts after "regular"
    )
    by_clinic: dict[int, list[tuple[int, None]]] = {}
    for referral in referrals:
        by_clinic.setdefault(referral.clinic_id, []).append((referral.patient_id, None))
    for clinic_id, subjects in by_clinic.items():
        access_events_record_many(user=user, action=Action.LIST, what="intake list", subjects=subjects,
                                  role=clinic_roles[clinic_id], clinic_id=clinic_id)
    return referrals

"""Visits, mornings (sessions), plans and plan jobs, fetched only through these helpers (as
Zulip's `access_message`).

Each checks the user's place in the clinic team and writes one access-log row, allowed or
refused. Outside the clinic the answer is "not found" (existence is not revealed); inside, a
role without the right gets "forbidden". A visit is patient data (`PatientDataNotFound`); a
morning, a plan or a job is the clinic's (`NotInYourClinics`). A write runs as an attempt
(`visit_attempt`, `session_attempt`): its row is written after the service ran, with the
outcome it had.
"""

import datetime as dt
import uuid
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NoReturn

from django import forms
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from mammapoli.audit.attempts import WriteAttempt, write_attempt
from mammapoli.audit.models import Action
from mammapoli.audit.services import access_event_record, access_events_record_many
from mammapoli.clinics.access import NotInYourClinics, Refusal, membership_for, role_refusal
from mammapoli.clinics.models import StaffMember, StepPrecedence
from mammapoli.clinics.roles import CLINICAL_ROLES
from mammapoli.records.errors import PatientDataForbidden, PatientDataNotFound

from .models import ClinicSession, Plan, PlanJob, Visit, VisitStatus, VisitStep, VisitStepResource

User = AbstractBaseUser | AnonymousUser


# --- one visit -----------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitAccess:
    visit: Visit
    membership: StaffMember

    @property
    def role(self) -> str:
        return self.membership.role


def visit_check(
    user: User, visit_id: int, *, findings: bool = False, roles: Collection[str] | None = None, lock: bool = False,
    action: Action = Action.READ, what: str = "visit",
) -> tuple[VisitAccess | None, dict, Refusal | None]:
    """(the access or None, the access-log fields of the attempt, the refusal or None). Logs nothing."""
    queryset = Visit.objects.select_related("session__clinic", "patient", "pathway", "referral")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    visit = queryset.filter(pk=visit_id).first()
    membership = membership_for(user, visit.session.clinic_id) if visit else None
    log = {"user": user, "action": action, "what": what, "visit_id": visit_id,
           "patient_id": visit.patient_id if visit else None,
           "clinic_id": visit.session.clinic_id if visit else None,
           "role": membership.role if membership else ""}
    if visit is None or membership is None:
        return None, log, Refusal(PatientDataNotFound, _("No such visit in your clinics."),
                                  "not in the clinic team" if visit else "no such visit")
    if findings and membership.role not in CLINICAL_ROLES:
        return None, log, Refusal(PatientDataForbidden, _("Your role does not read the findings."),
                                  f"role {membership.role} does not read findings")
    if roles is not None and membership.role not in roles:
        return None, log, role_refusal(membership.role, PatientDataForbidden)
    return VisitAccess(visit=visit, membership=membership), log, None


def visit_checked(
    user: User, visit_id: int, *, findings: bool = False, roles: Collection[str] | None = None, lock: bool = False,
    action: Action = Action.READ, what: str = "visit",
) -> VisitAccess:
    """The check of `visit_for_user`, logging only a refusal (for a write, whose row the attempt writes)."""
    access, log, refusal = visit_check(user, visit_id, findings=findings, roles=roles, lock=lock, action=action,
                                       what=what)
    if refusal is not None:
        refusal.raise_logged(log)
    return access


def visit_for_user(
    user: User,
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
    access, log, refusal = visit_check(user, visit_id, findings=findings, roles=roles, lock=lock, action=action,
                                       what=what)
    if refusal is not None:
        refusal.raise_logged(log)
    access_event_record(**log)
    return access


@contextmanager
def visit_attempt(
    user: User, visit_id: int, *, roles: Collection[str] | None = None, what: str,
) -> Iterator[WriteAttempt]:
    """A write to the visit by `user` (with `roles`: in one of them): refused before it starts
    (one row), or run in a transaction and logged with its outcome (one row)."""
    access, log, refusal = visit_check(user, visit_id, roles=roles, action=Action.WRITE, what=what)
    if refusal is not None:
        refusal.raise_logged(log)
    with write_attempt(access, log) as attempt:
        yield attempt


# --- the visits of a day, listed ---------------------------------------------------------------


def visits_for_user(user: User, *, day: dt.date | None = None, what: str = "visit list") -> QuerySet[Visit]:
    """The visits of the user's clinics (on `day`), listed: one LIST row per patient shown."""
    visits, roles = visible_visits(user, day=day)
    visits_log_listed(user, visits, roles=roles, what=what, detail=f"date={day.isoformat()}" if day else "")
    return visits


def visible_visits(
    user: User, *, day: dt.date | None = None, until: dt.date | None = None, findings: bool = False,
) -> tuple[QuerySet[Visit], dict[int, str]]:
    """The visits of the user's clinics (on `day`, or from `day` through `until`) and the user's
    role per clinic. Logs nothing: the caller logs what it shows with `visits_log_listed`.
    With `findings`, only the clinics where the user's role reads findings."""
    if not user.is_authenticated:
        return Visit.objects.none(), {}
    roles = dict(StaffMember.objects.filter(user=user).values_list("clinic_id", "role"))
    if findings:
        roles = {clinic_id: role for clinic_id, role in roles.items() if role in CLINICAL_ROLES}
    visits = Visit.objects.filter(session__clinic_id__in=roles).select_related("session__clinic", "patient", "pathway")
    if day is not None and until is not None:
        visits = visits.filter(session__date__range=(day, until))
    elif day is not None:
        visits = visits.filter(session__date=day)
    return visits.order_by("session__date", "session__clinic__name", "code"), roles


def visits_log_listed(
    user: User, visits: Iterable[Visit], *, roles: dict[int, str], what: str, detail: str = "",
    action: Action = Action.LIST,
) -> None:
    """One access-log row per patient shown in a list, with the user's role in that clinic."""
    by_clinic: dict[int, list[tuple[int, int]]] = {}
    for visit in visits:
        by_clinic.setdefault(visit.session.clinic_id, []).append((visit.patient_id, visit.pk))
    for clinic_id, subjects in by_clinic.items():
        access_events_record_many(user=user, action=action, what=what, subjects=subjects,
                                  role=roles[clinic_id], clinic_id=clinic_id, detail=detail)


# --- a morning ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionAccess:
    session: ClinicSession
    membership: StaffMember

    @property
    def role(self) -> str:
        return self.membership.role


def _session_check(
    user: User, session_id: int, *, roles: Collection[str] | None, lock: bool, action: Action, what: str,
) -> tuple[SessionAccess | None, dict, Refusal | None]:
    queryset = ClinicSession.objects.select_related("clinic")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    session = queryset.filter(pk=session_id).first()
    membership = membership_for(user, session.clinic_id) if session else None
    log = {"user": user, "action": action, "what": what, "clinic_id": session.clinic_id if session else None,
           "role": membership.role if membership else "", "detail": f"session={session_id}"}
    if session is None:
        return None, log, Refusal(NotInYourClinics, _("No such morning in your clinics."), "no such session")
    if membership is None:
        return None, log, Refusal(NotInYourClinics, _("No such morning in your clinics."), "not in the clinic team")
    if roles is not None and membership.role not in roles:
        return None, log, role_refusal(membership.role)
    return SessionAccess(session=session, membership=membership), log, None


def session_checked(
    user: User, session_id: int, *, roles: Collection[str] | None = None, lock: bool = False,
    action: Action = Action.READ, what: str = "session",
) -> SessionAccess:
    """The check of `session_for_user`, logging only a refusal: for a page that logs, one row
    each, the patients it then shows (the day view, the board)."""
    access, log, refusal = _session_check(user, session_id, roles=roles, lock=lock, action=action, what=what)
    if refusal is not None:
        refusal.raise_logged(log)
    return access


def session_for_user(
    user: User, session_id: int, *, roles: Collection[str] | None = None, lock: bool = False,
    action: Action = Action.READ, what: str = "session",
) -> SessionAccess:
    """A clinic morning, if `user` is in its clinic's team (with `roles`: in one of them).

    As `visit_for_user`: outside the team "not found", a role without the right "forbidden",
    and one access-log row per call (the morning itself, no patient; a page or answer that
    then shows patients logs them as it shows them).
    """
    access, log, refusal = _session_check(user, session_id, roles=roles, lock=lock, action=action, what=what)
    if refusal is not None:
        refusal.raise_logged(log)
    access_event_record(**log)
    return access


@contextmanager
def session_attempt(
    user: User, session_id: int, *, roles: Collection[str] | None = None, what: str,
) -> Iterator[WriteAttempt]:
    """A write to the morning (a walk-in, an absence, a plan job): as `visit_attempt`."""
    access, log, refusal = _session_check(user, session_id, roles=roles, lock=False, action=Action.WRITE, what=what)
    if refusal is not None:
        refusal.raise_logged(log)
    with write_attempt(access, log) as attempt:
        yield attempt


@dataclass(frozen=True)
class MorningAccess:
    session: ClinicSession
    membership: StaffMember
    visits: list[Visit]


def visits_shown(session: ClinicSession) -> list[Visit]:
    """Every visit of the morning except cancelled ones, with its steps, lags and resources."""
    steps = VisitStep.objects.select_related("step").prefetch_related(
        Prefetch("allocations",
                 queryset=VisitStepResource.objects.select_related("resource").order_by("phase", "position")),
        Prefetch("step__predecessors", queryset=StepPrecedence.objects.select_related("after")),
    )
    return list(
        Visit.objects.filter(session=session).exclude(status=VisitStatus.CANCELLED)
        .select_related("patient", "pathway").prefetch_related(Prefetch("steps", queryset=steps))
        .order_by("code")
    )


def morning_for_user(user: User, session_id: int, *, what: str, action: Action = Action.LIST) -> MorningAccess:
    """The morning and the visits shown on it (the board, the day view), if `user` is in its
    clinic's team. One row per patient shown."""
    access = session_checked(user, session_id, action=action, what=what)
    session = access.session
    visits = visits_shown(session)
    access_events_record_many(
        user=user, action=action, what=what, subjects=[(visit.patient_id, visit.pk) for visit in visits],
        role=access.role, clinic_id=session.clinic_id, detail=f"session={session.pk} date={session.date.isoformat()}",
    )
    return MorningAccess(session=session, membership=access.membership, visits=visits)


def form_patients_record(*, user: User, access: SessionAccess, form: forms.Form, what: str) -> None:
    """A morning's form that offers visits to choose from (the hand-over's "patient") names
    those patients: a row for each, as a list."""
    offered = [(visit.patient_id, visit.pk) for field in form.fields.values()
               if isinstance(field, forms.ModelChoiceField) and field.queryset.model is Visit
               for visit in field.queryset]
    if offered:
        session = access.session
        access_events_record_many(user=user, action=Action.LIST, what=what, subjects=offered, role=access.role,
                                  clinic_id=session.clinic_id,
                                  detail=f"session={session.pk} date={session.date.isoformat()}")


# --- plans and plan jobs (through their morning) ----------------------------------------------------


def _missing(user: User, what: str, key, action: Action, message: str) -> NoReturn:
    Refusal(NotInYourClinics, message, f"no such {what} {key}").raise_logged({"user": user, "action": action,
                                                                               "what": what})


def plan_job_for_user(
    user: User, job_id: uuid.UUID, *, roles: Collection[str] | None = None, action: Action = Action.READ,
) -> tuple[PlanJob, SessionAccess]:
    job = PlanJob.objects.select_related("session__clinic").filter(job_id=job_id).first()
    if job is None:
        _missing(user, "plan job", job_id, action, _("No such plan job in your clinics."))
    return job, session_for_user(user, job.session_id, roles=roles, action=action, what="plan job")


def plan_for_user(
    user: User, plan_id: int, *, roles: Collection[str] | None = None, action: Action = Action.READ,
) -> tuple[Plan, SessionAccess]:
    plan = Plan.objects.select_related("session__clinic", "job").filter(pk=plan_id).first()
    if plan is None:
        _missing(user, "plan", plan_id, action, _("No such plan in your clinics."))
    return plan, session_for_user(user, plan.session_id, roles=roles, action=action, what="plan")


@contextmanager
def plan_attempt(
    user: User, plan_id: int, *, roles: Collection[str] | None = None,
) -> Iterator[tuple[Plan, WriteAttempt]]:
    """A write to a plan (publishing it): as `session_attempt`, on the plan's morning."""
    plan = Plan.objects.select_related("session__clinic", "job").filter(pk=plan_id).first()
    if plan is None:
        _missing(user, "plan", plan_id, Action.WRITE, _("No such plan in your clinics."))
    with session_attempt(user, plan.session_id, roles=roles, what="plan") as attempt:
        yield plan, attempt


@contextmanager
def plan_job_attempt(
    user: User, job_id: uuid.UUID, *, roles: Collection[str] | None = None,
) -> Iterator[tuple[PlanJob, WriteAttempt]]:
    """A write to a plan job (cancelling it): as `session_attempt`, on the job's morning."""
    job = PlanJob.objects.select_related("session__clinic").filter(job_id=job_id).first()
    if job is None:
        _missing(user, "plan job", job_id, Action.WRITE, _("No such plan job in your clinics."))
    with session_attempt(user, job.session_id, roles=roles, what="plan job") as attempt:
        yield job, attempt

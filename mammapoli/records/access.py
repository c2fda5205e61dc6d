"""Patients, their referrals and the shared form, fetched only through these helpers (as
Zulip's `access_message`; the visits themselves: `planning.access`).

Each checks the user's place in the clinic team and writes one access-log row, allowed or
refused, with the clinic the patient belongs to (so its privacy officer sees a probe too).
Outside the clinic the answer is "not found" (the patient's existence is not revealed);
inside, a role without the right gets "forbidden".
"""

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q
from django.utils.translation import gettext as _

from mammapoli.audit.attempts import WriteAttempt, write_attempt
from mammapoli.audit.models import Action, Outcome
from mammapoli.audit.services import access_event_record, access_events_record_many
from mammapoli.clinics.access import Refusal, RoleMayNot, membership_for, role_refusal
from mammapoli.clinics.models import Role, StaffMember
from mammapoli.planning.access import visit_check
from mammapoli.planning.models import Visit

from .errors import PatientDataForbidden, PatientDataNotFound
from .models import Patient, Referral
from .sections import SECTION_WRITERS

User = AbstractBaseUser | AnonymousUser


@contextmanager
def visit_write(user: User, visit_id: int, *, section: str, what: str) -> Iterator[WriteAttempt]:
    """Check that `user` may write `section` of the visit's form, then run the write in a transaction.

    One access-log row per attempt, with its outcome: refused (404 outside the team, 403 for
    a role that does not write this section) before anything starts; allowed, in the write's
    own transaction, when it commits; refused, after the rollback, when the write raises
    (stale version, signed section, invalid content…), so the refusal outlives the rollback.
    """
    access, log, refusal = visit_check(user, visit_id, findings=True, action=Action.WRITE, what=what)
    if refusal is None and SECTION_WRITERS.get(section) != access.role:
        refusal = Refusal(PatientDataForbidden, _("Your role does not write this section."),
                          f"role {access.role} does not write {section}")
    if refusal is not None:
        refusal.raise_logged(log)
    with write_attempt(access, log) as attempt:
        yield attempt


# --- the access log of a patient, for the privacy officer -----------------------------------------


@dataclass(frozen=True)
class PatientLogAccess:
    patient: Patient
    clinic_ids: tuple[int, ...]  # the clinics whose access log the privacy officer may read for this patient


def patient_clinic_ids(patient_id: int) -> set[int]:
    """The clinics a patient belongs to: her own, and where she has a visit or a referral."""
    own = Patient.objects.filter(pk=patient_id).values_list("clinic_id", flat=True)
    visits = Visit.objects.filter(patient_id=patient_id).values_list("session__clinic_id", flat=True)
    referrals = Patient.objects.filter(pk=patient_id).values_list("referrals__clinic_id", flat=True)
    return {clinic_id for clinic_id in [*own, *visits, *referrals] if clinic_id is not None}


def _roles_of(user: User) -> dict[int, str]:
    if not user.is_authenticated:
        return {}
    return dict(StaffMember.objects.filter(user=user).values_list("clinic_id", "role"))


def patient_log_for_user(user: User, patient_id: int, *, what: str = "access log") -> PatientLogAccess:
    """A patient's access log, for a privacy officer of one of her clinics. Logged (action read).

    Outside her clinics: not found. In her clinic's team but not a privacy officer: forbidden.
    A refusal is logged with her clinic, so its privacy officer sees the probe.
    """
    patient = Patient.objects.filter(pk=patient_id).first()
    roles = _roles_of(user)
    hers = sorted(patient_clinic_ids(patient_id)) if patient else []
    shared = [clinic_id for clinic_id in hers if clinic_id in roles]
    officer_of = tuple(clinic_id for clinic_id in shared if roles[clinic_id] == Role.PRIVACY_OFFICER)
    clinic_id = (officer_of or shared or hers or [None])[0]
    log = {"user": user, "action": Action.READ, "what": what, "patient_id": patient.pk if patient else None,
           "clinic_id": clinic_id, "role": roles.get(clinic_id, "")}
    if not shared:
        Refusal(PatientDataNotFound, _("No such patient in your clinics."),
                "not in the clinic team" if patient else "no such patient").raise_logged(log)
    if not officer_of:
        Refusal(PatientDataForbidden, _("Only a privacy officer of the patient's clinic reads the access log."),
                f"role {log['role']} does not read the access log").raise_logged(log)
    access_event_record(**log, detail=f"clinics {','.join(map(str, officer_of))}" if len(officer_of) > 1 else "")
    return PatientLogAccess(patient=patient, clinic_ids=officer_of)


def patients_search_for_privacy_officer(user: User, query: str, *, limit: int = 50) -> list[Patient]:
    """Patients of the clinics where `user` is privacy officer whose hospital number is `query`
    or whose family name starts with it. One SEARCH row per patient found; anyone else is
    refused (403), and the refusal is logged in the clinics she works for."""
    query = query.strip()
    roles = _roles_of(user)
    clinic_ids = sorted(clinic_id for clinic_id, role in roles.items() if role == Role.PRIVACY_OFFICER)
    if not clinic_ids:
        refusal = Refusal(RoleMayNot, _("Only a privacy officer searches the access log."), "not a privacy officer")
        detail = f"query={query} {refusal.detail}" if query else refusal.detail
        for clinic_id in sorted(roles) or [None]:
            access_event_record(user=user, action=Action.SEARCH, what="patient search", outcome=Outcome.DENIED,
                                clinic_id=clinic_id, role=roles.get(clinic_id, ""), detail=detail)
        raise refusal.error(refusal.message)
    if not query:
        return []
    patients = list(
        Patient.objects.filter(Q(hospital_number=query) | Q(family_name__istartswith=query))
        .filter(Q(clinic_id__in=clinic_ids) | Q(visits__session__clinic_id__in=clinic_ids)
                | Q(referrals__clinic_id__in=clinic_ids))
        .distinct().order_by("family_name", "given_name")[:limit]
    )
    if patients:
        access_events_record_many(user=user, action=Action.SEARCH, what="patient search",
                                  subjects=[(patient.pk, None) for patient in patients],
                                  role=Role.PRIVACY_OFFICER, clinic_id=clinic_ids[0] if len(clinic_ids) == 1 else None,
                                  detail=f"query={query}")
    return patients


# --- referrals ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralAccess:
    referral: Referral
    membership: StaffMember


def referral_for_user(
    user: User, referral_id: int, *, roles: Collection[str] | None = None, action: Action = Action.READ,
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
        Refusal(PatientDataNotFound, _("No such referral in your clinics."),
                "not in the clinic team" if referral else "no such referral").raise_logged(log)
    if roles is not None and membership.role not in roles:
        role_refusal(membership.role, PatientDataForbidden).raise_logged(log)
    access_event_record(**log)
    return ReferralAccess(referral=referral, membership=membership)


def referrals_awaiting_booking(user: User, *, roles: Collection[str], limit: int = 50) -> list[Referral]:
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

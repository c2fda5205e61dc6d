"""Finding a patient: by name, hospital number or date of birth, in the user's own clinics.

Planners and the team members who read findings search; what they find is the patients with
a visit or a referral in one of their clinics, and nothing of any other clinic (a user of
another clinic finds nobody, and is told no more than that). Every search is logged: a
SEARCH row per patient found, and one row without a patient when nobody matches. Opening a
patient found is a READ of that patient, logged as well.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from mammapoli.audit.models import Action, Outcome
from mammapoli.audit.services import access_event_record, access_events_record_many
from mammapoli.clinics.models import Role, StaffMember
from mammapoli.clinics.roles import CLINICAL_ROLES
from mammapoli.planning.models import Visit

from .errors import PatientDataNotFound
from .models import Patient, Referral

#: Who searches for patients (the privacy officer has her own search, of the access log).
SEARCH_ROLES = CLINICAL_ROLES | {Role.PLANNER}
MIN_QUERY = 2
LIMIT = 50
_DATE_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d", "%d%m%Y")

User = AbstractBaseUser | AnonymousUser


def search_roles_for(user: User) -> dict[int, str]:
    """The user's role per clinic where she may search for patients."""
    if not user.is_authenticated:
        return {}
    return {clinic_id: role for clinic_id, role in
            StaffMember.objects.filter(user=user).values_list("clinic_id", "role") if role in SEARCH_ROLES}


def _date_in(query: str) -> dt.date | None:
    for pattern in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(query, pattern).date()
        except ValueError:
            continue
    return None


def _matching(query: str) -> Q:
    """A date of birth (12-04-1998, 1998-04-12, 12041998), a hospital number (its start), or
    names: every word in the given or the family name."""
    condition = Q(hospital_number__iexact=query) | Q(hospital_number__istartswith=query)
    born = _date_in(query)
    if born is not None:
        condition |= Q(date_of_birth=born)
    words = [word for word in re.split(r"\s+", query) if word]
    if words and born is None:
        by_name = Q()
        for word in words:
            by_name &= Q(given_name__icontains=word) | Q(family_name__icontains=word)
        condition |= by_name
    return condition


def _in_clinics(clinic_ids) -> Q:
    return Q(visits__session__clinic_id__in=clinic_ids) | Q(referrals__clinic_id__in=clinic_ids)


@dataclass(frozen=True)
class PatientSearch:
    query: str
    patients: tuple[Patient, ...] = ()
    too_short: bool = False
    truncated: bool = False


def patients_search_for_user(user: User, query: str, *, limit: int = LIMIT) -> PatientSearch:
    """The patients of the user's clinics matching `query` (see `_matching`), logged."""
    query = " ".join(query.split())
    if len(query) < MIN_QUERY:
        return PatientSearch(query=query, too_short=bool(query))
    roles = search_roles_for(user)
    found = list(Patient.objects.filter(_matching(query)).filter(_in_clinics(roles)).distinct()
                 .order_by(Lower("family_name"), Lower("given_name"), "date_of_birth", "pk")[:limit + 1]) if roles else []
    patients = found[:limit]
    clinic_of = _first_clinic(patients, roles)
    detail = f"query={query}"
    for clinic_id in sorted(set(clinic_of.values())):
        access_events_record_many(user=user, action=Action.SEARCH, what="patient search", role=roles[clinic_id],
                                  clinic_id=clinic_id, detail=detail,
                                  subjects=[(p.pk, None) for p in patients if clinic_of[p.pk] == clinic_id])
    if not patients:
        clinic_id = min(roles) if roles else None
        access_event_record(user=user, action=Action.SEARCH, what="patient search", clinic_id=clinic_id,
                            role=roles.get(clinic_id, "") if clinic_id else "",
                            detail=detail + ("" if roles else " (not in a team that searches)"))
    return PatientSearch(query=query, patients=tuple(patients), truncated=len(found) > limit)


def _first_clinic(patients, roles: dict[int, str]) -> dict[int, int]:
    """For the log: per patient, the first of the user's clinics she belongs to."""
    ids = [p.pk for p in patients]
    pairs = set(Visit.objects.filter(patient_id__in=ids, session__clinic_id__in=roles)
                .values_list("patient_id", "session__clinic_id"))
    pairs |= set(Referral.objects.filter(patient_id__in=ids, clinic_id__in=roles).values_list("patient_id", "clinic_id"))
    result: dict[int, int] = {}
    for patient_id, clinic_id in sorted(pairs):
        result.setdefault(patient_id, clinic_id)
    return result


@dataclass(frozen=True)
class PatientRecord:
    """A patient found, as her page shows her: her visits and referrals in the user's clinics."""

    patient: Patient
    roles: dict[int, str]
    visits: QuerySet[Visit]
    referrals: QuerySet[Referral]

    def reads_findings(self, clinic_id: int) -> bool:
        return self.roles.get(clinic_id) in CLINICAL_ROLES

    def plans(self, clinic_id: int) -> bool:
        return self.roles.get(clinic_id) == Role.PLANNER


def patient_for_user(user: User, patient_id: int) -> PatientRecord:
    """A patient of the user's clinics with her visits and referrals there (logged as a read);
    anyone else gets "not found" (logged as refused)."""
    roles = search_roles_for(user)
    patient = Patient.objects.filter(pk=patient_id).filter(_in_clinics(roles)).distinct().first() if roles else None
    if patient is None:  # logged in her clinic, so its privacy officer sees the probe
        target = Patient.objects.filter(pk=patient_id).values("pk", "clinic_id").first() or {}
        access_event_record(user=user, action=Action.READ, what="patient", outcome=Outcome.DENIED,
                            patient_id=target.get("pk"), clinic_id=target.get("clinic_id"),
                            detail="not in the clinic team" if target else "no such patient")
        raise PatientDataNotFound(_("No such patient in your clinics."))
    visits = (Visit.objects.filter(patient=patient, session__clinic_id__in=roles)
              .select_related("session__clinic", "pathway", "referral").order_by("-session__date"))
    referrals = (Referral.objects.filter(patient=patient, clinic_id__in=roles).select_related("clinic")
                 .prefetch_related("visits__session").order_by("-received_on", "-id"))
    clinic_id = min(set(visits.values_list("session__clinic_id", flat=True))
                    | set(referrals.values_list("clinic_id", flat=True)))
    access_event_record(user=user, action=Action.READ, what="patient", patient_id=patient.pk, clinic_id=clinic_id,
                        role=roles[clinic_id])
    return PatientRecord(patient=patient, roles=roles, visits=visits, referrals=referrals)

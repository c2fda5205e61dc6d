"""Reads of the FHIR interface, each through the access helpers of the rest of the code, so the
rights (outside the team: not found; a role without the right: forbidden) and the access log
(one row per read, per patient listed) are the same as on the pages and the REST API."""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mammapoli.audit.models import Action, Outcome
from mammapoli.audit.services import access_event_record
from mammapoli.clinics.access import NotInYourClinics
from mammapoli.clinics.models import Clinic, Pathway, StaffMember
from mammapoli.clinics.selectors import active_pathway, active_pathways
from mammapoli.letters.models import GpLetter
from mammapoli.letters.selectors import latest_letter_id
from mammapoli.planning.booking_search import HORIZON_WORKING_DAYS
from mammapoli.planning.models import Visit, VisitStep
from mammapoli.planning.working_days import add_working_days
from mammapoli.planning.access import visible_visits, visit_for_user, visits_log_listed
from mammapoli.records.access import patient_clinic_ids, referral_for_user
from mammapoli.records.errors import PatientDataForbidden, PatientDataNotFound
from mammapoli.records.models import ChangeKind, FormSection, Referral, SectionVersion

from . import codes
from .build.results import Released
from .outcome import invalid, not_found

STEPS = Prefetch("steps", queryset=VisitStep.objects.select_related("step").prefetch_related(
    "allocations__resource__kind"))


def _with_steps(visits: QuerySet[Visit]) -> QuerySet[Visit]:
    return visits.select_related("session__clinic", "patient", "pathway").prefetch_related(STEPS)


def appointment_visit_for_user(user: AbstractBaseUser | AnonymousUser, visit_id: int) -> Visit:
    """A visit as an Appointment: anyone in its clinic's team (the planner too)."""
    visit_for_user(user, visit_id, what="FHIR Appointment")
    return _with_steps(Visit.objects.filter(pk=visit_id)).get()


def appointment_visits_for_user(
    user: AbstractBaseUser | AnonymousUser, *, patient_id: int | None, dates: list[tuple[str, dt.date]], query: str,
) -> list[Visit]:
    """The visits of the user's clinics for `patient_id` and within `dates` ((prefix, day) pairs:
    eq, ge, gt, le, lt), listed: one LIST row per patient shown."""
    visits, roles = visible_visits(user)
    if patient_id is not None:
        if not patient_clinic_ids(patient_id) & set(roles):
            access_event_record(user=user, action=Action.LIST, what="FHIR Appointment search", outcome=Outcome.DENIED,
                                detail=f"patient={patient_id} not in the clinic team")
            raise PatientDataNotFound(_("No such patient in your clinics."))
        visits = visits.filter(patient_id=patient_id)
    lookups = {"eq": "", "ge": "__gte", "gt": "__gt", "le": "__lte", "lt": "__lt"}
    for prefix, day in dates:
        visits = visits.filter(**{f"session__date{lookups[prefix]}": day})
    shown = list(_with_steps(visits).order_by("session__date", "code")[:500])
    visits_log_listed(user, shown, roles=roles, what="FHIR Appointment search", detail=query[:300])
    return shown


def _released(visit: Visit) -> Released:
    sections = {section.key: section for section in FormSection.objects.filter(
        form__visit=visit, signed_version__isnull=False).select_related("signed_by")}
    amended = frozenset(SectionVersion.objects.filter(section__in=sections.values(), kind=ChangeKind.ADDENDUM)
                        .values_list("section__key", flat=True))
    return Released(visit=visit, sections=sections, amended=amended, letter_id=latest_letter_id(visit.pk))


def released_for_user(user: AbstractBaseUser | AnonymousUser, visit_id: int, *, what: str) -> Released:
    """The signed sections of a visit's form: for the roles that read findings (not the planner)."""
    access = visit_for_user(user, visit_id, findings=True, what=what)
    return _released(access.visit)


def _patient_visits_with_findings(user, patient_id: int, *, what: str) -> tuple[list[Visit], dict[int, str]]:
    """A patient's visits in the clinics where the user reads findings. Not one of her
    clinics: not found; only in a role that does not read findings: forbidden (both logged)."""
    visits, roles = visible_visits(user, findings=True)
    visits = list(visits.filter(patient_id=patient_id))
    if not visits:
        others, any_roles = visible_visits(user)
        other = others.filter(patient_id=patient_id).first()
        if other is None:
            access_event_record(user=user, action=Action.LIST, what=what, outcome=Outcome.DENIED,
                                detail=f"patient={patient_id} not in the clinic team")
            raise PatientDataNotFound(_("No such patient in your clinics."))
        role = any_roles[other.session.clinic_id]
        access_event_record(user=user, action=Action.LIST, what=what, outcome=Outcome.DENIED, role=role,
                            clinic_id=other.session.clinic_id, patient_id=patient_id,
                            detail=f"role {role} does not read findings")
        raise PatientDataForbidden(_("Your role does not read the findings."))
    return visits, roles


def released_for_patient(user: AbstractBaseUser | AnonymousUser, patient_id: int, *, what: str) -> list[Released]:
    """The signed results of every visit of a patient in the clinics where the user reads
    findings. One LIST row per visit whose results are shown."""
    visits, roles = _patient_visits_with_findings(user, patient_id, what=what)
    released = [_released(visit) for visit in visits]
    shown = [item for item in released if item.sections]
    visits_log_listed(user, [item.visit for item in shown], roles=roles, what=what, detail=f"patient={patient_id}")
    return shown


def referral_of_user(user: AbstractBaseUser | AnonymousUser, referral_id: int) -> Referral:
    referral = referral_for_user(user, referral_id, what="FHIR ServiceRequest").referral
    return Referral.objects.select_related("clinic", "patient", "received_as").get(pk=referral.pk)


def letters_of_patient(user: AbstractBaseUser | AnonymousUser, patient_id: int) -> list[GpLetter]:
    """The GP letters of a patient's visits (as `released_for_patient`), newest first."""
    what = "FHIR DocumentReference search"
    visits, roles = _patient_visits_with_findings(user, patient_id, what=what)
    letters = list(GpLetter.objects.filter(visit__in=visits).select_related(
        "visit__session__clinic", "visit__patient", "replaced_by").order_by("-created_at", "-version"))
    shown = {letter.visit_id: letter.visit for letter in letters}
    visits_log_listed(user, shown.values(), roles=roles, what=what, detail=f"patient={patient_id}")
    return letters


# --- the clinic's mornings (no patient data: the reads are logged without a patient) ---------


def clinic_for_user(user: AbstractBaseUser | AnonymousUser, schedule_id: str | None, *, what: str) -> Clinic:
    """The clinic `schedule_id` (a Schedule id: the clinic's id) if the user is in its team;
    without one, the user's only clinic. Logged."""
    memberships = {m.clinic_id: m for m in StaffMember.objects.filter(user=user).select_related("clinic")} \
        if user.is_authenticated else {}
    if schedule_id is None:
        if len(memberships) != 1:
            raise invalid("schedule", "Name the clinic: schedule=Schedule/[id] (see GET /fhir/Schedule).",
                          code="required")
        membership = next(iter(memberships.values()))
    else:
        membership = memberships.get(int(schedule_id)) if schedule_id.isdigit() else None
        if membership is None:
            clinic_id = int(schedule_id) if schedule_id.isdigit() and len(schedule_id) < 19 else None
            access_event_record(user=user, action=Action.READ, what=what, outcome=Outcome.DENIED,
                                clinic_id=Clinic.objects.filter(pk=clinic_id).values_list("pk", flat=True).first(),
                                detail=f"schedule={schedule_id[:40]} not in the clinic team")
            raise NotInYourClinics(_("No such clinic among yours."))
    access_event_record(user=user, action=Action.READ, what=what, clinic_id=membership.clinic_id,
                        role=membership.role)
    return membership.clinic


def pathway_for(clinic: Clinic, service_type: str) -> Pathway:
    """`code` or `system|code` (the pathway code system) -> the clinic's active pathway."""
    system, _bar, code = service_type.rpartition("|")
    if system and system != codes.pathway_system():
        raise invalid("service-type", f"Use the pathway code system {codes.pathway_system()}.", code="value")
    try:
        return active_pathway(clinic.pk, code, field="service-type")
    except ValidationError:
        raise invalid("service-type", f"Not an active pathway of this clinic: {code}.", code="not-found") from None


def slot_clinic_day(user: AbstractBaseUser | AnonymousUser, slot_id: str) -> tuple[Clinic, dt.date]:
    clinic_id, _dash, day = slot_id.partition("-")
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise not_found("id", "No such Slot: its id is [schedule id]-[YYYY-MM-DD].") from None
    return clinic_for_user(user, clinic_id, what="FHIR Slot"), date


def schedule_parts(clinic: Clinic) -> tuple[Clinic, list[Pathway], tuple[dt.date, dt.date]]:
    """A clinic's Schedule: its active pathways, and the horizon the booking search looks at."""
    today = timezone.localdate()
    horizon = (add_working_days(today, 1), add_working_days(today, HORIZON_WORKING_DAYS + 5))
    return clinic, list(active_pathways(clinic.pk)), horizon


def schedules_for_user(user: AbstractBaseUser | AnonymousUser):
    clinics = Clinic.objects.filter(staff__user=user).distinct().order_by("name") if user.is_authenticated else []
    found = [schedule_parts(clinic) for clinic in clinics]
    for clinic in clinics:
        access_event_record(user=user, action=Action.LIST, what="FHIR Schedule search", clinic_id=clinic.pk)
    return found

"""Reading the access log: a privacy officer, for the clinics she is officer of — one patient's
log, or the whole log of her clinics for a day. Every look is logged before the rows are read,
so it shows in what it returns; an export is logged as an export."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from mammapoli.clinics.models import Role, StaffMember
from mammapoli.records.access import patient_log_for_user
from mammapoli.records.models import Patient

from .filters import AccessLogFilter
from .models import AccessEvent, Action, Outcome
from .services import access_event_record, access_events_record_many

PAGE_SIZE = 100


def is_privacy_officer(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether `user` is privacy officer of some clinic."""
    return user.is_authenticated and user.memberships.filter(role=Role.PRIVACY_OFFICER).exists()


def access_log_for_user(
    user: AbstractBaseUser | AnonymousUser, patient_id: int,
) -> tuple[Patient, QuerySet[AccessEvent]]:
    """The patient and her access log in the officer's clinics, newest first. The look is logged
    before the rows are read, so it shows in what it returns."""
    access = patient_log_for_user(user, patient_id)
    events = AccessEvent.objects.filter(patient_id=access.patient.pk, clinic_id__in=access.clinic_ids)
    return access.patient, _readable(events)


@dataclass(frozen=True)
class ClinicLog:
    clinic_ids: tuple[int, ...]
    events: QuerySet[AccessEvent]


def clinic_log_for_user(user: AbstractBaseUser | AnonymousUser) -> ClinicLog:
    """The access log of every clinic where `user` is privacy officer, newest first; anyone else
    is refused (and the refusal logged). Not logged yet: what is shown is (`clinic_log_page`)."""
    roles = (dict(StaffMember.objects.filter(user=user).values_list("clinic_id", "role"))
             if user.is_authenticated else {})
    officer_of = tuple(sorted(clinic for clinic, role in roles.items() if role == Role.PRIVACY_OFFICER))
    if not officer_of:
        clinic_id, role = next(iter(sorted(roles.items())), (None, ""))
        access_event_record(user=user, action=Action.LIST, what="access log", outcome=Outcome.DENIED, role=role,
                            clinic_id=clinic_id, detail=f"role {role} does not read the access log" if role
                            else "not in the clinic team")
        raise PermissionDenied(_("Only a privacy officer reads the access log."))
    return ClinicLog(clinic_ids=officer_of,
                     events=_readable(AccessEvent.objects.filter(clinic_id__in=officer_of)))


def clinic_log_page(
    user: AbstractBaseUser | AnonymousUser, log: ClinicLog, log_filter: AccessLogFilter, page_number: str | int,
) -> Page:
    """One page of the filtered log; each patient on it is logged as listed (the page names her)."""
    page = filtered_page(log.events, log_filter, page_number)
    subjects = sorted({(event.patient_id, None) for event in page if event.patient_id is not None})
    access_events_record_many(user=user, action=Action.LIST, what="access log", subjects=subjects,
                              role=Role.PRIVACY_OFFICER, clinic_id=_one(log.clinic_ids),
                              detail=log_filter.describe())
    return page


def clinic_log_export(
    user: AbstractBaseUser | AnonymousUser, log: ClinicLog, log_filter: AccessLogFilter,
) -> Iterator[AccessEvent]:
    """Every row of the filtered log, for a CSV file. Logged first: an export row per patient in
    it, and one for the export itself (no patient)."""
    events = log_filter.apply(log.events)
    patient_ids = sorted(set(events.exclude(patient_id=None).values_list("patient_id", flat=True)))
    _log_export(user, log.clinic_ids, log_filter, patient_ids)
    return events.iterator(chunk_size=2000)


def patient_log_export(
    user: AbstractBaseUser | AnonymousUser, patient_id: int, log_filter: AccessLogFilter,
) -> tuple[Patient, Iterator[AccessEvent]]:
    """A patient's filtered log for a CSV file: the look (checked and logged as her page is) and
    the export are both logged."""
    access = patient_log_for_user(user, patient_id)
    events = log_filter.apply(_readable(AccessEvent.objects.filter(patient_id=access.patient.pk,
                                                                   clinic_id__in=access.clinic_ids)))
    _log_export(user, access.clinic_ids, log_filter, [access.patient.pk])
    return access.patient, events.iterator(chunk_size=2000)


def filtered_page(events: QuerySet[AccessEvent], log_filter: AccessLogFilter, page_number: str | int) -> Page:
    """A page of `events` as filtered (a bad page number is the nearest page)."""
    return Paginator(log_filter.apply(events), PAGE_SIZE).get_page(page_number)


def _log_export(user, clinic_ids: tuple[int, ...], log_filter: AccessLogFilter, patient_ids: list[int]) -> None:
    fields = {"user": user, "action": Action.EXPORT, "what": "access log", "role": Role.PRIVACY_OFFICER,
              "clinic_id": _one(clinic_ids), "detail": log_filter.describe()}
    access_event_record(**fields)
    # Exports are never merged into earlier rows: a row per patient, each time.
    access_events_record_many(**fields, subjects=[(patient_id, None) for patient_id in patient_ids])


def _readable(events: QuerySet[AccessEvent]) -> QuerySet[AccessEvent]:
    """Newest first, with the user's full name and the patient's number at hand."""
    return events.select_related("user", "patient").order_by("-at", "-id")


def _one(clinic_ids: tuple[int, ...]) -> int | None:
    return clinic_ids[0] if len(clinic_ids) == 1 else None

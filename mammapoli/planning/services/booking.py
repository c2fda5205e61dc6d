"""Booking a referral into a morning: the visit, its planned steps and its resource bookings."""

import datetime as dt
import re

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mammapoli.audit.models import Action
from mammapoli.audit.services import access_event_record
from mammapoli.clinics.models import Clinic, Pathway, Resource
from mammapoli.clinics.names import clinic_names
from mammapoli.core.bounds import validate_booking_day
from mammapoli.planning.adapter import session_problem
from mammapoli.planning.booking_search import MorningTry, fit_into, new_patient
from mammapoli.planning.clock import aware, clock
from mammapoli.planning.engine import Insertion
from mammapoli.planning.errors import BookingConflict
from mammapoli.planning.models import OPEN_VISIT_STATUSES, ClinicSession, Visit, VisitStep
from mammapoli.planning.working_days import holiday_name, is_working_day
from mammapoli.records.models import Referral
from mammapoli.records.services import visit_form_ensure

from .bookings import planned_resources_write
from .versions import morning_changed


def session_get_or_create_locked(*, clinic: Clinic, day: dt.date) -> ClinicSession:
    """The clinic's morning on `day` (created from the clinic's default hours), row-locked for
    the rest of the transaction: every write to a morning goes through this lock."""
    session, _created = ClinicSession.objects.get_or_create(
        clinic=clinic, date=day, defaults={"start": clinic.default_start, "end": clinic.default_end})
    return ClinicSession.objects.select_for_update().select_related("clinic").get(pk=session.pk)


def visit_code_next(session: ClinicSession, prefix: str = "P") -> str:
    """The next free code with `prefix` on this morning: P01, P02, … (W01 for walk-ins)."""
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
    numbers = [int(m.group(1)) for code in session.visits.values_list("code", flat=True) if (m := pattern.match(code))]
    return f"{prefix}{max(numbers, default=0) + 1:02d}"


def visit_steps_create(*, visit: Visit, placement: Insertion | None = None) -> list[VisitStep]:
    """A visit step per step of the visit's pathway; with `placement`, planned and booked."""
    session = visit.session
    steps = {s.code: s for s in visit.pathway.steps.all()}
    placed = {p.step: p for p in placement.steps} if placement else {}
    visit_steps = []
    for code, step in steps.items():
        at = placed.get(code)
        visit_steps.append(VisitStep.objects.create(
            visit=visit, step=step,
            planned_start=aware(session.date, clock(at.start)) if at else None,
            planned_end=aware(session.date, clock(at.end)) if at else None))
    if placement is None:
        return visit_steps
    resources = {r.code: r for r in Resource.objects.filter(
        clinic_id=session.clinic_id, code__in={c for p in placement.steps for c in p.resources})}
    planned_resources_write(session=session, steps=[
        (vs, [resources[code] for code in placed[vs.step.code].resources]) for vs in visit_steps])
    return visit_steps


def _refuse_if_booked(referral: Referral) -> None:
    """A referral has at most one visit still to come or under way (the database agrees)."""
    booked = referral.visits.filter(status__in=OPEN_VISIT_STATUSES).select_related("session").first()
    if booked is not None:
        raise ValidationError({"referral": _("This referral is already booked on %(date)s (%(code)s).") % {
            "date": date_format(booked.session.date), "code": booked.code}})


def _check_booking_input(*, referral: Referral, pathway: Pathway, day: dt.date, today: dt.date) -> None:
    if pathway.clinic_id != referral.clinic_id or not pathway.active:
        raise ValidationError({"pathway": _("Not an active pathway of this clinic.")})
    if day <= today:
        raise ValidationError({"date": _("Book a coming morning; on the day itself, add a walk-in.")})
    try:
        validate_booking_day(day)
    except ValidationError as error:
        raise ValidationError({"date": error.messages}) from None
    if not is_working_day(day):
        holiday = holiday_name(day)
        raise ValidationError({"date": _("%(date)s is %(holiday)s: the clinic is closed.") % {
            "date": formats.date_format(day, "DATE_FORMAT"), "holiday": holiday} if holiday else
            _("The clinic holds mornings on working days only.")})


@transaction.atomic
def visit_book(
    *,
    user: AbstractBaseUser | None,
    referral: Referral,
    pathway: Pathway,
    day: dt.date,
    arrival: dt.time,
    today: dt.date | None = None,
) -> Visit:
    """Book `referral` on `day` with the first step at `arrival`, around the published plan.

    Refuses with `BookingConflict` (nothing written) when the patient no longer fits at that
    time, e.g. because someone else booked the slot since the suggestion was made.
    """
    _check_booking_input(referral=referral, pathway=pathway, day=day, today=today or timezone.localdate())
    _refuse_if_booked(referral)
    session = session_get_or_create_locked(clinic=referral.clinic, day=day)
    if session.visits.filter(patient_id=referral.patient_id).exists():
        raise ValidationError({"date": _("This patient is already booked on that morning.")})
    arrival_minutes = arrival.hour * 60 + arrival.minute
    result = fit_into(session_problem(session), new_patient(pathway), arrival=arrival_minutes)
    if not isinstance(result, Insertion):
        reason = MorningTry(day, blocked=result, names=clinic_names(referral.clinic_id), pathway=pathway.code).message
        raise BookingConflict(_("The patient no longer fits at %(arrival)s: %(reason)s") % {
            "arrival": clock(arrival_minutes), "reason": reason}, detail={"date": day.isoformat()})
    visit = Visit(session=session, patient=referral.patient, referral=referral, pathway=pathway,
                  code=visit_code_next(session))
    visit.full_clean()
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError as exc:   # the same referral booked at this moment by someone else
        raise BookingConflict(_("This referral was booked by someone else meanwhile."),
                              detail={"referral": referral.pk}) from exc
    visit_steps_create(visit=visit, placement=result)
    visit_form_ensure(visit=visit)  # her shared form, so reading it is a pure read
    morning_changed(session=session)
    if user is not None:
        access_event_record(user=user, action=Action.WRITE, what="visit", patient_id=referral.patient_id,
                            visit_id=visit.pk, clinic_id=session.clinic_id,
                            detail=f"booked {day.isoformat()} {clock(arrival_minutes)}")
    return visit


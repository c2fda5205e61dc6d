"""A patient the morning's plan can no longer see is never silently lost: the planner books
her on the earliest morning that takes her (the booking flow she would have had), in one
click. That she left with her result to follow is `events.visit_leave`."""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mammapoli.audit.models import Action
from mammapoli.audit.services import access_event_record
from mammapoli.planning.booking_search import booking_suggestion
from mammapoli.planning.clock import clock
from mammapoli.planning.models import AllocationPhase, ResourceBooking, Visit, VisitStatus, VisitStepResource
from mammapoli.records.models import Complaint, Referral, Urgency
from mammapoli.records.patient_services import referral_create

from .booking import visit_book
from .events import visit_locked
from .versions import morning_changed


def visit_is_dropped(visit: Visit) -> bool:
    """On this morning, not started, and not on its published plan (no planned step)."""
    steps = list(visit.steps.all())
    return (visit.status in (VisitStatus.BOOKED, VisitStatus.ARRIVED)
            and not any(s.actual_start for s in steps) and not any(s.planned_start for s in steps))


def _referral_of(user, visit: Visit) -> Referral:
    """Her referral; a visit without one (a walk-in) gets one now, urgent when she was."""
    if visit.referral is not None:
        return visit.referral
    return referral_create(
        user=user, clinic=visit.session.clinic, patient=visit.patient, referring_gp=_("none (seen without one)"),
        complaint=Complaint.OTHER, urgency=Urgency.URGENT if visit.priority > 1 else Urgency.REGULAR,
        received_on=visit.session.date,
        reason=_("Not seen on %(date)s (%(code)s): rebooked from that morning.") % {
            "date": date_format(visit.session.date), "code": visit.code})


@transaction.atomic
def visit_rebook(*, user: AbstractBaseUser | None, visit: Visit, today: dt.date | None = None) -> Visit:
    """Book a patient whom the morning's plan leaves out on the earliest morning after
    `today` that takes her without moving anyone (her urgency target counted from her
    referral), on the same pathway. This visit becomes "rebooked". Refused, nothing written,
    when she is on the plan or under way, or when no morning takes her."""
    session, visit = visit_locked(visit)
    if not visit_is_dropped(visit):
        raise ValidationError({"visit": _("%(code)s is on this morning's plan or under way: only a patient the "
                                          "plan leaves out is rebooked.") % {"code": visit.code}})
    today = today or timezone.localdate()
    referral = _referral_of(user, visit)
    search = booking_suggestion(referral=referral, pathway=visit.pathway, today=today).search
    fit = search.fit if search else None
    if fit is None:
        raise ValidationError({"visit": _("No morning in the coming weeks takes %(code)s on %(pathway)s: "
                                          "book her by hand.") % {"code": visit.code, "pathway": visit.pathway}})
    visit.status = VisitStatus.REBOOKED
    visit.save(update_fields=["status"])
    ResourceBooking.objects.filter(visit_step__visit=visit).delete()
    VisitStepResource.objects.filter(visit_step__visit=visit, phase=AllocationPhase.PLANNED).delete()
    morning_changed(session=session)
    arrival = dt.time(*divmod(fit.placement.arrival, 60))
    new = visit_book(user=user, referral=referral, pathway=visit.pathway, day=fit.day, arrival=arrival, today=today)
    if user is not None:
        access_event_record(user=user, action=Action.WRITE, what="visit rebooked", patient_id=visit.patient_id,
                            visit_id=visit.pk, clinic_id=session.clinic_id,
                            detail=f"to {fit.day.isoformat()} {clock(fit.placement.arrival)} (visit {new.pk})")
    return new

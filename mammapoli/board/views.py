"""The day view, the clinic board, and the events entered on the board (each re-plans the rest
of the morning). Server-rendered, no JavaScript: each event is a small form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mammapoli.audit.models import Action
from mammapoli.planning.access import (
    form_patients_record,
    session_attempt,
    session_checked,
    session_for_user,
    visit_attempt,
    visit_checked,
)
from mammapoli.planning.models import ClinicSession, PlanJobStatus
from mammapoli.planning.permissions import EVENT_ROLES, PLANNERS
from mammapoli.planning.services.event_entry import resource_unavailable_enter, visit_event_enter, walk_in_enter
from mammapoli.planning.clock import aware
from mammapoli.planning.errors import Conflict
from mammapoli.planning.selectors import first_arrival, job_plan, session_absence, session_absences
from mammapoli.planning.services.dropped import visit_rebook
from mammapoli.planning.services.events import (
    EventOutcome,
    absence_shorten,
    absence_withdraw,
    visit_result_hand_over,
)
from mammapoli.web.form_errors import form_add_service_errors

from .chart import RESOURCES
from .forms import AbsenceForm, HandoverForm, ShortenForm, VisitEventForm, WalkInForm, WithdrawForm
from .my_patients import my_next_patients
from .selectors import board_for_user, day_view_for_user


@login_required
def day_view(request: HttpRequest, session_id: int) -> HttpResponse:
    view = day_view_for_user(request.user, session_id, rows=request.GET.get("rows", RESOURCES),
                             printing=request.GET.get("print") == "1")
    return render(request, "board/day_view.html", {"view": view})


@login_required
def board(request: HttpRequest, session_id: int) -> HttpResponse:
    return render(request, "board/board.html", {"board": board_for_user(request.user, session_id)})


@login_required
def my_patients(request: HttpRequest) -> HttpResponse:
    """A specialist's own steps this morning, in order, and where each patient is now."""
    return render(request, "board/my_patients.html", {"mine": my_next_patients(request.user)})


def _to_board(session: ClinicSession) -> HttpResponse:
    return redirect("board:board", session_id=session.pk)


def _after_event(request: HttpRequest, outcome: EventOutcome, role: str, session: ClinicSession) -> HttpResponse:
    """The planner goes on to the re-plan (who moves, whom to call, publish); the others back to the board."""
    job = outcome.job
    job.refresh_from_db()
    if job.status == PlanJobStatus.FAILED:
        messages.error(request, _("Recorded, but the re-plan failed: %(error)s") % {"error": job.error})
        return _to_board(session)
    if role not in PLANNERS:
        messages.success(request, _("Recorded. The planner publishes the re-plan."))
        return _to_board(session)
    plan = job_plan(job)
    if plan is None:  # a worker is still planning: its page follows the progress
        return redirect("planning:job", job_id=job.job_id)
    messages.success(request, _("Recorded and re-planned: check who moves and whom to call, then publish."))
    return redirect("planning:plan", plan_id=plan.pk)


def _problems(error: ValidationError) -> str:
    return " ".join(error.messages)


def _form_problems(form) -> str:
    return " ".join(f"{form.fields[field].label or field if field in form.fields else field}: {' '.join(problems)}"
                    for field, problems in form.errors.items())



@login_required
@require_POST
def visit_event(request: HttpRequest, visit_id: int) -> HttpResponse:
    """One button of a board row: arrived, started, finished, no-show, another pathway."""
    access = visit_checked(request.user, visit_id, roles=EVENT_ROLES, action=Action.WRITE, what="event")
    session = access.visit.session
    form = VisitEventForm(request.POST, session=session)
    if not form.is_valid():
        messages.error(request, f"{access.visit.code}: " + _form_problems(form))
        return _to_board(session)
    try:
        with visit_attempt(request.user, visit_id, roles=EVENT_ROLES, what="event") as attempt:
            outcome = visit_event_enter(user=request.user, access=attempt.access, **form.event_arguments())
    except ValidationError as error:
        messages.error(request, f"{access.visit.code}: " + _problems(error))
        return _to_board(session)
    return _after_event(request, outcome, access.role, session)


def _session_event_page(request: HttpRequest, session_id: int, *, what: str, form_class, template: str,
                        enter) -> HttpResponse:
    """A planner's event about the whole morning: the form, then `enter(access, form)` and the re-plan
    (one write attempt, logged with its outcome)."""
    posted = request.method == "POST"
    if posted:
        access = session_checked(request.user, session_id, roles=PLANNERS, action=Action.WRITE, what=what)
    else:
        access = session_for_user(request.user, session_id, roles=PLANNERS, what=what)
    form = form_class(request.POST if posted else None, session=access.session)
    if posted and form.is_valid():
        try:
            with session_attempt(request.user, session_id, roles=PLANNERS, what=what) as attempt:
                outcome = enter(attempt.access, form)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            return _after_event(request, outcome, access.role, access.session)
    form_patients_record(user=request.user, access=access, form=form, what=what)
    return render(request, template, {"session": access.session, "form": form,
                                      "absences": session_absences(access.session)})


@login_required
def walk_in(request: HttpRequest, session_id: int) -> HttpResponse:
    """A patient without a booking, here now: the planner types her in and the morning is re-planned."""
    return _session_event_page(
        request, session_id, what="walk-in", form_class=WalkInForm, template="board/walk_in.html",
        enter=lambda access, form: walk_in_enter(user=request.user, access=access, **form.walk_in_arguments()))


@login_required
def absence(request: HttpRequest, session_id: int) -> HttpResponse:
    """A doctor called away (or a device down) from a time: the rest of the morning is re-planned."""
    return _session_event_page(
        request, session_id, what="resource unavailable", form_class=AbsenceForm, template="board/absence.html",
        enter=lambda access, form: resource_unavailable_enter(user=request.user, **form.absence_arguments()))


@login_required
def hand_over(request: HttpRequest, session_id: int) -> HttpResponse:
    """Her surgeon is called away: another surgeon gives her result; the morning is re-planned."""
    return _session_event_page(
        request, session_id, what="result handover", form_class=HandoverForm, template="board/hand_over.html",
        enter=lambda access, form: visit_result_hand_over(user=request.user, **form.handover_arguments()))


@login_required
@require_POST
def visit_rebook_view(request: HttpRequest, visit_id: int) -> HttpResponse:
    """One click: a patient the plan leaves out is booked on the earliest morning that takes her."""
    access = visit_checked(request.user, visit_id, roles=PLANNERS, action=Action.WRITE, what="rebook")
    session = access.visit.session
    try:
        with visit_attempt(request.user, visit_id, roles=PLANNERS, what="rebook") as attempt:
            new = visit_rebook(user=request.user, visit=attempt.access.visit)
    except (ValidationError, Conflict) as error:
        messages.error(request, f"{access.visit.code}: " + (error.message if isinstance(error, Conflict)
                                                             else _problems(error)))
    else:
        messages.success(request, _("%(code)s %(name)s is booked on %(date)s, arrival %(arrival)s (%(new)s).") % {
            "code": access.visit.code, "name": access.visit.patient.full_name,
            "date": date_format(new.session.date, "l j F Y"), "arrival": first_arrival(new), "new": new.code})
    return _to_board(session)


@login_required
@require_POST
def absence_change(request: HttpRequest, session_id: int, absence_id: int, change: str) -> HttpResponse:
    """An absence withdrawn (she is back after all) or shortened (back earlier): re-plan."""
    access = session_checked(request.user, session_id, roles=PLANNERS, action=Action.WRITE, what="absence")
    absence = session_absence(access.session, absence_id)
    form = (WithdrawForm if change == "withdraw" else ShortenForm)(request.POST, session=access.session)
    if not form.is_valid():
        messages.error(request, _form_problems(form))
        return redirect("board:absence", session_id=access.session.pk)
    try:
        with session_attempt(request.user, session_id, roles=PLANNERS, what="absence"):
            if change == "withdraw":
                outcome = absence_withdraw(user=request.user, absence=absence, at=form.entered())
            else:
                until = aware(access.session.date, form.cleaned_data["until"])
                outcome = absence_shorten(user=request.user, absence=absence, until=until, at=form.entered())
    except ValidationError as error:
        messages.error(request, f"{absence.resource.code}: " + _problems(error))
        return redirect("board:absence", session_id=access.session.pk)
    return _after_event(request, outcome, access.role, access.session)

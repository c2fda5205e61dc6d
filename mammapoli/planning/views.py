"""The planner's pages: a referral, where it fits, booking it; planning a morning, the
proposal against the published plan, publishing it. Server-rendered, no JavaScript.
(The day view and the board are the day-view pages' own.)"""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mammapoli.audit.models import Action
from mammapoli.clinics.access import clinic_attempt
from mammapoli.clinics.names import clinic_names
from mammapoli.clinics.selectors import active_pathway, active_pathways
from mammapoli.planning.access import plan_attempt, plan_for_user, plan_job_for_user, session_for_user
from mammapoli.planning.booking_search import booking_suggestion
from mammapoli.planning.errors import Conflict
from mammapoli.planning.forms import BookForm, PlanForm, ReferralForm
from mammapoli.planning.clock import clock
from mammapoli.planning.models import FINISHED_JOB_STATUSES, PlanStatus
from mammapoli.planning.pathway_rules import pathway_suggest
from mammapoli.planning.permissions import PLANNERS
from mammapoli.planning.proposal_diff import proposal_diff
from mammapoli.planning.risk_words import plan_risk_words
from mammapoli.planning.referral_list import OPEN, ReferralFilter, referrals_for_planner
from mammapoli.planning.selectors import (
    coming_sessions,
    job_plan,
    planner_clinics,
    referral_visits,
    session_planning,
)
from mammapoli.planning.services.booking import visit_book
from mammapoli.planning.services.jobs import plan_job_cancel, plan_job_start
from mammapoli.planning.services.plans import plan_publish
from mammapoli.planning.working_days import target_date
from mammapoli.records.access import referral_for_user, referrals_awaiting_booking
from mammapoli.records.patient_services import referral_intake
from mammapoli.web.form_errors import form_add_service_errors


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The intake list (referrals not booked yet, typed in or received over FHIR) with each
    one's suggested pathway; the coming mornings of the user's clinics, to plan."""
    clinics = planner_clinics(request.user)
    sessions = coming_sessions(clinics)
    intake = [{"referral": referral, "target": target_date(referral.urgency, referral.received_on),
               "suggested": pathway_suggest(referral=referral,
                                            patient_age=referral.patient.age_on(timezone.localdate())),
               "electronic": hasattr(referral, "received_as")}
              for referral in referrals_awaiting_booking(request.user, roles=PLANNERS)]
    return render(request, "planning/index.html", {"clinics": clinics, "sessions": sessions, "intake": intake})


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    """The referrals of the planner's clinics: open, booked, or past their target; filters."""
    clinics = planner_clinics(request.user)
    form = ReferralFilter(request.GET or {"state": OPEN}, clinics=clinics)
    rows, today = [], timezone.localdate()
    if clinics and form.is_valid():
        data = form.cleaned_data
        rows = referrals_for_planner(request.user, state=data["state"] or OPEN, urgency=data["urgency"],
                                     clinic_id=int(data["clinic"]) if data["clinic"] else None,
                                     received_from=data["received_from"], today=today)
    return render(request, "planning/referral_list.html", {
        "form": form, "clinics": clinics, "rows": [(row, row.late_on(today)) for row in rows]})


@login_required
def referral_new(request: HttpRequest) -> HttpResponse:
    clinics = planner_clinics(request.user)
    form = ReferralForm(request.POST or None, clinics=clinics)
    if request.method == "POST" and form.is_valid():
        clinic = next(c for c in clinics if str(c.pk) == form.cleaned_data["clinic"])
        try:
            with clinic_attempt(request.user, clinic.pk, roles=PLANNERS, what="referral"):
                referral = referral_intake(user=request.user, clinic=clinic, patient=form.patient(), **form.referral())
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            return redirect("planning:referral", referral_id=referral.pk)
    return render(request, "planning/referral_new.html", {"form": form, "clinics": clinics})


@login_required
def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    """The suggested pathway and the earliest morning that fits; another pathway on request."""
    referral = referral_for_user(request.user, referral_id, roles=PLANNERS).referral
    chosen = None
    if request.GET.get("pathway"):
        try:
            chosen = active_pathway(referral.clinic_id, request.GET["pathway"])
        except ValidationError:
            messages.error(request, _("Not an active pathway of this clinic."))
    result = booking_suggestion(referral=referral, pathway=chosen)
    fit = result.search.fit if result.search else None
    names = clinic_names(referral.clinic_id)
    return render(request, "planning/referral_detail.html", {
        "referral": referral, "result": result, "search": result.search,
        "arrival": clock(fit.placement.arrival) if fit else None,
        "steps": [{"step": names.step(s.step, result.search.pathway.code), "start": clock(s.start),
                   "end": clock(s.end), "resources": s.resources}
                  for s in fit.placement.steps] if fit else [],
        "pathways": active_pathways(referral.clinic_id), "target": target_date(referral.urgency, referral.received_on),
        "visits": referral_visits(referral),
        "age": referral.patient.age_on(timezone.localdate()),
        "received": getattr(referral, "received_as", None),
    })


@login_required
@require_POST
def referral_book(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = referral_for_user(request.user, referral_id, roles=PLANNERS, action=Action.WRITE).referral
    form = BookForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The booking could not be read; try again."))
        return redirect("planning:referral", referral_id=referral.pk)
    try:
        pathway = active_pathway(referral.clinic_id, form.cleaned_data["pathway"])
        visit = visit_book(user=request.user, referral=referral, pathway=pathway, day=form.cleaned_data["date"],
                           arrival=form.cleaned_data["arrival"])
    except (ValidationError, Conflict) as error:
        messages.error(request, error.message if isinstance(error, Conflict) else " ".join(error.messages))
        return redirect("planning:referral", referral_id=referral.pk)
    messages.success(request, _("Booked: %(code)s on %(date)s, arrival %(arrival)s.") % {
        "code": visit.code, "date": formats.date_format(visit.session.date, "DATE_FORMAT"),
        "arrival": form.cleaned_data["arrival"].strftime("%H:%M")})
    return redirect("planning:referral", referral_id=referral.pk)


@login_required
def session_plan(request: HttpRequest, session_id: int) -> HttpResponse:
    """A morning's planning: start a job; its jobs and proposals."""
    posted = request.method == "POST"
    access = session_for_user(request.user, session_id, roles=PLANNERS if posted else None,
                              action=Action.WRITE if posted else Action.READ, what="plan job" if posted else "planning")
    session = access.session
    form = PlanForm(request.POST if posted else None, default=settings.SCHEDULER_TIME_LIMIT)
    if posted and form.is_valid():
        job = plan_job_start(user=request.user, session=session, time_limit=form.seconds())
        return redirect("planning:job", job_id=job.job_id)
    return render(request, "planning/session_plan.html", status=400 if posted else 200, context={
        "session": session, "form": form, "may_plan": access.role in PLANNERS, **session_planning(session),
    })


@login_required
def job_detail(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job, access = plan_job_for_user(request.user, job_id)
    if request.method == "POST" and access.role in PLANNERS and job.status not in FINISHED_JOB_STATUSES:
        plan_job_cancel(user=request.user, job=job)
        return redirect("planning:job", job_id=job.job_id)
    return render(request, "planning/job_detail.html", {
        "job": job, "plan": job_plan(job), "may_plan": access.role in PLANNERS,
        "running": job.status not in FINISHED_JOB_STATUSES,
    })


@login_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The proposal as a difference from the published plan, and the publish button."""
    plan, access = plan_for_user(request.user, plan_id)
    diff = proposal_diff(plan=plan, user=request.user)
    return render(request, "planning/plan_detail.html", {
        "plan": plan, "diff": diff, "may_publish": access.role in PLANNERS and plan.status == PlanStatus.PROPOSED,
        "risk_words": plan_risk_words(plan),
    })


@login_required
@require_POST
def plan_publish_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    try:
        with plan_attempt(request.user, plan_id, roles=PLANNERS) as (plan, _attempt):
            plan_publish(user=request.user, plan=plan)
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The plan is published."))
    return redirect("planning:plan", plan_id=plan_id)

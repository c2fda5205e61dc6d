"""Reads of mornings and visits."""

import datetime as dt

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from django.utils import timezone

from mammapoli.clinics.models import AvailabilityException, Clinic, ExceptionKind, Resource, StepSameAs
from mammapoli.records.models import Referral

from .adapter import session_to_plan
from .clock import hhmm
from .models import OPEN_VISIT_STATUSES, ClinicSession, Plan, PlanJob, PlanJobStatus, PlanStatus, Visit
from .permissions import PLANNERS
from .reasons import plan_reasons
from .risk_words import MorningRisk, morning_risk

#: How many coming mornings the planner's index lists.
COMING_MORNINGS = 30
#: How many of a morning's plan jobs its planning page lists.
RECENT_JOBS = 10


def session_by_clinic_and_date(clinic_name: str, day: dt.date) -> ClinicSession | None:
    return ClinicSession.objects.select_related("clinic").filter(clinic__name=clinic_name, date=day).first()


def planner_clinics(user) -> list[Clinic]:
    """The clinics `user` plans for, by name."""
    return list(Clinic.objects.filter(staff__user=user, staff__role__in=PLANNERS).order_by("name"))


def coming_sessions(clinics: list[Clinic]) -> list[ClinicSession]:
    """The mornings of `clinics` from today on, in date order."""
    return list(ClinicSession.objects.filter(clinic__in=clinics, date__gte=timezone.localdate())
                .select_related("clinic").order_by("date", "clinic__name")[:COMING_MORNINGS])


def referral_visits(referral: Referral) -> list[Visit]:
    """The visits a referral was booked as, in date order (the caller checked the referral)."""
    return list(referral.visits.select_related("session").order_by("session__date"))


def session_published(session: ClinicSession) -> Plan | None:
    """The morning's published plan (its row), if any."""
    return Plan.objects.filter(session=session, status=PlanStatus.PUBLISHED).first()


def session_planning(session: ClinicSession) -> dict:
    """What a morning's planning page shows: how many visits, its recent jobs with their plans,
    its published plan."""
    return {"visits": session.visits.count(), "jobs": list(session.plan_jobs.select_related("plan")[:RECENT_JOBS]),
            "published": session_published(session)}


def job_plan(job: PlanJob) -> Plan | None:
    """The job's plan (its proposal), or None while there is none."""
    return getattr(job, "plan", None)


def published_plan(session: ClinicSession) -> dict:
    """The morning's published plan as `mammapoli-plan/1` (what export_plan writes)."""
    last = session_published(session)
    return session_to_plan(session, published=last.data if last else None)


def published_plan_row(session: ClinicSession) -> Plan | None:
    """The morning's published `Plan` (with its job), if any."""
    return Plan.objects.filter(session=session, status=PlanStatus.PUBLISHED).select_related("session", "job").first()


def published_not_seen(session: ClinicSession, *, published: Plan | None = None) -> dict[str, str]:
    """The visits the morning's published plan leaves out, with the engine's reason (by code), in
    the reader's language. `published`: that plan, when the caller has read it already."""
    last = published or published_plan_row(session)
    return plan_reasons(last) if last else {}


def pending_plan_job(session: ClinicSession) -> PlanJob | None:
    """The morning's latest plan job if it still asks for the planner: running, failed, or done
    with a proposal nobody has published yet. None once its plan is published (or it was
    cancelled, or there never was one)."""
    job = PlanJob.objects.filter(session=session).select_related("plan").first()
    if job is None or job.status == PlanJobStatus.CANCELLED:
        return None
    plan = job_plan(job)
    if job.status == PlanJobStatus.SUCCEEDED and (plan is None or plan.status != PlanStatus.PROPOSED):
        return None
    return job


def result_handover_candidates(session: ClinicSession) -> QuerySet[Visit]:
    """The morning's visits whose result consult (a step that needs the same person as an
    earlier one) is still to come."""
    return (Visit.objects.filter(session=session, status__in=OPEN_VISIT_STATUSES,
                                 steps__step__same_as__isnull=False, steps__actual_start__isnull=True)
            .select_related("patient").distinct().order_by("code"))


def result_givers(session: ClinicSession) -> QuerySet[Resource]:
    """Who can take a result over: the clinic's active resources of a kind some step must
    keep the same (the surgeon who examined her gives the result)."""
    kinds = StepSameAs.objects.filter(step__pathway__clinic_id=session.clinic_id).values("kind_id")
    return (Resource.objects.filter(clinic_id=session.clinic_id, active=True, kind_id__in=kinds)
            .select_related("kind").order_by("code"))


def session_absences(session: ClinicSession) -> QuerySet[AvailabilityException]:
    """The absences entered for the morning (someone called away), to withdraw or shorten; not
    the hours an exchange file gave a resource that day."""
    from .morning_import import IMPORTED_HOURS

    return (AvailabilityException.objects.filter(resource__clinic_id=session.clinic_id, date=session.date,
                                                 kind=ExceptionKind.ABSENT).exclude(reason=IMPORTED_HOURS)
            .select_related("resource__kind").order_by("start", "resource__code"))


def session_absence(session: ClinicSession, absence_id: int) -> AvailabilityException:
    """One absence of the morning, or 404 (another clinic's, another day's)."""
    return get_object_or_404(session_absences(session), pk=absence_id)


def first_arrival(visit: Visit) -> str:
    """When she is asked to come: her first planned step ("" when not planned)."""
    starts = [vs.planned_start for vs in visit.steps.all() if vs.planned_start is not None]
    return hhmm(min(starts)) if starts else ""


def current_risk(session: ClinicSession) -> MorningRisk | None:
    """The risk of the morning's current plan: its latest plan that is published or proposed
    (the re-plan after the last event), when that plan carries one."""
    return morning_risk(Plan.objects.filter(session=session, status__in=(PlanStatus.PUBLISHED, PlanStatus.PROPOSED))
                        .select_related("job").first())


def visit_planned_steps(visit: Visit) -> list:
    """A visit's steps in the order of their planned starts (a booked visit's answer)."""
    return list(visit.steps.select_related("step").order_by("planned_start"))

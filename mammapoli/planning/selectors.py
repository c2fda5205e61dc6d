"""Reads of mornings and visits."""

import datetime as dt

from .adapter import session_to_plan
from .models import ClinicSession, Plan, PlanJob, PlanJobStatus, PlanStatus


def session_by_clinic_and_date(clinic_name: str, day: dt.date) -> ClinicSession | None:
    return ClinicSession.objects.select_related("clinic").filter(clinic__name=clinic_name, date=day).first()


def published_plan(session: ClinicSession) -> dict:
    """The morning's published plan as `mammapoli-plan/1` (what export_plan writes)."""
    last = Plan.objects.filter(session=session, status=PlanStatus.PUBLISHED).first()
    return session_to_plan(session, published=last.data if last else None)


def pending_plan_job(session: ClinicSession) -> PlanJob | None:
    """The morning's latest plan job if it still asks for the planner: running, failed, or done
    with a proposal nobody has published yet. None once its plan is published (or it was
    cancelled, or there never was one)."""
    job = PlanJob.objects.filter(session=session).select_related("plan").first()
    if job is None or job.status == PlanJobStatus.CANCELLED:
        return None
    plan = getattr(job, "plan", None)
    if job.status == PlanJobStatus.SUCCEEDED and (plan is None or plan.status != PlanStatus.PROPOSED):
        return None
    return job

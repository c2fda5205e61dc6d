"""Reads of mornings and visits."""

import datetime as dt

from .adapter import session_to_plan
from .models import ClinicSession, Plan, PlanStatus


def session_by_clinic_and_date(clinic_name: str, day: dt.date) -> ClinicSession | None:
    return ClinicSession.objects.select_related("clinic").filter(clinic__name=clinic_name, date=day).first()


def published_plan(session: ClinicSession) -> dict:
    """The morning's published plan as `mammapoli-plan/1` (what export_plan writes)."""
    last = Plan.objects.filter(session=session, status=PlanStatus.PUBLISHED).first()
    return session_to_plan(session, published=last.data if last else None)

"""Reads of mornings and visits."""

import datetime as dt

from .models import ClinicSession


def session_by_clinic_and_date(clinic_name: str, day: dt.date) -> ClinicSession | None:
    return ClinicSession.objects.select_related("clinic").filter(clinic__name=clinic_name, date=day).first()

import datetime as dt

import pytest

from mammapoli.clinics.availability import available_on, exceptions_for
from mammapoli.clinics.models import AvailabilityException, ExceptionKind, WeeklyAvailability

pytestmark = pytest.mark.django_db

TUESDAY = dt.date(2026, 12, 1)
WINDOW = (dt.time(8), dt.time(13))


def t(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def test_weekly_hours_with_a_break(clinic):
    radiologist = clinic.resources.get(code="rad-A")
    radiologist.weekly_availability.all().delete()
    WeeklyAvailability.objects.create(resource=radiologist, weekday=1, start=t("08:00"), end=t("10:30"))
    WeeklyAvailability.objects.create(resource=radiologist, weekday=1, start=t("10:45"), end=t("13:00"))
    assert available_on(radiologist, TUESDAY, WINDOW) == [(t("08:00"), t("10:30")), (t("10:45"), t("13:00"))]
    assert available_on(radiologist, TUESDAY + dt.timedelta(days=1), WINDOW) == []


def test_leave_and_extra_hours_change_one_date_only(clinic):
    surgeon = clinic.resources.get(code="chir-A")
    AvailabilityException.objects.create(resource=surgeon, date=TUESDAY, start=t("11:00"), end=t("13:00"),
                                         kind=ExceptionKind.ABSENT, reason="MDO")
    AvailabilityException.objects.create(resource=surgeon, date=TUESDAY, start=t("07:30"), end=t("08:00"),
                                         kind=ExceptionKind.EXTRA)
    window = (t("07:00"), t("13:00"))
    assert available_on(surgeon, TUESDAY, window) == [(t("07:30"), t("11:00"))]
    assert available_on(surgeon, TUESDAY + dt.timedelta(days=7), window) == [(t("08:00"), t("13:00"))]


def test_hours_outside_the_window_are_cut_off(clinic):
    surgeon = clinic.resources.get(code="chir-A")
    assert available_on(surgeon, TUESDAY, (t("09:00"), t("12:00"))) == [(t("09:00"), t("12:00"))]


def test_exceptions_for_turn_weekly_hours_into_the_wanted_ones():
    absent, extra = exceptions_for([(t("08:00"), t("13:00"))], [(t("08:00"), t("10:45")), (t("12:00"), t("13:00"))],
                                   WINDOW)
    assert absent == [(t("10:45"), t("12:00"))]
    assert extra == []
    absent, extra = exceptions_for([(t("09:00"), t("12:00"))], [(t("08:00"), t("12:30"))], WINDOW)
    assert absent == []
    assert extra == [(t("08:00"), t("09:00")), (t("12:00"), t("12:30"))]

"""Working days for the urgency targets (urgent within 2, regular within 5) and the mornings a
clinic holds: Monday to Friday, except the country's public holidays (the `holidays` library;
`HOLIDAY_COUNTRY`, default NL: New Year's Day, Easter and Whit Monday, King's Day, Liberation
Day in a lustrum year, Ascension Day, Christmas)."""

import datetime as dt
from collections.abc import Iterator
from functools import lru_cache

import holidays
from django.conf import settings
from django.utils.translation import get_language

from mammapoli.records.models import Urgency

TARGET_WORKING_DAYS = {Urgency.URGENT: 2, Urgency.REGULAR: 5}


@lru_cache(maxsize=64)
def _public_holidays(country: str, year: int, language: str) -> holidays.HolidayBase:
    supported = holidays.country_holidays(country).supported_languages
    wanted = next((code for code in supported if code.split("_")[0] == language), None)
    return holidays.country_holidays(country, years=year, language=wanted)


def holiday_name(day: dt.date) -> str | None:
    """The public holiday on `day` in the active language ("Koningsdag"), or None."""
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return _public_holidays(settings.HOLIDAY_COUNTRY, day.year, language).get(day)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _public_holidays(settings.HOLIDAY_COUNTRY, day.year, "en")


def working_days_after(day: dt.date) -> Iterator[dt.date]:
    """The working days after `day`, in order, without end."""
    while True:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            yield day


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The `count`-th working day after `day` (`day` itself when count is 0)."""
    days = working_days_after(day)
    for _ in range(count):
        day = next(days)
    return day


def target_date(urgency: str, received_on: dt.date) -> dt.date:
    """The last morning within the urgency target of a referral received on `received_on`."""
    return add_working_days(received_on, TARGET_WORKING_DAYS[urgency])

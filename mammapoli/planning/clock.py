"""The Django side's one clock. The database speaks aware datetimes; the engine and the
exchange format speak clinic-local "HH:MM" on the morning's date, and whole minutes since
midnight. Every conversion between them is here (the engine's side is `scheduler.clock`)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from scheduler.clock import fmt_time, to_minutes


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def hhmm(value: dt.time | dt.datetime) -> str:
    """An aware datetime (in clinic-local time) or a time as "HH:MM"."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value, clinic_zone()).time()
    return value.strftime("%H:%M")


def parse_hhmm(text: str) -> dt.time:
    return dt.datetime.strptime(text, "%H:%M").time()


def aware(day: dt.date, text_or_time: str | dt.time) -> dt.datetime:
    """Clinic-local "HH:MM" (or a time) on `day` as an aware datetime."""
    clock_time = parse_hhmm(text_or_time) if isinstance(text_or_time, str) else text_or_time
    return dt.datetime.combine(day, clock_time, tzinfo=clinic_zone())


def minutes(text: str) -> int:
    """"HH:MM" as minutes since midnight."""
    return to_minutes(text)


def clock(value: int) -> str:
    """Minutes since midnight as "HH:MM"."""
    return fmt_time(value)


def minutes_on(value: dt.datetime | dt.time, day: dt.date) -> int:
    """A clinic-local time, or an aware datetime, as minutes since midnight of `day` (a
    datetime on the next day counts on: 24:10 is 1450)."""
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value, clinic_zone())
        return (local.date() - day).days * 24 * 60 + local.hour * 60 + local.minute
    return value.hour * 60 + value.minute

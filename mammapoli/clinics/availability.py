"""A resource's available intervals on one date: weekly hours, plus extra hours, minus absences."""

import datetime as dt

from mammapoli.core.intervals import clip, merge, subtract

from .models import ExceptionKind, Resource

TimeInterval = tuple[dt.time, dt.time]


def available_on(resource: Resource, day: dt.date, window: TimeInterval) -> list[TimeInterval]:
    """Sorted, merged intervals inside `window`. Uses prefetched relations when present."""
    weekly = [(row.start, row.end) for row in resource.weekly_availability.all() if row.weekday == day.weekday()]
    exceptions = [row for row in resource.availability_exceptions.all() if row.date == day]
    extra = [(row.start, row.end) for row in exceptions if row.kind == ExceptionKind.EXTRA]
    absent = [(row.start, row.end) for row in exceptions if row.kind == ExceptionKind.ABSENT]
    return clip(subtract(merge(weekly + extra), absent), *window)


def exceptions_for(weekly: list[TimeInterval], wanted: list[TimeInterval], window: TimeInterval):
    """The dated exceptions that turn `weekly` hours into `wanted` within `window`:
    (absences, extra hours), each a list of intervals."""
    usual = clip(weekly, *window)
    wanted = clip(wanted, *window)
    return subtract(usual, wanted), subtract(wanted, usual)

"""Where a referrer's patient would fit: the booking engine's own search, asked for several mornings.

`earliest_fit` (planning.booking_search) is the planner's booking search; this asks it again
with every morning already answered skipped, so each call tries only mornings not tried yet.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from mammapoli.clinics.models import Clinic, Pathway
from mammapoli.planning.booking_search import MorningTry, earliest_fit, morning_for
from mammapoli.planning.working_days import is_working_day, target_date
from scheduler import Problem

MAX_MORNINGS = 5
MAX_SLOT_DAYS = 31


@dataclass(frozen=True)
class Availability:
    target: dt.date
    within: tuple[MorningTry, ...]  # the earliest mornings that fit within the urgency target
    first_after: MorningTry | None  # none within: the first morning that fits at all (if any)


def mornings_that_fit(*, clinic: Clinic, pathway: Pathway, urgency: str, count: int,
                      today: dt.date | None = None) -> Availability:
    today = today or timezone.localdate()
    answered: set[dt.date] = set()
    within: list[MorningTry] = []
    first_after = None
    while len(within) < count:
        search = earliest_fit(clinic=clinic, pathway=pathway, urgency=urgency, received_on=today,
                              skip_days=frozenset(answered), today=today)
        answered.update(attempt.day for attempt in search.tried)
        fit = search.fit
        if fit is None:
            break
        if fit.day > search.target:
            first_after = None if within else fit
            break
        within.append(fit)
    return Availability(target=target_date(urgency, today), within=tuple(within), first_after=first_after)


def clinic_mornings(clinic: Clinic, start: dt.date, end: dt.date) -> list[Problem]:
    """The working mornings from `start` through `end`, as the booking search sees them."""
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    return [morning_for(clinic, day) for day in days if is_working_day(day)]

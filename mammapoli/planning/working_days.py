"""Working days (Monday to Friday) for the urgency targets: urgent within 2, regular within 5."""

import datetime as dt
from collections.abc import Iterator

from mammapoli.records.models import Urgency

TARGET_WORKING_DAYS = {Urgency.URGENT: 2, Urgency.REGULAR: 5}


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5


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

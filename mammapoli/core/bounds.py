"""The bounds of what a person may type: how long a free text, which dates make sense.

One place, used by the models (validators, so `full_clean()` in every service applies them)
and by the forms and serializers (so the answer names the field before anything is tried).
Kept small on purpose: a reason is kept for good in the immutable history.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

#: A reason (for a referral, for an addendum): a few paragraphs, not a document.
REASON_MAX_LENGTH = 2000
#: The oldest patient the clinic sees, in years.
MAX_AGE_YEARS = 120
#: A morning is booked at most this many days ahead.
BOOKING_MAX_DAYS_AHEAD = 366
#: A referral is entered at most this many days after it was received.
RECEIVED_MAX_DAYS_AGO = 3 * 366


def reason_too_long(text: str) -> str:
    return _("The reason may be at most %(max)d characters long (it has %(length)d).") % {
        "max": REASON_MAX_LENGTH, "length": len(text)}


def _date(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def earliest_birth(today: dt.date) -> dt.date:
    return today.replace(year=today.year - MAX_AGE_YEARS, day=28 if today.month == 2 and today.day == 29 else today.day)


def validate_date_of_birth(value: dt.date | None) -> None:
    if value is None:
        return
    today = timezone.localdate()
    if value > today:
        raise ValidationError(_("The date of birth cannot lie in the future."), code="future")
    if value < earliest_birth(today):
        raise ValidationError(_("The date of birth cannot lie before %(date)s.") % {"date": _date(earliest_birth(today))},
                              code="too_old")


def validate_received_on(value: dt.date | None) -> None:
    if value is None:
        return
    today = timezone.localdate()
    if value > today:
        raise ValidationError(_("The date received cannot lie in the future."), code="future")
    earliest = today - dt.timedelta(days=RECEIVED_MAX_DAYS_AGO)
    if value < earliest:
        raise ValidationError(_("The date received cannot lie before %(date)s.") % {"date": _date(earliest)},
                              code="too_old")


def validate_booking_day(value: dt.date) -> None:
    latest = timezone.localdate() + dt.timedelta(days=BOOKING_MAX_DAYS_AHEAD)
    if value > latest:
        raise ValidationError(_("Book a morning until %(date)s at the latest.") % {"date": _date(latest)},
                              code="too_far")

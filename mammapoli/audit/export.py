"""The access log as a CSV file: the rows as the log keeps them (codes and the code's own words,
which are the evidence), with the user's full name and the patient's number and name beside."""

import csv
from collections.abc import Iterable, Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AccessEvent

# A cell a spreadsheet would run as a formula (CSV injection) is written with a leading quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _header() -> list[str]:
    return [_("First time"), _("Last time"), _("Times"), _("Username"), _("Name"), _("Role"), _("Action"),
            _("What"), _("Hospital number"), _("Patient"), _("Visit"), _("Outcome"), _("Address"), _("Detail")]


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _row(event: AccessEvent) -> list[str]:
    when = [timezone.localtime(moment).isoformat(timespec="seconds") for moment in (event.at, event.last_at)]
    user_name = event.user.get_full_name() if event.user_id and event.user else ""
    patient = event.patient if event.patient_id else None
    return [_cell(value) for value in [
        *when, event.count, event.username, user_name, event.role, event.action, event.what,
        patient.hospital_number if patient else "", patient.full_name if patient else "", event.visit_id,
        event.outcome, event.address, event.detail,
    ]]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(events: Iterable[AccessEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(_header())
    for event in events:
        yield writer.writerow(_row(event))

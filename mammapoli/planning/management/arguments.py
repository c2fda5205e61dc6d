"""What the morning commands share: CLINIC DATE arguments, and JSON to a file or standard output."""

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mammapoli.planning.models import ClinicSession
from mammapoli.planning.selectors import session_by_clinic_and_date


def add_session_arguments(parser) -> None:
    parser.add_argument("clinic")
    parser.add_argument("date", help="YYYY-MM-DD, or 'today' (the clinic's date, TIME_ZONE)")


def session_from_arguments(clinic: str, date: str) -> ClinicSession:
    if date == "today":  # the clinic's today, not the machine's (they differ around midnight)
        day = timezone.localdate()
    else:
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            raise CommandError(f"date: not a date in YYYY-MM-DD form (or 'today'): {date!r}") from None
    session = session_by_clinic_and_date(clinic, day)
    if session is None:
        raise CommandError(f"no morning of clinic {clinic!r} on {day}")
    return session


def write_json(command: BaseCommand, data: dict, output: Path | None) -> None:
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    if output is None:
        command.stdout.write(text, ending="")
    else:
        output.write_text(text, encoding="utf-8")
        command.stderr.write(f"Wrote {output}")

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mammapoli.planning.adapter import session_to_morning
from mammapoli.planning.selectors import session_by_clinic_and_date


class Command(BaseCommand):
    help = "Write a clinic's morning as a mammapoli-morning/1 instance."

    def add_arguments(self, parser):
        parser.add_argument("clinic")
        parser.add_argument("date", help="YYYY-MM-DD")
        parser.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")

    def handle(self, *args, clinic: str, date: str, output: Path | None, **options):
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            raise CommandError(f"date: not a date in YYYY-MM-DD form: {date!r}") from None
        session = session_by_clinic_and_date(clinic, day)
        if session is None:
            raise CommandError(f"no morning of clinic {clinic!r} on {day}")
        text = json.dumps(session_to_morning(session), indent=1, ensure_ascii=False) + "\n"
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {output}")

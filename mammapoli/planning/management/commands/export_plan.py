import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mammapoli.planning.selectors import published_plan, session_by_clinic_and_date


class Command(BaseCommand):
    help = ("Write a morning's published plan as mammapoli-plan/1, to check against what export_morning "
            "writes: python -m scheduler check MORNING.json PLAN.json")

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
        plan = published_plan(session)
        if not plan["assignments"]:
            self.stderr.write(f"Nothing is planned on {session} yet (plan_morning {clinic} {day} --publish).")
        text = json.dumps(plan, indent=1, ensure_ascii=False) + "\n"
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {output}")

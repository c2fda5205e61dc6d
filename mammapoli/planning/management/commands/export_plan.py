from pathlib import Path

from django.core.management.base import BaseCommand

from mammapoli.planning.management.arguments import add_session_arguments, session_from_arguments, write_json
from mammapoli.planning.selectors import published_plan


class Command(BaseCommand):
    help = ("Write a morning's published plan as mammapoli-plan/1, to check against what export_morning "
            "writes: python -m scheduler check MORNING.json PLAN.json")

    def add_arguments(self, parser):
        add_session_arguments(parser)
        parser.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")

    def handle(self, *args, clinic: str, date: str, output: Path | None, **options):
        session = session_from_arguments(clinic, date)
        plan = published_plan(session)
        if not plan["assignments"]:
            self.stderr.write(f"Nothing is planned on {session} yet (plan_morning {clinic} {date} --publish).")
        write_json(self, plan, output)

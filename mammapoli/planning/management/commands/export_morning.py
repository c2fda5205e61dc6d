from pathlib import Path

from django.core.management.base import BaseCommand

from mammapoli.planning.adapter import session_to_morning
from mammapoli.planning.management.arguments import add_session_arguments, session_from_arguments, write_json


class Command(BaseCommand):
    help = "Write a clinic's morning as a mammapoli-morning/1 instance."

    def add_arguments(self, parser):
        add_session_arguments(parser)
        parser.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")

    def handle(self, *args, clinic: str, date: str, output: Path | None, **options):
        write_json(self, session_to_morning(session_from_arguments(clinic, date)), output)

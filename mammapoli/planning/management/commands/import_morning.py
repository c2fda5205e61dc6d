import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mammapoli.planning.morning_import import morning_import
from mammapoli.planning.morning_validation import MorningFormatError


class Command(BaseCommand):
    help = "Create or update a clinic and one of its mornings from a mammapoli-morning/1 file."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--clinic", help="clinic name (default: the instance's name)")

    def handle(self, *args, file: Path, clinic: str | None, **options):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise CommandError(f"{file}: not JSON ({exc})") from None
        try:
            session = morning_import(data=data, clinic_name=clinic)
        except MorningFormatError as exc:
            raise CommandError(f"{file}: {exc}") from None
        count = session.visits.count()
        self.stdout.write(self.style.SUCCESS(
            f"Imported {file.name} as clinic '{session.clinic.name}', morning {session.date} ({count} visits)."
        ))

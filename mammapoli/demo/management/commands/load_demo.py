import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from mammapoli.demo.loader import demo_definition, load_demo


class Command(BaseCommand):
    help = "Load (or refresh) the demo clinic 'demo' with a morning on today's date and the demo users."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the morning's date, YYYY-MM-DD (default: today)")

    def handle(self, *args, date: str | None, **options):
        try:
            day = dt.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError(f"--date: not a date in YYYY-MM-DD form: {date!r}") from None
        session = load_demo(day=day)
        definition = demo_definition()
        self.stdout.write(self.style.SUCCESS(
            f"Demo clinic '{session.clinic.name}': morning {session.date} with {session.visits.count()} visits."
        ))
        users = ", ".join(u["username"] for u in definition["users"])
        self.stdout.write(f"Demo users ({users}) all have the password '{definition['password']}'.")

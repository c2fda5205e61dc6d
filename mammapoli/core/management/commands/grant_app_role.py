"""`manage.py grant_app_role ROLE`: give the application's database role its rights (run as the
owner role, after migrate). `migrate` does this itself when MIGRATION_DATABASE_URL is set."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from mammapoli.core.db_roles import AppRoleRefused, grant_app_role


class Command(BaseCommand):
    help = "Grant the application's PostgreSQL role its rights: no ownership, the access log and form history append-only."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the application's role (the user of DATABASE_URL)")
        parser.add_argument("--database", default="default", help="the connection to grant through (the owner's)")

    def handle(self, *args, role: str, database: str, **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role: only on PostgreSQL")
        try:
            grant_app_role(connection, role)
        except AppRoleRefused as refused:
            raise CommandError(f"grant_app_role: {refused}") from None
        self.stdout.write(f"granted the application's rights to {role}")

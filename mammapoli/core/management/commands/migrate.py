"""`manage.py migrate`, run as the owner role when MIGRATION_DATABASE_URL is set; then the
application's role (DATABASE_URL's user) is granted its rights (mammapoli/core/db_roles.py).

The default connection itself is pointed at the owner for the run, so that every migration,
including data migrations that use the default manager, runs as the owner."""

from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DEFAULT_DB_ALIAS, connections

from mammapoli.core.db_roles import AppRoleRefused, grant_app_role


@contextmanager
def connected_as_owner(alias: str):
    connection = connections[alias]
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update({key: settings.DATABASE_OWNER[key] for key in ("USER", "PASSWORD")})
    try:
        yield connection, saved["USER"]
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


class Command(DjangoMigrate):
    def handle(self, *args, **options):
        if not settings.DATABASE_OWNER or options["database"] != DEFAULT_DB_ALIAS:
            return super().handle(*args, **options)
        with connected_as_owner(options["database"]) as (connection, app_role):
            super().handle(*args, **options)
            try:
                grant_app_role(connection, app_role)
            except AppRoleRefused as refused:
                raise CommandError(f"migrated, but the application's role was not granted its rights: {refused}") \
                    from None
        if options["verbosity"] >= 1:
            self.stdout.write(f"Granted the application's rights to {app_role}.")

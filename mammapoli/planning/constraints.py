"""A database guarantee that only PostgreSQL can give: no resource double-booked.

`ExclusionConstraint` needs GiST and range types. On SQLite the same model and migration
must still apply, so this subclass emits no SQL there and skips model validation; the
booking service checks the same rule before it writes (`planning/services/bookings.py`).
"""

from django.contrib.postgres import operations as postgres_operations
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Func


class TsTzRange(Func):
    """tstzrange(start, end, '[)'): a step's period as a half-open range."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    """An `ExclusionConstraint` on PostgreSQL, nothing elsewhere."""

    @staticmethod
    def _applies(schema_editor) -> bool:
        return schema_editor.connection.vendor == "postgresql"

    def constraint_sql(self, model, schema_editor):
        return super().constraint_sql(model, schema_editor) if self._applies(schema_editor) else None

    def create_sql(self, model, schema_editor):
        return super().create_sql(model, schema_editor) if self._applies(schema_editor) else None

    def remove_sql(self, model, schema_editor):
        return super().remove_sql(model, schema_editor) if self._applies(schema_editor) else None

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        if connections[using].vendor == "postgresql":
            super().validate(model, instance, exclude=exclude, using=using)


class BtreeGistExtension(postgres_operations.BtreeGistExtension):
    """Django's operation, made reversible on SQLite too (its backwards step asks pg_extension on
    any database; forwards is already a no-op off PostgreSQL)."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)

"""The access log is append-only in the database itself (PostgreSQL): see
`mammapoli.core.append_only`. On SQLite the model and its queryset refuse instead."""

from django.db import migrations

from mammapoli.core.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [append_only(table="audit_accessevent", function="audit_accessevent_append_only",
                              refusal="the access log is append-only")]

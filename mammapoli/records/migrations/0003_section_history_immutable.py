"""A section's history is immutable in the database itself (PostgreSQL), by the same rule as
the access log (`mammapoli.core.append_only`, the same test-only TRUNCATE switch). On SQLite
the model and its queryset refuse instead."""

from django.db import migrations

from mammapoli.core.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("records", "0002_visit_form")]

    operations = [append_only(table="records_sectionversion", function="records_sectionversion_immutable",
                              refusal="the form history is immutable")]

"""The same read repeated within 15 minutes is one row with a count and a last time.

The PostgreSQL trigger now allows exactly that update and nothing else: every other column
unchanged, the count growing, the last time not going back and within 15 minutes of the row's
first (models.REPEAT_WINDOW), and only on an allowed read, list or search. Existing rows get
their first time as their last; that one fill runs with the row trigger off, as the owner
role that runs migrations (the application's role cannot).
"""

from django.db import migrations, models

ALLOW_REPEATS = """
CREATE OR REPLACE FUNCTION audit_accessevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('mammapoli.allow_log_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE'
       AND (to_jsonb(NEW) - 'count' - 'last_at') = (to_jsonb(OLD) - 'count' - 'last_at')
       AND OLD.outcome = 'allowed' AND OLD.action IN ('read', 'list', 'search')
       AND NEW.count > OLD.count
       AND NEW.last_at >= OLD.last_at
       AND NEW.last_at < OLD.at + interval '15 minutes' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the access log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$ LANGUAGE plpgsql;
"""

REFUSE_ALL = """
CREATE OR REPLACE FUNCTION audit_accessevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('mammapoli.allow_log_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the access log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$ LANGUAGE plpgsql;
"""

FILL_POSTGRESQL = """
ALTER TABLE audit_accessevent DISABLE TRIGGER audit_accessevent_no_update_or_delete;
UPDATE audit_accessevent SET last_at = at WHERE last_at IS NULL;
ALTER TABLE audit_accessevent ENABLE TRIGGER audit_accessevent_no_update_or_delete;
"""


def fill_last_at(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(FILL_POSTGRESQL)
    else:  # the historical model has the plain manager: SQLite has no trigger to pass
        apps.get_model("audit", "AccessEvent").objects.filter(last_at__isnull=True).update(last_at=models.F("at"))


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_action_login_logout")]

    operations = [
        migrations.AddField(
            model_name="accessevent", name="count",
            field=models.PositiveIntegerField(default=1, help_text="the same read repeated within 15 minutes of the first",
                                              verbose_name="times"),
        ),
        migrations.AddField(model_name="accessevent", name="last_at",
                            field=models.DateTimeField(null=True, verbose_name="last time")),
        migrations.RunPython(fill_last_at, migrations.RunPython.noop),
        migrations.AlterField(model_name="accessevent", name="last_at",
                              field=models.DateTimeField(verbose_name="last time")),
        migrations.RunPython(_on_postgresql(ALLOW_REPEATS), _on_postgresql(REFUSE_ALL)),
    ]

"""A section's history is immutable in the database itself (PostgreSQL).

UPDATE and DELETE of a `SectionVersion` row are refused. TRUNCATE is refused unless the
database sets `mammapoli.allow_log_truncate = on` — the same switch as the access log's
(audit migration 0002), which only the test databases set. On SQLite the model and its
queryset refuse instead.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION records_sectionversion_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('mammapoli.allow_log_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the form history is immutable: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER records_sectionversion_no_update_or_delete
    BEFORE UPDATE OR DELETE ON records_sectionversion
    FOR EACH ROW EXECUTE FUNCTION records_sectionversion_immutable();
CREATE TRIGGER records_sectionversion_no_truncate
    BEFORE TRUNCATE ON records_sectionversion
    FOR EACH STATEMENT EXECUTE FUNCTION records_sectionversion_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS records_sectionversion_no_truncate ON records_sectionversion;
DROP TRIGGER IF EXISTS records_sectionversion_no_update_or_delete ON records_sectionversion;
DROP FUNCTION IF EXISTS records_sectionversion_immutable();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("records", "0002_visit_form")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]

"""Tables the database itself keeps append-only (PostgreSQL): the access log, the form history.

UPDATE and DELETE are refused row by row. TRUNCATE is refused unless the database sets
`mammapoli.allow_log_truncate = on`, which only the test databases do (their teardown
empties every table). On SQLite the models and their querysets refuse instead. The
migrations that install the triggers (audit 0002, records 0003) build them here, so the rule
is written once.
"""

from django.db import migrations


def append_only_sql(*, table: str, function: str, refusal: str) -> tuple[str, str]:
    """The SQL that makes `table` append-only (a trigger `function` raising "`refusal`: <op>
    refused"), and the SQL that undoes it."""
    create = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('mammapoli.allow_log_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '{refusal}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER {table}_no_update_or_delete
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}();
CREATE TRIGGER {table}_no_truncate
    BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION {function}();
"""
    drop = f"""
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
DROP TRIGGER IF EXISTS {table}_no_update_or_delete ON {table};
DROP FUNCTION IF EXISTS {function}();
"""
    return create, drop


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


def append_only(*, table: str, function: str, refusal: str) -> migrations.RunPython:
    """The migration operation that makes `table` append-only on PostgreSQL (nothing elsewhere)."""
    create, drop = append_only_sql(table=table, function=function, refusal=refusal)
    return migrations.RunPython(_on_postgresql(create), _on_postgresql(drop))

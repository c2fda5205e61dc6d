"""A visit step belongs to its visit's pathway: enforced by the database, on both vendors.

Django has no composite foreign keys, so triggers check it: on insert/update of a visit
step, and on a change of a visit's pathway while steps of the old pathway remain.
"""

from django.db import migrations

POSTGRES_CREATE = """
CREATE OR REPLACE FUNCTION planning_visitstep_same_pathway() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM planning_visit v JOIN clinics_pathwaystep s ON s.pathway_id = v.pathway_id
        WHERE v.id = NEW.visit_id AND s.id = NEW.step_id
    ) THEN
        RAISE EXCEPTION 'visit step % is not a step of the pathway of visit %', NEW.step_id, NEW.visit_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER planning_visitstep_same_pathway
    BEFORE INSERT OR UPDATE OF visit_id, step_id ON planning_visitstep
    FOR EACH ROW EXECUTE FUNCTION planning_visitstep_same_pathway();

CREATE OR REPLACE FUNCTION planning_visit_pathway_change() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM planning_visitstep vs JOIN clinics_pathwaystep s ON s.id = vs.step_id
        WHERE vs.visit_id = NEW.id AND s.pathway_id <> NEW.pathway_id
    ) THEN
        RAISE EXCEPTION 'visit % still has steps of its previous pathway', NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER planning_visit_pathway_change
    BEFORE UPDATE OF pathway_id ON planning_visit
    FOR EACH ROW EXECUTE FUNCTION planning_visit_pathway_change();
"""

POSTGRES_DROP = """
DROP TRIGGER IF EXISTS planning_visit_pathway_change ON planning_visit;
DROP FUNCTION IF EXISTS planning_visit_pathway_change();
DROP TRIGGER IF EXISTS planning_visitstep_same_pathway ON planning_visitstep;
DROP FUNCTION IF EXISTS planning_visitstep_same_pathway();
"""

_SQLITE_STEP_CHECK = """
    WHEN (SELECT pathway_id FROM clinics_pathwaystep WHERE id = NEW.step_id)
         IS NOT (SELECT pathway_id FROM planning_visit WHERE id = NEW.visit_id)
    BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: visit step is not a step of its visit''s pathway'); END
"""
SQLITE_CREATE = [
    "CREATE TRIGGER planning_visitstep_same_pathway_insert BEFORE INSERT ON planning_visitstep" + _SQLITE_STEP_CHECK,
    "CREATE TRIGGER planning_visitstep_same_pathway_update BEFORE UPDATE OF visit_id, step_id ON planning_visitstep"
    + _SQLITE_STEP_CHECK,
    """CREATE TRIGGER planning_visit_pathway_change BEFORE UPDATE OF pathway_id ON planning_visit
    WHEN EXISTS (SELECT 1 FROM planning_visitstep vs JOIN clinics_pathwaystep s ON s.id = vs.step_id
                 WHERE vs.visit_id = NEW.id AND s.pathway_id <> NEW.pathway_id)
    BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: visit still has steps of its previous pathway'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS planning_visit_pathway_change",
    "DROP TRIGGER IF EXISTS planning_visitstep_same_pathway_update",
    "DROP TRIGGER IF EXISTS planning_visitstep_same_pathway_insert",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        connection = schema_editor.connection
        statements = statements_by_vendor.get(connection.vendor)
        if statements is None:
            raise RuntimeError(f"no visit-step trigger for database vendor {connection.vendor!r}")
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("planning", "0001_initial"), ("clinics", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": [POSTGRES_CREATE], "sqlite": SQLITE_CREATE}),
            _run({"postgresql": [POSTGRES_DROP], "sqlite": SQLITE_DROP}),
        ),
    ]

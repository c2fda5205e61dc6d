"""The application's PostgreSQL role: owns nothing, may add to the access log and the form
history but never change them (README "Database roles").

A table's owner can `ALTER TABLE … DISABLE TRIGGER`, so the append-only triggers protect the
log only from a role that does not own it. The tables belong to the owner role that runs the
migrations; this grants the application's role what it needs: every table's rows, except
that the access log and the form history are INSERT and SELECT only (plus, on the log, the
one update its trigger allows: a repeated read's `count` and `last_at`), and the migration
records are read-only. Run after every migrate (the `migrate` command does, when
MIGRATION_DATABASE_URL is set; or `manage.py grant_app_role ROLE`).
"""

from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg2 import sql

APPEND_ONLY_TABLES = ("audit_accessevent", "records_sectionversion")
REPEAT_COLUMNS = {"audit_accessevent": ("count", "last_at")}
READ_ONLY_TABLES = ("django_migrations",)


class AppRoleRefused(Exception):
    """The role given as the application's could switch the triggers off: no rights granted."""


def app_role_problems(connection: BaseDatabaseWrapper, role: str) -> list[str]:
    """Why `role` must not be the application's role here, if it must not (empty: it may)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolcreaterole, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
        found = cursor.fetchone()
        if found is None:
            return [f"role {role} does not exist"]
        problems = [f"role {role} is {name}" for name, flag in zip(("a superuser", "CREATEROLE", "BYPASSRLS"), found)
                    if flag]
        cursor.execute("""
            SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v')
              AND pg_has_role(%s, c.relowner, 'USAGE')
            ORDER BY c.relname""", [role])
        owned = cursor.fetchall()
        if owned:
            problems.append(f"role {role} owns (or acts as the owner {owned[0][1]} of) {len(owned)} tables, "
                            f"e.g. {owned[0][0]}")
        cursor.execute("SELECT pg_has_role(%s, datdba, 'USAGE') FROM pg_database WHERE datname = current_database()",
                       [role])
        if cursor.fetchone()[0]:
            problems.append(f"role {role} owns the database")
    return problems


def grant_app_role(connection: BaseDatabaseWrapper, role: str) -> None:
    """Give `role` exactly the application's rights on the current database (run as the owner)."""
    if problems := app_role_problems(connection, role):
        raise AppRoleRefused("; ".join(problems))
    who = sql.Identifier(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = {name for (name,) in cursor.fetchall()}
        append_only = [sql.Identifier(name) for name in APPEND_ONLY_TABLES if name in tables]
        read_only = [sql.Identifier(name) for name in READ_ONLY_TABLES if name in tables]
        statements = [
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(connection.settings_dict["NAME"]), who),
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(who),
            sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(who),
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(who),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(who),
        ]
        if append_only:
            statements.append(sql.SQL("REVOKE UPDATE, DELETE ON {} FROM {}").format(sql.SQL(", ").join(append_only), who))
        if read_only:
            statements.append(sql.SQL("REVOKE INSERT, UPDATE, DELETE ON {} FROM {}").format(
                sql.SQL(", ").join(read_only), who))
        for table, columns in REPEAT_COLUMNS.items():
            if table in tables:
                statements.append(sql.SQL("GRANT UPDATE ({}) ON {} TO {}").format(
                    sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(table), who))
        for statement in statements:
            cursor.execute(statement)

"""The application's database role owns nothing: it cannot switch the append-only triggers off,
nor change or remove the access log or the form history, and the app still does its work
with it (README "Database roles"). PostgreSQL only: CI creates the role
(MAMMAPOLI_TEST_APP_ROLE, .ci/run); elsewhere with PostgreSQL the test creates it."""

import datetime as dt
import os
from contextlib import contextmanager

import psycopg2
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from mammapoli.audit.models import AccessEvent
from mammapoli.core.db_roles import AppRoleRefused, grant_app_role
from mammapoli.records.models import SectionVersion
from mammapoli.records.services import form_section_update
from tests.factories import ClinicSessionFactory, VisitFactory
from tests.second_factor import VerifiedClient

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

APP_ROLE = os.environ.get("MAMMAPOLI_TEST_APP_ROLE", "mammapoli_test_app")


@pytest.fixture
def app_role(db):
    with connection.cursor() as cursor:  # roles are the cluster's: two test workers may both create it
        cursor.execute(f"""DO $$ BEGIN CREATE ROLE "{APP_ROLE}" LOGIN;
                           EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$""")
    grant_app_role(connection, APP_ROLE)
    return APP_ROLE


@contextmanager
def connected_as(role: str):
    """Django's own connection, logged in as `role` for the block."""
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(USER=role, PASSWORD="")
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def as_role(role: str):
    settings = connection.settings_dict
    raw = psycopg2.connect(host=settings["HOST"], port=settings["PORT"] or 5432, dbname=settings["NAME"], user=role)
    raw.autocommit = True
    return raw


@pytest.fixture
def visit(clinic):
    return VisitFactory(session=ClinicSessionFactory(clinic=clinic, date=dt.date(2026, 12, 1)),
                        pathway=clinic.pathways.get(code="imaging"))


def refused(raw, statement: str, params=()) -> str:
    with pytest.raises(psycopg2.Error) as error, raw.cursor() as cursor:
        cursor.execute(statement, params)
    return str(error.value)


@pytest.mark.parametrize("table", ["audit_accessevent", "records_sectionversion"])
def test_the_app_role_cannot_switch_the_triggers_off_change_or_remove(app_role, table):
    raw = as_role(app_role)
    assert "must be owner" in refused(raw, f"ALTER TABLE {table} DISABLE TRIGGER ALL")
    assert "must be owner" in refused(raw, f"ALTER TABLE {table} DISABLE TRIGGER USER")
    assert "must be owner" in refused(raw, f"DROP TABLE {table}")
    assert "permission denied" in refused(raw, f"UPDATE {table} SET id = id")
    assert "permission denied" in refused(raw, f"DELETE FROM {table}")
    assert "permission denied" in refused(raw, f"TRUNCATE {table}")
    assert "permission denied" in refused(raw, "SET session_replication_role = replica")
    assert "permission denied" in refused(raw, f"CREATE TABLE {table}_copy (id int)")


def test_the_app_role_adds_to_the_log_and_its_repeats_but_changes_nothing_else(app_role, surgeon):
    raw = as_role(app_role)
    with raw.cursor() as cursor:
        cursor.execute("""INSERT INTO audit_accessevent (at, last_at, count, user_id, username, role, action, what,
                          outcome, detail) VALUES (now(), now(), 1, %s, 'sophie.surgeon', 'surgeon', 'read', 'form',
                          'allowed', '') RETURNING id""", [surgeon.pk])
        (row_id,) = cursor.fetchone()
        cursor.execute("UPDATE audit_accessevent SET count = count + 1, last_at = last_at WHERE id = %s", [row_id])
    assert "permission denied" in refused(raw, "UPDATE audit_accessevent SET what = 'nothing' WHERE id = %s", [row_id])
    assert "append-only: UPDATE refused" in refused(
        raw, "UPDATE audit_accessevent SET count = count + 1, last_at = at + interval '1 hour' WHERE id = %s", [row_id])
    assert AccessEvent.objects.values_list("what", "count").get() == ("form", 2)


def test_the_app_works_as_its_role(app_role, visit, surgeon, privacy_officer):
    """A morning's work through the app's own code: the board twice (a repeat), a form save
    (a new version), the privacy officer's log page."""
    with connected_as(app_role):
        client = VerifiedClient()
        client.force_login(surgeon)
        for _ in range(2):
            assert client.get(f"/sessions/{visit.session_id}/board/").status_code == 200
        form_section_update(user=surgeon, visit_id=visit.pk, section="clinical", changes={"p_score": 2},
                            expected_version=0)
        client.force_login(privacy_officer)
        assert client.get("/privacy/log/").status_code == 200
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone() == (app_role,)
    board = AccessEvent.objects.get(what="board", patient_id=visit.patient_id)
    assert board.count == 2
    assert SectionVersion.objects.filter(section__form__visit=visit).count() == 1


def test_an_owner_or_superuser_is_refused_as_the_app_role(db):
    owner = connection.settings_dict["USER"]  # the test database's owner (a superuser in CI)
    with pytest.raises(AppRoleRefused, match="superuser|owns"):
        grant_app_role(connection, owner)
    with pytest.raises(CommandError, match="does not exist"):
        call_command("grant_app_role", "no_such_role_anywhere")

import pytest
from django.db import DatabaseError, connection, transaction

from mammapoli.audit.models import AccessEvent, Action, AppendOnlyError
from mammapoli.audit.services import access_event_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(surgeon):
    return access_event_record(user=surgeon, action=Action.READ, what="visit", role="surgeon")


def test_an_event_records_who_did_what(event, surgeon):
    stored = AccessEvent.objects.get()
    assert (stored.username, stored.role, stored.action, stored.what, stored.outcome) == (
        "sophie.surgeon", "surgeon", "read", "visit", "allowed")
    assert stored.user_id == surgeon.pk


def test_the_application_cannot_change_or_delete_an_event(event):
    event.what = "nothing happened"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.filter(pk=event.pk).update(what="nothing")
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.all().delete()
    assert AccessEvent.objects.get().what == "visit"


@pytest.mark.postgres
def test_postgresql_refuses_an_update_even_in_raw_sql(event):
    with pytest.raises(DatabaseError, match="append-only: UPDATE refused"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_accessevent SET what = 'nothing' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError, match="append-only: DELETE refused"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_accessevent")
    assert AccessEvent.objects.get().what == "visit"


@pytest.mark.postgres
def test_postgresql_refuses_truncate_outside_the_test_databases(event):
    with pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL mammapoli.allow_log_truncate = 'off'")
            cursor.execute("TRUNCATE audit_accessevent")
    assert AccessEvent.objects.count() == 1

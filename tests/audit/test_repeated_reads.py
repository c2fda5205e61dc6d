"""The same read again within 15 minutes adds to its row (count, last time) instead of writing an
identical one: a board refreshing every 30 s leaves a reviewable log. Nothing else is merged."""

import datetime as dt

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from mammapoli.audit.models import AccessEvent, Action, Outcome
from mammapoli.audit.services import access_event_record, access_events_record_many

pytestmark = pytest.mark.django_db


def board_refresh(user, subjects):
    access_events_record_many(user=user, action=Action.LIST, what="board", subjects=subjects, role="surgeon",
                              clinic_id=1, detail="session=7 date=2026-12-01")


def test_a_board_refreshed_for_ten_minutes_is_one_row_per_patient(surgeon):
    start = timezone.now()
    for minute in range(0, 10):
        with time_machine.travel(start + dt.timedelta(minutes=minute), tick=False):
            board_refresh(surgeon, [(1, 11), (2, 12)])
    rows = list(AccessEvent.objects.order_by("patient_id").values_list("patient_id", "visit_id", "count", "at",
                                                                      "last_at"))
    assert [(p, v, c) for p, v, c, _at, _last in rows] == [(1, 11, 10), (2, 12, 10)]
    assert all(at == start and last == start + dt.timedelta(minutes=9) for *_ids, at, last in rows)


def test_after_the_window_a_new_row_begins(surgeon):
    start = timezone.now()
    for minute in (0, 14, 15, 16):
        with time_machine.travel(start + dt.timedelta(minutes=minute), tick=False):
            board_refresh(surgeon, [(1, 11)])
    assert list(AccessEvent.objects.order_by("at").values_list("count", flat=True)) == [2, 2]


def test_another_user_page_patient_or_visit_is_another_row(surgeon, radiologist):
    board_refresh(surgeon, [(1, 11)])
    board_refresh(radiologist, [(1, 11)])
    board_refresh(surgeon, [(1, 12), (2, 11)])
    access_events_record_many(user=surgeon, action=Action.LIST, what="day view", subjects=[(1, 11)],
                              role="surgeon", clinic_id=1, detail="session=7 date=2026-12-01")
    assert AccessEvent.objects.count() == 5
    assert set(AccessEvent.objects.values_list("count", flat=True)) == {1}


def test_a_single_read_repeats_too(surgeon):
    for _ in range(3):
        access_event_record(user=surgeon, action=Action.READ, what="form", patient_id=1, visit_id=11)
    assert list(AccessEvent.objects.values_list("count", flat=True)) == [3]


@pytest.mark.parametrize(("action", "outcome"), [(Action.WRITE, Outcome.ALLOWED), (Action.EXPORT, Outcome.ALLOWED),
                                                 (Action.READ, Outcome.DENIED)])
def test_writes_exports_and_refusals_are_each_a_row(surgeon, action, outcome):
    for _ in range(3):
        access_event_record(user=surgeon, action=action, outcome=outcome, what="form", patient_id=1, visit_id=11)
    assert list(AccessEvent.objects.values_list("count", flat=True)) == [1, 1, 1]


def test_the_same_patient_twice_on_one_page_counts_twice(surgeon):
    board_refresh(surgeon, [(1, 11), (1, 11)])
    assert list(AccessEvent.objects.values_list("count", flat=True)) == [2]


@pytest.fixture
def repeated(surgeon):
    access_event_record(user=surgeon, action=Action.READ, what="form", patient_id=1, visit_id=11)
    return AccessEvent.objects.get()


def raw_update(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.postgres
def test_postgresql_allows_a_repeat_of_an_allowed_read(repeated):
    raw_update("UPDATE audit_accessevent SET count = count + 1, last_at = at + interval '5 minutes' WHERE id = %s",
               [repeated.pk])
    assert AccessEvent.objects.get().count == 2


@pytest.mark.postgres
@pytest.mark.parametrize("change", [
    "what = 'nothing'",  # anything but count and last_at
    "count = count + 1, username = 'someone'",
    "count = 1, last_at = at + interval '1 minute'",  # the count only grows
    "count = count + 1, last_at = at - interval '1 minute'",  # the last time never goes back
    "count = count + 1, last_at = at + interval '15 minutes'",  # nor leaves the window
])
def test_postgresql_refuses_every_other_update(repeated, change):
    with pytest.raises(DatabaseError, match="append-only: UPDATE refused"):
        raw_update(f"UPDATE audit_accessevent SET {change} WHERE id = %s", [repeated.pk])
    stored = AccessEvent.objects.get()
    assert (stored.what, stored.username, stored.count, stored.last_at) == (
        "form", "sophie.surgeon", 1, repeated.last_at)


@pytest.mark.postgres
def test_postgresql_refuses_a_repeat_of_a_write_or_refusal(surgeon):
    for outcome, action in [(Outcome.DENIED, Action.READ), (Outcome.ALLOWED, Action.WRITE)]:
        event = access_event_record(user=surgeon, action=action, outcome=outcome, what="form", patient_id=1)
        with pytest.raises(DatabaseError, match="append-only: UPDATE refused"):
            raw_update("UPDATE audit_accessevent SET count = count + 1 WHERE id = %s", [event.pk])

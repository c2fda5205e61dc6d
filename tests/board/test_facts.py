"""Rows to plain data: step families, resource groups, minutes, and what 'now' is."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from mammapoli.planning.clock import clock as hhmm
from mammapoli.planning.clock import minutes_on
from mammapoli.board.facts import (
    BIOPSY, DEVICES, EXAM, LAB, MAMMO, NURSES, OTHER, OTHER_STAFF, RESULT, ROOMS, SURGEONS, US,
    morning_now, resource_group, step_family,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DAY = dt.date(2026, 12, 1)


@pytest.mark.parametrize(("code", "family"), [
    ("exam", EXAM), ("mammo", MAMMO), ("us", US), ("fna", BIOPSY), ("core", BIOPSY), ("core-2", BIOPSY),
    ("cytology", LAB), ("histology", LAB), ("result", RESULT), ("mammo_tomo", MAMMO), ("mri", OTHER),
])
def test_steps_are_coloured_by_the_family_of_their_code(code, family):
    assert step_family(code) == family


@pytest.mark.parametrize(("kind", "category", "group"), [
    ("surgeon", "person", SURGEONS), ("nurse", "person", NURSES), ("consult_room", "room", ROOMS),
    ("mammography_unit", "device", DEVICES), ("secretary", "person", OTHER_STAFF),
])
def test_resources_are_grouped_by_kind_and_category(kind, category, group):
    assert resource_group(kind, category) == group


def test_aware_datetimes_become_clinic_local_minutes():
    assert minutes_on(dt.datetime(2026, 12, 1, 9, 55, tzinfo=AMSTERDAM), DAY) == 9 * 60 + 55
    assert minutes_on(dt.datetime(2026, 12, 1, 8, 55, tzinfo=dt.UTC), DAY) == 9 * 60 + 55
    assert minutes_on(dt.time(10, 15), DAY) == 615
    assert hhmm(615) == "10:15"


def test_now_is_the_recorded_state_on_another_day():
    assert morning_now(DAY, dt.time(10, 15), dt.datetime(2026, 11, 28, 18, 0, tzinfo=AMSTERDAM)) == 615
    assert morning_now(DAY, None, dt.datetime(2026, 11, 28, 18, 0, tzinfo=AMSTERDAM)) is None


def test_now_is_the_wall_clock_on_the_day_itself_but_never_before_the_recorded_state():
    assert morning_now(DAY, None, dt.datetime(2026, 12, 1, 9, 30, tzinfo=AMSTERDAM)) == 570
    assert morning_now(DAY, dt.time(10, 15), dt.datetime(2026, 12, 1, 11, 0, tzinfo=AMSTERDAM)) == 660
    assert morning_now(DAY, dt.time(10, 15), dt.datetime(2026, 12, 1, 9, 0, tzinfo=AMSTERDAM)) == 615

"""The day view and the board in Dutch (the default language)."""

import pytest

from tests.board.html import page

pytestmark = pytest.mark.django_db


def test_in_dutch_the_pages_are_translated_and_the_chart_still_uses_decimal_points(client, planner, morning):
    html = page(client, planner, f"/sessions/{morning.pk}/day/", HTTP_ACCEPT_LANGUAGE="nl")
    assert "<h1>Dagoverzicht" in html and "Aankomsttijden" in html
    assert 'class="gantt-now x-450"' in html
    board = page(client, planner, f"/sessions/{morning.pk}/board/", HTTP_ACCEPT_LANGUAGE="nl")
    assert "<h1>Polibord" in board and "Wachttijd" in board and "Bij fna in echo-A met rad-A" in board

"""In a real browser: the planner reads the morning in the day view and on the board."""

import re

import pytest
from playwright.sync_api import expect

from mammapoli.audit.models import AccessEvent
from tests.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_planner_reads_the_morning_in_the_day_view_and_on_the_board(log_in, live_server, morning, planner):
    page = log_in(planner)
    page.goto(f"{live_server.url}/sessions/{morning.pk}/day/")
    expect(page.locator("h1")).to_contain_text("Day view")
    p07_core = page.locator('[data-row="rad-B"] .bar--planned[data-start="09:55"][data-end="10:20"]')
    expect(p07_core).to_have_text("P07")
    expect(page.locator(".gantt-now-label")).to_have_text("10:15")
    screenshot(page, "day-view-resources")

    page.get_by_role("link", name="A row per patient").click()
    expect(page).to_have_url(re.compile(r"\?rows=patients$"))
    expect(page.locator('[data-row="P07"] .bar--lag')).to_have_text("lab 120 min")
    arrivals = page.locator("#arrivals")
    expect(arrivals.get_by_role("heading")).to_have_text("Arrival times")
    expect(arrivals.locator('tr[data-visit="P09"] td').first).to_have_text("08:00")
    expect(arrivals.locator('tr[data-visit="P06"]')).to_contain_text("09:25 P06 Fatima El Amrani")
    screenshot(page, "day-view-patients")

    page.get_by_role("navigation", name="Pages of this morning").get_by_role("link", name="Board").click()
    p06 = page.locator('tr[data-visit="P06"]')
    expect(p06).to_have_attribute("data-place", "in_step")
    expect(p06).to_contain_text("In fna in echo-A with rad-A")
    screenshot(page, "board")
    assert set(AccessEvent.objects.filter(username=planner.username).values_list("what", "action")) == {
        ("login", "login"), ("day view", "list"), ("board", "list")}  # the login through the form is logged too


def test_the_print_layout_fits_the_chart_and_the_arrivals_on_one_landscape_page(log_in, live_server, morning,
                                                                                planner):
    page = log_in(planner)
    for rows in ("resources", "patients"):
        page.goto(f"{live_server.url}/sessions/{morning.pk}/day/?rows={rows}&print=1")
        page.emulate_media(media="print")
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, rows
    assert AccessEvent.objects.filter(username=planner.username, action="print").count() == 2 * 22


def test_the_board_does_not_reload_while_an_event_is_being_entered(log_in, live_server, morning, planner):
    page = log_in(planner)
    page.goto(f"{live_server.url}/sessions/{morning.pk}/board/")
    assert page.locator('head meta[http-equiv="refresh"]').count() == 0  # the script refreshes instead
    assert page.evaluate("mammapoliBoard.busy()") is False
    time_of_p03 = page.locator('tr[data-visit="P03"] input[name="at"]')
    time_of_p03.fill("10:20")
    page.locator("h1").click()  # the field loses focus but keeps the typed time
    assert page.evaluate("mammapoliBoard.busy()") is True
    time_of_p03.fill("")
    page.locator("h1").click()
    assert page.evaluate("mammapoliBoard.busy()") is False
    page.locator('tr[data-visit="P06"] select[name="pathway"]').focus()
    assert page.evaluate("mammapoliBoard.busy()") is True

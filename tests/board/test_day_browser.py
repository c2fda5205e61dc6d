"""The morning as it really happens, on the board in a real headless browser, as the demo
planner runs it: a patient comes early, one does not come, a walk-in arrives, a radiologist is
called away. After each event the re-plan names every change and every call; nobody who is in
the clinic is dropped; a patient the plan leaves out is rebooked in one click; the absence is
withdrawn and the morning re-planned again."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import expect

from mammapoli.planning.models import ClinicSession, Plan, PlanStatus, Visit, VisitStatus
from scheduler.check import check_plan
from tests.browser import screenshot
from tests.test_end_to_end import as_demo_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published_demo(live_server):
    """The demo clinic's morning (standard-20), planned and published, as `make demo` leaves it."""
    call_command("load_demo", stdout=io.StringIO())
    session = ClinicSession.objects.get(clinic__name="demo")
    call_command("plan_morning", "demo", session.date.isoformat(), "--publish", "--time-limit", "3",
                 stdout=io.StringIO())
    return session


def board(page, live_server, session):
    page.goto(f"{live_server.url}/sessions/{session.pk}/board/")


def on_row(page, code: str, clock: str, button: str):
    row = page.locator(f'tr[data-visit="{code}"]')
    row.locator('input[name="at"]').fill(clock)
    row.get_by_role("button", name=button, exact=True).click()


def proposal_shows_everyone_in_the_clinic(page) -> None:
    """The re-plan page: every call has a phone number, nobody in the clinic is dropped."""
    expect(page.locator("h1")).to_contain_text("Proposal")
    expect(page.locator(".summary")).to_contain_text("to make")
    expect(page.locator(".card.not-seen .badge")).to_have_count(0)   # "in the clinic" never on that list
    for row in page.locator(".card.calls tr.call").all():
        expect(row.locator("td.phone a")).to_have_attribute("href", re.compile(r"^tel:\+31"))


def publish(page) -> None:
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("The plan is published.")


def expected_codes(session) -> list[str]:
    connections.close_all()
    visits = [v for v in Visit.objects.filter(session=session, status=VisitStatus.BOOKED).prefetch_related("steps")
              if all(s.planned_start for s in v.steps.all())]
    return [v.code for v in sorted(visits, key=lambda v: min(s.planned_start for s in v.steps.all()))]


def present_codes(session) -> set[str]:
    connections.close_all()
    return set(Visit.objects.filter(session=session, status__in=(VisitStatus.ARRIVED, VisitStatus.IN_PROGRESS))
               .values_list("code", flat=True))


def test_the_morning_as_it_happens(browser_page, live_server, published_demo):
    page, session = browser_page, published_demo
    as_demo_user(page, live_server, "planner")

    # She comes an hour early.
    early = expected_codes(session)[6]
    board(page, live_server, session)
    on_row(page, early, "08:00", "Arrived")
    proposal_shows_everyone_in_the_clinic(page)
    screenshot(page, "day-1-early-arrival")
    publish(page)

    # The first patient of the morning does not come.
    absent = expected_codes(session)[0]
    board(page, live_server, session)
    on_row(page, absent, "08:10", "No-show")
    proposal_shows_everyone_in_the_clinic(page)
    publish(page)

    # A walk-in: in the clinic from the moment she is added, never called.
    page.goto(f"{live_server.url}/sessions/{session.pk}/walk-in/")
    for field, value in {"hospital_number": "W-2001", "given_name": "Noor", "family_name": "Bakker",
                         "date_of_birth": "1975-02-03", "phone": "06 12345699", "priority": "3",
                         "at": "08:15"}.items():
        page.fill(f"#id_{field}", value)
    page.select_option("#id_pathway", "fna")
    page.get_by_role("button", name="Add and re-plan").click()
    proposal_shows_everyone_in_the_clinic(page)
    expect(page.locator('table.changes tr[data-visit="W01"]')).to_contain_text("new on the plan")
    expect(page.locator('.card.calls tr[data-visit="W01"]')).to_have_count(0)
    publish(page)

    # A radiologist is called away: whoever cannot be seen is named, with every call to make.
    page.goto(f"{live_server.url}/sessions/{session.pk}/absence/")
    page.select_option("#id_resource", "rad-A")
    page.fill("#id_at", "08:20")
    page.fill("#id_reason", "ER")
    page.get_by_role("button", name="Record and re-plan").click()
    proposal_shows_everyone_in_the_clinic(page)
    expect(page.locator(".card.calls tr.call").first).to_be_visible()
    screenshot(page, "day-2-radiologist-away")
    publish(page)
    connections.close_all()
    published = Plan.objects.get(session=session, status=PlanStatus.PUBLISHED)
    seen = {a["patient"] for a in published.data["assignments"]}
    assert present_codes(session) <= seen and {early, "W01"} <= seen
    assert check_plan(published.job.morning, published.data) == []

    # One click rebooks a patient the plan leaves out.
    board(page, live_server, session)
    left_out = page.locator("tr[data-place=not_seen]")
    expect(left_out.first).to_be_visible()
    code = left_out.first.get_attribute("data-visit")
    left_out.first.get_by_role("button", name="Rebook").click()
    expect(page.locator(".messages")).to_contain_text(re.compile(rf"^{code} .* is booked on .*, arrival \d\d:\d\d"))
    expect(page.locator(f'tr[data-visit="{code}"]')).to_have_attribute("data-place", "rebooked")
    screenshot(page, "day-3-rebooked")

    # The radiologist is back after all: the absence is withdrawn and the morning re-planned.
    page.goto(f"{live_server.url}/sessions/{session.pk}/absence/")
    withdraw = page.locator('tr[data-absence="rad-A"] form.withdraw')
    withdraw.locator('input[name="at"]').fill("08:25")
    withdraw.get_by_role("button", name="Withdraw").click()
    proposal_shows_everyone_in_the_clinic(page)
    publish(page)
    connections.close_all()
    assert not session.clinic.resources.get(code="rad-A").availability_exceptions.filter(reason="ER").exists()

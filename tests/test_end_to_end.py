"""One patient from referral to result in one morning, in a real headless browser, as the demo
clinic's users do it: the planner books the referral, plans and publishes the morning and
reads the day view; on the day the team records each step on the board (at the planned
times, typed beside the buttons) and the surgeon, radiologist and pathologist fill in their
sections of the shared form; the result consult shows as done on the board."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import expect

from mammapoli.demo.loader import demo_definition
from mammapoli.planning.clock import hhmm
from mammapoli.planning.models import Plan, PlanStatus, Visit, VisitStatus
from scheduler.check import check_plan
from tests.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSPITAL_NUMBER = "E2E-0001"


@pytest.fixture
def demo(live_server):
    call_command("load_demo", stdout=io.StringIO())


def as_demo_user(page, live_server, username: str):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/accounts/second-factor/?**")
    page.fill("#id_otp_token", demo_second_factor_code(username))
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def demo_second_factor_code(username: str) -> str:
    """The demo authenticator's code (README); a user back within the same 30 seconds, whose code
    was just used, types a backup code as she would with her phone out of reach."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from mammapoli.demo.loader import DEMO_AUTHENTICATOR
    from tests.second_factor import second_factor_code

    connections.close_all()
    device = TOTPDevice.objects.get(user__username=username, name=DEMO_AUTHENTICATOR)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if totp.t() > device.last_t:
        return f"{totp.token():06d}"
    return second_factor_code(device.user)


def our_visit() -> Visit:
    connections.close_all()  # read what the server committed, not a stale snapshot
    return Visit.objects.select_related("session", "pathway").get(patient__hospital_number=HOSPITAL_NUMBER)


def book_the_referral(page, live_server):
    page.goto(f"{live_server.url}/planning/")
    page.get_by_role("link", name="Enter a referral").click()
    page.fill("#id_hospital_number", HOSPITAL_NUMBER)
    page.fill("#id_given_name", "Ilse")
    page.fill("#id_family_name", "de Wit")
    page.fill("#id_date_of_birth", "1968-05-17")
    page.fill("#id_referring_gp", "Huisartsenpraktijk Delfshaven")
    page.select_option("#id_complaint", "palpable_lump")
    page.select_option("#id_suspicion", "high")
    page.get_by_role("button", name="Find a morning").click()
    expect(page.locator("h1")).to_contain_text("Ilse de Wit")
    expect(page.get_by_text("Suggested: With fine-needle aspiration")).to_be_visible()
    page.get_by_role("button", name="Book this morning").click()
    expect(page.locator(".messages")).to_contain_text("Booked:")


def plan_and_publish(page, live_server, session_id: int):
    page.goto(f"{live_server.url}/planning/sessions/{session_id}/")
    page.get_by_role("button", name="Plan this morning").click()
    page.get_by_role("link", name="See the proposal").click()
    expect(page.locator(".card").first).to_contain_text("1 patients seen")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("The plan is published.")


def record(page, live_server, session_id: int, code: str, button: str, clock: str):
    """Type the time beside the patient's buttons on the board and press one."""
    page.goto(f"{live_server.url}/sessions/{session_id}/board/")
    row = page.locator(f'tr[data-visit="{code}"]')
    row.locator('input[name="at"]').fill(clock)
    row.get_by_role("button", name=button).click()
    expect(page.locator(".messages")).to_contain_text(re.compile(r"Recorded( and re-planned|\. The planner)"))


def fill_section(page, live_server, visit_id: int, section: str, fields: dict[str, str], selects: dict[str, str],
                 checks: tuple[str, ...] = ()):
    page.goto(f"{live_server.url}/visits/{visit_id}/form/")
    form = page.locator(f"#section-{section} form.section-form")
    for name, value in fields.items():
        form.locator(f'[name="{name}"]').fill(value)
    for name, value in selects.items():
        form.locator(f'[name="{name}"]').select_option(value)
    for label in checks:
        form.get_by_role("checkbox", name=label).check()
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("saved")


def test_a_patient_from_referral_to_result_in_one_morning(browser_page, live_server, demo):
    page = browser_page
    as_demo_user(page, live_server, "planner")
    book_the_referral(page, live_server)
    visit = our_visit()
    session_id, code = visit.session_id, visit.code
    assert (visit.pathway.code, visit.status) == ("fna", VisitStatus.BOOKED)

    plan_and_publish(page, live_server, session_id)
    page.get_by_role("link", name="Day view").click()
    expect(page.locator(f'.bar--planned:has-text("{code}")').first).to_be_visible()
    screenshot(page, "e2e-day-view")
    planned = {vs.step.code: vs for vs in our_visit().steps.select_related("step")}
    published = Plan.objects.get(session_id=session_id, status=PlanStatus.PUBLISHED)
    # The demo surgeon holds chir-A, the first surgeon the engine uses: she gives the result.
    assert [a.resource.code for a in planned["result"].allocations.filter(phase="planned")][0] == "chir-A"

    names = {step: name["en"] for step, name in demo_definition()["names"]["steps"].items()}  # the buttons say

    def start(step):
        record(page, live_server, session_id, code, f"Start {names[step]}", hhmm(planned[step].planned_start))

    def finish(step):
        record(page, live_server, session_id, code, f"Finish {names[step]}", hhmm(planned[step].planned_end))

    record(page, live_server, session_id, code, "Arrived", hhmm(planned["exam"].planned_start))
    start("exam")
    finish("exam")
    as_demo_user(page, live_server, "surgeon")
    fill_section(page, live_server, visit.pk, "clinical",
                 {"complaint": "Knobbel linkerborst sinds 3 weken.", "findings.left.0.clock": "2",
                  "findings.left.0.size_mm": "15"}, {"p_score": "3"})
    expect(page.locator("section.badge")).to_have_class(re.compile("badge-positive"))

    as_demo_user(page, live_server, "planner")
    for step in ("mammo", "us", "fna"):
        start(step)
        finish(step)
    as_demo_user(page, live_server, "radiologist")
    fill_section(page, live_server, visit.pk, "imaging",
                 {"ultrasound.left.0.clock": "2", "ultrasound.left.0.size_mm": "14", "biopsies.0.lesion": "1", "biopsies.0.passes": "2"},
                 {"m_score": "3", "u_score": "3", "birads": "3", "biopsies.0.type": "fna", "biopsies.0.side": "left"})

    as_demo_user(page, live_server, "pathologist")
    start("cytology")
    finish("cytology")  # the pathologist records her own step
    fill_section(page, live_server, visit.pk, "pathology", {"report": "Fibroadenoom, geen atypie."},
                 {"c_score": "2"}, checks=("cytology (FNA)",))

    as_demo_user(page, live_server, "planner")
    start("result")
    as_demo_user(page, live_server, "surgeon")
    # P3/BI-RADS 3 make the assessment positive: a benign outcome needs the surgeon's reason.
    fill_section(page, live_server, visit.pk, "conclusion",
                 {"outcome_override": "Fibroadenoom (C2) past bij het beeld; controle over zes maanden."},
                 {"outcome": "benign", "plan": "follow_up"})
    finish("result")

    page.goto(f"{live_server.url}/sessions/{session_id}/board/")
    row = page.locator(f'tr[data-visit="{code}"]')
    expect(row).to_have_attribute("data-place", "done")
    expect(row.locator(".where")).to_have_text("Done")
    screenshot(page, "e2e-board-done")
    visit = our_visit()
    assert visit.status == VisitStatus.DONE
    done = {vs.step.code: (hhmm(vs.actual_start), hhmm(vs.actual_end)) for vs in visit.steps.select_related("step")}
    assert done == {step: (hhmm(vs.planned_start), hhmm(vs.planned_end)) for step, vs in planned.items()}
    assert check_plan(published.job.morning, published.data) == []
    sections = {s.key: s.version for s in visit.form.sections.all()}
    assert sections == {"clinical": 1, "imaging": 1, "pathology": 1, "conclusion": 1}

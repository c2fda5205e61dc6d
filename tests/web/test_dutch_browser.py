"""In a real browser, in Dutch, at a desktop (1366×900), a tablet (1024×768) and a phone
(390×844): the board, the day view, the shared form and the planning pages show no engine
code and no English, and nothing is wider than the screen (a wide table or chart scrolls
inside its own box, never the page). Screenshots in $MAMMAPOLI_SCREENSHOTS."""

import pytest
from playwright.sync_api import expect

from mammapoli.planning.models import Plan, PlanJob, PlanStatus, Referral, Visit
from tests.browser import screenshot
from tests.dutch import busy_demo_morning, demo_user, untranslated

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": (1366, 900), "tablet": (1024, 768), "phone": (390, 844)}

#: Elements that stick out of the viewport, unless a scrolling box of their own holds them.
TOO_WIDE = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => { for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o === "auto" || o === "scroll" || o === "hidden") return true; }
    return false; };
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === "hidden") continue;
    if ((r.right > width + 1 || r.left < -1) && !scrolls(el)) out.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(r.left)}-${Math.round(r.right)}`);
  }
  if (document.documentElement.scrollWidth > width + 1) out.push(`page ${document.documentElement.scrollWidth} > ${width}`);
  return out.slice(0, 10);
}"""
#: What a reader sees: the text, and the hover texts and placeholders.
SEEN = """() => [document.body.innerText,
  ...[...document.querySelectorAll("[title],[placeholder],[aria-label]")].map(
     e => [e.title, e.placeholder, e.getAttribute("aria-label")].filter(Boolean).join(" "))].join(" ")"""


def in_dutch(page, live_server) -> None:
    """As a user who chose NL in the header (Django's language cookie)."""
    page.context.add_cookies([{"name": "django_language", "value": "nl", "url": live_server.url}])


@pytest.fixture
def morning(live_server):
    return busy_demo_morning()


def _pages(morning) -> dict[str, list[tuple[str, str]]]:
    p01 = Visit.objects.get(session=morning, code="P01")
    referral = Referral.objects.filter(clinic=morning.clinic, patient=p01.patient).first()
    plan = Plan.objects.get(session=morning, status=PlanStatus.PUBLISHED)
    job = PlanJob.objects.filter(session=morning).first()
    s = morning.pk
    return {
        "planner": [("board", f"/sessions/{s}/board/"), ("day-view", f"/sessions/{s}/day/"),
                    ("day-view-patients", f"/sessions/{s}/day/?rows=patients"),
                    ("plan-this-morning", f"/planning/sessions/{s}/"), ("job", f"/planning/jobs/{job.job_id}/"),
                    ("proposal", f"/planning/plans/{plan.pk}/"), ("referral", f"/planning/referrals/{referral.pk}/"),
                    ("referrals", "/planning/referrals/?state=all"), ("search", "/patients/?q=de"),
                    ("home", "/")],
        "surgeon": [("form", f"/visits/{p01.pk}/form/"), ("my-patients", "/my-patients/")],
        "radiologist": [("form-imaging", f"/visits/{p01.pk}/form/")],
    }


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_pages_in_dutch_fit_the_screen_and_say_nothing_in_english(log_in, live_server, morning, viewport):
    pages = _pages(morning)
    problems = {}
    for username, urls in pages.items():
        page = log_in(demo_user(username), password="demo")
        in_dutch(page, live_server)
        width, height = VIEWPORTS[viewport]
        page.set_viewport_size({"width": width, "height": height})
        for name, url in urls:
            page.goto(f"{live_server.url}{url}")
            assert page.locator("html").get_attribute("lang") == "nl", url
            screenshot(page, f"nl-{viewport}-{name}")
            wide = page.evaluate(TOO_WIDE)
            words = untranslated(page.evaluate(SEEN))
            if wide or words:
                problems[f"{username} {name}"] = {"too wide": wide, "untranslated": words[:6]}
    assert problems == {}, "\n".join(f"{page}: {found}" for page, found in problems.items())


def test_on_a_phone_the_board_shows_each_patient_as_a_block_with_her_buttons(log_in, live_server, morning):
    page = log_in(demo_user("planner"), password="demo")
    in_dutch(page, live_server)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/sessions/{morning.pk}/board/")
    row = page.locator('tr[data-visit="P01"]')
    assert page.locator(".board-table thead").is_hidden()
    box = row.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert row.get_by_role("button", name="Aangekomen").is_visible()


def test_a_button_says_it_is_busy_while_its_event_is_sent_and_cannot_be_pressed_twice(log_in, live_server, morning):
    page = log_in(demo_user("planner"), password="demo")
    in_dutch(page, live_server)
    page.goto(f"{live_server.url}/sessions/{morning.pk}/board/")
    # Hold the sending (after web/busy.js has seen it), noting whether busy.js let it go.
    page.evaluate("""() => { window.sent = [];
        document.addEventListener("submit", (e) => { window.sent.push(!e.defaultPrevented); e.preventDefault(); }); }""")
    form = page.locator('tr[data-visit="P01"] form.row-events')
    button = form.locator('button[value="arrived"]')
    button.click()
    expect(form).to_have_attribute("aria-busy", "true")
    expect(button).to_have_text("Bezig…")
    button.click(force=True)  # a second press (the button says it waits) sends nothing
    assert page.evaluate("window.sent") == [True, False]
    assert page.evaluate("mammapoliBoard.busy()") is True  # and the board does not reload meanwhile

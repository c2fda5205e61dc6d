"""Headless Chromium for browser tests: Playwright's sync API on pytest-django's live server.

Mark a test `@pytest.mark.browser` and ask for `log_in`: it logs a user in through the login
form and returns the Playwright page. Without /usr/bin/chromium the test skips with a reason,
unless CI is set: then it fails (CI installs Debian's chromium, see .ci/run).

Set MAMMAPOLI_SCREENSHOTS=/some/dir to keep screenshots (`screenshot(page, name)`) to look at.
"""

import os
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: The password of every persona (tests/factories.py UserFactory).
PASSWORD = "secret-password"


def check_browser_available(item) -> None:
    """Skip (or, with CI set, fail) a `browser` test when Chromium is missing."""
    if item.get_closest_marker("browser") and not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"this test needs {CHROMIUM}, and CI is set: apt-get install chromium")
        pytest.skip(f"needs Chromium at {CHROMIUM} (apt-get install chromium); CI runs it")


@pytest.fixture
def browser_page(live_server, monkeypatch):
    """A fresh page in a fresh headless Chromium, English, 1440x900."""
    from playwright.sync_api import sync_playwright

    # The sync API runs an event loop in this thread; Django's ORM refuses to run inside one
    # unless told that this (single-threaded, test-only) use is safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="en-US", viewport={"width": 1440, "height": 900})
            page = context.new_page()
            page.set_default_timeout(15_000)
            yield page
        finally:
            browser.close()
            # With the loop running, Django keeps the connections the test opened in a context
            # variable, apart from the usual ones: close them here, or PostgreSQL cannot drop
            # the test database at the end ("being accessed by other users").
            connections.close_all()


@pytest.fixture
def log_in(browser_page, live_server):
    """log_in(user) -> the page, logged in through the login form and the second-factor step (with a
    fresh backup code of the user, tests/second_factor.py), on the home page."""
    from tests.second_factor import second_factor_code

    def log_in(user, password: str = PASSWORD):
        code = second_factor_code(user)
        browser_page.goto(f"{live_server.url}/accounts/login/")
        browser_page.fill("#id_username", user.get_username())
        browser_page.fill("#id_password", password)
        browser_page.click("main form button[type=submit]")
        browser_page.wait_for_url(f"{live_server.url}/accounts/second-factor/?**")
        browser_page.fill("#id_otp_token", code)
        browser_page.click("main form button[type=submit]")
        browser_page.wait_for_url(f"{live_server.url}/")
        return browser_page

    return log_in


def screenshot(page, name: str) -> None:
    """Keep a full-page screenshot in $MAMMAPOLI_SCREENSHOTS, if set."""
    folder = os.environ.get("MAMMAPOLI_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

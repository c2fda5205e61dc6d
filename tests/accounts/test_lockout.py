"""Guessing passwords: django-axes locks the account after LOGIN_FAILURE_LIMIT wrong ones (5), for
LOGIN_LOCKOUT_SECONDS (15 minutes), even for the right password; every try is in the access log."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt

from mammapoli.audit.models import AccessEvent, Action
from tests.accounts.conftest import authenticator_code, log_in_with_password

pytestmark = pytest.mark.django_db


def test_after_25_wrong_passwords_the_right_one_does_not_log_in(browser, surgeon, authenticator):
    authenticator(surgeon)
    for _ in range(25):
        log_in_with_password(browser, surgeon, password="guess")
    response = log_in_with_password(browser, surgeon)
    assert response.status_code == 429
    assert "this account is locked for 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in browser.session
    assert AccessAttempt.objects.get(username="sophie.surgeon").failures_since_start >= 5


def test_the_lockout_ends_after_the_cool_off(browser, surgeon, authenticator):
    device = authenticator(surgeon)
    for _ in range(5):
        log_in_with_password(browser, surgeon, password="guess")
    assert log_in_with_password(browser, surgeon).status_code == 429
    with time_machine.travel(dt.timedelta(minutes=16)):
        assert log_in_with_password(browser, surgeon).status_code == 302
        browser.post("/accounts/second-factor/", {"otp_token": authenticator_code(device)})
        assert browser.get("/visits/").status_code == 200


def test_four_wrong_passwords_do_not_lock_out(browser, surgeon):
    for _ in range(4):
        assert log_in_with_password(browser, surgeon, password="guess").status_code == 200
    assert log_in_with_password(browser, surgeon).status_code == 302


def test_failed_logins_are_access_log_events(browser, surgeon):
    log_in_with_password(browser, surgeon, password="guess")
    browser.post("/accounts/login/", {"username": "nobody", "password": "guess"})
    events = AccessEvent.objects.filter(action=Action.LOGIN).order_by("id")
    assert [(e.user_id, e.username, e.what, e.outcome, e.detail, e.address) for e in events] == [
        (surgeon.pk, "sophie.surgeon", "login", "denied", "wrong password", "127.0.0.1"),
        (None, "", "login", "denied", "wrong password; username tried 'nobody'", "127.0.0.1"),
    ]


def test_a_locked_out_try_is_logged_as_such(browser, surgeon):
    for _ in range(6):
        log_in_with_password(browser, surgeon, password="guess")
    last = AccessEvent.objects.filter(action=Action.LOGIN).order_by("-id").first()
    assert (last.outcome, last.detail) == ("denied", "locked out after too many wrong passwords")

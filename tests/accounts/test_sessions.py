"""A login ends after 15 minutes without activity (the board's own refresh is none) and after 8 hours
whatever happens; its cookie goes when the browser closes."""

import datetime as dt

import pytest
import time_machine

from mammapoli.audit.models import AccessEvent, Action

pytestmark = pytest.mark.django_db


def later(**delta):
    return time_machine.travel(dt.timedelta(**delta))


def is_logged_in(client) -> bool:
    return client.get("/visits/").status_code == 200


def test_15_minutes_without_activity_end_the_login(client, surgeon):
    client.force_login(surgeon)
    with later(minutes=14, seconds=50):
        assert is_logged_in(client)
    with later(minutes=29, seconds=40):  # 14:50 after the last request
        assert is_logged_in(client)
    with later(minutes=44, seconds=50):
        response = client.get("/visits/")
        assert (response.status_code, response.url) == (302, "/accounts/login/?next=/visits/")
        page = client.get(response.url).content.decode()
        assert "You were logged out after 15 minutes without activity." in page
    event = AccessEvent.objects.get(action=Action.LOGOUT)
    assert (event.username, event.detail) == ("sophie.surgeon", "login ended (idle)")


def test_the_boards_automatic_refresh_is_no_activity(client, planner, clinic):
    from tests.factories import ClinicSessionFactory

    morning = ClinicSessionFactory(clinic=clinic, date=dt.date(2026, 12, 1))
    client.force_login(planner)
    for minutes in (5, 10, 14):
        with later(minutes=minutes):
            assert client.get(f"/sessions/{morning.pk}/board/", {"auto_refresh": "1"}).status_code == 200
    with later(minutes=15, seconds=10):
        assert not is_logged_in(client)


def test_a_click_on_the_board_is_activity(client, planner, clinic):
    from tests.factories import ClinicSessionFactory

    morning = ClinicSessionFactory(clinic=clinic, date=dt.date(2026, 12, 1))
    client.force_login(planner)
    with later(minutes=10):
        assert client.get(f"/sessions/{morning.pk}/board/").status_code == 200
    with later(minutes=20):
        assert is_logged_in(client)


def test_a_login_ends_after_8_hours_however_busy(client, surgeon):
    client.force_login(surgeon)
    for minutes in range(14, 8 * 60, 14):
        with later(minutes=minutes):
            assert is_logged_in(client), minutes
    with later(hours=8, seconds=1):
        assert not is_logged_in(client)
        assert "Your login has ended; please log in again." in client.get("/accounts/login/").content.decode()


def test_the_session_cookie_goes_when_the_browser_closes(client, surgeon):
    from tests.browser import PASSWORD

    response = client.post("/accounts/login/", {"username": surgeon.get_username(), "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert (cookie["expires"], cookie["max-age"]) == ("", "")
    assert cookie["httponly"]


def test_an_idle_end_keeps_the_api_tokens(client, surgeon):
    """Only logging out on purpose revokes them; a script may outlive the browser's session."""
    from knox.models import AuthToken

    AuthToken.objects.create(user=surgeon)
    client.force_login(surgeon)
    with later(minutes=16):
        assert not is_logged_in(client)
    assert AuthToken.objects.filter(user=surgeon).count() == 1

"""POST /api/auth/token/: a knox token for username, password and second factor; hashed, expiring,
revoked by logout and by a new password; throttled and locked out like the login page."""

import datetime as dt

import pytest
import time_machine
from django.test import override_settings
from knox.models import AuthToken
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from mammapoli.audit.models import AccessEvent, Action
from tests.browser import PASSWORD
from tests.second_factor import second_factor_code

pytestmark = pytest.mark.django_db


def obtain(user, *, password=PASSWORD, otp_token=None, client=None):
    client = client or APIClient()
    data = {"username": user.get_username(), "password": password}
    data["otp_token"] = second_factor_code(user) if otp_token is None else otp_token
    return client.post("/api/auth/token/", data)


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_token_needs_password_and_second_factor(surgeon):
    response = obtain(surgeon)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expiry"}
    assert with_token(body["token"]).get("/api/visits/").status_code == 200
    events = AccessEvent.objects.filter(action=Action.LOGIN).values_list("username", "what", "outcome", "detail")
    assert list(events) == [("sophie.surgeon", "API token", "allowed", "password and second factor")]


def test_without_the_code_there_is_no_token(surgeon):
    response = APIClient().post("/api/auth/token/", {"username": "sophie.surgeon", "password": PASSWORD})
    assert (response.status_code, list(response.json())) == (400, ["otp_token"])
    assert not AuthToken.objects.exists()


def test_a_wrong_code_gives_no_token_and_is_logged(surgeon):
    second_factor_code(surgeon)  # she has a second factor
    response = obtain(surgeon, otp_token="wrongcode")
    assert (response.status_code, list(response.json())) == (400, ["otp_token"])
    assert not AuthToken.objects.exists()
    event = AccessEvent.objects.get(action=Action.LOGIN)
    assert (event.username, event.what, event.outcome, event.detail) == (
        "sophie.surgeon", "API token", "denied", "wrong second-factor code")


def test_a_wrong_password_gives_no_token_and_is_logged(surgeon):
    response = obtain(surgeon, password="guess")
    assert (response.status_code, list(response.json())) == (400, ["non_field_errors"])
    event = AccessEvent.objects.get(action=Action.LOGIN)
    assert (event.username, event.what, event.outcome, event.detail) == (
        "sophie.surgeon", "API token", "denied", "wrong password")


def test_the_token_is_stored_hashed(surgeon):
    token = obtain(surgeon).json()["token"]
    stored = AuthToken.objects.get(user=surgeon)
    assert token not in (stored.digest, stored.token_key)
    assert len(stored.digest) == 128  # sha512


def test_the_token_expires_after_8_hours(surgeon):
    token = obtain(surgeon).json()["token"]
    with time_machine.travel(dt.timedelta(hours=7, minutes=59)):
        assert with_token(token).get("/api/visits/").status_code == 200
    with time_machine.travel(dt.timedelta(hours=8, minutes=1)):
        assert with_token(token).get("/api/visits/").status_code == 401


def test_api_logout_revokes_the_token(surgeon):
    first, second = obtain(surgeon).json()["token"], obtain(surgeon).json()["token"]
    assert with_token(first).post("/api/auth/logout/").status_code == 204
    assert with_token(first).get("/api/visits/").status_code == 401
    assert with_token(second).get("/api/visits/").status_code == 200
    assert with_token(second).post("/api/auth/logout-all/").status_code == 204
    assert with_token(second).get("/api/visits/").status_code == 401


def test_logging_out_of_the_site_revokes_the_users_tokens(client, surgeon):
    token = obtain(surgeon).json()["token"]
    client.force_login(surgeon)
    client.post("/accounts/logout/")
    assert with_token(token).get("/api/visits/").status_code == 401


def test_a_new_password_revokes_every_token(surgeon, planner):
    token, others = obtain(surgeon).json()["token"], obtain(planner).json()["token"]
    surgeon.set_password("a new long passphrase")
    surgeon.save()
    assert with_token(token).get("/api/visits/").status_code == 401
    assert with_token(others).get("/api/visits/").status_code == 200


def test_a_login_that_upgrades_the_password_hash_keeps_the_tokens(surgeon):
    token = obtain(surgeon).json()["token"]
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher",
                                             "django.contrib.auth.hashers.MD5PasswordHasher"]):
        assert obtain(surgeon).status_code == 200  # the MD5 hash is upgraded to PBKDF2 on this login
        surgeon.refresh_from_db()
        assert surgeon.password.startswith("pbkdf2_sha256$")
    assert with_token(token).get("/api/visits/").status_code == 200


def test_the_token_endpoint_is_throttled_per_address(surgeon, planner):
    """API_TOKEN_THROTTLE_RATE (10/minute): whoever the tries are for."""
    for user in [surgeon, planner] * 4:  # 4 wrong passwords each: not yet locked out
        assert obtain(user, password="guess").status_code == 400
    assert [obtain(planner).status_code, obtain(surgeon).status_code] == [200, 200]
    throttled = obtain(planner)
    assert throttled.status_code == 429
    assert "throttled" in throttled.json()["detail"]
    with time_machine.travel(dt.timedelta(minutes=1, seconds=1)):
        assert obtain(planner).status_code == 200


@pytest.fixture
def no_throttle(monkeypatch):
    """The per-address throttle out of the way, to see the per-account lockout behind it."""
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"api-token": "1000/minute"})


def test_25_wrong_passwords_lock_the_account_out_of_the_api(surgeon, planner, no_throttle):
    statuses = [obtain(surgeon, password="guess").status_code for _ in range(25)]
    assert statuses == [400] * 4 + [429] * 21
    locked = obtain(surgeon)
    assert locked.status_code == 429
    assert "this account is locked for 15 minutes" in locked.json()["detail"]
    assert not AuthToken.objects.filter(user=surgeon).exists()
    assert obtain(planner).status_code == 200  # another account is not locked
    with time_machine.travel(dt.timedelta(minutes=16)):
        assert obtain(surgeon).status_code == 200


def test_the_schema_documents_the_second_factor_and_the_answer(surgeon):
    client = APIClient()
    client.force_authenticate(surgeon)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    assert set(components["TokenObtainInput"]["required"]) == {"username", "password", "otp_token"}
    assert set(components["TokenObtainOutput"]["properties"]) == {"token", "expiry"}
    operation = schema["paths"]["/api/auth/token/"]["post"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("TokenObtainOutput")

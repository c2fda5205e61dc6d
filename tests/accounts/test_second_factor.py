"""A password alone opens nothing: every page, the admin and the API want the second factor."""

import pytest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from mammapoli.audit.models import AccessEvent, Action
from tests.accounts.conftest import authenticator_code, log_in_with_password

pytestmark = pytest.mark.django_db


def login_events():
    return list(AccessEvent.objects.filter(action=Action.LOGIN).order_by("id")
                .values_list("username", "what", "outcome", "detail"))


def test_after_the_password_a_page_asks_for_the_second_factor(browser, surgeon, authenticator):
    authenticator(surgeon)
    assert log_in_with_password(browser, surgeon).status_code == 302
    response = browser.get("/visits/")
    assert (response.status_code, response.url) == (302, "/accounts/second-factor/?next=/visits/")
    page = browser.get(response.url)
    assert page.status_code == 200
    assert 'name="otp_token"' in page.content.decode()


def test_the_authenticator_code_opens_the_pages_and_is_logged(browser, surgeon, authenticator):
    device = authenticator(surgeon)
    log_in_with_password(browser, surgeon)
    response = browser.post("/accounts/second-factor/", {"otp_token": authenticator_code(device), "next": "/visits/"})
    assert (response.status_code, response.url) == (302, "/visits/")
    assert browser.get("/visits/").status_code == 200
    assert login_events() == [("sophie.surgeon", "login", "allowed", "password and authenticator code")]


def test_a_wrong_code_opens_nothing_and_is_logged(browser, surgeon, authenticator):
    authenticator(surgeon)
    log_in_with_password(browser, surgeon)
    response = browser.post("/accounts/second-factor/", {"otp_token": "000000"})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert browser.get("/visits/").status_code == 302
    assert login_events() == [("sophie.surgeon", "login", "denied", "wrong second-factor code")]


def test_wrong_codes_slow_the_next_try_down(browser, surgeon, authenticator):
    device = authenticator(surgeon)
    log_in_with_password(browser, surgeon)
    browser.post("/accounts/second-factor/", {"otp_token": "000000"})
    # Right after a wrong code even the right one is refused (django-otp's throttle)...
    browser.post("/accounts/second-factor/", {"otp_token": authenticator_code(device)})
    assert browser.get("/visits/").status_code == 302


def test_a_first_login_enrols_an_authenticator_and_gives_backup_codes(browser, surgeon):
    log_in_with_password(browser, surgeon)
    response = browser.get("/visits/")
    assert (response.status_code, response.url) == (302, "/accounts/second-factor/set-up/?next=/visits/")
    page = browser.get(response.url).content.decode()
    assert "<svg" in page and 'class="otp-secret"' in page
    device = TOTPDevice.objects.get(user=surgeon, confirmed=False)
    done = browser.post("/accounts/second-factor/set-up/", {"otp_token": authenticator_code(device), "next": "/visits/"})
    codes = StaticDevice.objects.get(user=surgeon).token_set.values_list("token", flat=True)
    assert len(codes) == 10
    assert all(code in done.content.decode() for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert browser.get("/visits/").status_code == 200


def test_a_backup_code_logs_in_once(browser, client, surgeon):
    client.force_login(surgeon)
    codes = client.post("/accounts/second-factor/backup-codes/").context["codes"]
    TOTPDevice.objects.create(user=surgeon, name="phone", confirmed=True)
    log_in_with_password(browser, surgeon)
    browser.post("/accounts/second-factor/", {"otp_token": codes[0]})
    assert browser.get("/visits/").status_code == 200
    browser.post("/accounts/logout/")
    log_in_with_password(browser, surgeon)
    browser.post("/accounts/second-factor/", {"otp_token": codes[0]})
    assert browser.get("/visits/").status_code == 302


def test_a_user_with_an_authenticator_cannot_set_up_another(browser, surgeon, authenticator):
    """Else a stolen password would be enough to add the thief's phone."""
    authenticator(surgeon)
    log_in_with_password(browser, surgeon)
    response = browser.get("/accounts/second-factor/set-up/?next=/visits/")
    assert (response.status_code, response.url) == (302, "/accounts/second-factor/?next=%2Fvisits%2F")
    assert TOTPDevice.objects.filter(user=surgeon).count() == 1


def test_the_admin_wants_the_second_factor_too(browser, planner, authenticator):
    planner.is_staff = planner.is_superuser = True
    planner.save()
    authenticator(planner)
    log_in_with_password(browser, planner)
    response = browser.get("/admin/")
    assert (response.status_code, response.url) == (302, "/accounts/second-factor/?next=/admin/")


@pytest.mark.parametrize("url", ["/api/visits/", "/fhir/metadata"])
def test_the_api_does_not_count_a_session_without_the_second_factor(browser, client, surgeon, authenticator, url):
    authenticator(surgeon)
    log_in_with_password(browser, surgeon)
    assert browser.get(url).status_code == 401
    client.force_login(surgeon)
    assert client.get(url).status_code == 200


def test_the_next_address_stays_on_this_site(browser, surgeon, authenticator):
    device = authenticator(surgeon)
    log_in_with_password(browser, surgeon)
    response = browser.post("/accounts/second-factor/", {"otp_token": authenticator_code(device),
                                                          "next": "https://evil.example/"})
    assert response.url == "/"

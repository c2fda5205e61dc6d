"""The steps of logging in speak Dutch to a Dutch browser."""

import pytest

from tests.accounts.conftest import log_in_with_password
from tests.dutch import untranslated, visible_text

pytestmark = pytest.mark.django_db


def dutch(client, url: str, **kwargs) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="nl", **kwargs)
    assert '<html lang="nl"' in response.content.decode()
    return visible_text(response.content.decode())


def test_the_second_factor_and_its_set_up_in_dutch(browser, surgeon, authenticator):
    log_in_with_password(browser, surgeon)
    setup = dutch(browser, "/accounts/second-factor/set-up/")
    assert "Je authenticator-app instellen" in setup
    assert untranslated(setup) == []
    authenticator(surgeon)
    step = dutch(browser, "/accounts/second-factor/")
    assert "Tweede stap van het inloggen" in step
    assert untranslated(step) == []


def test_the_lockout_in_dutch(browser, surgeon):
    for _ in range(5):
        browser.post("/accounts/login/", {"username": surgeon.get_username(), "password": "guess"},
                     HTTP_ACCEPT_LANGUAGE="nl")
    response = browser.post("/accounts/login/", {"username": surgeon.get_username(), "password": "guess"},
                            HTTP_ACCEPT_LANGUAGE="nl")
    text = visible_text(response.content.decode())
    assert "Te vaak een verkeerd wachtwoord: dit account is 15 minuten geblokkeerd." in text
    assert untranslated(text) == []

"""Users change their own password (Django's PasswordChangeView): at least 12 characters and the
other validators; linked in every page's header; a new password ends the API tokens."""

import pytest
from knox.models import AuthToken

from tests.browser import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_header_links_to_the_password_change(client, surgeon):
    client.force_login(surgeon)
    assert 'href="/accounts/password/"' in client.get("/").content.decode()


def test_a_password_shorter_than_12_characters_is_refused(client, surgeon):
    client.force_login(surgeon)
    response = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "Kx9#mPq2vL",
                                                   "new_password2": "Kx9#mPq2vL"})
    assert response.status_code == 200
    assert "This password is too short. It must contain at least 12 characters." in response.content.decode()
    surgeon.refresh_from_db()
    assert surgeon.check_password(PASSWORD)


def test_a_common_password_is_refused(client, surgeon):
    client.force_login(surgeon)
    response = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "password1234",
                                                   "new_password2": "password1234"})
    assert "This password is too common." in response.content.decode()


def test_the_password_changes_the_session_goes_on_and_the_tokens_end(client, surgeon):
    AuthToken.objects.create(user=surgeon)
    client.force_login(surgeon)
    response = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "borstpoli-ochtend-42",
                                                   "new_password2": "borstpoli-ochtend-42"}, follow=True)
    assert response.redirect_chain == [("/", 302)]
    assert "Your password has been changed." in response.content.decode()
    surgeon.refresh_from_db()
    assert surgeon.check_password("borstpoli-ochtend-42")
    assert client.get("/visits/").status_code == 200
    assert not AuthToken.objects.filter(user=surgeon).exists()


def test_the_wrong_old_password_changes_nothing(client, surgeon):
    client.force_login(surgeon)
    response = client.post("/accounts/password/", {"old_password": "guess", "new_password1": "borstpoli-ochtend-42",
                                                   "new_password2": "borstpoli-ochtend-42"})
    assert "old_password" in response.context["form"].errors
    surgeon.refresh_from_db()
    assert surgeon.check_password(PASSWORD)

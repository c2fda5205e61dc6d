"""Logging in with the second factor in tests, the way django-otp records it, without weakening it.

`VerifiedClient` (the `client` fixture, see tests/conftest.py) and `VerifiedAPIClient`: their
`force_login` and `login` also verify the session's second factor with a real confirmed device of
the user (a backup-codes device the tests own), so pages behave as for a user who typed her code.
`second_factor_code(user)` gives a fresh one-time code for forms that ask for one (the browser's
login helper, the token endpoint). Production code has no way round the second factor.
"""

from django.contrib.auth import SESSION_KEY, get_user_model
from django.http import HttpRequest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from rest_framework.test import APIClient

TEST_DEVICE_NAME = "tests' backup codes"


def _test_device(user) -> StaticDevice:
    device, _ = StaticDevice.objects.get_or_create(user=user, name=TEST_DEVICE_NAME, defaults={"confirmed": True})
    return device


def second_factor_code(user) -> str:
    """A code the user's second factor accepts once."""
    code = StaticToken.random_token()
    _test_device(user).token_set.create(token=code)
    return code


def verify_second_factor(client: Client, user) -> None:
    """Mark the client's (logged-in) session as having passed the second factor."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = _test_device(user).persistent_id
    session.save()


class SecondFactorLoginMixin:
    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        verify_second_factor(self, user)

    def login(self, **credentials) -> bool:
        # django-axes needs the request of a login attempt; the test client's login has none.
        request = HttpRequest()
        request.META["REMOTE_ADDR"] = "127.0.0.1"
        credentials.setdefault("request", request)
        if not super().login(**credentials):
            return False
        verify_second_factor(self, get_user_model().objects.get(pk=self.session[SESSION_KEY]))
        return True


class VerifiedClient(SecondFactorLoginMixin, Client):
    pass


class VerifiedAPIClient(SecondFactorLoginMixin, APIClient):
    pass

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser import PASSWORD


def authenticator_code(device: TOTPDevice) -> str:
    """What the user's authenticator app shows now."""
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():0{device.digits}d}"


@pytest.fixture
def authenticator():
    """authenticator(user) -> a confirmed authenticator app device of the user."""
    def enrol(user) -> TOTPDevice:
        return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return enrol


@pytest.fixture
def browser():
    """A plain client, logged in by nothing but what it posts (no test shortcut for the second factor)."""
    return Client()


def log_in_with_password(client: Client, user, password: str = PASSWORD):
    return client.post("/accounts/login/", {"username": user.get_username(), "password": password})

"""Writes of logging in: the second factor (enrolment, verification, backup codes), API tokens
revoked, and the access-log events of logins."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.http import HttpRequest
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from mammapoli.audit.models import Action, Outcome
from mammapoli.audit.services import access_event_record

BACKUP_DEVICE_NAME = "backup codes"
AUTHENTICATOR_DEVICE_NAME = "authenticator app"


def login_event_record(*, user: AbstractBaseUser | AnonymousUser | None, username: str, what: str,
                       outcome: Outcome, detail: str) -> None:
    """A login, allowed or refused. A refused one of a known username is logged against that user
    (so the privacy officer sees attempts on an account); an unknown one keeps the name tried."""
    if user is None or not user.is_authenticated:
        user = get_user_model().objects.filter(username=username).first() or AnonymousUser()
        if not user.is_authenticated and username:
            detail = f"{detail}; username tried {username[:150]!r}"
    access_event_record(user=user, action=Action.LOGIN, what=what, outcome=outcome, detail=detail)


def logout_event_record(*, user: AbstractBaseUser, detail: str) -> None:
    access_event_record(user=user, action=Action.LOGOUT, what="login", detail=detail)


@transaction.atomic
def second_factor_match(*, user: AbstractBaseUser, code: str) -> Device | None:
    """The confirmed device (authenticator or backup codes) that accepts `code`, or None. Each
    device throttles wrong codes itself (django-otp: the wait doubles with each one)."""
    code = "".join(code.split())
    if not code:
        return None
    for device in devices_for_user(user, for_verify=True):
        if device.verify_token(code):
            return device
    return None


def second_factor_verify(*, request: HttpRequest, code: str, what: str = "login") -> Device | None:
    """The second step of logging in: on a right code the session is verified (django-otp)."""
    user = request.user
    device = second_factor_match(user=user, code=code)
    if device is None:
        login_event_record(user=user, username=user.get_username(), what=what, outcome=Outcome.DENIED,
                           detail="wrong second-factor code")
        return None
    otp_login(request, device)
    login_event_record(user=user, username=user.get_username(), what=what, outcome=Outcome.ALLOWED,
                       detail=f"password and {'backup code' if isinstance(device, StaticDevice) else 'authenticator code'}")
    return device


@transaction.atomic
def authenticator_enrolment_device(*, user: AbstractBaseUser) -> TOTPDevice:
    """The authenticator being set up (unconfirmed until its first code), made on first ask."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice(user=user, name=AUTHENTICATOR_DEVICE_NAME, confirmed=False)
        device.full_clean()
        device.save()
    return device


@transaction.atomic
def authenticator_enrolment_confirm(*, request: HttpRequest, device: TOTPDevice, code: str) -> list[str] | None:
    """The first right code confirms the authenticator and verifies the session; the answer is a
    fresh set of backup codes (shown once). None: the code was wrong, nothing changed."""
    if device.confirmed or device.user_id != request.user.pk or not device.verify_token("".join(code.split())):
        login_event_record(user=request.user, username=request.user.get_username(), what="login",
                           outcome=Outcome.DENIED, detail="wrong second-factor code at enrolment")
        return None
    device.confirmed = True
    device.full_clean()
    device.save()
    TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
    otp_login(request, device)
    login_event_record(user=request.user, username=request.user.get_username(), what="login",
                       outcome=Outcome.ALLOWED, detail="password and authenticator code (enrolment)")
    return backup_codes_renew(user=request.user)


@transaction.atomic
def backup_codes_renew(*, user: AbstractBaseUser) -> list[str]:
    """New backup codes, each good once; the old ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def api_tokens_revoke(*, user: AbstractBaseUser) -> int:
    """Every API token of the user stops working (logout everywhere, a new password)."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted

"""What happens around Django's own login events: a login's clock starts; a wrong password is an
access-log event; logging out ends the user's API tokens too; so does a new password, however it
is set (the page, the admin, `changepassword`)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import pre_save
from django.dispatch import receiver
from knox.models import AuthToken
from rest_framework.request import Request

from mammapoli.audit.models import Outcome

from .services import api_tokens_revoke, login_event_record, logout_event_record
from .sessions import session_start


@receiver(user_logged_in, dispatch_uid="mammapoli-session-start")
def _session_start(sender, request, user, **kwargs):
    if request is not None and not isinstance(request, Request):  # an API token is no session
        session_start(request)


@receiver(user_login_failed, dispatch_uid="mammapoli-login-failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    locked_out = bool(request is not None and getattr(request, "axes_locked_out", False))
    what = "API token" if request is not None and request.path.startswith("/api/") else "login"
    login_event_record(user=None, username=str(credentials.get("username", "")), what=what, outcome=Outcome.DENIED,
                       detail="locked out after too many wrong passwords" if locked_out else "wrong password")


@receiver(user_logged_out, dispatch_uid="mammapoli-logged-out")
def _logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    if isinstance(getattr(request, "auth", None), AuthToken):  # knox revoked the token(s) itself
        logout_event_record(user=user, detail="API logout; token revoked")
        return
    ended = getattr(request, "mammapoli_session_ended", None)
    if ended:  # the login ran out: the user's API clients go on until their own tokens expire
        logout_event_record(user=user, detail=f"login ended ({ended})")
        return
    api_tokens_revoke(user=user)
    logout_event_record(user=user, detail="logged out; API tokens revoked")


@receiver(pre_save, sender=get_user_model(), dispatch_uid="mammapoli-password-changed")
def _password_changed(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None:
        return
    # set_password() keeps the new password in _password until the save; a hash upgraded at login
    # (check_password's setter) clears it and saves only the password: that is no new password.
    if getattr(instance, "_password", None) is None:
        if update_fields is not None:
            return
        stored = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
        if stored is None or stored == instance.password:
            return
    api_tokens_revoke(user=instance)

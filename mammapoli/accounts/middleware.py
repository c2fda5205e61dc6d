"""Two rules for every request of a logged-in user: the login has not run out (sessions.py), and
it has passed its second factor. Pages send an unverified user to the second-factor step (or to
enrolment, for a user without an authenticator yet); the API answers for itself
(mammapoli/api/authentication.py counts only verified sessions), so it is left to DRF."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django_otp import user_has_device

from .sessions import session_end_reason, session_touch

# Paths a password-only login may open: the steps of logging in, the language switch, and what is
# not a page (the API and FHIR authenticate per request; health checks and static files).
_OPEN_PREFIXES = ("/api/", "/fhir", "/health/", "/static/", "/i18n/")
_OPEN_NAMES = {"login", "logout", "second-factor", "second-factor-setup"}


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            reason = session_end_reason(request)
            if reason is None:
                session_touch(request)
            else:
                request.mammapoli_session_ended = reason
                logout(request)
                if reason == "idle":
                    message = _("You were logged out after %(minutes)d minutes without activity.") % {
                        "minutes": settings.SESSION_IDLE_TIMEOUT // 60}
                else:
                    message = _("Your login has ended; please log in again.")
                messages.info(request, message)
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and not self._is_open(request):
            step = "second-factor" if user_has_device(user) else "second-factor-setup"
            return redirect_to_login(request.get_full_path(), login_url=resolve_url(step))
        return self.get_response(request)

    @staticmethod
    def _is_open(request) -> bool:
        if request.path.startswith(_OPEN_PREFIXES):
            return True
        try:
            return resolve(request.path_info).url_name in _OPEN_NAMES
        except Resolver404:
            return False

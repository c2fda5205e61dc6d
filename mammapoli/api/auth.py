"""API tokens: POST /api/auth/token/ with username, password and the second factor's code gives a
token (django-rest-knox: stored hashed, expiring); /api/auth/logout/ revokes it,
/api/auth/logout-all/ every token of the user. Throttled per address (DRF) and, per account,
locked out after too many wrong passwords (django-axes), as the login page is."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import user_has_device
from drf_spectacular.utils import extend_schema
from knox import views as knox_views
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from mammapoli.accounts.lockout import lockout_response
from mammapoli.accounts.services import login_event_record, second_factor_match
from mammapoli.audit.models import Outcome

WHAT = "API token"


class TokenObtainInput(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp_token = serializers.CharField(help_text=gettext_lazy(
        "The second factor: the code the user's authenticator app shows now, or one of their backup codes."))


class TokenObtainOutput(serializers.Serializer):
    token = serializers.CharField(help_text=gettext_lazy("Send as the header `Authorization: Token <token>`."))
    expiry = serializers.DateTimeField(help_text=gettext_lazy("When the token stops working."))


class TokenObtainApi(knox_views.LoginView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "api-token"

    @extend_schema(
        request=TokenObtainInput, responses={200: TokenObtainOutput},
        description="A token for API clients, valid for API_TOKEN_TTL (8 hours by default). Needs the password and "
                    "the second factor (`otp_token`). 400 names what was wrong; 429 when too many tries were made "
                    "(from this address, or too many wrong passwords for this account).",
    )
    def post(self, request: Request, format=None) -> Response:
        data = TokenObtainInput(data=request.data)
        data.is_valid(raise_exception=True)
        username, code = data.validated_data["username"], data.validated_data["otp_token"]
        user = authenticate(request._request, username=username, password=data.validated_data["password"])
        if user is None:
            if getattr(request._request, "axes_locked_out", False):
                return lockout_response(request._request)
            raise exceptions.ValidationError({"non_field_errors": [_("Unable to log in with these credentials.")]})
        if not user_has_device(user):
            login_event_record(user=user, username=username, what=WHAT, outcome=Outcome.DENIED,
                               detail="no second factor set up")
            raise exceptions.ValidationError({"otp_token": [
                _("No authenticator is set up for this account yet: log in on the web site once to set it up.")]})
        if second_factor_match(user=user, code=code) is None:
            login_event_record(user=user, username=username, what=WHAT, outcome=Outcome.DENIED,
                               detail="wrong second-factor code")
            raise exceptions.ValidationError({"otp_token": [_("That code is not right, or too many wrong codes "
                                                              "were tried: wait a moment and try the newest code.")]})
        request.user = user
        login_event_record(user=user, username=username, what=WHAT, outcome=Outcome.ALLOWED,
                           detail="password and second factor")
        return super().post(request, format=format)




class TokenLogoutApi(knox_views.LogoutView):
    @extend_schema(request=None, responses={204: None}, description="Revoke the token this request is sent with.")
    def post(self, request: Request, format=None) -> Response:
        return super().post(request, format=format)


class TokenLogoutAllApi(knox_views.LogoutAllView):
    @extend_schema(request=None, responses={204: None}, description="Revoke every API token of this user.")
    def post(self, request: Request, format=None) -> Response:
        return super().post(request, format=format)

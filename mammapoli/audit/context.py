"""Where the current request comes from, for the access log, without passing the request around;
and the refusals of anonymous requests, which no access helper sees.

The address is REMOTE_ADDR, unless that is one of the deployment's reverse proxies
(`TRUSTED_PROXIES`): then it is the first address in X-Forwarded-For, read from the right,
that is not a trusted proxy (the client's, as the nearest trusted proxy saw it). A client
cannot forge it: an X-Forwarded-For from anyone but a trusted proxy is ignored.
"""

import ipaddress
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url

client_address: ContextVar[str | None] = ContextVar("client_address", default=None)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address) -> bool:
    return any(address in network for network in settings.TRUSTED_PROXIES)


def address_of(request: HttpRequest) -> str | None:
    remote = _ip(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    if not _trusted(remote):
        return str(remote)
    hops = [_ip(part) for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    nearest = remote
    for hop in reversed(hops):
        if hop is None:  # a garbled entry: nothing to its left can be trusted
            break
        nearest = hop
        if not _trusted(hop):
            break
    return str(nearest)


#: Path parameters that name patient data (or a clinic's morning), for the refused row of an
#: anonymous request: the row goes to the clinic the target belongs to.
def _target(kwargs: dict) -> dict:
    from mammapoli.planning.models import ClinicSession, Visit
    from mammapoli.records.models import Referral

    if "visit_id" in kwargs:
        visit = Visit.objects.filter(pk=kwargs["visit_id"]).values("patient_id", "session__clinic_id").first()
        return {"visit_id": kwargs["visit_id"] if visit else None,
                "patient_id": visit and visit["patient_id"], "clinic_id": visit and visit["session__clinic_id"]}
    if "session_id" in kwargs:
        return {"clinic_id": ClinicSession.objects.filter(pk=kwargs["session_id"]).values_list(
            "clinic_id", flat=True).first()}
    if "referral_id" in kwargs:
        referral = Referral.objects.filter(pk=kwargs["referral_id"]).values("patient_id", "clinic_id").first()
        return referral or {}
    return {}


def _refused_anonymous(request: HttpRequest, response: HttpResponse) -> bool:
    if getattr(request, "user", None) is None or request.user.is_authenticated:
        return False
    if request.resolver_match is None or request.path.startswith(("/accounts/", "/health/", "/static/", "/i18n/")):
        return False
    to_login = response.status_code == 302 and response.get("Location", "").startswith(resolve_url(settings.LOGIN_URL))
    return response.status_code in (401, 403) or to_login


def anonymous_refusal_record(request: HttpRequest) -> None:
    from .models import Action, Outcome
    from .services import access_event_record

    kwargs = request.resolver_match.kwargs
    detail = f"not logged in {request.method} {request.path}"
    access_event_record(user=request.user, action=Action.READ if request.method in ("GET", "HEAD") else Action.WRITE,
                        what=request.resolver_match.url_name or "request", outcome=Outcome.DENIED, detail=detail,
                        **_target(kwargs))


class AccessContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        token = client_address.set(address_of(request))
        try:
            response = self.get_response(request)
            if _refused_anonymous(request, response):
                anonymous_refusal_record(request)
            return response
        finally:
            client_address.reset(token)

"""The page for a path that matches nothing. A path that names a number too long to be an id
is a probe for patient data: it is logged as a refused attempt (the API answers such paths
itself, in JSON: api/not_found.py)."""

import re

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from mammapoli.audit.models import Action, Outcome
from mammapoli.audit.services import access_event_record

from .ids import MAX_ID_DIGITS

_TOO_LONG_ID = re.compile(rf"/[0-9]{{{MAX_ID_DIGITS + 1},}}(/|$)")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if getattr(request, "resolver_match", None) is None and _TOO_LONG_ID.search(request.path):
        access_event_record(user=request.user, action=Action.READ if request.method in ("GET", "HEAD") else Action.WRITE,
                            what="page", outcome=Outcome.DENIED, detail=f"no such path {request.path}")
    return defaults.page_not_found(request, exception)

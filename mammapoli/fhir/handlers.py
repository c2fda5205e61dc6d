"""FHIR on the wire: JSON in (application/fhir+json too), an R4B resource out, and every
refusal as an OperationOutcome. Nothing user-caused becomes a 500."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from rest_framework import exceptions
from rest_framework.parsers import JSONParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.views import set_rollback

from mammapoli.planning.errors import Conflict

from .outcome import FhirError, Issue, outcome_of

FHIR_JSON = "application/fhir+json"


class FhirJsonParser(JSONParser):
    media_type = FHIR_JSON


class FhirJsonRenderer(JSONRenderer):
    """For content negotiation only: the views answer with `fhir_response` themselves."""

    media_type = FHIR_JSON


class PdfRenderer(BaseRenderer):
    """Binary/[id] with Accept: application/pdf."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


def fhir_response(resource, *, status: int = 200, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(resource.model_dump_json(), status=status, content_type=f"{FHIR_JSON}; charset=utf-8")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _issues(exc) -> tuple[int, list[Issue]] | None:
    if isinstance(exc, FhirError):
        return exc.status, exc.issues
    if isinstance(exc, Http404):
        return 404, [Issue("", "No such resource in your clinics.", "not-found")]
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        return exc.status_code, [Issue("", str(exc.detail), "login")]
    if isinstance(exc, (PermissionDenied, exceptions.PermissionDenied)):
        message = str(exc.detail) if isinstance(exc, exceptions.APIException) else (
            str(exc.args[0]) if exc.args and isinstance(exc.args[0], str) else "Your role may not do this.")
        return 403, [Issue("", message, "forbidden")]
    if isinstance(exc, Conflict):
        return 409, [Issue("", str(exc.message), "conflict")]
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        return 400, [Issue(name, " ".join(messages)) for name, messages in fields.items()]
    if isinstance(exc, exceptions.ParseError):
        return 400, [Issue("", f"Not JSON: {exc.detail}", "structure")]
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return 415, [Issue("", "Send application/fhir+json.", "not-supported")]
    if isinstance(exc, exceptions.MethodNotAllowed):
        return 405, [Issue("", str(exc.detail), "not-supported")]
    if isinstance(exc, exceptions.APIException):
        return exc.status_code, [Issue("", str(exc.detail), "processing")]
    return None


def fhir_exception_handler(exc, context):
    found = _issues(exc)
    if found is None:
        return None  # a bug: Django's 500, never dressed up as the user's fault
    status, issues = found
    set_rollback()
    response = fhir_response(outcome_of(issues), status=status)
    if getattr(exc, "auth_header", None):
        response["WWW-Authenticate"] = exc.auth_header
    return response

"""How refusals become HTTP answers: bad input 400 naming the field, a changed morning 409,
not in the team 404, a role without the right 403. Never a 500 for something the user did."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from mammapoli.planning.errors import Conflict


def exception_handler(exc, context):
    if isinstance(exc, Conflict):
        set_rollback()
        return Response({"detail": exc.message, "code": exc.code, **exc.detail}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        data = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(data)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()  # the same answer whether it does not exist or is not yours
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(_readable(exc))
    return drf_exception_handler(exc, context)


def _readable(exc: Exception) -> str | None:
    """The refusal's own sentence (the access helpers give one), never a bare id."""
    message = exc.args[0] if exc.args else None
    return str(message) if isinstance(message, str) and message else None


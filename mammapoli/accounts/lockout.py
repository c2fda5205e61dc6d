"""The answer to a locked-out login (django-axes' AXES_LOCKOUT_CALLABLE), in the user's language:
JSON for the API, the login page's look for people."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

STATUS = 429


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _("Too many wrong passwords: this account is locked for %(minutes)d minutes.") % {"minutes": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=STATUS)
    return render(request, "accounts/locked_out.html", {"message": message}, status=STATUS)

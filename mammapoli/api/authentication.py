"""A browser session counts for the API only once it passed its second factor; API clients use
tokens (django-rest-knox) that they got with the second factor (api/auth.py)."""

from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication


class VerifiedSessionAuthentication(SessionAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, auth = result
        is_verified = getattr(user, "is_verified", None)
        if is_verified is None or not is_verified():
            return None  # as if not logged in: 401/403, never the data
        return user, auth


class VerifiedSessionScheme(SessionScheme):
    """The OpenAPI schema names it as the session cookie it is (drf-spectacular)."""
    target_class = VerifiedSessionAuthentication

"""Where the current request comes from, for the access log, without passing the request around."""

from contextvars import ContextVar

from django.http import HttpRequest

client_address: ContextVar[str | None] = ContextVar("client_address", default=None)


def address_of(request: HttpRequest) -> str | None:
    # REMOTE_ADDR is the proxy in production; X-Forwarded-For is trusted only when the
    # deployment says so (SECURE_PROXY_SSL_HEADER is set behind our reverse proxy).
    return request.META.get("REMOTE_ADDR") or None


class AccessContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        token = client_address.set(address_of(request))
        try:
            return self.get_response(request)
        finally:
            client_address.reset(token)

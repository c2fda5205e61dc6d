"""Production: the base settings, hardened. Refuses to start without a SECRET_KEY.

Passes `manage.py check --deploy` with no warnings. TLS ends at the reverse proxy,
which sets X-Forwarded-Proto.
"""

import os

from django.core.exceptions import ImproperlyConfigured

# Off unless the environment says otherwise (and then start-up refuses, below).
os.environ.setdefault("DEBUG", "false")

from .base import *  # noqa: E402, F403
from .base import ALLOWED_HOSTS, DEBUG, INSTALLED_APPS, MIDDLEWARE, SECRET_KEY, env_flag, env_int  # noqa: E402

if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off with mammapoli.settings.production")
if not SECRET_KEY or SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the host(s) this site is served on")

# Demo data is never available in production.
INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "mammapoli.demo"]

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
# The app serves its own static files (no CDN): WhiteNoise, right after the security middleware.
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

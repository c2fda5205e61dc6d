"""Every setting that depends on the environment is read here, and only here.

Unset `DATABASE_URL` means a SQLite file next to manage.py; unset `CELERY_BROKER_URL`
means Celery runs tasks eagerly in the calling process. So a newcomer needs no server,
and production points both at PostgreSQL and Redis. A malformed value stops start-up
with a message naming the variable (see `.env.example` for all of them).
"""

import datetime as dt
import re
from ipaddress import ip_network
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_flag(name: str, default: bool) -> bool:
    """A boolean variable; anything but a clear yes/no is refused (django-environ would read it as False)."""
    raw = env.str(name, default="")
    if raw == "":
        return default
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected one of true/false, yes/no, on/off, 1/0")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.str(name, default="")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a whole number") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r}: must be at least {minimum}")
    return value


DEBUG = env_flag("DEBUG", default=True)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is not set; it may only be left out when DEBUG is on")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The reverse proxies in front of the application (addresses or networks): behind one of
# them, the access log records the client's address from X-Forwarded-For instead of the
# proxy's (mammapoli/audit/context.py). Empty: X-Forwarded-For is never believed.
try:
    TRUSTED_PROXIES = [ip_network(entry, strict=False) for entry in env.list("TRUSTED_PROXIES", default=[])]
except ValueError as exc:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES: {exc}") from None

TIME_ZONE = env.str("TIME_ZONE", default="Europe/Amsterdam")
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE={TIME_ZONE!r}: not a known time zone") from None
USE_TZ = env_flag("USE_TZ", default=True)
if not USE_TZ:
    raise ImproperlyConfigured("USE_TZ must be true: plans are stored as aware datetimes")
USE_I18N = True
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="nl")
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE={LANGUAGE_CODE!r}: expected nl or en")
LOCALE_PATHS = [BASE_DIR / "mammapoli" / "locale"]
# Dates the Dutch way ("di 1 december 2026"): mammapoli/formats/<language>/formats.py.
FORMAT_MODULE_PATH = ["mammapoli.formats"]
# A clinic's pathways, steps and resource kinds have a name per language (django-modeltranslation);
# a name left empty in one language falls back to the other, and then to the code.
MODELTRANSLATION_DEFAULT_LANGUAGE = "nl"
MODELTRANSLATION_LANGUAGES = ("nl", "en")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("nl", "en")

INSTALLED_APPS = [
    "modeltranslation",  # before the admin: pathways, steps and resource kinds are named in each language
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files, no CDN
    "csp",
    "phonenumber_field",
    "mammapoli.core",
    "mammapoli.accounts",
    "mammapoli.clinics",
    "mammapoli.records",
    "mammapoli.planning",
    "mammapoli.audit",
    "mammapoli.api",
    "mammapoli.board",
    "mammapoli.fhir",
    "mammapoli.letters",
    "mammapoli.web",
    "mammapoli.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "mammapoli.audit.context.AccessContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages: a login that ended says why on the login page.
    "mammapoli.accounts.middleware.SessionLimitsMiddleware",
    "mammapoli.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last (django-axes): turns a locked-out login into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp): everything from this site, nothing inline — no inline
# scripts, no <style> blocks, no style attributes (the chart is placed by classes,
# board/positions.py), no framing, forms only to this site. Swagger UI's images are data: URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

ROOT_URLCONF = "mammapoli.urls"
WSGI_APPLICATION = "mammapoli.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "mammapoli" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mammapoli.web.context_processors.navigation",
            ],
        },
    },
]

try:
    DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
except (ValueError, KeyError, ImproperlyConfigured) as exc:
    raise ImproperlyConfigured(f"DATABASE_URL: cannot be read ({exc})") from None
if DATABASES["default"]["ENGINE"] not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
    raise ImproperlyConfigured("DATABASE_URL: use postgres://… (production) or sqlite:///… (development)")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", default=0)
# A kept connection is checked before a request (or task) uses it: after a database restart
# the next request reconnects instead of failing on the dead connection.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once ("database is locked") when the
    # dev server and an eager task write together. IMMEDIATE: a transaction takes the write
    # lock when it begins, so a check-then-write (a booking) cannot interleave with another.
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")
# Two database roles in production (README "Database roles"): DATABASE_URL is the application's
# role, which owns nothing and may only add to (and read) the access log and the form
# history, so it cannot switch their append-only triggers off; MIGRATION_DATABASE_URL is the
# owner role, used only by `manage.py migrate` (which then grants the application's role its
# rights). Unset: one role does both (development, SQLite).
DATABASE_OWNER: dict | None = None
if env.str("MIGRATION_DATABASE_URL", default=""):
    try:
        DATABASE_OWNER = env.db("MIGRATION_DATABASE_URL")
    except (ValueError, KeyError, ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(f"MIGRATION_DATABASE_URL: cannot be read ({exc})") from None
    _app = DATABASES["default"]
    if DATABASE_OWNER["ENGINE"] != "django.db.backends.postgresql" or _app["ENGINE"] != DATABASE_OWNER["ENGINE"]:
        raise ImproperlyConfigured("MIGRATION_DATABASE_URL: only with PostgreSQL, for the database of DATABASE_URL")
    if (DATABASE_OWNER["NAME"], DATABASE_OWNER["HOST"], DATABASE_OWNER["PORT"]) != (_app["NAME"], _app["HOST"], _app["PORT"]):
        raise ImproperlyConfigured("MIGRATION_DATABASE_URL: must name the same database as DATABASE_URL")
    if not DATABASE_OWNER["USER"] or DATABASE_OWNER["USER"] == _app["USER"]:
        raise ImproperlyConfigured("MIGRATION_DATABASE_URL: must name the owner role, another than DATABASE_URL's")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Logging in: a password (django-axes locks an account out after LOGIN_FAILURE_LIMIT wrong ones in a
# row, for LOGIN_LOCKOUT_SECONDS), then a second factor (django-otp: an authenticator app's code,
# or a backup code) for every user; mammapoli/accounts enforces it on every page, the admin and the API.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", default=12, minimum=12)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# A login lasts at most SESSION_COOKIE_AGE (absolute, default 8 hours) and ends after
# SESSION_IDLE_TIMEOUT without activity (default 15 minutes; the board's automatic refresh is
# no activity); the cookie goes when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", default=8 * 60 * 60, minimum=60)
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", default=15 * 60, minimum=60)
if SESSION_IDLE_TIMEOUT > SESSION_COOKIE_AGE:
    raise ImproperlyConfigured(f"SESSION_IDLE_TIMEOUT={SESSION_IDLE_TIMEOUT}: must not be longer than "
                               f"SESSION_COOKIE_AGE ({SESSION_COOKIE_AGE})")
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

OTP_TOTP_ISSUER = env.str("OTP_ISSUER", default="") or "Mammapoli"
# Wrong codes in a row slow the next try down (django-otp doubles the wait each time, in seconds).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
BACKUP_CODE_COUNT = 10

AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(seconds=env_int("LOGIN_LOCKOUT_SECONDS", default=15 * 60, minimum=60))
# Per account: a whole clinic behind one address (the hospital's proxy) must not be locked out by
# one person's typos. Per-address limits are the API throttle's; axes' warning about a lockout
# without the address (W006: rotating cookies or user agents) does not apply to a per-account one.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "mammapoli.accounts.lockout.lockout_response"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Celery: no broker configured means eager mode, so the demo and the tests need no Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_BROKER_URL.startswith("filesystem://"):
    # A broker that needs no server (kombu's file-system transport): `make demo` runs a real
    # worker on it, so the demo answers "plan this morning" at once, as production does with
    # Redis. Producer and workers share one folder of messages.
    _folder = Path(env.str("CELERY_BROKER_FOLDER", default=str(BASE_DIR / ".broker")))
    try:
        for _part in ("queue", "processed", "control"):
            (_folder / _part).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(f"CELERY_BROKER_FOLDER={str(_folder)!r}: cannot be used ({exc})") from None
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_folder / "queue"), "data_folder_out": str(_folder / "queue"),
        "processed_folder": str(_folder / "processed"), "control_folder": str(_folder / "control"),
        "store_processed": False, "polling_interval": 0.5,
    }
elif CELERY_TASK_ALWAYS_EAGER:
    # Eager tasks still build a (never connected) producer: an in-memory transport keeps
    # kombu from warning about the missing broker host.
    CELERY_BROKER_TRANSPORT = "memory"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that is down must not hold up the request that queues a job (the job waits in the
# database and the sweep sends it later): give up sending after about a second or two.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
# A solve under way goes on when the worker loses the broker for a moment; its message comes
# back later (acks_late) and finds the job finished.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False

# Plan jobs outlive a lost worker (planning/services/jobs.py, job_recovery.py): a running job
# beats every PLAN_JOB_HEARTBEAT seconds; one silent for PLAN_JOB_LOST_AFTER seconds lost its
# worker and runs again, PLAN_JOB_MAX_ATTEMPTS runs in all. The sweep (Celery beat, every
# PLAN_JOB_SWEEP_INTERVAL seconds) re-sends what waits and gives up on a job no worker took
# within PLAN_JOB_GIVE_UP_AFTER seconds.
PLAN_JOB_HEARTBEAT = env_int("PLAN_JOB_HEARTBEAT", default=5, minimum=1)
PLAN_JOB_LOST_AFTER = env_int("PLAN_JOB_LOST_AFTER", default=30, minimum=2)
if PLAN_JOB_LOST_AFTER < 2 * PLAN_JOB_HEARTBEAT:
    raise ImproperlyConfigured(f"PLAN_JOB_LOST_AFTER={PLAN_JOB_LOST_AFTER}: must be at least twice "
                               f"PLAN_JOB_HEARTBEAT ({PLAN_JOB_HEARTBEAT}), or a live job looks lost")
PLAN_JOB_SWEEP_INTERVAL = env_int("PLAN_JOB_SWEEP_INTERVAL", default=15, minimum=1)
PLAN_JOB_MAX_ATTEMPTS = env_int("PLAN_JOB_MAX_ATTEMPTS", default=2, minimum=1)
PLAN_JOB_GIVE_UP_AFTER = env_int("PLAN_JOB_GIVE_UP_AFTER", default=3600, minimum=60)
CELERY_BEAT_SCHEDULE = {
    "plan-jobs-sweep": {"task": "planning.plan_jobs_sweep", "schedule": float(PLAN_JOB_SWEEP_INTERVAL),
                        "options": {"expires": float(PLAN_JOB_SWEEP_INTERVAL)}},
}

# Public holidays (no mornings, not counted as working days for the urgency targets): a country
# code of the `holidays` library.
HOLIDAY_COUNTRY = env.str("HOLIDAY_COUNTRY", default="NL")
try:
    import holidays as _holidays

    _holidays.country_holidays(HOLIDAY_COUNTRY)
except NotImplementedError:
    raise ImproperlyConfigured(f"HOLIDAY_COUNTRY={HOLIDAY_COUNTRY!r}: not a country the holidays library knows") from None

# Engine defaults for "plan this morning"; a request may ask for less, never for more.
SCHEDULER_TIME_LIMIT = env_int("SCHEDULER_TIME_LIMIT", default=10, minimum=1)
# Re-planning after an event on the day must answer within seconds.
SCHEDULER_REPLAN_TIME_LIMIT = env_int("SCHEDULER_REPLAN_TIME_LIMIT", default=3, minimum=1)
SCHEDULER_WORKERS = env_int("SCHEDULER_WORKERS", default=2, minimum=1)

# FHIR: the namespace of the clinic's own code systems, identifiers and extensions
# (mammapoli/fhir/codes.py), and the hospital's patient-number system, by which a referral's
# Patient is matched. A URL that must never change once data has been exchanged.
FHIR_SYSTEM_BASE = (env.str("FHIR_SYSTEM_BASE", default="") or "https://mammapoli.example/fhir").rstrip("/")
FHIR_HOSPITAL_NUMBER_SYSTEM = (env.str("FHIR_HOSPITAL_NUMBER_SYSTEM", default="")
                               or f"{FHIR_SYSTEM_BASE}/NamingSystem/hospital-number")
for _name in ("FHIR_SYSTEM_BASE", "FHIR_HOSPITAL_NUMBER_SYSTEM"):
    if not globals()[_name].startswith(("http://", "https://", "urn:")):
        raise ImproperlyConfigured(f"{_name}={globals()[_name]!r}: expected an absolute URI (https://…, urn:oid:…)")

# Shared by the web processes: the API's login throttle counts there. Production: Redis
# (rediscache://host:6379/1); the default (one process's memory) suits development.
try:
    CACHES = {"default": environ.Env.cache_url_config(env.str("CACHE_URL", default="") or "locmemcache://")}
except (ValueError, KeyError, ImproperlyConfigured) as exc:
    raise ImproperlyConfigured(f"CACHE_URL: cannot be read ({exc})") from None


def env_rate(name: str, default: str) -> str:
    """A DRF throttle rate: a number of requests per second, minute, hour or day ("5/minute")."""
    raw = env.str(name, default="") or default
    if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", raw):
        raise ImproperlyConfigured(f"{name}={raw!r}: expected requests per period, e.g. 5/minute")
    return raw


# API tokens (django-rest-knox): stored hashed, valid for API_TOKEN_TTL seconds (default 8 hours),
# revoked on logout and on a password change; at most API_TOKEN_LIMIT_PER_USER at a time.
REST_KNOX = {
    "TOKEN_TTL": dt.timedelta(seconds=env_int("API_TOKEN_TTL", default=8 * 60 * 60, minimum=60)),
    "TOKEN_LIMIT_PER_USER": env_int("API_TOKEN_LIMIT_PER_USER", default=10, minimum=1),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}

REST_FRAMEWORK = {
    # The token first: an API call without (valid) credentials is answered 401 with
    # WWW-Authenticate: Token (DRF asks the first class for that header; a session has none).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First: an unauthenticated request is told to send a token (401, WWW-Authenticate: Token).
        "knox.auth.TokenAuthentication",
        # A session counts only once its second factor is verified.
        "mammapoli.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_THROTTLE_RATES": {"api-token": env_rate("API_TOKEN_THROTTLE_RATE", default="10/minute")},
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "mammapoli.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mammapoli API",
    "DESCRIPTION": "Same-morning breast clinic: shared multidisciplinary record and pathway planning.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs are for the clinic's own integrators: logged in (session or token).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "mammapoli.api.schema.document_common_answers"],
    # Ids in paths are whole numbers of at most 18 digits (the `id` converter, api/converters.py).
    "PATH_CONVERTER_OVERRIDE": {"id": {"type": "integer", "minimum": 0, "maximum": 999_999_999_999_999_999}},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# Patients' phone numbers: Dutch numbers may be typed without +31 (django-phonenumber-field).
PHONENUMBER_DEFAULT_REGION = "NL"
PHONENUMBER_DEFAULT_FORMAT = "NATIONAL"

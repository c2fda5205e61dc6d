"""Settings read the environment in one place and refuse bad values loudly."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_django(env_overrides: dict, *args: str, settings: str = "mammapoli.settings.base"):
    env = {k: v for k, v in os.environ.items()
           if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "MIGRATION_DATABASE_URL", "CELERY_BROKER_URL",
                         "TIME_ZONE"}}
    env.update({"DJANGO_SETTINGS_MODULE": settings, **env_overrides})
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def print_setting(name: str, env: dict, settings: str = "mammapoli.settings.base"):
    return run_django(env, "shell", "--no-imports", "-c", f"from django.conf import settings; print(settings.{name})",
                      settings=settings)


@pytest.mark.parametrize(
    ("variable", "value"),
    [("DEBUG", "maybe"), ("TIME_ZONE", "Europe/Atlantis"), ("SESSION_COOKIE_AGE", "eight hours"),
     ("DATABASE_URL", "nosuchdb://x"), ("USE_TZ", "false"), ("LANGUAGE_CODE", "fr"),
     ("SESSION_IDLE_TIMEOUT", "a quarter"), ("SESSION_IDLE_TIMEOUT", "99999"), ("PASSWORD_MIN_LENGTH", "8"),
     ("LOGIN_FAILURE_LIMIT", "0"), ("LOGIN_LOCKOUT_SECONDS", "soon"), ("API_TOKEN_TTL", "forever"),
     ("API_TOKEN_LIMIT_PER_USER", "0"), ("API_TOKEN_THROTTLE_RATE", "lots"), ("CACHE_URL", "nosuch://x"),
     ("TRUSTED_PROXIES", "10.0.0.5,the-proxy")],
)
def test_a_bad_value_stops_start_up_naming_the_variable(variable, value):
    result = run_django({variable: value}, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


def test_without_database_url_the_demo_uses_a_sqlite_file():
    result = print_setting("DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME']", {})
    assert result.stdout.split() == ["django.db.backends.sqlite3", str(ROOT / "db.sqlite3")]


def test_database_url_points_at_postgresql():
    result = print_setting("DATABASES['default']['ENGINE']",
                           {"DATABASE_URL": "postgres://clinic:secret@db.internal:5432/mammapoli"})
    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_without_a_broker_celery_runs_eagerly():
    result = print_setting("CELERY_TASK_ALWAYS_EAGER", {})
    assert result.stdout.strip() == "True"
    result = print_setting("CELERY_TASK_ALWAYS_EAGER", {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"})
    assert result.stdout.strip() == "False"


def test_without_debug_a_secret_key_is_required():
    result = run_django({"DEBUG": "false"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_a_guessable_secret_key():
    result = run_django({"SECRET_KEY": "ab" * 40, "ALLOWED_HOSTS": "poli.example.nl"}, "check",
                        settings="mammapoli.settings.production")
    assert result.returncode != 0
    assert "SECRET_KEY must be set to a random value" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run_django({"ALLOWED_HOSTS": "poli.example.nl"}, "check", settings="mammapoli.settings.production")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_passes_the_deployment_checklist_without_warnings():
    env = {"SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "poli.example.nl"}
    result = run_django(env, "check", "--deploy", "--fail-level", "WARNING", settings="mammapoli.settings.production")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_does_not_install_the_demo():
    env = {"SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "poli.example.nl"}
    result = run_django(env, "load_demo", settings="mammapoli.settings.production")
    assert result.returncode != 0
    assert "Unknown command: 'load_demo'" in result.stderr


def test_env_example_documents_every_variable_the_settings_read():
    settings_source = (ROOT / "mammapoli" / "settings" / "base.py").read_text() + (
        ROOT / "mammapoli" / "settings" / "production.py").read_text()
    import re

    read = set(re.findall(r'env(?:_flag|_int|\.str|\.list|\.db|\.bool)\(\s*"([A-Z_]+)"', settings_source))
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert read, "the pattern found no variables"
    assert read <= documented, f"not in .env.example: {sorted(read - documented)}"


def test_the_login_limits_come_from_the_environment():
    env = {"SESSION_IDLE_TIMEOUT": "600", "LOGIN_FAILURE_LIMIT": "3", "API_TOKEN_TTL": "3600",
           "API_TOKEN_THROTTLE_RATE": "20/hour"}
    result = print_setting("SESSION_IDLE_TIMEOUT, settings.AXES_FAILURE_LIMIT, settings.REST_KNOX['TOKEN_TTL'], "
                           "settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']['api-token'], "
                           "settings.SESSION_EXPIRE_AT_BROWSER_CLOSE", env)
    assert result.stdout.split() == ["600", "3", "1:00:00", "20/hour", "True"]


def test_trusted_proxies_are_read_as_networks():
    result = print_setting("TRUSTED_PROXIES", {"TRUSTED_PROXIES": "10.0.0.5,192.168.0.0/16"})
    assert result.stdout.strip() == "[IPv4Network('10.0.0.5/32'), IPv4Network('192.168.0.0/16')]", result.stderr


APP_URL = "postgres://mammapoli_app:secret@db.internal:5432/mammapoli"


def test_the_migration_url_names_the_owner_of_the_same_database():
    result = print_setting("DATABASE_OWNER['USER']", {
        "DATABASE_URL": APP_URL, "MIGRATION_DATABASE_URL": "postgres://mammapoli_owner:other@db.internal:5432/mammapoli"})
    assert result.stdout.strip() == "mammapoli_owner"


@pytest.mark.parametrize(("migration_url", "says"), [
    ("postgres://mammapoli_owner@db.internal:5432/elsewhere", "same database"),
    ("postgres://mammapoli_app:secret@db.internal:5432/mammapoli", "owner role"),
    ("sqlite:///owner.sqlite3", "only with PostgreSQL"),
])
def test_a_migration_url_for_another_database_or_the_same_role_stops_start_up(migration_url, says):
    result = run_django({"DATABASE_URL": APP_URL, "MIGRATION_DATABASE_URL": migration_url}, "check")
    assert result.returncode != 0
    assert "MIGRATION_DATABASE_URL" in result.stderr and says in result.stderr

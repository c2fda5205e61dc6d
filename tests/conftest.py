"""Shared fixtures: a small clinic and its team as named personas.

Tests marked `postgres` need PostgreSQL, tests marked `broker` a real Celery broker (Redis),
tests marked `browser` Chromium (fixtures in tests/browser.py): on a laptop without them
they skip with a reason; when `CI` is set they fail instead, so CI can never pass by
skipping them.
"""

import datetime as dt
import os
import shutil
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import settings as hypothesis_settings
from django.conf import settings
from django.db import connection

from tests.browser import browser_page, check_browser_available, log_in  # noqa: F401 (fixtures)
from tests.factories import ClinicFactory, PathwayFactory, ResourceFactory, StaffMemberFactory, UserFactory
from tests.second_factor import VerifiedClient

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures")

# The suite's clock: Monday 30 November 2026, 14:00 in the clinic, the afternoon before the test
# morning (2026-12-01). No test may depend on the calendar or the wall clock: every test runs
# at this instant (the clock ticks on from it, so durations and time limits are real); a test
# that means another moment travels there itself (`time_machine.travel`, which nests).
SUITE_NOW = dt.datetime(2026, 11, 30, 14, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))

# No test asserts how long something takes (speed is measured in benchmarks/): hypothesis's
# per-example deadline would fail a loaded CI machine at random.
hypothesis_settings.register_profile("mammapoli", deadline=None)
hypothesis_settings.load_profile("mammapoli")


@pytest.fixture(autouse=True)
def suite_clock():
    with time_machine.travel(SUITE_NOW, tick=True):
        yield SUITE_NOW


@pytest.fixture(autouse=True)
def test_language():
    """Every test starts in the test settings' language: a page asked for in Dutch leaves Dutch
    active in the thread (LocaleMiddleware), which must not leak into the next test."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def client():
    """pytest-django's client, whose force_login/login also pass the second factor (tests/second_factor.py)."""
    return VerifiedClient()


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's superuser client, with the second factor passed like `client`'s (without
    it the admin only redirects to the second factor, and a test would see that 302 as a save)."""
    client = VerifiedClient()
    client.force_login(admin_user)
    return client


@pytest.fixture(autouse=True)
def empty_cache():
    """The API's login throttle counts in the cache: no test inherits another's tries."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Test databases may be emptied between tests: allow TRUNCATE of the append-only access
    log there (production databases never set this; see audit migration 0002)."""
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                name = connection.ops.quote_name(connection.settings_dict["NAME"])
                cursor.execute(f"ALTER DATABASE {name} SET mammapoli.allow_log_truncate = 'on'")
                cursor.execute("SET mammapoli.allow_log_truncate = 'on'")


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("this test needs PostgreSQL, and CI is set: point DATABASE_URL at PostgreSQL")
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://…); CI runs it")
    check_browser_available(item)
    if item.get_closest_marker("pdf") and not shutil.which("pdftoppm"):
        if os.environ.get("CI"):
            pytest.fail("this test needs poppler-utils (pdftoppm), and CI is set: .ci/run installs it")
        pytest.skip("needs poppler-utils (pdftoppm); apt-get install poppler-utils, or CI runs it")
    if item.get_closest_marker("broker") and not settings.CELERY_BROKER_URL:
        if os.environ.get("CI"):
            pytest.fail("this test needs a Celery broker, and CI is set: set CELERY_BROKER_URL=redis://…")
        pytest.skip("needs a Celery broker (set CELERY_BROKER_URL=redis://…); CI runs it")


@pytest.fixture
def clinic(db):
    """A clinic with one of each resource and the imaging pathway (exam → mammo → us → result)."""
    clinic = ClinicFactory(name="testpoli")
    for code, kind in [("chir-A", "surgeon"), ("spreek-A", "consult_room"), ("mbb-A", "radiographer"),
                       ("mammo-A", "mammography_unit"), ("rad-A", "radiologist"), ("echo-A", "ultrasound_room"),
                       ("patho-A", "pathologist"), ("mcv-A", "nurse")]:
        ResourceFactory(clinic=clinic, code=code, kind__code=kind)
    PathwayFactory.imaging(clinic=clinic)
    return clinic


def _persona(clinic, username, role, resource_code=None):
    member = StaffMemberFactory(clinic=clinic, user=UserFactory(username=username), role=role)
    if resource_code:
        clinic.resources.filter(code=resource_code).update(staff_member=member)
    return member.user


@pytest.fixture
def planner(clinic):
    return _persona(clinic, "petra.planner", "planner")


@pytest.fixture
def surgeon(clinic):
    return _persona(clinic, "sophie.surgeon", "surgeon", "chir-A")


@pytest.fixture
def radiologist(clinic):
    return _persona(clinic, "ruben.radiologist", "radiologist", "rad-A")


@pytest.fixture
def pathologist(clinic):
    return _persona(clinic, "paula.pathologist", "pathologist", "patho-A")


@pytest.fixture
def nurse(clinic):
    return _persona(clinic, "noor.nurse", "nurse", "mcv-A")


@pytest.fixture
def privacy_officer(clinic):
    return _persona(clinic, "pim.privacy", "privacy_officer")


@pytest.fixture
def outsider(db):
    """A user of another clinic's team: sees nothing of ours."""
    other = ClinicFactory(name="elsewhere")
    return StaffMemberFactory(clinic=other, user=UserFactory(username="olaf.outsider"), role="surgeon").user

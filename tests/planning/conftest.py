"""Planning fixtures: the test clinic with the four standard pathways, and engine helpers."""

import datetime as dt
import json

import pytest

from mammapoli.planning.adapter import session_to_morning, session_to_plan
from mammapoli.planning.models import Plan, PlanStatus
from scheduler.check import check_plan
from tests.conftest import FIXTURES
from tests.factories import pathway_from_spec

#: A Monday; the booking tests look at the mornings after it.
MONDAY = dt.date(2026, 11, 30)
TUESDAY = dt.date(2026, 12, 1)


def standard_pathway_specs() -> dict:
    with open(f"{FIXTURES}/instances/standard-20.json", encoding="utf-8") as handle:
        return json.load(handle)["pathways"]


@pytest.fixture
def pathways(clinic):
    """The test clinic's pathways: `imaging` (from the clinic fixture) plus core, fna and
    ultrasound-only as in the standard instances."""
    specs = standard_pathway_specs()
    made = {code: pathway_from_spec(clinic=clinic, code=code, steps=specs[code]["steps"])
            for code in ("core", "fna", "ultrasound-only")}
    made["imaging"] = clinic.pathways.get(code="imaging")
    return made


def assert_valid(morning: dict, plan: dict) -> None:
    """The independent validator finds nothing wrong."""
    violations = check_plan(morning, plan)
    assert violations == [], violations


def assert_published_plan_valid(session) -> dict:
    """The published plan, as export_plan writes it, is valid for the morning as export_morning writes it."""
    published = Plan.objects.filter(session=session, status=PlanStatus.PUBLISHED).first()
    plan = session_to_plan(session, published=published.data if published else None)
    assert_valid(session_to_morning(session), plan)
    return plan


def load_instance(name: str) -> dict:
    with open(f"{FIXTURES}/instances/{name}.json", encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture
def small_morning(clinic):
    """The small-8 instance imported into the test clinic (so the personas belong to it): its
    Tuesday morning with eight booked visits, nothing planned yet."""
    from mammapoli.planning.morning_import import morning_import

    return morning_import(data=load_instance("small-8"), clinic_name=clinic.name)


@pytest.fixture
def plan_now(django_capture_on_commit_callbacks):
    """Start a plan job and run it (eagerly, as without a broker) with a short time limit."""
    from mammapoli.planning.services.jobs import plan_job_start

    def run(session, *, user=None, time_limit=1, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            job = plan_job_start(user=user, session=session, time_limit=time_limit, seed=0, **kwargs)
        job.refresh_from_db()
        return job

    return run


@pytest.fixture
def record(django_capture_on_commit_callbacks):
    """Enter an event without running its re-plan (the tests that look at what it wrote or refused)."""
    def run(event, **kwargs):
        with django_capture_on_commit_callbacks(execute=False):
            return event(**kwargs)
    return run

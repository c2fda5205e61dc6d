"""The replanning morning (standard-20, then standard-20-replan at 10:15) in clinic `delft`,
with named patients; the personas of tests/conftest.py are members of that clinic's team."""

import json
from pathlib import Path

import pytest
from django.utils import timezone

from mammapoli.planning.access import morning_for_user
from mammapoli.board.facts import MorningFacts, morning_facts
from mammapoli.planning.models import ClinicSession
from mammapoli.planning.morning_import import morning_import
from tests.factories import PatientFactory

ROOT = Path(__file__).resolve().parents[2]
#: A past Tuesday, as the file's 2026-12-01 is: the morning is never today, so its "now" is
#: the recorded state (10:15), whatever day the tests run.
MORNING_DATE = "2025-12-02"
WALK_INS = {"W1": {"given_name": "Lotte", "family_name": "Smit"},
            "W2": {"given_name": "Anouk", "family_name": "Meijer"}}


def instance(name: str) -> dict:
    data = json.loads((ROOT / "fixtures" / "instances" / f"{name}.json").read_text())
    data["date"] = MORNING_DATE
    return data


def named_patients() -> dict:
    demo = json.loads((ROOT / "fixtures" / "demo_clinic.json").read_text())
    names = {p["id"]: {"given_name": p["given_name"], "family_name": p["family_name"]} for p in demo["patients"]}
    return {code: PatientFactory(**name) for code, name in (names | WALK_INS).items()}


@pytest.fixture
def clinic(db):
    """Overrides tests/conftest.py's clinic: the personas join this one."""
    patients = named_patients()
    morning_import(data=instance("standard-20"), clinic_name="delft", patients=patients)
    return morning_import(data=instance("standard-20-replan"), clinic_name="delft", patients=patients).clinic


@pytest.fixture
def morning(clinic) -> ClinicSession:
    return ClinicSession.objects.get(clinic=clinic)


@pytest.fixture
def facts(morning, planner) -> MorningFacts:
    """The morning as the day view and the board see it (its 'now' is the recorded 10:15)."""
    access = morning_for_user(planner, morning.pk, what="test")
    return morning_facts(access.session, access.visits, clock=timezone.now())

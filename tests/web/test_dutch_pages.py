"""Every page in Dutch, as each persona of the demo clinic reads it: no engine code, no
English. The morning has a bit of everything (tests/dutch.py: patients who cannot be seen,
events, a signed section with an addendum, a benign conclusion with its reason)."""

import re

import pytest

from mammapoli.planning.models import Plan, PlanJob, PlanStatus, Referral, Visit
from mammapoli.records.models import Patient
from tests.dutch import busy_demo_morning, demo_user, untranslated, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def morning():
    return busy_demo_morning()


DEMO_USERNAMES = ("planner", "surgeon", "radiologist", "pathologist", "nurse", "privacy", "outsider")


def dutch_page(client, username: str, url: str) -> str:
    client.force_login(demo_user(username))
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200, (url, response.status_code)
    assert '<html lang="nl"' in response.content.decode()
    text = visible_text(response.content.decode())
    if url.startswith("/privacy/patients/"):  # the log's "who" column: the usernames people log in with
        text = re.sub(r"(?<![\w-])(" + "|".join(DEMO_USERNAMES) + r")(?![\w-])", "", text)
    return text


def pages(morning) -> list[tuple[str, str]]:
    p01 = Visit.objects.get(session=morning, code="P01")
    referral = Referral.objects.filter(clinic=morning.clinic).first()
    published = Plan.objects.get(session=morning, status=PlanStatus.PUBLISHED)
    job = PlanJob.objects.filter(session=morning).first()
    patient = Patient.objects.get(hospital_number=p01.patient.hospital_number)
    s = morning.pk
    return [
        ("planner", "/"), ("planner", "/planning/"), ("planner", "/planning/referrals/"),
        ("planner", "/planning/referrals/?state=all"), ("planner", f"/planning/referrals/{referral.pk}/"),
        ("planner", "/planning/referrals/new/"), ("planner", f"/planning/sessions/{s}/"),
        ("planner", f"/planning/jobs/{job.job_id}/"), ("planner", f"/planning/plans/{published.pk}/"),
        ("planner", f"/sessions/{s}/day/"), ("planner", f"/sessions/{s}/day/?rows=patients"),
        ("planner", f"/sessions/{s}/day/?print=1"), ("planner", f"/sessions/{s}/board/"),
        ("planner", f"/sessions/{s}/walk-in/"), ("planner", f"/sessions/{s}/absence/"),
        ("planner", f"/sessions/{s}/hand-over/"),
        ("planner", "/visits/"), ("planner", "/patients/?q=Jansen"), ("planner", f"/patients/{patient.pk}/"),
        ("surgeon", "/"), ("surgeon", "/my-patients/"), ("surgeon", f"/visits/{p01.pk}/form/"),
        ("surgeon", f"/visits/{p01.pk}/form/?print=1"), ("surgeon", "/mdo/"), ("surgeon", f"/sessions/{s}/board/"),
        ("radiologist", "/my-patients/"), ("radiologist", f"/visits/{p01.pk}/form/"),
        ("pathologist", f"/visits/{p01.pk}/form/"), ("nurse", "/my-patients/"),
        ("privacy", f"/privacy/?q={patient.family_name}"), ("privacy", f"/privacy/patients/{patient.pk}/"),
        ("outsider", "/"), ("outsider", "/patients/?q=Jansen"),
        ("surgeon", "/accounts/password/"), ("surgeon", "/accounts/second-factor/backup-codes/"),
    ]


def test_no_page_shows_an_engine_code_or_english_in_dutch(client, morning):
    problems = {}
    for username, url in pages(morning):
        found = untranslated(dutch_page(client, username, url))
        if found:
            problems[f"{username} {url}"] = found[:8]
    assert problems == {}, "\n".join(f"{page}: {found}" for page, found in problems.items())


def test_the_pages_say_the_clinics_names_and_dutch_dates(client, morning):
    board = dutch_page(client, "planner", f"/sessions/{morning.pk}/board/")
    assert "Polibord" in board and "ma 30 november 2026" in board
    assert "Lichamelijk onderzoek" in board and "Start mammografie" in board
    # The pathologist is away: the biopsy patients are off the published plan, and the board says why.
    assert "kan deze ochtend niet worden gezien Geen patholoog kan cytologie (15 min) doen tussen 09:30 en 11:40" in board
    plan = Plan.objects.get(session=morning, status=PlanStatus.PUBLISHED)
    proposal = dutch_page(client, "planner", f"/planning/plans/{plan.pk}/")
    assert "Geen patholoog kan histologie (20 min) doen tussen" in proposal
    assert "(bewezen optimaal)" in proposal or "(geldig, niet bewezen optimaal)" in proposal


def test_the_detector_finds_codes_and_english():
    assert untranslated("Volgende: exam 10:15 · spreek-A") == ["code 'exam'"]
    assert untranslated("mammo-A en echo-A zijn vrij") == []
    assert any("FEASIBLE" in p for p in untranslated("(FEASIBLE)"))
    assert any("English" in p for p in untranslated("radiologist rad-A is busy 10:40-12:30"))

"""How the morning holds up, in words: the day view from the published plan, the board live
from the current re-plan (the replanning morning of tests/board/conftest.py, now 10:15)."""

import html as html_lib
import re

import pytest

from mammapoli.clinics.models import ClinicUncertainty
from mammapoli.planning.adapter import session_to_morning, session_to_plan
from mammapoli.planning.models import Plan, PlanJob, PlanJobStatus, PlanStatus
from tests.board.html import page, text_of

pytestmark = pytest.mark.django_db


def risk_text(html: str) -> str:
    """The text of the page's risk paragraph ("" when there is none)."""
    match = re.search(r'<p class="risk[^"]*" data-risk>(.*?)</p>', html, re.S)
    return html_lib.unescape(text_of(match.group(1))) if match else ""


def stored_plan(morning, *, status: str, answered: float, p90: float, now: str | None = None) -> Plan:
    """A plan of the morning as a job leaves it, its `risk` as given (19 patients on it)."""
    instance = session_to_morning(morning)
    if now is None:
        instance.pop("now", None)
    job = PlanJob.objects.create(session=morning, time_limit=1, morning=instance, status=PlanJobStatus.SUCCEEDED,
                                 session_version=morning.version)
    data = {**session_to_plan(morning), "risk": {"runs": 400, "answered_expected": answered,
                                                 "priority_answered_expected": answered, "overtime_p90": p90,
                                                 "overtime_mean": 4.0}}
    return Plan.objects.create(session=morning, job=job, status=status, data=data, solver_status="FEASIBLE",
                               scheduled=19, priority_scheduled=19, total_stay=0, lower_bound_total_stay=0)


@pytest.fixture
def uncertain(morning):
    ClinicUncertainty.objects.create(clinic=morning.clinic)  # limit 15 minutes
    return morning


def test_the_day_view_and_the_board_say_how_the_published_plan_holds_up(client, planner, uncertain):
    stored_plan(uncertain, status=PlanStatus.PUBLISHED, answered=17.6, p90=12.0)
    expected = ("On a real morning: 18 of 19 expected to have their answer by 13:00; "
                "1 in 10 mornings like this runs more than 12 minutes over.")
    assert risk_text(page(client, planner, f"/sessions/{uncertain.pk}/day/")) == expected
    assert risk_text(page(client, planner, f"/sessions/{uncertain.pk}/board/")) == expected


def test_the_board_follows_the_re_plan_and_the_day_view_the_published_plan(client, planner, nurse, uncertain):
    published = stored_plan(uncertain, status=PlanStatus.PUBLISHED, answered=17.6, p90=12.0)
    stored_plan(uncertain, status=PlanStatus.PROPOSED, answered=16.2, p90=21.4, now="10:15")
    assert risk_text(page(client, nurse, f"/sessions/{uncertain.pk}/board/")) == (
        "On a real morning, as re-planned at 10:15 (not published yet): 16 of 19 expected to have their answer "
        "by 13:00; 1 in 10 mornings like this runs more than 21 minutes over. "
        "That is more than the clinic's limit of 15 minutes.")
    assert risk_text(page(client, planner, f"/sessions/{uncertain.pk}/day/")).startswith(
        "On a real morning: 18 of 19 expected")
    published.status = PlanStatus.SUPERSEDED
    published.save()
    Plan.objects.filter(status=PlanStatus.PROPOSED).update(status=PlanStatus.PUBLISHED)
    assert risk_text(page(client, planner, f"/sessions/{uncertain.pk}/day/")).startswith(
        "On a real morning, as re-planned at 10:15: 16 of 19 expected")


def test_in_dutch(client, planner, uncertain, settings):
    settings.LANGUAGE_CODE = "nl"
    stored_plan(uncertain, status=PlanStatus.PUBLISHED, answered=17.6, p90=0.3)
    assert risk_text(page(client, planner, f"/sessions/{uncertain.pk}/board/", HTTP_ACCEPT_LANGUAGE="nl")) == (
        "Op een echte ochtend: 18 van de 19 hebben naar verwachting hun uitslag om 13:00; "
        "9 op de 10 ochtenden zoals deze zijn op tijd klaar.")


def test_a_plan_that_sees_nobody_says_nothing_about_it(client, planner, uncertain):
    Plan.objects.filter(pk=stored_plan(uncertain, status=PlanStatus.PUBLISHED, answered=0, p90=0).pk).update(
        scheduled=0)
    assert risk_text(page(client, planner, f"/sessions/{uncertain.pk}/board/")) == ""


def test_a_plan_without_risk_says_nothing_about_it(client, planner, morning):
    plan = stored_plan(morning, status=PlanStatus.PUBLISHED, answered=17.6, p90=12.0)
    plan.data.pop("risk")
    plan.save()
    assert risk_text(page(client, planner, f"/sessions/{morning.pk}/board/")) == ""
    assert risk_text(page(client, planner, f"/sessions/{morning.pk}/day/")) == ""

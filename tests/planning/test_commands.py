"""plan_morning and export_plan: the published plan checks out against export_morning."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from mammapoli.planning.models import Plan, PlanStatus
from scheduler.check import check_plan

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


# Commands run outside any transaction, so the task is queued (here: run) the moment the job
# is created: these tests commit for real.
@pytest.mark.django_db(transaction=True)
def test_plan_morning_prints_progress_and_publishes_and_export_plan_checks_out(small_morning):
    output = run("plan_morning", "testpoli", "2026-12-01", "--publish", "--time-limit", "1")
    lines = output.splitlines()
    assert lines[0].startswith("Job ") and "(8 visits, time limit 1 s)" in lines[0]
    assert any("patients seen, total stay" in line for line in lines[1:])
    assert "Proposal" in output and "8 of 8 patients seen" in output
    assert lines[-1].startswith("Published plan")
    assert Plan.objects.get().status == PlanStatus.PUBLISHED
    morning = json.loads(run("export_morning", "testpoli", "2026-12-01"))
    plan = json.loads(run("export_plan", "testpoli", "2026-12-01"))
    assert check_plan(morning, plan) == []
    assert plan["objective"]["scheduled"] == 8 and plan["status"] in ("OPTIMAL", "FEASIBLE")


@pytest.mark.django_db(transaction=True)
def test_the_demo_morning_out_of_the_box():
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    run("load_demo")
    # As `make demo` runs it: 'today' is the clinic's date (Europe/Amsterdam), which is not the
    # machine's UTC date for an hour or two around midnight.
    output = run("plan_morning", "demo", "today", "--publish", "--time-limit", "2")
    assert "Published plan" in output
    morning = json.loads(run("export_morning", "demo", today))
    plan = json.loads(run("export_plan", "demo", today))
    assert check_plan(morning, plan) == []
    assert plan["objective"]["scheduled"] >= 18  # standard-20: the engine sees (nearly) everyone


@pytest.mark.parametrize(("args", "message"), [
    (("nowhere", "2026-12-01"), "no morning of clinic 'nowhere' on 2026-12-01"),
    (("testpoli", "1-12-2026"), "date: not a date"),
    (("testpoli", "2026-12-01", "--time-limit", "0"), "--time-limit: Between 1 and 3600 seconds."),
])
def test_plan_morning_fails_with_a_clear_message(small_morning, args, message):
    with pytest.raises(CommandError, match=message):
        run("plan_morning", *args)


def test_today_is_the_clinics_date_on_a_day_without_a_morning(small_morning):
    # The suite's clock is the afternoon before the test morning: no morning today.
    with pytest.raises(CommandError, match="no morning of clinic 'testpoli' on 2026-11-30"):
        run("export_morning", "testpoli", "today")


def test_today_is_the_clinics_date_not_the_machines(small_morning, time_machine):
    # 00:30 in Amsterdam on the morning's date is still 30 November in UTC: "today" is the clinic's.
    time_machine.move_to(dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.timezone.utc))
    exported = json.loads(run("export_morning", "testpoli", "today"))
    assert exported["date"] == "2026-12-01"


def test_export_plan_of_an_unknown_morning_fails_clearly(db):
    with pytest.raises(CommandError, match="no morning of clinic 'x' on 2026-12-01"):
        run("export_plan", "x", "2026-12-01")

"""`manage.py estimate_uncertainty`: a clinic's variation measured on its own recorded mornings.

Five recorded mornings (Monday 23 to Friday 27 November 2026, before the suite's Monday 30th),
built with factories; each has four patients on the imaging pathway (exam 15 min), told
08:00, 09:00, 10:00 and 11:00 by the plan published the afternoon before:

- exam, 20 lengths: 12, 15, 18 and 20 minutes (the last with 5 extra minutes planned, so on
  time), i.e. ratios 0.8, 1, 1.2, 1 every morning; mammography only P01's: 14, 16, 15, 17, 13;
- arrivals 5 minutes early, on time, 10 late, 40 late (clipped to 30) — except on Monday,
  when a plan published at 09:00 told P03 10:30 (she came at 10:10: 20 early, clipped to 15),
  and a plan published after P04 came is not hers;
- a fifth booked patient: a no-show on Monday and Tuesday, never recorded on Wednesday,
  cancelled on Thursday; a walk-in on Friday (not booked: she counts for nothing).

By hand (lognormal fit: cv = sqrt(exp(s²) - 1) of the log ratios' sample variance s²):
exam cv 0.1483 (mean ratio 1.0007), mammography 0.1063 from 5, the pooled default 0.1418;
no-shows 2 of 22; punctuality sqrt(5250 / 20) = 16.20 minutes, mean +7.5.
"""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from mammapoli.clinics.models import ClinicUncertainty, StepVariation
from mammapoli.planning.clock import aware
from mammapoli.planning.management.commands.estimate_uncertainty import Command
from mammapoli.planning.models import Plan, PlanJob, PlanStatus, VisitStatus
from mammapoli.planning.uncertainty_estimate import uncertainty_estimate
from tests.factories import ClinicSessionFactory, VisitFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)
TOLD = ["08:00", "09:00", "10:00", "11:00"]
EXAM_MINUTES = [12, 15, 18, 20]
ARRIVAL_OFFSET = [-5, 0, 10, 40]
MAMMO_MINUTES = [14, 16, 15, 17, 13]


def at(day: dt.date, clock: str, minutes: float = 0) -> dt.datetime:
    return aware(day, clock) + dt.timedelta(minutes=minutes)


def published(session, starts: dict[str, str], when: dt.datetime, status=PlanStatus.SUPERSEDED) -> Plan:
    job = PlanJob.objects.create(session=session, time_limit=1, morning={})
    data = {"assignments": [{"patient": code, "step": "exam", "start": start} for code, start in starts.items()]}
    return Plan.objects.create(session=session, job=job, status=status, data=data, solver_status="FEASIBLE",
                               scheduled=len(starts), priority_scheduled=len(starts), total_stay=0,
                               lower_bound_total_stay=0, published_at=when)


def recorded_morning(clinic, index: int):
    day = MONDAY + dt.timedelta(days=index)
    session = ClinicSessionFactory(clinic=clinic, date=day)
    last = published(session, {f"P0{i + 1}": TOLD[i] for i in range(4)}, at(day - dt.timedelta(days=1), "16:00"),
                     status=PlanStatus.PUBLISHED)
    for i in range(4):
        visit = VisitFactory(session=session, code=f"P0{i + 1}", status=VisitStatus.DONE,
                             arrived_at=at(day, TOLD[i], ARRIVAL_OFFSET[i]))
        exam = visit.steps.get(step__code="exam")
        exam.extra_minutes = 5 if i == 3 else 0
        exam.actual_start = at(day, TOLD[i], 10)
        exam.actual_end = exam.actual_start + dt.timedelta(minutes=EXAM_MINUTES[i])
        exam.save()
        if i == 0:
            mammo = visit.steps.get(step__code="mammo")
            mammo.actual_start = at(day, "09:00")
            mammo.actual_end = mammo.actual_start + dt.timedelta(minutes=MAMMO_MINUTES[index])
            mammo.save()
    fifth = {0: VisitStatus.NO_SHOW, 1: VisitStatus.NO_SHOW, 2: VisitStatus.BOOKED, 3: VisitStatus.CANCELLED}
    if index in fifth:
        VisitFactory(session=session, code="P05", status=fifth[index])
    else:
        VisitFactory(session=session, code="W01", status=VisitStatus.DONE, arrived_at=at(day, "09:30"))
    if index == 0:
        last.status = PlanStatus.SUPERSEDED
        last.save()
        published(session, {"P01": "08:00", "P02": "09:00", "P03": "10:30", "P04": "11:00"}, at(day, "09:00"))
        published(session, {"P01": "08:00", "P02": "09:00", "P03": "10:30", "P04": "11:45"}, at(day, "11:50"),
                  status=PlanStatus.PUBLISHED)
    return session


@pytest.fixture
def recorded(clinic):
    for index in range(5):
        recorded_morning(clinic, index)
    ClinicSessionFactory(clinic=clinic, date=dt.date(2026, 11, 20))  # nothing recorded: not counted
    today = ClinicSessionFactory(clinic=clinic, date=dt.date(2026, 11, 30))  # today's is not over: not counted
    visit = VisitFactory(session=today, code="P01")
    visit.steps.filter(step__code="exam").update(actual_start=at(today.date, "08:00"),
                                                 actual_end=at(today.date, "08:45"))
    return clinic


def test_the_estimate(recorded):
    estimate = uncertainty_estimate(recorded, today=dt.date(2026, 11, 30))
    assert estimate.mornings == 5
    exam, mammo = estimate.steps
    assert (exam.code, exam.count, mammo.code, mammo.count) == ("exam", 20, "mammo", 5)
    assert (exam.cv, exam.mean_ratio, mammo.cv) == (pytest.approx(0.14825, abs=1e-5),
                                                     pytest.approx(1.00067, abs=1e-5),
                                                     pytest.approx(0.10633, abs=1e-5))
    assert (exam.own, mammo.own) == (True, False)
    assert (estimate.duration_cv, estimate.durations) == (pytest.approx(0.14183, abs=1e-5), 25)
    assert (estimate.no_shows, estimate.booked, estimate.no_show) == (2, 22, pytest.approx(2 / 22))
    assert (estimate.arrivals, estimate.punctuality_sd, estimate.punctuality_mean) == (
        20, pytest.approx(16.20185, abs=1e-5), pytest.approx(7.5))
    assert estimate.step_cv == {"exam": pytest.approx(0.14825, abs=1e-5)}


def run(*args, **kwargs) -> str:
    out = io.StringIO()
    call_command("estimate_uncertainty", *args, stdout=out, **kwargs)
    return out.getvalue()


def test_the_table_beside_the_current_settings_and_nothing_saved_without_asking(recorded):
    settings = ClinicUncertainty.objects.create(clinic=recorded, overtime_p90=20)
    StepVariation.objects.create(uncertainty=settings, step_code="exam", duration_cv=Decimal("0.40"))
    output = run("testpoli", "--no-input")
    assert output.splitlines() == [
        "testpoli: 5 recorded mornings in all.",
        "",
        "                          current  estimate  from",
        "step length cv (default)     0.30      0.14  25 steps",
        "  exam                       0.40      0.15  20 steps, mean 1.00 x planned",
        "  mammo                         -      0.11  5 steps, mean 1.00 x planned; fewer than 20: not saved, "
        "the default applies",
        "no-show rate                 0.08      0.09  2 no-shows of 22 booked patients",
        "punctuality sd (min)          5.0      16.2  20 arrivals, mean +7.5 min",
        "overtime limit (min)           20        20  the clinic's choice: not estimated",
        "Not saved (--save saves it).",
    ]
    settings.refresh_from_db()
    assert (settings.duration_cv, settings.steps.get().duration_cv) == (Decimal("0.30"), Decimal("0.40"))


def test_save_writes_the_estimate_and_keeps_the_limit(recorded):
    ClinicUncertainty.objects.create(clinic=recorded, overtime_p90=20)
    assert run("testpoli", "--save").endswith("Saved as the uncertainty settings of testpoli.\n")
    settings = ClinicUncertainty.objects.get(clinic=recorded)
    assert (settings.duration_cv, settings.no_show, settings.punctuality_sd, settings.overtime_p90) == (
        Decimal("0.14"), Decimal("0.09"), Decimal("16.2"), 20)
    assert list(settings.steps.values_list("step_code", "duration_cv")) == [("exam", Decimal("0.15"))]


def test_a_clinic_without_settings_gets_them_on_a_yes(recorded, monkeypatch):
    asked = []
    monkeypatch.setattr(Command, "confirm", lambda self, question: asked.append(question) or True)
    output = run("testpoli")
    assert "step length cv (default)        -      0.14  25 steps" in output
    assert asked == ["Save the estimate as the clinic's settings? [y/N] "]
    settings = ClinicUncertainty.objects.get(clinic=recorded)
    assert (settings.duration_cv, settings.overtime_p90) == (Decimal("0.14"), 15)  # the default limit


def test_a_no_saves_nothing(recorded, monkeypatch):
    monkeypatch.setattr(Command, "confirm", lambda self, question: False)
    assert run("testpoli").endswith("Not saved (--save saves it).\n")
    assert not ClinicUncertainty.objects.exists()


def test_too_few_recorded_mornings_say_so_and_save_nothing(recorded):
    with pytest.raises(CommandError) as error:
        run("testpoli", "--since", "2026-11-24", "--save")
    assert str(error.value) == ("testpoli: 4 recorded mornings since 2026-11-24; an estimate needs at least 5. "
                                "Nothing saved.")
    assert not ClinicUncertainty.objects.exists()


@pytest.mark.parametrize(("args", "message"), [
    (("elsewhere",), "clinic: no clinic named 'elsewhere'"),
    (("testpoli", "--since", "24-11-2026"), "--since: not a date in YYYY-MM-DD form: '24-11-2026'"),
])
def test_bad_arguments_name_the_argument(recorded, args, message):
    with pytest.raises(CommandError) as error:
        run(*args)
    assert str(error.value) == message

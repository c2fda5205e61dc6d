"""Benchmark: how long the planner waits on the day, from entering an event to the finished
re-plan, and how long a booking suggestion takes.

    python benchmarks/events.py [--repeat 3]

Runs the Django side on a scratch SQLite database (a temporary file; Celery eager, as in the
demo), with the settings' SCHEDULER_REPLAN_TIME_LIMIT (default 3 s; set it in the
environment to try another). Each event is entered through its service, as the board and the
API do, at the morning's `now`, on a fresh copy of each of the shared day-of
mornings (`day/standard-20-calm` at 09:55: nothing went wrong; `day/standard-20-mild` at
10:00: an overrun, a no-show, a walk-in, two early arrivals) and the replanning morning
(`standard-20-replan`, 10:15: steps under way, a radiologist leaving, two walk-ins); its
re-plan runs when the event's transaction commits. For each: seconds from the call to the
stored proposal (median and slowest of the repeats), the engine's status, patients seen, and
from the proposal the planner reads: patients not yet here who are given another time, the
published patients dropped (and how many of them are in the clinic), and the calls to make.
Then the booking suggestion (earliest morning where a new referral fits, with its arrival
time) on the demo clinic's coming mornings.
"""

import argparse
import datetime as dt
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scheduler.clock import fmt_time, to_minutes  # noqa: E402


def setup_django(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "mammapoli.settings.base"
    import django
    from django.core.management import call_command

    django.setup()
    logging.getLogger("celery").setLevel(logging.WARNING)  # no line per eager task in the table
    call_command("migrate", verbosity=0)


def instance(name: str) -> dict:
    return json.loads((ROOT / "fixtures" / "instances" / f"{name}.json").read_text())


#: The mornings the events are entered on: the shared day-of mornings and the replanning one.
MORNINGS = ("day/standard-20-calm", "day/standard-20-mild", "standard-20-replan")


def fresh_morning(name: str, number: int):
    """The morning `name` (published standard-20 as it stands then) in a clinic of its own."""
    from mammapoli.planning.morning_import import morning_import

    clinic = f"bench-{number}"
    morning_import(data=instance("standard-20"), clinic_name=clinic)
    return morning_import(data=instance(name), clinic_name=clinic)


def mute_tasks():
    """Run a setup event without its re-plan (queued tasks dropped): only the timed event plans."""
    from unittest import mock

    return mock.patch("mammapoli.planning.services.jobs.plan_job_dispatch", lambda **kwargs: True)


def events():
    """(label, setup, enter): `enter(session, at)` enters the event (`at`: "HH:MM" -> aware
    datetime) and returns its EventOutcome; `setup` prepares the morning first (not timed).

    Each event picks its patient from the morning as it stands, at its `now`: the
    next patient expected (arrived, no-show), one in the clinic who has not started (her next
    step, another pathway), the first step under way (finished), her result handed over."""
    from mammapoli.clinics.models import Pathway, Resource
    from mammapoli.planning.models import Visit, VisitStatus, VisitStep
    from mammapoli.planning.services import events as ev
    from mammapoli.records.patient_services import patient_get_or_create

    def now(session, plus=0):
        return fmt_time(session.state_at.hour * 60 + session.state_at.minute + plus)

    def expected(session):
        visits = Visit.objects.filter(session=session, status=VisitStatus.BOOKED).prefetch_related("steps")
        ahead = [v for v in visits if v.steps.all() and all(s.planned_start for s in v.steps.all())]
        return min(ahead, key=lambda v: (min(s.planned_start for s in v.steps.all()), v.code))

    def waiting(session):
        """In the clinic, nothing started yet (else the first patient expected, who arrives)."""
        visit = Visit.objects.filter(session=session, status=VisitStatus.ARRIVED).order_by("code").first()
        return visit

    def first_step(visit):
        return VisitStep.objects.select_related("visit", "step").filter(visit=visit).order_by("step__position").first()

    def running(session):
        return (VisitStep.objects.select_related("visit", "step")
                .filter(visit__session=session, actual_start__isnull=False, actual_end__isnull=True)
                .order_by("actual_start", "visit__code").first())

    def pathway(session, code):
        return Pathway.objects.get(clinic=session.clinic, code=code)

    def walk_in(session, at):
        patient = patient_get_or_create(clinic=session.clinic, hospital_number=f"B-{session.pk}", given_name="Eva",
                                        family_name="Visser",
                                        date_of_birth=dt.date(1971, 3, 4))
        return ev.walk_in_add(user=None, session=session, patient=patient, pathway=pathway(session, "imaging"),
                              at=at(now(session)), priority=2)

    def arrived(session, at):
        return ev.visit_arrive(user=None, visit=expected(session), at=at(now(session)))

    def arrive_first(session, at):
        """(Not timed) someone in the clinic who has not started yet."""
        if waiting(session) is None:
            ev.visit_arrive(user=None, visit=expected(session), at=at(now(session)))

    def started(session, at):
        return ev.step_start(user=None, visit_step=first_step(waiting(session)), at=at(now(session)))

    def finished(session, at):
        step = running(session)
        end = max(to_minutes(now(session)), step.actual_start.astimezone(ev.clinic_zone()).hour * 60
                  + step.actual_start.astimezone(ev.clinic_zone()).minute + 1)
        return ev.step_finish(user=None, visit_step=step, at=at(fmt_time(end)))

    def switched(session, at):
        visit = waiting(session)
        target = "imaging" if visit.pathway.code != "imaging" else "ultrasound-only"
        return ev.visit_switch_pathway(user=None, visit=visit, pathway=pathway(session, target), at=at(now(session)))

    def handed_over(session, at):
        visit = expected(session)
        surgeon = Resource.objects.filter(clinic=session.clinic, kind__code="surgeon").exclude(
            pk__in=visit.steps.values("allocations__resource")).order_by("code").first()
        return ev.visit_result_hand_over(user=None, visit=visit, surgeon=surgeon, at=at(now(session)))

    def nothing(session, at):
        return None

    return [
        ("arrived", nothing, arrived),
        ("step started", arrive_first, started),
        ("step finished", nothing, finished),
        ("no-show", nothing, lambda s, at: ev.visit_no_show(user=None, visit=expected(s), at=at(now(s)))),
        ("walk-in (imaging, priority 2)", nothing, walk_in),
        ("rad-B called away in 30 min", nothing, lambda s, at: ev.resource_unavailable_from(
            user=None, session=s, resource=Resource.objects.get(clinic=s.clinic, code="rad-B"), at=at(now(s, 30)),
            entered=at(now(s)))),
        ("pathway switched", arrive_first, switched),
        ("result handed over", nothing, handed_over),
    ]


def bench_events(repeat: int) -> list[str]:
    from django.conf import settings

    from mammapoli.planning.clock import aware
    from mammapoli.planning.selectors import job_plan
    from mammapoli.planning.proposal_diff import Change, proposal_diff

    rows = [f"## Events on the day (SCHEDULER_REPLAN_TIME_LIMIT={settings.SCHEDULER_REPLAN_TIME_LIMIT} s, "
            f"{repeat} runs each)", "",
            "Seconds from entering the event to the stored re-plan (median, slowest); then the re-plan "
            "against the published plan: patients not yet here whose time changes (moved), patients "
            "no longer seen (dropped, of whom in the clinic), calls to make.", "",
            "| morning | event | median s | slowest s | re-plan | seen | moved | dropped (in the clinic) | calls |",
            "|---|---|---|---|---|---|---|---|---|"]
    number = 0
    for name in MORNINGS:
        for label, setup, enter in events():
            seconds, last = [], None
            for _ in range(repeat):
                number += 1
                session = fresh_morning(name, number)

                def at(clock, day=session.date):
                    return aware(day, clock)

                with mute_tasks():
                    setup(session, at)
                session.refresh_from_db()
                started = time.perf_counter()
                outcome = enter(session, at)
                seconds.append(time.perf_counter() - started)
                last = outcome.job
                last.refresh_from_db()
            plan = job_plan(last)
            head = f"| {name.split('/')[-1]} | {label} | {statistics.median(seconds):.2f} | {max(seconds):.2f} |"
            if plan is None:
                rows.append(f"{head} {last.status}: {last.error[:80]} | - | - | - | - |")
                continue
            diff = proposal_diff(plan=plan)
            moved = sum(1 for c in diff.moved if c.arrival_moves and not c.present)
            dropped = [c for c in diff.changes if c.change == Change.DROPPED]
            rows.append(f"{head} {plan.solver_status} | {plan.scheduled} | {moved} | {len(dropped)} "
                        f"({sum(c.present for c in dropped)}) | {len(diff.to_call)} |")
    return rows


def bench_booking(referrals: int) -> list[str]:
    import io

    from django.core.management import call_command

    from mammapoli.clinics.models import Clinic
    from mammapoli.planning.booking_search import booking_suggestion
    from mammapoli.records.models import Complaint, Suspicion, Urgency
    from mammapoli.records.patient_services import referral_intake

    call_command("load_demo", stdout=io.StringIO())
    clinic = Clinic.objects.get(name="demo")
    kinds = [(Complaint.PALPABLE_LUMP, Suspicion.HIGH, Urgency.URGENT), (Complaint.PAIN, Suspicion.LOW, Urgency.REGULAR),
             (Complaint.NIPPLE_DISCHARGE, Suspicion.LOW, Urgency.REGULAR)]
    seconds = []
    for i in range(referrals):
        complaint, suspicion, urgency = kinds[i % len(kinds)]
        referral = referral_intake(
            user=None, clinic=clinic,
            patient={"hospital_number": f"BK-{i}", "given_name": "Test", "family_name": f"Patient {i}",
                     "date_of_birth": dt.date(1960 + i % 40, 1, 1), "sex": "F"},
            referring_gp="Huisarts", complaint=complaint, suspicion=suspicion, urgency=urgency)
        started = time.perf_counter()
        result = booking_suggestion(referral=referral)
        seconds.append(time.perf_counter() - started)
        assert result.search is not None and result.search.fit is not None, result
    return ["## Booking suggestion on the demo clinic", "",
            "| referrals | median ms | slowest ms |", "|---|---|---|",
            f"| {referrals} | {statistics.median(seconds) * 1000:.0f} | {max(seconds) * 1000:.0f} |"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per event (default 3)")
    parser.add_argument("--referrals", type=int, default=9, help="referrals to suggest a morning for (default 9)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup_django(Path(folder) / "bench.sqlite3")
        import platform

        print(f"# On-the-day events and booking, {dt.datetime.now():%Y-%m-%d %H:%M}, "
              f"CPython {platform.python_version()}, {os.cpu_count()} cores, SQLite, Celery eager\n")
        print("\n".join(bench_events(args.repeat)))
        print()
        print("\n".join(bench_booking(args.referrals)))


if __name__ == "__main__":
    main()

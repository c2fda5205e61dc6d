"""Benchmark: how long the planner waits on the day, from entering an event to the finished
re-plan, and how long a booking suggestion takes.

    python benchmarks/events.py [--repeat 3]

Runs the Django side on a scratch SQLite database (a temporary file; Celery eager, as in the
demo), with the settings' SCHEDULER_REPLAN_TIME_LIMIT (default 3 s; set it in the
environment to try another). Each event is entered through its service, as the board and the
API do, on a fresh copy of the replanning morning (`standard-20`, then `standard-20-replan`:
10:15, steps under way, a radiologist leaving, a no-show, two walk-ins); its re-plan runs when
the event's transaction commits. For each event: seconds from the call to the stored
proposal (median and slowest of the repeats), the engine's status, patients seen, total stay
and how many published patients moved or dropped off the plan (the engine's own stability
count, from the plan's stats, as in benchmarks/engine.py). Then the booking suggestion (earliest morning
where a new referral fits, with its arrival time) on the demo clinic's coming mornings.
"""

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "mammapoli.settings.base"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def instance(name: str) -> dict:
    return json.loads((ROOT / "fixtures" / "instances" / f"{name}.json").read_text())


def fresh_morning(number: int):
    """The replanning morning in a clinic of its own."""
    from mammapoli.planning.morning_import import morning_import

    name = f"bench-{number}"
    morning_import(data=instance("standard-20"), clinic_name=name)
    return morning_import(data=instance("standard-20-replan"), clinic_name=name)


def events():
    """(label, function of the session and a clock -> EventOutcome)."""
    from mammapoli.clinics.models import Pathway, Resource
    from mammapoli.planning.models import Visit, VisitStep
    from mammapoli.planning.services import events as ev
    from mammapoli.records.patient_services import patient_get_or_create

    def visit(session, code):
        return Visit.objects.get(session=session, code=code)

    def step(session, code, step_code):
        return VisitStep.objects.select_related("visit").get(visit__session=session, visit__code=code,
                                                             step__code=step_code)

    def pathway(session, code):
        return Pathway.objects.get(clinic=session.clinic, code=code)

    def walk_in(session, at):
        patient = patient_get_or_create(hospital_number=f"B-{session.pk}", given_name="Eva", family_name="Visser",
                                        date_of_birth=dt.date(1971, 3, 4))
        return ev.walk_in_add(user=None, session=session, patient=patient, pathway=pathway(session, "imaging"),
                              at=at("10:17"), priority=2)

    return [
        ("arrived (P03)", lambda s, at: ev.visit_arrive(user=None, visit=visit(s, "P03"), at=at("10:16"))),
        ("step started (P03 exam)", lambda s, at: ev.step_start(user=None, visit_step=step(s, "P03", "exam"),
                                                                at=at("10:16"))),
        ("step finished (P06 fna)", lambda s, at: ev.step_finish(user=None, visit_step=step(s, "P06", "fna"),
                                                                 at=at("10:20"))),
        ("no-show (P16)", lambda s, at: ev.visit_no_show(user=None, visit=visit(s, "P16"), at=at("10:16"))),
        ("walk-in (imaging, priority 2)", walk_in),
        ("resource unavailable (rad-A from 10:20)", lambda s, at: ev.resource_unavailable_from(
            user=None, session=s, resource=Resource.objects.get(clinic=s.clinic, code="rad-A"), at=at("10:20"))),
        ("pathway switched (P03 to imaging)", lambda s, at: ev.visit_switch_pathway(
            user=None, visit=visit(s, "P03"), pathway=pathway(s, "imaging"), at=at("10:16"))),
    ]


def bench_events(repeat: int) -> list[str]:
    from django.conf import settings

    from mammapoli.planning.adapter import aware
    from mammapoli.planning.models import Plan

    rows = [f"## Events on the replanning morning (SCHEDULER_REPLAN_TIME_LIMIT={settings.SCHEDULER_REPLAN_TIME_LIMIT} s, "
            f"{repeat} runs each)", "",
            "| event | median s | slowest s | re-plan | seen | total stay | moved or dropped |", "|---|---|---|---|---|---|---|"]
    number = 0
    for label, enter in events():
        seconds, last = [], None
        for _ in range(repeat):
            number += 1
            session = fresh_morning(number)
            started = time.perf_counter()
            outcome = enter(session, lambda clock, day=session.date: aware(day, clock))
            seconds.append(time.perf_counter() - started)
            last = outcome.job
            last.refresh_from_db()
        plan = Plan.objects.filter(job=last).first()
        if plan is None:
            rows.append(f"| {label} | {statistics.median(seconds):.2f} | {max(seconds):.2f} | {last.status}: "
                        f"{last.error} | - | - | - |")
            continue
        rows.append(f"| {label} | {statistics.median(seconds):.2f} | {max(seconds):.2f} | {plan.solver_status} | "
                    f"{plan.scheduled} | {plan.total_stay} | {plan.data['stats'].get('moved_patients', 0)} |")
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

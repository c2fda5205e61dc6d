"""Fault run: one morning's re-plans on a real Celery worker whose pool process is killed
(SIGKILL, as the kernel's out-of-memory killer would) in the middle of some of them.

    python benchmarks/faults.py [--kill 1,3,5] [--admin-url postgres://postgres@127.0.0.1:5432/postgres]

Needs PostgreSQL (the admin URL may create and drop a database) and redis-server. The run
owns everything it touches: a scratch database `mammapoli_faults_bench` (created, dropped at
the end), a Redis on a free loopback port, and one worker subprocess
(`celery -A mammapoli worker -B`, one prefork pool process, beat inside) with the settings'
liveness values (PLAN_JOB_HEARTBEAT, PLAN_JOB_LOST_AFTER, PLAN_JOB_SWEEP_INTERVAL from the
environment, else their defaults 5/30/15 s) and SCHEDULER_REPLAN_TIME_LIMIT (default 3 s).

The replanning morning (`standard-20`, then `standard-20-replan`: 10:15, steps under way) gets
seven events in order (arrivals, no-shows, a walk-in, a step finished), each entered through its service as the board does (one the morning no
longer allows is reported as refused); its re-plan goes to the worker. For the re-plans named
by --kill (counted as they start), the worker's pool process is killed as soon as the job is
running. Every proposal is published before the next event, as the planner does.
Prints, per event: whether the worker was killed, the runs the job took, its status, the
seconds from the event to the stored proposal, and the plans the job left (must be 1).
"""

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATABASE = "mammapoli_faults_bench"


def admin(url: str, statement: str) -> None:
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(statement)
    connection.close()


def database_url(admin_url: str) -> str:
    parts = urlsplit(admin_url)
    return urlunsplit(parts._replace(path=f"/{DATABASE}"))


def setup_django(db_url: str, broker_url: str) -> None:
    os.environ.update(DATABASE_URL=db_url, CELERY_BROKER_URL=broker_url, DJANGO_SETTINGS_MODULE="mammapoli.settings.base",
                      LOG_LEVEL="WARNING")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def instance(name: str) -> dict:
    return json.loads((ROOT / "fixtures" / "instances" / f"{name}.json").read_text())


def morning_events():
    """(label, function of the session and a clock -> EventOutcome), in the order of the morning."""
    from mammapoli.clinics.models import Pathway, Resource
    from mammapoli.planning.models import Visit, VisitStep
    from mammapoli.planning.services import events as ev
    from mammapoli.records.patient_services import patient_get_or_create

    def visit(session, code):
        return Visit.objects.get(session=session, code=code)

    def step(session, code, step_code):
        return VisitStep.objects.select_related("visit").get(visit__session=session, visit__code=code,
                                                             step__code=step_code)

    def walk_in(session, at):
        patient = patient_get_or_create(clinic=session.clinic, hospital_number="FAULTS-W", given_name="Eva",
                                        family_name="Visser",
                                        date_of_birth=dt.date(1971, 3, 4))
        return ev.walk_in_add(user=None, session=session, patient=patient, at=at("10:19"), priority=2,
                              pathway=Pathway.objects.get(clinic=session.clinic, code="imaging"))

    return [
        ("arrived (P03) 10:16", lambda s, at: ev.visit_arrive(user=None, visit=visit(s, "P03"), at=at("10:16"))),
        ("arrived (P05) 10:17", lambda s, at: ev.visit_arrive(user=None, visit=visit(s, "P05"), at=at("10:17"))),
        ("no-show (P16) 10:18", lambda s, at: ev.visit_no_show(user=None, visit=visit(s, "P16"), at=at("10:18"))),
        ("walk-in (imaging) 10:19", walk_in),
        ("step finished (P06 fna) 10:20", lambda s, at: ev.step_finish(
            user=None, visit_step=step(s, "P06", "fna"), at=at("10:20"))),
        ("arrived (P10) 10:21", lambda s, at: ev.visit_arrive(user=None, visit=visit(s, "P10"), at=at("10:21"))),
        ("no-show (P17) 10:22", lambda s, at: ev.visit_no_show(user=None, visit=visit(s, "P17"), at=at("10:22"))),
    ]


def run(kills: set[int], workdir: Path) -> list[str]:
    from django.conf import settings
    from django.core.exceptions import ValidationError

    from mammapoli.planning.clock import aware
    from mammapoli.planning.models import FINISHED_JOB_STATUSES, Plan, PlanJob, PlanJobStatus, PlanStatus
    from mammapoli.planning.selectors import job_plan
    from mammapoli.planning.morning_import import morning_import
    from mammapoli.planning.services.plans import plan_publish
    from tests.processes import Worker, wait_for

    morning_import(data=instance("standard-20"), clinic_name="faults")
    session = morning_import(data=instance("standard-20-replan"), clinic_name="faults")
    worker = Worker(settings.CELERY_BROKER_URL, workdir)
    rows = []
    try:
        if not wait_for(lambda: worker.children(), 90):
            raise SystemExit(f"the worker did not start:\n{worker.tail()}")
        bound = 3 * (settings.SCHEDULER_REPLAN_TIME_LIMIT + settings.PLAN_JOB_LOST_AFTER
                     + settings.PLAN_JOB_SWEEP_INTERVAL) + 120
        jobs_started = 0
        for number, (label, enter) in enumerate(morning_events(), start=1):
            started = time.perf_counter()
            try:
                job = enter(session, lambda clock, day=session.date: aware(day, clock)).job
            except ValidationError as refused:  # the morning as it stands does not allow it: no job
                rows.append(f"| {number} | {label} | - | - | refused: {' '.join(refused.messages)} | - | - |")
                continue
            jobs_started += 1
            killed = "-"
            if jobs_started in kills:
                running = wait_for(lambda: PlanJob.objects.filter(pk=job.pk).exclude(status=PlanJobStatus.QUEUED)
                                   .exclude(claim="").first(), 60, step=0.05)
                if running is None or running.status != PlanJobStatus.RUNNING:
                    killed = "missed (finished first)" if running else "missed (never ran)"
                else:
                    worker.kill_child(int(running.claim.split("/")[1]))
                    killed = f"at +{time.perf_counter() - started:.1f} s"
            done = wait_for(lambda: PlanJob.objects.filter(pk=job.pk, status__in=FINISHED_JOB_STATUSES).first(),
                            bound, step=0.1)
            seconds = time.perf_counter() - started
            if done is None:
                rows.append(f"| {number} | {label} | {killed} | - | still {job.status} after {bound:.0f} s | - | - |")
                continue
            plan = job_plan(done)
            if plan is not None and plan.status == PlanStatus.PROPOSED:
                plan_publish(user=None, plan=plan)
            rows.append(f"| {number} | {label} | {killed} | {done.attempts} | {done.status}"
                        f"{': ' + done.error if done.error else ''} | {seconds:.1f} | "
                        f"{Plan.objects.filter(job=done).count()} |")
        wait_for(lambda: False, settings.PLAN_JOB_LOST_AFTER + settings.PLAN_JOB_SWEEP_INTERVAL)  # late duplicates
        jobs = PlanJob.objects.filter(session=session)
        once = all(Plan.objects.filter(job=j).count() == (1 if j.status == PlanJobStatus.SUCCEEDED else 0)
                   for j in jobs)
        rows += ["", f"Jobs: {jobs.count()}, plans: {Plan.objects.filter(session=session).count()}, "
                     f"every job finished once with one plan (after waiting out late duplicates): "
                     f"{'yes' if once else 'NO'}"]
    finally:
        worker.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kill", default="1,3,5",
                        help="re-plans (counted as they start) that lose their worker (default 1,3,5)")
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL role that may create and drop the scratch database")
    args = parser.parse_args()
    kills = {int(n) for n in args.kill.split(",") if n}
    admin(args.admin_url, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    admin(args.admin_url, f"CREATE DATABASE {DATABASE}")
    try:
        with tempfile.TemporaryDirectory() as folder:
            from tests.processes import OwnRedis

            redis = OwnRedis(Path(folder))
            redis.start()
            try:
                setup_django(database_url(args.admin_url), redis.url)
                from django.conf import settings

                print(f"# Fault run, {dt.datetime.now():%Y-%m-%d %H:%M}, CPython {platform.python_version()}, "
                      f"{os.cpu_count()} cores, PostgreSQL, Redis, one worker (prefork, 1 pool process)\n")
                print(f"PLAN_JOB_HEARTBEAT={settings.PLAN_JOB_HEARTBEAT} s, "
                      f"PLAN_JOB_LOST_AFTER={settings.PLAN_JOB_LOST_AFTER} s, "
                      f"PLAN_JOB_SWEEP_INTERVAL={settings.PLAN_JOB_SWEEP_INTERVAL} s, "
                      f"PLAN_JOB_MAX_ATTEMPTS={settings.PLAN_JOB_MAX_ATTEMPTS}, "
                      f"SCHEDULER_REPLAN_TIME_LIMIT={settings.SCHEDULER_REPLAN_TIME_LIMIT} s\n")
                print("| # | event | worker killed | runs | status | s to proposal | plans |")
                print("|---|---|---|---|---|---|---|")
                print("\n".join(run(kills, Path(folder))))
            finally:
                redis.stop()
    finally:
        from django.db import connections

        connections.close_all()
        admin(args.admin_url, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


if __name__ == "__main__":
    main()

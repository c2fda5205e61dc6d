"""Fault run: PostgreSQL restarted while a Celery worker is in the middle of a plan job.

    python benchmarks/database_restart.py [--time-limit 12]

Owns everything it touches: a PostgreSQL cluster of its own (initdb in a temporary folder,
a free loopback port; run as root it runs the server as the `postgres` user), a Redis on a
free port, and one worker subprocess (`celery -A mammapoli worker -B`) on that cluster.
The `standard-20` morning is planned (the engine uses its whole time limit); once the job
is mid-solve the cluster is restarted (`pg_ctl restart -m fast`: every connection is cut).
Meanwhile this process asks the database once every 0.1 s, as the web side would, dropping
a broken connection as Django does for a request (CONN_HEALTH_CHECKS). Prints how long the
database was gone, how many of those queries failed, and each job: its runs, status,
seconds and plans. A second job, started after the restart, shows the same worker (not
restarted) still plans.
"""

import argparse
import datetime as dt
import json
import os
import platform
import pwd
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def server_binaries() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if found:
        return found[-1].parent
    if shutil.which("pg_ctl"):
        return Path(shutil.which("pg_ctl")).parent
    raise SystemExit("PostgreSQL's server programs (initdb, pg_ctl) are not installed")


class OwnCluster:
    def __init__(self, folder: Path, port: int):
        self.bin, self.data, self.port = server_binaries(), folder / "pgdata", port
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            os.chown(folder, pwd.getpwnam("postgres").pw_uid, -1)

    def run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def init(self) -> None:
        self.run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def ctl(self, action: str, *extra: str) -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-l", str(self.data / "server.log"),
                 "-o", f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data}", action, *extra)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


def setup_django(db_url: str, broker_url: str) -> None:
    os.environ.update(DATABASE_URL=db_url, CELERY_BROKER_URL=broker_url, LOG_LEVEL="WARNING",
                      DJANGO_SETTINGS_MODULE="mammapoli.settings.base")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


class Prober(threading.Thread):
    """Asks the database every 0.1 s, as a stream of web requests would."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop, self.asked, self.failed = threading.Event(), 0, 0

    def run(self) -> None:
        from django.db import DatabaseError, connection

        while not self.stop.wait(0.1):
            self.asked += 1
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
            except DatabaseError:
                self.failed += 1
                connection.close_if_unusable_or_obsolete()
        connection.close()


def job_row(job_id):
    from django.db import DatabaseError, connection

    from mammapoli.planning.models import PlanJob

    try:
        return PlanJob.objects.get(job_id=job_id)
    except DatabaseError:
        connection.close_if_unusable_or_obsolete()
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=int, default=12, help="seconds for the job the restart hits")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        from tests.processes import OwnRedis, free_port

        cluster = OwnCluster(folder, free_port())
        cluster.init()
        cluster.ctl("start")
        redis = OwnRedis(folder)
        redis.start()
        worker = None
        try:
            subprocess.run([str(cluster.bin / "createdb"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U",
                            "postgres", "mammapoli"], check=True)
            setup_django(cluster.url("mammapoli"), redis.url)
            from django.conf import settings

            from mammapoli.planning.models import FINISHED_JOB_STATUSES, Plan, PlanJobStatus
            from mammapoli.planning.morning_import import morning_import
            from mammapoli.planning.services.jobs import plan_job_start
            from tests.processes import Worker, wait_for

            data = json.loads((ROOT / "fixtures" / "instances" / "standard-20.json").read_text())
            session = morning_import(data=data, clinic_name="restart")
            worker = Worker(redis.url, folder)
            if not wait_for(lambda: worker.children(), 90):
                raise SystemExit(f"the worker did not start:\n{worker.tail()}")
            prober = Prober()
            prober.start()
            rows, bound = [], 2 * args.time_limit + settings.PLAN_JOB_LOST_AFTER + settings.PLAN_JOB_SWEEP_INTERVAL + 60
            for label, limit, restart in (("planned through the restart", args.time_limit, True),
                                          ("planned after it, same worker", 2, False)):
                started = time.perf_counter()
                job = plan_job_start(user=None, session=session, time_limit=limit)
                down = "-"
                if restart:
                    wait_for(lambda: (row := job_row(job.job_id)) and row.status == PlanJobStatus.RUNNING
                             and row.progress, 60)
                    failed_before, went = prober.failed, time.perf_counter()
                    cluster.ctl("restart", "-m", "fast")
                    down = f"{time.perf_counter() - went:.1f} s"
                done = wait_for(lambda: (row := job_row(job.job_id)) and row.status in FINISHED_JOB_STATUSES and row,
                                bound)
                seconds = time.perf_counter() - started
                if done is None:
                    rows.append(f"| {label} | {down} | - | unfinished after {bound} s | - | - |")
                    continue
                rows.append(f"| {label} | {down} | {done.attempts} | {done.status}"
                            f"{': ' + done.error if done.error else ''} | {seconds:.1f} | "
                            f"{Plan.objects.filter(job=done).count()} |")
            prober.stop.set()
            prober.join()
            print(f"# Database restart, {dt.datetime.now():%Y-%m-%d %H:%M}, CPython {platform.python_version()}, "
                  f"{os.cpu_count()} cores, PostgreSQL (own cluster), Redis, one worker\n")
            print(f"PLAN_JOB_HEARTBEAT={settings.PLAN_JOB_HEARTBEAT} s, PLAN_JOB_LOST_AFTER="
                  f"{settings.PLAN_JOB_LOST_AFTER} s, standard-20, time limit {args.time_limit} s\n")
            print("| job | restart took | runs | status | s | plans |")
            print("|---|---|---|---|---|---|")
            print("\n".join(rows))
            print(f"\nQueries from this process, one every 0.1 s: {prober.asked} asked, {prober.failed} failed "
                  f"(all of them during the restart: {prober.failed - failed_before == prober.failed})")
        finally:
            if worker is not None:
                worker.stop()
            from django.db import connections

            connections.close_all()
            redis.stop()
            cluster.ctl("stop", "-m", "fast")


if __name__ == "__main__":
    main()

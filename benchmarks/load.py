"""Benchmark: the app under load, on PostgreSQL behind gunicorn, as 50 clinic users at once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mammapoli_load \\
        python benchmarks/load.py [--users 50] [--spawn-rate 10] [--seconds 60] [--workers 2] [--port 8765]

Needs locust (`pip install -r benchmarks/requirements-load.txt`). The database is the demo
clinic afresh (migrate, load_demo, this morning planned and published); the server is
gunicorn with `--workers` processes on 127.0.0.1 only; the users (benchmarks/load/locustfile.py)
are planners on the board (refreshing), the day view and bookings (a new referral, the search
for her morning, the booking) and specialists reading and saving the shared form; pages with
a session that passed its second factor, the API with a knox token (both made in the
benchmark's own database). Prints p50
and p95 per endpoint (milliseconds), requests and failures. CPU-bound on the machine it runs
on: the figures mean something only on an idle machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

PREPARE = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from knox.models import AuthToken
from mammapoli.planning.models import ClinicSession

def session_of(username):
    user = get_user_model().objects.get(username=username)
    store = SessionStore()
    store[SESSION_KEY], store[BACKEND_SESSION_KEY] = str(user.pk), "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    # The second factor as passed (a backup-codes device of the benchmark's own demo database).
    device, _ = StaticDevice.objects.get_or_create(user=user, name="load benchmark", defaults={"confirmed": True})
    store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.create()
    return store.session_key

morning = ClinicSession.objects.select_related("clinic").order_by("date").last()
print(json.dumps({"session": morning.pk, "clinic": morning.clinic.name,
                  "visits": list(morning.visits.values_list("pk", flat=True)),
                  "sessions": {"planner": session_of("planner"), "surgeon": session_of("surgeon")},
                  "tokens": {name: AuthToken.objects.create(user=get_user_model().objects.get(username=name))[1]
                             for name in ("planner", "surgeon")}}))
"""


def run(env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"the server did not answer at {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=8765)
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL=postgres://… (a database of its own: it is filled with the demo clinic)")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mammapoli.settings.base", "DEBUG": "false",
           "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1", "CELERY_BROKER_URL": "",
           "LOG_LEVEL": "WARNING"}
    run(env, "migrate", "--no-input", "-v0")
    run(env, "load_demo")
    run(env, "plan_morning", "demo", "today", "--publish")
    fixture = Path(tempfile.mkdtemp(prefix="mammapoli-load-")) / "fixture.json"
    fixture.write_text(run(env, "shell", "--no-imports", "-c", PREPARE).strip().splitlines()[-1])
    host = f"http://127.0.0.1:{options.port}"
    server = subprocess.Popen([str(BIN / "gunicorn"), "mammapoli.wsgi:application", "--bind", f"127.0.0.1:{options.port}",
                               "--workers", str(options.workers), "--timeout", "120", "--log-level", "warning"],
                              cwd=ROOT, env=env)
    try:
        wait_for(host + "/health/")
        prefix = fixture.parent / "stats"
        subprocess.run([str(BIN / "locust"), "-f", str(ROOT / "benchmarks" / "load" / "locustfile.py"), "--headless",
                        "--users", str(options.users), "--spawn-rate", str(options.spawn_rate),
                        "--run-time", f"{options.seconds}s", "--host", host, "--csv", str(prefix), "--only-summary",
                        "--loglevel", "WARNING"],
                       cwd=ROOT, env={**env, "LOAD_FIXTURE": str(fixture)}, check=False, capture_output=True)
        rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"# Load, {time.strftime('%Y-%m-%d %H:%M')}, CPython {platform.python_version()}, {os.cpu_count()} cores, "
          f"PostgreSQL, gunicorn {options.workers} workers, {options.users} users for {options.seconds} s\n")
    print("| endpoint | method | requests | failures | p50 ms | p95 ms | max ms | req/s |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['Name']} | {row['Type'] or '-'} | {row['Request Count']} | {row['Failure Count']} | {row['50%']} "
              f"| {row['95%']} | {float(row['Max Response Time']):.0f} | {float(row['Requests/s']):.1f} |")


if __name__ == "__main__":
    main()

"""Real processes for the fault tests: a Redis the test owns, a Celery worker (with beat) as a
subprocess on the test database, and this process's Celery app pointed at a given broker.

A test restarts nothing it does not own: its own Redis runs on a free loopback port; the
worker is its own child, and only its own children are killed.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.db import connection
from kombu import pools

from mammapoli.celery import app

ROOT = Path(__file__).resolve().parent.parent


def wait_for(predicate, seconds: float, step: float = 0.2):
    """Poll `predicate` until it returns something true (returned) or `seconds` pass (None)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    """A redis-server on a free loopback port, stopped until `start()`."""

    def __init__(self, workdir: Path):
        if shutil.which("redis-server") is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_for(self._answers, 20):
            raise RuntimeError(f"redis-server on port {self.port} did not come up")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


def database_url() -> str:
    """The test database (the one this test process uses) as a DATABASE_URL for a subprocess."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    """`celery -A mammapoli worker -B` as a subprocess: one prefork pool process, beat inside
    sending the sweep, the base settings (not eager) on the test database and `broker_url`."""

    def __init__(self, broker_url: str, workdir: Path, **settings: str | int):
        self.name = f"faults-{os.getpid()}-{time.monotonic_ns()}@localhost"
        self.log = workdir / "worker.log"
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mammapoli.settings.base", "DATABASE_URL": database_url(),
               "CELERY_BROKER_URL": broker_url, "LANGUAGE_CODE": "en", "SCHEDULER_WORKERS": "1",
               "PYTHONPATH": str(ROOT), **{key: str(value) for key, value in settings.items()}}
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "mammapoli", "worker", "-B", "--pool=prefork",
                 "--concurrency=1", "--loglevel=INFO", "-n", self.name, "--purge", "--without-gossip",
                 "--without-mingle", "-s", str(workdir / "beat-schedule")],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def children(self) -> set[int]:
        """Process ids of this worker's children (the pool process and beat)."""
        found = set()
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
            except OSError:
                continue
            if fields.get("PPid", "").strip() == str(self.process.pid):
                found.add(int(status.parent.name))
        return found

    def kill_child(self, pid: int) -> None:
        """SIGKILL one of this worker's children, as the kernel's out-of-memory killer would."""
        if pid not in self.children():
            raise AssertionError(f"{pid} is not a child of the worker {self.process.pid}")
        os.kill(pid, signal.SIGKILL)

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown of the worker and its children
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # its own session: only its children
                self.process.wait(10)


@contextmanager
def app_sending_to(broker_url: str):
    """This process's Celery app sends tasks to `broker_url` (not eagerly) until the block ends."""
    # The write and read URLs: Celery reads CELERY_BROKER_URL from the environment before broker_url.
    saved = {key: app.conf.get(key) for key in ("broker_write_url", "broker_read_url", "broker_transport",
                                                 "task_always_eager")}
    app.conf.update(broker_write_url=broker_url, broker_read_url=broker_url, broker_transport=None,
                    task_always_eager=False)
    _drop_connections()
    try:
        yield
    finally:
        app.conf.update(saved)
        _drop_connections()


def _drop_connections() -> None:
    pools.reset()  # kombu's registry of pools, by connection: closed and emptied
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None

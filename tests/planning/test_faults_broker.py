"""Faults with real processes: a worker's pool process killed mid-solve, the database dropping
the worker's connections mid-solve, and a broker that is down when an event comes in.

A Celery worker runs as a subprocess (prefork, one pool process, beat inside sending the
sweep) on this test's PostgreSQL database; the liveness settings are shortened so the
recovery takes seconds. The waits are bounds, not measurements: the seconds each fault
costs are measured by benchmarks/faults.py.
"""

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from mammapoli.celery import app
from mammapoli.planning.clock import aware
from mammapoli.planning.models import FINISHED_JOB_STATUSES, Plan, PlanJob, PlanJobStatus, PlanStatus, VisitStatus
from mammapoli.planning.morning_import import morning_import
from mammapoli.planning.services.jobs import plan_job_start
from mammapoli.planning.services.plans import plan_publish
from tests.planning.conftest import assert_valid, load_instance
from tests.processes import OwnRedis, Worker, app_sending_to, wait_for
from tests.second_factor import VerifiedClient as Client

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.xdist_group("broker"),
              pytest.mark.django_db(transaction=True)]

#: Recovery in seconds, not half a minute: beat every second; silent for 6 s means lost (a
#: margin for a loaded CI machine, where a live worker must never look lost).
FAST = {"PLAN_JOB_HEARTBEAT": 1, "PLAN_JOB_LOST_AFTER": 6, "PLAN_JOB_SWEEP_INTERVAL": 2}
#: Long enough for the engine to be surely mid-solve when the fault comes (20 patients).
TIME_LIMIT = 6
#: A worker subprocess starting (Django, OR-Tools) on a loaded two-core machine.
START_SECONDS = 90


def _recovery_bound(time_limit: int) -> float:
    """Both runs in full, the lost one found silent, the sweep's interval, and a loaded machine's slack."""
    return 2 * time_limit + FAST["PLAN_JOB_LOST_AFTER"] + FAST["PLAN_JOB_SWEEP_INTERVAL"] + 60


def _job(job_id) -> PlanJob:
    return PlanJob.objects.get(job_id=job_id)


def _answers(worker: Worker) -> bool:
    return bool(app.control.ping(destination=[worker.name], timeout=0.5))


def _idle(worker: Worker) -> bool:
    """Nothing running, reserved or waiting for its countdown on the worker (duplicates included)."""
    inspect = app.control.inspect(destination=[worker.name], timeout=1)
    replies = [inspect.active(), inspect.reserved(), inspect.scheduled()]
    return all(reply is not None and not any(reply.values()) for reply in replies)


def _started(worker: Worker) -> Worker:
    if not wait_for(lambda: _answers(worker), START_SECONDS, step=0.5):
        raise AssertionError(f"the worker did not answer:\n{worker.tail()}")
    return worker


def _mid_solve(job_id) -> PlanJob | None:
    job = _job(job_id)
    return job if job.status == PlanJobStatus.RUNNING and job.progress else None


def _finished(job_id) -> PlanJob | None:
    job = _job(job_id)
    return job if job.status in FINISHED_JOB_STATUSES else None


@pytest.fixture
def standard_morning(clinic):
    """The standard-20 morning (20 patients) in the test clinic: the engine uses its whole time limit."""
    return morning_import(data=load_instance("standard-20"), clinic_name=clinic.name)


@pytest.fixture
def worker(tmp_path):
    """A worker on the CI broker, this test process sending to it."""
    with app_sending_to(settings.CELERY_BROKER_URL):
        running = Worker(settings.CELERY_BROKER_URL, tmp_path, **FAST)
        try:
            yield _started(running)
        finally:
            running.stop()


def test_a_worker_killed_mid_solve_is_replaced_and_the_job_succeeds_once(standard_morning, worker):
    ready = Client().get(reverse("health-ready"))
    assert ready.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok", "workers": "ok"}}
    job = plan_job_start(user=None, session=standard_morning, time_limit=TIME_LIMIT)
    running = wait_for(lambda: _mid_solve(job.job_id), 60)
    assert running, worker.tail()
    killed = int(running.claim.split("/")[1])
    worker.kill_child(killed)  # SIGKILL, as the out-of-memory killer would

    done = wait_for(lambda: _finished(job.job_id), _recovery_bound(TIME_LIMIT))
    assert done, worker.tail()
    assert (done.status, done.attempts, done.error) == (PlanJobStatus.SUCCEEDED, 2, ""), worker.tail()
    assert int(done.claim.split("/")[1]) != killed
    assert_valid(done.morning, Plan.objects.get(job=done).data)
    # The redelivered message and the sweep's were both handled: nothing more comes of them.
    assert wait_for(lambda: _idle(worker), 60), worker.tail()
    done.refresh_from_db()
    assert (done.status, done.attempts) == (PlanJobStatus.SUCCEEDED, 2)
    assert (PlanJob.objects.count(), Plan.objects.count()) == (1, 1)


def _drop_other_connections() -> int:
    """What a PostgreSQL restart does to the worker: every other connection to the test database ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0]


def test_the_worker_rides_out_its_database_connections_dropping_mid_solve(standard_morning, worker):
    job = plan_job_start(user=None, session=standard_morning, time_limit=TIME_LIMIT)
    assert wait_for(lambda: _mid_solve(job.job_id), 60), worker.tail()
    assert _drop_other_connections() >= 1  # the worker's own (its main thread's and its heartbeat's)
    done = wait_for(lambda: _finished(job.job_id), _recovery_bound(TIME_LIMIT))
    assert done, worker.tail()
    assert (done.status, done.attempts) == (PlanJobStatus.SUCCEEDED, 1), worker.tail()
    # The same worker, not restarted, takes the next job.
    _drop_other_connections()
    second = plan_job_start(user=None, session=standard_morning, time_limit=1)
    done = wait_for(lambda: _finished(second.job_id), _recovery_bound(1))
    assert done and done.status == PlanJobStatus.SUCCEEDED, worker.tail()
    assert Plan.objects.count() == 2


def test_with_the_broker_down_the_event_is_recorded_and_the_re_plan_comes_when_it_is_back(
        small_morning, planner, plan_now, tmp_path):
    plan_publish(user=None, plan=plan_now(small_morning).plan)  # in this process, before the fault
    redis = OwnRedis(tmp_path)  # on a free port, not started: the broker is down
    visit = small_morning.visits.order_by("code").first()
    try:
        with app_sending_to(redis.url):
            api = APIClient()
            api.force_authenticate(planner)
            response = api.post(f"/api/visits/{visit.pk}/events/",
                                {"type": "arrived", "at": aware(small_morning.date, "08:05").isoformat()},
                                format="json")
            assert response.status_code == 202, response.content
            answer = response.json()["job"]
            assert (answer["status"], answer["dispatched_at"]) == ("queued", None)
            visit.refresh_from_db()
            assert visit.status == VisitStatus.ARRIVED  # the event is recorded

            pages = Client()
            pages.force_login(planner)
            job_page = pages.get(reverse("planning:job", kwargs={"job_id": answer["job_id"]}))
            assert job_page.status_code == 200
            assert "Waiting for a planning worker." in job_page.content.decode()
            assert "The task queue does not answer" in job_page.content.decode()
            board = pages.get(reverse("board:board", kwargs={"session_id": small_morning.pk}))
            assert "Re-plan waiting for a planning worker" in board.content.decode()

            redis.start()
            worker = Worker(redis.url, tmp_path, **FAST)
            try:
                done = wait_for(lambda: _finished(answer["job_id"]),
                                START_SECONDS + _recovery_bound(settings.SCHEDULER_REPLAN_TIME_LIMIT))
                assert done, worker.tail()
                assert (done.status, done.attempts) == (PlanJobStatus.SUCCEEDED, 1), worker.tail()
                assert done.dispatched_at is not None  # sent by the sweep once the broker answered
                proposal = Plan.objects.get(job=done)
                assert proposal.status == PlanStatus.PROPOSED
                assert_valid(done.morning, proposal.data)
            finally:
                worker.stop()
    finally:
        redis.stop()

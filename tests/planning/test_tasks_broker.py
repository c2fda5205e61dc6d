"""The plan task on a real broker: a worker started by the test consumes it from Redis."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun

from mammapoli.celery import app
from mammapoli.planning.models import Plan, PlanJobStatus
from mammapoli.planning.services.jobs import plan_job_start
from mammapoli.planning.tasks import plan_job_run
from tests.planning.conftest import assert_valid


def test_the_task_is_acknowledged_only_after_it_ran():
    # Its message stays on the broker until the task returns, and a worker that dies makes the
    # broker hand it out again; that it then finishes exactly once, with a real SIGKILL, is
    # tests/planning/test_faults_broker.py.
    assert (plan_job_run.acks_late, plan_job_run.reject_on_worker_lost) == (True, True)


def wait_for(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def worker():
    """A Celery worker in a thread, on CELERY_BROKER_URL, with eager mode off."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.control.purge()  # nothing left over from an earlier run
    try:
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, loglevel="WARNING",
                          shutdown_timeout=30):
            yield
    finally:
        app.conf.task_always_eager = eager


@pytest.fixture
def finished_tasks():
    """task id -> return value of every task the worker finished (the worker runs in this process)."""
    results = {}

    def record(task_id=None, retval=None, **kwargs):
        results[task_id] = retval

    task_postrun.connect(record, weak=False)
    yield results
    task_postrun.disconnect(record)


@pytest.mark.broker
@pytest.mark.xdist_group("broker")
@pytest.mark.django_db(transaction=True)
def test_a_worker_plans_the_morning_from_the_broker_once(small_morning, worker, finished_tasks):
    job = plan_job_start(user=None, session=small_morning, time_limit=1, seed=0)
    assert wait_for(lambda: list(finished_tasks.values()) == ["succeeded"])
    job.refresh_from_db()
    assert (job.status, job.attempts) == (PlanJobStatus.SUCCEEDED, 1)
    assert_valid(job.morning, job.plan.data)
    duplicate = plan_job_run.delay(str(job.job_id))  # the same job delivered again
    assert wait_for(lambda: duplicate.id in finished_tasks)
    assert finished_tasks[duplicate.id] is None  # it found the job done and did nothing
    job.refresh_from_db()
    assert (job.attempts, Plan.objects.filter(job=job).count()) == (1, 1)

"""No plan job is left behind: a broker that does not answer, a worker that is lost, the sweep.

The real processes (a worker killed mid-solve, a Redis that is stopped) are in
test_faults_broker.py; these tests drive the same services in this process."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db.models.functions import Now
from kombu.exceptions import OperationalError as BrokerUnavailable

from mammapoli.planning.models import Plan, PlanJob, PlanJobStatus
from mammapoli.planning.services import jobs as job_service
from mammapoli.planning.services.job_recovery import plan_jobs_sweep
from mammapoli.planning.services.jobs import plan_job_execute, plan_job_start
from mammapoli.planning.tasks import plan_job_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(monkeypatch):
    """Sending a task fails as kombu fails when Redis refuses the connection, until `.up()`."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise BrokerUnavailable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(plan_job_run, "apply_async", refuse)
    return SimpleNamespace(attempts=attempts, up=monkeypatch.undo)


@pytest.fixture
def start_job(django_capture_on_commit_callbacks):
    def start(session, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            job = plan_job_start(user=None, session=session, time_limit=1, seed=0, **kwargs)
        job.refresh_from_db()
        return job

    return start


def test_a_broker_that_does_not_answer_leaves_the_job_waiting_and_the_sweep_sends_it_later(
        small_morning, start_job, broker_down):
    job = start_job(small_morning)
    assert (job.status, job.dispatched_at, job.broker_unreachable) == (PlanJobStatus.QUEUED, None, True)
    assert len(broker_down.attempts) == 1
    report = plan_jobs_sweep()  # the broker is still down: the job keeps waiting
    assert (report.sent, report.unsent) == (0, 1)
    job.refresh_from_db()
    assert (job.status, job.dispatched_at) == (PlanJobStatus.QUEUED, None)
    broker_down.up()
    assert plan_jobs_sweep().sent == 1  # eagerly here: sent means run
    job.refresh_from_db()
    assert (job.status, job.attempts, Plan.objects.filter(job=job).count()) == (PlanJobStatus.SUCCEEDED, 1, 1)
    assert plan_jobs_sweep().as_dict() == {"lost_failed": 0, "lost_requeued": 0, "expired": 0, "sent": 0,
                                           "unsent": 0}


def _run_elsewhere(job, *, silent_for: int, attempts: int) -> None:
    PlanJob.objects.filter(pk=job.pk).update(status=PlanJobStatus.RUNNING, claim="gone/1/x", attempts=attempts,
                                             heartbeat_at=Now() - dt.timedelta(seconds=silent_for))


def test_the_sweep_runs_again_a_job_whose_worker_was_lost_and_leaves_a_live_one_alone(
        small_morning, start_job, broker_down, settings):
    lost, live = start_job(small_morning), start_job(small_morning)
    _run_elsewhere(lost, silent_for=settings.PLAN_JOB_LOST_AFTER + 5, attempts=1)
    _run_elsewhere(live, silent_for=1, attempts=1)
    broker_down.up()
    report = plan_jobs_sweep()
    assert (report.lost_requeued, report.sent) == (1, 1)
    lost.refresh_from_db()
    live.refresh_from_db()
    assert (lost.status, lost.attempts, Plan.objects.filter(job=lost).count()) == (PlanJobStatus.SUCCEEDED, 2, 1)
    assert (live.status, live.claim, live.attempts) == (PlanJobStatus.RUNNING, "gone/1/x", 1)


def test_the_sweep_fails_a_job_whose_worker_was_lost_on_its_last_attempt(small_morning, start_job, broker_down,
                                                                         settings):
    settings.PLAN_JOB_MAX_ATTEMPTS = 2
    job = start_job(small_morning)
    _run_elsewhere(job, silent_for=settings.PLAN_JOB_LOST_AFTER + 5, attempts=2)
    assert plan_jobs_sweep().lost_failed == 1
    job.refresh_from_db()
    assert (job.status, job.error) == (
        PlanJobStatus.FAILED, "The planning worker was lost 2 times (stopped or out of memory); plan again.")
    assert Plan.objects.count() == 0


def test_the_sweep_gives_up_on_a_job_no_worker_took(small_morning, start_job, broker_down, settings):
    settings.PLAN_JOB_GIVE_UP_AFTER = 3600
    job = start_job(small_morning)
    PlanJob.objects.filter(pk=job.pk).update(queued_at=Now() - dt.timedelta(hours=2))
    assert plan_jobs_sweep().expired == 1
    job.refresh_from_db()
    assert (job.status, job.error) == (PlanJobStatus.FAILED,
                                       "No planning worker took this job within 60 minutes; plan again.")


def test_a_message_the_broker_took_but_no_worker_claimed_is_sent_again(small_morning, start_job, broker_down,
                                                                       settings):
    """As after a Redis restart without persistence: the message is gone, the row says queued."""
    job = start_job(small_morning)
    PlanJob.objects.filter(pk=job.pk).update(dispatched_at=Now() - dt.timedelta(seconds=5))
    broker_down.up()
    assert plan_jobs_sweep().sent == 0  # taken a moment ago: a worker may be about to claim it
    PlanJob.objects.filter(pk=job.pk).update(dispatched_at=Now() - dt.timedelta(seconds=settings.PLAN_JOB_LOST_AFTER + 1))
    assert plan_jobs_sweep().sent == 1
    job.refresh_from_db()
    assert job.status == PlanJobStatus.SUCCEEDED


def test_a_sent_job_records_when_the_broker_took_it(small_morning, start_job, monkeypatch):
    monkeypatch.setattr(plan_job_run, "apply_async", lambda *args, **kwargs: None)  # a broker that takes it
    job = start_job(small_morning)
    assert job.status == PlanJobStatus.QUEUED and job.dispatched_at is not None and not job.broker_unreachable


@pytest.mark.django_db(transaction=True)
def test_a_running_job_beats_while_the_engine_is_silent(small_morning, monkeypatch, settings,
                                                        django_capture_on_commit_callbacks):
    """The engine may go long without an improving plan: the heartbeat thread keeps the job alive."""
    settings.PLAN_JOB_HEARTBEAT = 1
    real = job_service.solve_morning
    seen = []

    def silent_solve(morning, **kwargs):
        job = PlanJob.objects.get()
        first = job.heartbeat_at
        for _ in range(100):  # at most 10 s: the thread beats every second
            job.refresh_from_db(fields=["heartbeat_at"])
            if job.heartbeat_at != first:
                seen.append((first, job.heartbeat_at))
                break
            job_service.time.sleep(0.1)
        return real(morning, **kwargs)

    monkeypatch.setattr(job_service, "solve_morning", silent_solve)
    monkeypatch.setattr(plan_job_run, "apply_async", lambda *args, **kwargs: None)
    job = plan_job_start(user=None, session=small_morning, time_limit=1)
    assert plan_job_execute(job_id=job.job_id, heartbeat=True).status == PlanJobStatus.SUCCEEDED
    assert len(seen) == 1 and seen[0][1] > seen[0][0]


@pytest.mark.django_db(transaction=True)
def test_a_database_that_is_away_during_the_solve_delays_the_progress_but_never_fails_the_job(
        small_morning, monkeypatch):
    """As a PostgreSQL restart does for a second or two: every query of the run fails meanwhile."""
    from django.db import OperationalError

    monkeypatch.setattr(job_service, "PROGRESS_INTERVAL", 0)
    monkeypatch.setattr(plan_job_run, "apply_async", lambda *args, **kwargs: None)
    real_cancel_requested, failures = job_service._cancel_requested, []

    def away_twice(job_pk):
        if len(failures) < 2:  # during the solve, and once more as it ends
            failures.append(job_pk)
            raise OperationalError("server closed the connection unexpectedly")
        return real_cancel_requested(job_pk)

    monkeypatch.setattr(job_service, "_cancel_requested", away_twice)
    job = plan_job_start(user=None, session=small_morning, time_limit=1)
    done = plan_job_execute(job_id=job.job_id, heartbeat=False)
    assert len(failures) == 2
    assert (done.status, done.attempts, Plan.objects.filter(job=done).count()) == (PlanJobStatus.SUCCEEDED, 1, 1)

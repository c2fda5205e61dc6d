"""Plan jobs: the task run eagerly, progress, idempotence, cancellation, failures."""

import datetime as dt

import os

import pytest
from django.db.models.functions import Now
from django.utils import timezone

from mammapoli.planning.engine import EnginePlan
from mammapoli.planning.services.versions import sessions_changed
from mammapoli.planning.models import Plan, PlanJob, PlanJobStatus, PlanStatus
from mammapoli.planning.services import jobs as job_service
from mammapoli.planning.services.jobs import JobBusy, plan_job_cancel, plan_job_execute, plan_job_start
from mammapoli.planning.tasks import plan_job_run
from mammapoli.planning.errors import JobNotCancellable
from tests.planning.conftest import assert_valid

pytestmark = pytest.mark.django_db


def test_planning_a_morning_leaves_a_valid_proposal_and_the_progress(small_morning, plan_now, planner):
    job = plan_now(small_morning, user=planner)
    assert (job.status, job.error, job.attempts, job.requested_by) == (PlanJobStatus.SUCCEEDED, "", 1, planner)
    plan = job.plan
    assert plan.status == PlanStatus.PROPOSED
    assert_valid(job.morning, plan.data)
    assert (plan.scheduled, plan.total_stay) == (plan.data["objective"]["scheduled"],
                                                 plan.data["objective"]["total_stay"])
    assert plan.scheduled == 8  # small-8: everyone is seen
    assert job.progress, "the engine reports its improving plans"
    assert set(job.progress[-1]) == {"elapsed", "phase", "scheduled", "priority", "total_stay", "bound"}
    last = job.progress[-1]
    assert (last["scheduled"], last["total_stay"]) == (plan.scheduled, plan.total_stay)


def test_a_redelivered_task_does_not_plan_twice(small_morning, plan_now):
    job = plan_now(small_morning)
    assert plan_job_run(str(job.job_id)) is None
    assert plan_job_run(str(job.job_id)) is None
    job.refresh_from_db()
    assert (job.attempts, Plan.objects.filter(job=job).count()) == (1, 1)


def _running_elsewhere(job, *, heartbeat_seconds_ago: int, attempts: int = 1) -> None:
    PlanJob.objects.filter(pk=job.pk).update(status=PlanJobStatus.RUNNING, started_at=timezone.now(),
                                             attempts=attempts, claim="elsewhere/1/abc",
                                             heartbeat_at=Now() - dt.timedelta(seconds=heartbeat_seconds_ago))


def test_a_job_running_elsewhere_is_left_alone_and_one_whose_worker_died_is_taken_over(
        small_morning, django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=False):
        job = plan_job_start(user=None, session=small_morning, time_limit=1)
    _running_elsewhere(job, heartbeat_seconds_ago=1)
    with pytest.raises(JobBusy):  # its worker is alive: the task comes back later
        plan_job_execute(job_id=job.job_id)
    assert plan_job_run(str(job.job_id)) is None  # eagerly: nothing to wait for
    _running_elsewhere(job, heartbeat_seconds_ago=settings.PLAN_JOB_LOST_AFTER + 1)
    assert plan_job_execute(job_id=job.job_id).status == PlanJobStatus.SUCCEEDED
    job.refresh_from_db()
    assert (job.attempts, Plan.objects.filter(job=job).count()) == (2, 1)
    assert job.claim != "elsewhere/1/abc" and job.claim.split("/")[1] == str(os.getpid())


def test_a_job_whose_worker_was_lost_on_every_attempt_fails_and_says_why(
        small_morning, django_capture_on_commit_callbacks, settings):
    settings.PLAN_JOB_MAX_ATTEMPTS = 2
    with django_capture_on_commit_callbacks(execute=False):
        job = plan_job_start(user=None, session=small_morning, time_limit=1)
    _running_elsewhere(job, heartbeat_seconds_ago=settings.PLAN_JOB_LOST_AFTER + 1, attempts=2)
    assert plan_job_execute(job_id=job.job_id) is None
    job.refresh_from_db()
    assert (job.status, job.attempts, Plan.objects.count()) == (PlanJobStatus.FAILED, 2, 0)
    assert job.error == "The planning worker was lost 2 times (stopped or out of memory); plan again."


def test_a_run_that_was_taken_over_meanwhile_writes_nothing(small_morning, plan_now, monkeypatch):
    """A worker that was only slow (paused, swapping) comes back after the job was given to
    another run: its plan is dropped and the job is left to the run that holds it."""
    real = job_service.solve_morning

    def solve_while_another_run_takes_over(morning, **kwargs):
        PlanJob.objects.update(claim="other-host/2/def")
        return real(morning, **kwargs)

    monkeypatch.setattr(job_service, "solve_morning", solve_while_another_run_takes_over)
    job = plan_now(small_morning)
    assert (job.status, job.claim, Plan.objects.count()) == (PlanJobStatus.RUNNING, "other-host/2/def", 0)


def test_a_bad_job_id_is_ignored(db):
    assert plan_job_run("not-a-uuid") is None
    assert plan_job_run("5f1d7a3c-0000-4000-8000-000000000000") is None


def test_a_queued_job_that_is_cancelled_never_runs(small_morning, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = plan_job_start(user=None, session=small_morning, time_limit=1)
    assert len(queued) == 1
    assert plan_job_cancel(user=None, job=job).status == PlanJobStatus.CANCELLED
    queued[0]()  # the message is delivered after all
    job.refresh_from_db()
    assert (job.status, job.attempts, Plan.objects.count()) == (PlanJobStatus.CANCELLED, 0, 0)
    with pytest.raises(JobNotCancellable):
        plan_job_cancel(user=None, job=job)


def test_a_running_job_that_is_cancelled_stops_and_keeps_the_best_plan_so_far(small_morning, plan_now, monkeypatch):
    real = job_service.solve_morning
    monkeypatch.setattr(job_service, "PROGRESS_INTERVAL", 0)

    def solve_and_cancel_at_first_plan(morning, *, on_progress, **kwargs):
        def report(progress):
            PlanJob.objects.update(cancel_requested=True)  # the planner clicks "cancel"
            return on_progress(progress)
        return real(morning, on_progress=report, **{**kwargs, "time_limit": 30})

    monkeypatch.setattr(job_service, "solve_morning", solve_and_cancel_at_first_plan)
    job = plan_now(small_morning)
    assert job.status == PlanJobStatus.CANCELLED
    assert len(job.progress) == 1
    assert job.plan.data["stats"].get("cancelled") is True
    assert_valid(job.morning, job.plan.data)  # the first plan found, kept as the proposal


@pytest.mark.parametrize(("engine_answer", "error"), [
    ({"format": "mammapoli-plan/1", "instance": "x", "status": "INFEASIBLE", "error": "P01 cannot be kept",
      "assignments": [], "unscheduled": []}, "INFEASIBLE: P01 cannot be kept"),
    ({"format": "mammapoli-plan/1", "instance": "testpoli", "status": "FEASIBLE", "assignments": [],
      "unscheduled": [], "objective": {"scheduled": 0, "priority_scheduled": 0, "total_stay": 0,
                                       "lower_bound_total_stay": 0}},
     "The engine's plan breaks rules: missing-patient"),
])
def test_a_failed_or_invalid_engine_answer_fails_the_job_and_keeps_no_proposal(
        small_morning, plan_now, monkeypatch, engine_answer, error):
    monkeypatch.setattr(job_service, "solve_morning", lambda morning, **kwargs: EnginePlan(engine_answer, {}))
    job = plan_now(small_morning)
    assert job.status == PlanJobStatus.FAILED
    assert job.error.startswith(error)
    assert Plan.objects.count() == 0


def test_an_engine_crash_fails_the_job_not_the_worker(small_morning, plan_now, monkeypatch):
    def crash(morning, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(job_service, "solve_morning", crash)
    job = plan_job_run.apply(args=[str(plan_now(small_morning).job_id)])  # already failed: nothing more
    assert job.result is None
    failed = PlanJob.objects.get()
    assert (failed.status, failed.error) == (PlanJobStatus.FAILED, "The engine failed: RuntimeError('boom')")


def test_a_proposal_made_while_the_bookings_changed_is_born_stale(small_morning, plan_now, monkeypatch):
    real = job_service.solve_morning

    def solve_while_someone_books(morning, **kwargs):
        small_morning.visits.filter(code="P01").update(priority=2)  # an edit in the admin during the solve,
        sessions_changed(session_ids=[small_morning.pk])           # which moves the morning on
        return real(morning, **kwargs)

    monkeypatch.setattr(job_service, "solve_morning", solve_while_someone_books)
    assert plan_now(small_morning).plan.status == PlanStatus.STALE


def test_the_time_limit_is_checked(small_morning):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        plan_job_start(user=None, session=small_morning, time_limit=0)
    assert "time_limit" in refused.value.message_dict

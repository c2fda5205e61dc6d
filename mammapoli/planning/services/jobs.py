"""Plan jobs: start one (a Celery task on commit), hand it to the broker, cancel it, and run it
(the task's body).

A job snapshots the morning when it is created (the engine's `Problem`, kept in the exchange
format, and the morning's version, which a proposal is checked against when it is stored
and when it is published). The job row is also the
outbox: it is written in the transaction of the event or request that asks for it, and a
broker that does not answer leaves it queued and not yet sent, for the sweep
(`job_recovery.py`) to send later.

Running is claimed with a conditional UPDATE (queued -> running, naming this run), so a
duplicate message finds nothing to do. While the engine runs, a heartbeat thread and every
progress write touch `heartbeat_at`; a job silent for PLAN_JOB_LOST_AFTER seconds lost its
worker (killed, out of memory) and may be claimed again, by a redelivered message or by
the sweep, PLAN_JOB_MAX_ATTEMPTS runs in all. Only the run that holds the claim writes a
result, so a late duplicate never leaves a second plan. Liveness times are the database's
clock: the web and worker hosts may disagree on the time.
"""

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from kombu.exceptions import OperationalError as BrokerUnavailable
from tenacity import retry, retry_if_exception_type, stop_after_delay, wait_exponential

from mammapoli.planning.adapter import problem_from_snapshot, problem_snapshot, session_problem
from mammapoli.planning.engine import EnginePlan, PlanProgress, solve_morning
from scheduler import ProblemError
from mammapoli.planning.errors import JobNotCancellable
from mammapoli.planning.models import (
    FINISHED_JOB_STATUSES,
    ClinicSession,
    Plan,
    PlanJob,
    PlanJobStatus,
    PlanStatus,
    PlanTrigger,
)
from scheduler.check import SOLVED_STATUSES, check_plan

logger = logging.getLogger(__name__)

#: Seconds between writes of the progress list (and reads of the cancel flag) during a solve.
PROGRESS_INTERVAL = 0.5
#: How long a run keeps retrying its final write through a database restart.
DATABASE_RETRY_SECONDS = 60
#: Seconds past its time limit that Celery gives a run before it kills the worker child (a hung engine).
HARD_TIME_LIMIT_MARGIN = 60


class JobBusy(Exception):
    """The job is running elsewhere and its worker is alive (its heartbeat is fresh)."""

    def __init__(self, job: PlanJob):
        super().__init__(f"plan job {job.job_id} is running elsewhere")
        self.time_limit = job.time_limit


def plan_job_start(
    *,
    user: AbstractBaseUser | None,
    session: ClinicSession,
    trigger: str = PlanTrigger.REQUEST,
    trigger_detail: str = "",
    time_limit: int | None = None,
    seed: int = 0,
) -> PlanJob:
    """Create the job and send its task once the surrounding transaction commits (at once
    when there is none; eagerly, in this process, when no broker is configured)."""
    if time_limit is None:
        time_limit = settings.SCHEDULER_TIME_LIMIT if trigger == PlanTrigger.REQUEST \
            else settings.SCHEDULER_REPLAN_TIME_LIMIT
    if not 1 <= time_limit <= 3600:
        raise ValidationError({"time_limit": _("Between 1 and 3600 seconds.")})
    with transaction.atomic():
        session = ClinicSession.objects.select_for_update().select_related("clinic").get(pk=session.pk)
        job = PlanJob(session=session, trigger=trigger, trigger_detail=trigger_detail[:200], requested_by=user,
                      time_limit=time_limit, seed=seed, session_version=session.version)
        try:
            job.morning, job.assigned = problem_snapshot(session_problem(session))
        except ProblemError as exc:  # rows the engine cannot read: the job fails, saying where
            job.morning, job.status, job.finished_at = {}, PlanJobStatus.FAILED, timezone.now()
            job.error = f"INVALID: {exc}"
            job.save()
            return job
        job.save()
        transaction.on_commit(lambda: plan_job_dispatch(job_id=job.job_id, time_limit=time_limit))
    return job


def plan_job_dispatch(*, job_id: uuid.UUID, time_limit: int) -> bool:
    """Hand the job's task to the broker. False when the broker does not answer: the job stays
    queued ("waiting for a planning worker") and the sweep sends it once the broker is back."""
    from mammapoli.planning.tasks import plan_job_run  # the task module imports this one

    try:
        plan_job_run.apply_async(args=[str(job_id)], time_limit=time_limit + HARD_TIME_LIMIT_MARGIN)
    except BrokerUnavailable as exc:
        logger.warning("plan job %s waits: the broker does not answer (%s)", job_id, exc)
        return False
    PlanJob.objects.filter(job_id=job_id, status=PlanJobStatus.QUEUED).update(dispatched_at=Now())
    return True


@transaction.atomic
def plan_job_cancel(*, user: AbstractBaseUser | None, job: PlanJob) -> PlanJob:
    """Stop a job: a queued one never runs; a running one stops at the engine's next report and
    keeps the best plan so far as its proposal."""
    job = PlanJob.objects.select_for_update().get(pk=job.pk)
    if job.status in FINISHED_JOB_STATUSES:
        raise JobNotCancellable(_("This job has already finished (%(status)s).") % {
            "status": job.get_status_display()}, detail={"status": job.status})
    job.cancel_requested = True
    fields = ["cancel_requested"]
    if job.status == PlanJobStatus.QUEUED:
        job.status, job.finished_at = PlanJobStatus.CANCELLED, timezone.now()
        fields += ["status", "finished_at"]
    job.save(update_fields=fields)
    return job


def lost_jobs(jobs: QuerySet) -> QuerySet:
    """Those of `jobs` that are running but whose worker has been silent too long."""
    silent_since = Now() - dt.timedelta(seconds=settings.PLAN_JOB_LOST_AFTER)
    return jobs.filter(status=PlanJobStatus.RUNNING).filter(
        Q(heartbeat_at__lt=silent_since) | Q(heartbeat_at__isnull=True))


def lost_jobs_give_up(jobs: QuerySet) -> int:
    """Fail those of `jobs` that lost their worker on every attempt they had."""
    attempts = settings.PLAN_JOB_MAX_ATTEMPTS
    return lost_jobs(jobs).filter(attempts__gte=attempts).update(
        status=PlanJobStatus.FAILED, finished_at=timezone.now(),
        error=ngettext("The planning worker was lost (stopped or out of memory); plan again.",
                       "The planning worker was lost %(count)d times (stopped or out of memory); plan again.",
                       attempts) % {"count": attempts})


def _new_claim() -> str:
    return f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:12]}"


def _claim(job_id: uuid.UUID, claim: str) -> bool:
    """Take the job for this run: a queued one, or a running one whose worker is lost."""
    jobs = PlanJob.objects.filter(job_id=job_id)
    taken = {"status": PlanJobStatus.RUNNING, "claim": claim, "heartbeat_at": Now(), "started_at": timezone.now(),
             "attempts": F("attempts") + 1, "progress": []}
    if jobs.filter(status=PlanJobStatus.QUEUED).update(**taken):
        return True
    if lost_jobs(jobs).filter(attempts__lt=settings.PLAN_JOB_MAX_ATTEMPTS).update(**taken):
        logger.warning("plan job %s: its worker was lost; running it again", job_id)
        return True
    lost_jobs_give_up(jobs)
    job = jobs.only("job_id", "status", "time_limit").first()
    if job is not None and job.status == PlanJobStatus.RUNNING:
        raise JobBusy(job)
    return False


def _drop_broken_connection(*_args) -> None:
    connection.close_if_unusable_or_obsolete()


#: A write that outlives a database restart: the broken connection is dropped and the write tried again.
_through_database_restarts = retry(
    retry=retry_if_exception_type((OperationalError, InterfaceError)), stop=stop_after_delay(DATABASE_RETRY_SECONDS),
    wait=wait_exponential(multiplier=0.5, max=5), before_sleep=_drop_broken_connection, reraise=True)


def _beat(job_pk: int, claim: str, stop: threading.Event, until: float) -> None:
    """The heartbeat thread: touches the job row until the solve ends, or until its deadline
    (a hung engine stops beating, so the job is recovered)."""
    try:
        while not stop.wait(settings.PLAN_JOB_HEARTBEAT) and time.monotonic() < until:
            try:
                PlanJob.objects.filter(pk=job_pk, claim=claim, status=PlanJobStatus.RUNNING) \
                    .update(heartbeat_at=Now())
            except DatabaseError:
                logger.warning("plan job %s: heartbeat not written (database unavailable)", job_pk, exc_info=True)
                _drop_broken_connection()
    finally:
        connection.close()  # this thread's own connection


@contextmanager
def _heartbeat(job: PlanJob, claim: str, *, enabled: bool):
    if not enabled:
        yield
        return
    stop = threading.Event()
    until = time.monotonic() + job.time_limit + settings.PLAN_JOB_LOST_AFTER
    thread = threading.Thread(target=_beat, args=(job.pk, claim, stop, until), name=f"heartbeat-{job.pk}",
                              daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


class _ProgressRecorder:
    """The engine's callback: keeps the improving plans, writes them to the job row now and
    then (a heartbeat too), and stops the engine when a cancel was requested or another run
    has taken the job over."""

    def __init__(self, job: PlanJob, claim: str):
        self.job_pk = job.pk
        self.claim = claim
        self.entries: list[dict] = []
        self.last_write = time.monotonic()
        self.cancelled = False
        self.claim_lost = False

    def __call__(self, progress: PlanProgress) -> bool:
        self.entries.append(progress.as_json())
        if time.monotonic() - self.last_write >= PROGRESS_INTERVAL:
            self.flush()
        return not (self.cancelled or self.claim_lost)

    def flush(self) -> None:
        """Write the progress (and read the cancel flag); the solve goes on through a database
        restart, which only delays the next write."""
        try:
            held = PlanJob.objects.filter(pk=self.job_pk, claim=self.claim, status=PlanJobStatus.RUNNING) \
                .update(progress=self.entries, heartbeat_at=Now())
            self.cancelled = self.cancelled or _cancel_requested(self.job_pk)
        except DatabaseError:
            logger.warning("plan job %s: progress not written (database unavailable)", self.job_pk, exc_info=True)
            _drop_broken_connection()
        else:
            self.claim_lost = self.claim_lost or not held
        self.last_write = time.monotonic()


def _cancel_requested(job_pk: int) -> bool:
    return PlanJob.objects.filter(pk=job_pk, cancel_requested=True).exists()


def plan_job_execute(*, job_id: uuid.UUID, heartbeat: bool = True) -> PlanJob | None:
    """Run a job if this call claims it; None when there was nothing to do (finished, or taken
    over by another run meanwhile). Raises `JobBusy` while another live worker runs it.
    `heartbeat`: beat from a thread while the engine runs (not for an eager task, which runs
    inside the request that started it)."""
    claim = _new_claim()
    if not _claim(job_id, claim):
        return None
    job = PlanJob.objects.select_related("session").get(job_id=job_id)
    if job.cancel_requested:
        return _finish(job, claim, PlanJobStatus.CANCELLED)
    recorder = _ProgressRecorder(job, claim)
    with _heartbeat(job, claim, enabled=heartbeat):
        try:
            answer = solve_morning(problem_from_snapshot(job.morning, job.assigned), time_limit=job.time_limit,
                                   seed=job.seed, on_progress=recorder)
        except Exception as exc:  # noqa: BLE001 - an engine failure fails the job, never the worker
            logger.exception("plan job %s: the engine failed", job.job_id)
            recorder.flush()
            return _finish(job, claim, PlanJobStatus.FAILED,
                           error=_("The engine failed: %(error)s") % {"error": repr(exc)})
        recorder.flush()
    if recorder.claim_lost:
        logger.warning("plan job %s: taken over by another run; this run's plan is dropped", job.job_id)
        return None
    cancelled = recorder.cancelled or _through_database_restarts(_cancel_requested)(job.pk)
    return _store_result(job, claim, answer, cancelled=cancelled)


def _store_result(job: PlanJob, claim: str, answer: EnginePlan, *, cancelled: bool) -> PlanJob | None:
    plan = answer.plan
    if plan.get("status") not in SOLVED_STATUSES:
        status = PlanJobStatus.CANCELLED if cancelled else PlanJobStatus.FAILED
        return _finish(job, claim, status, error=f"{plan.get('status')}: {plan.get('error', '')}")
    violations = check_plan(job.morning, plan)
    if violations:  # the independent validator disagrees with the engine: keep nothing
        logger.error("plan job %s: the engine's plan breaks rules: %s", job.job_id, violations)
        return _finish(job, claim, PlanJobStatus.FAILED, error=_("The engine's plan breaks rules: %(rules)s") % {
            "rules": "; ".join(str(v) for v in violations[:5])})
    return _store_plan(job, claim, answer, cancelled=cancelled)


@_through_database_restarts
def _store_plan(job: PlanJob, claim: str, answer: EnginePlan, *, cancelled: bool) -> PlanJob | None:
    plan = answer.plan
    with transaction.atomic():
        session = ClinicSession.objects.select_for_update().get(pk=job.session_id)
        if not PlanJob.objects.select_for_update().filter(pk=job.pk, claim=claim,
                                                          status=PlanJobStatus.RUNNING).exists():
            logger.warning("plan job %s: taken over by another run; this run's plan is dropped", job.job_id)
            return None
        objective = plan["objective"]
        Plan.objects.create(
            session=session, job=job, data=plan, reasons=answer.reasons, solver_status=plan["status"],
            status=PlanStatus.PROPOSED if session.version == job.session_version else PlanStatus.STALE,
            scheduled=objective["scheduled"], priority_scheduled=objective["priority_scheduled"],
            total_stay=objective["total_stay"], lower_bound_total_stay=objective["lower_bound_total_stay"])
        return _mark_finished(job, claim, PlanJobStatus.CANCELLED if cancelled else PlanJobStatus.SUCCEEDED)


def _mark_finished(job: PlanJob, claim: str, status: str, *, error: str = "") -> PlanJob | None:
    """Finish the job if this run still holds it; None when another run took it over."""
    finished_at = timezone.now()
    if not PlanJob.objects.filter(pk=job.pk, claim=claim, status=PlanJobStatus.RUNNING).update(
            status=status, error=error, finished_at=finished_at):
        return None
    job.status, job.error, job.finished_at, job.claim = status, error, finished_at, claim
    return job


_finish = _through_database_restarts(_mark_finished)

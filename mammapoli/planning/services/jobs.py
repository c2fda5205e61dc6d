"""Plan jobs: start one (a Celery task on commit), cancel it, and run it (the task's body).

A job snapshots the morning when it is created (what the engine will see, and the
fingerprint a proposal is checked against when it is published). Running is idempotent:
the task claims the job with a conditional UPDATE queued -> running, so a re-delivered
message, or a second worker, finds nothing to do. A job left `running` by a worker that
died is claimed again once it is well past its time limit.
"""

import datetime as dt
import logging
import time
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from mammapoli.planning.adapter import morning_fingerprint, session_assignments, session_to_morning
from mammapoli.planning.engine import EnginePlan, PlanProgress, solve_morning
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
#: A running job this long past its time limit lost its worker and may be claimed again.
LOST_AFTER = dt.timedelta(seconds=120)


def plan_job_start(
    *,
    user: AbstractBaseUser | None,
    session: ClinicSession,
    trigger: str = PlanTrigger.REQUEST,
    trigger_detail: str = "",
    time_limit: int | None = None,
    seed: int = 0,
) -> PlanJob:
    """Create the job and queue its task once the surrounding transaction commits (at once
    when there is none; eagerly, in this process, when no broker is configured)."""
    if time_limit is None:
        time_limit = settings.SCHEDULER_TIME_LIMIT if trigger == PlanTrigger.REQUEST \
            else settings.SCHEDULER_REPLAN_TIME_LIMIT
    if not 1 <= time_limit <= 3600:
        raise ValidationError({"time_limit": _("Between 1 and 3600 seconds.")})
    with transaction.atomic():
        session = ClinicSession.objects.select_for_update().select_related("clinic").get(pk=session.pk)
        morning = session_to_morning(session)
        job = PlanJob.objects.create(
            session=session, trigger=trigger, trigger_detail=trigger_detail[:200], requested_by=user,
            time_limit=time_limit, seed=seed, morning=morning, assigned=session_assignments(session),
            bookings_fingerprint=morning_fingerprint(morning))
        transaction.on_commit(lambda: _enqueue(job.job_id))
    return job


def _enqueue(job_id: uuid.UUID) -> None:
    from mammapoli.planning.tasks import plan_job_run  # the task module imports this one

    plan_job_run.delay(str(job_id))


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


def _claim(job_id: uuid.UUID) -> bool:
    now = timezone.now()
    jobs = PlanJob.objects.filter(job_id=job_id)
    if jobs.filter(status=PlanJobStatus.QUEUED).update(status=PlanJobStatus.RUNNING, started_at=now,
                                                        attempts=F("attempts") + 1):
        return True
    job = jobs.only("status", "started_at", "time_limit").first()
    if job is None or job.status != PlanJobStatus.RUNNING or job.started_at is None:
        return False
    lost_before = now - dt.timedelta(seconds=job.time_limit) - LOST_AFTER
    return bool(jobs.filter(status=PlanJobStatus.RUNNING, started_at=job.started_at, started_at__lt=lost_before)
                .update(started_at=now, attempts=F("attempts") + 1, progress=[]))


class _ProgressRecorder:
    """The engine's callback: keeps the improving plans, writes them to the job row now and
    then, and stops the engine when a cancel was requested."""

    def __init__(self, job: PlanJob):
        self.job_pk = job.pk
        self.entries: list[dict] = []
        self.last_write = time.monotonic()
        self.cancelled = False

    def __call__(self, progress: PlanProgress) -> bool:
        self.entries.append(progress.as_json())
        if time.monotonic() - self.last_write >= PROGRESS_INTERVAL:
            self.flush()
            self.cancelled = PlanJob.objects.filter(pk=self.job_pk, cancel_requested=True).exists()
        return not self.cancelled

    def flush(self) -> None:
        PlanJob.objects.filter(pk=self.job_pk).update(progress=self.entries)
        self.last_write = time.monotonic()


def plan_job_execute(*, job_id: uuid.UUID) -> PlanJob | None:
    """Run a job if this call claims it; None when there was nothing to do."""
    if not _claim(job_id):
        return None
    job = PlanJob.objects.select_related("session").get(job_id=job_id)
    if job.cancel_requested:
        return _finish(job, PlanJobStatus.CANCELLED)
    recorder = _ProgressRecorder(job)
    try:
        answer = solve_morning(job.morning, time_limit=job.time_limit, seed=job.seed, on_progress=recorder,
                               assigned=job.assigned)
    except Exception as exc:  # noqa: BLE001 - an engine failure fails the job, never the worker
        logger.exception("plan job %s: the engine failed", job.job_id)
        recorder.flush()
        return _finish(job, PlanJobStatus.FAILED, error=_("The engine failed: %(error)s") % {"error": repr(exc)})
    recorder.flush()
    cancelled = recorder.cancelled or PlanJob.objects.filter(pk=job.pk, cancel_requested=True).exists()
    return _store_result(job, answer, cancelled=cancelled)


def _store_result(job: PlanJob, answer: EnginePlan, *, cancelled: bool) -> PlanJob:
    plan = answer.plan
    if plan.get("status") not in SOLVED_STATUSES:
        status = PlanJobStatus.CANCELLED if cancelled else PlanJobStatus.FAILED
        return _finish(job, status, error=f"{plan.get('status')}: {plan.get('error', '')}")
    violations = check_plan(job.morning, plan)
    if violations:  # the independent validator disagrees with the engine: keep nothing
        logger.error("plan job %s: the engine's plan breaks rules: %s", job.job_id, violations)
        return _finish(job, PlanJobStatus.FAILED, error=_("The engine's plan breaks rules: %(rules)s") % {
            "rules": "; ".join(str(v) for v in violations[:5])})
    with transaction.atomic():
        session = ClinicSession.objects.select_for_update().get(pk=job.session_id)
        current = morning_fingerprint(session_to_morning(session))
        objective = plan["objective"]
        Plan.objects.create(
            session=session, job=job, data=plan, reasons=answer.reasons, solver_status=plan["status"],
            status=PlanStatus.PROPOSED if current == job.bookings_fingerprint else PlanStatus.STALE,
            scheduled=objective["scheduled"], priority_scheduled=objective["priority_scheduled"],
            total_stay=objective["total_stay"], lower_bound_total_stay=objective["lower_bound_total_stay"])
        return _finish(job, PlanJobStatus.CANCELLED if cancelled else PlanJobStatus.SUCCEEDED)


def _finish(job: PlanJob, status: str, *, error: str = "") -> PlanJob:
    job.status, job.error, job.finished_at = status, error, timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    return job

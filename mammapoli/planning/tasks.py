"""Celery tasks of the planning side: take an id, load the row, call a service."""

import logging
import math
import uuid

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from mammapoli.planning.services.job_recovery import plan_jobs_sweep
from mammapoli.planning.services.jobs import JobBusy, plan_job_execute

logger = logging.getLogger(__name__)


@shared_task(bind=True, name="planning.plan_job_run", acks_late=True, reject_on_worker_lost=True, ignore_result=True,
             autoretry_for=(OperationalError, InterfaceError), retry_backoff=2, retry_backoff_max=30, max_retries=8)
def plan_job_run(self, job_id: str) -> str | None:
    """Run plan job `job_id`. Idempotent: a duplicate message finds the job finished and does
    nothing. A message redelivered after its worker died (acks_late, reject_on_worker_lost)
    finds the job still "running" with a recent heartbeat: it comes back once that heartbeat
    is stale and takes the job over (or finds it finished by a live worker after all).
    A database that is down is waited for (autoretry). Returns the job's final status, or None."""
    try:
        key = uuid.UUID(job_id)
    except (TypeError, ValueError):
        logger.error("plan_job_run: %r is not a job id", job_id)
        return None
    in_process = self.request.is_eager or self.request.called_directly  # no broker to come back through
    try:
        job = plan_job_execute(job_id=key, heartbeat=not in_process)
    except JobBusy as busy:
        if in_process:
            return None
        wait = settings.PLAN_JOB_LOST_AFTER
        # Bounded: a live run ends within its time limit, a lost one goes stale within `wait`.
        raise self.retry(countdown=wait, max_retries=self.max_retries + math.ceil(
            (busy.time_limit + wait) / wait) + 1) from None
    return job.status if job is not None else None


@shared_task(name="planning.plan_jobs_sweep", ignore_result=True)
def plan_jobs_sweep_run() -> dict:
    """The periodic sweep (Celery beat): see planning/services/job_recovery.py."""
    return plan_jobs_sweep().as_dict()

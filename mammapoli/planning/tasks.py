"""Celery tasks of the planning side: take an id, load the row, call a service."""

import logging
import uuid

from celery import shared_task

from mammapoli.planning.services.jobs import plan_job_execute

logger = logging.getLogger(__name__)


@shared_task(name="planning.plan_job_run", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def plan_job_run(job_id: str) -> str | None:
    """Run plan job `job_id`. Idempotent: a re-delivered message (acks_late) finds the job
    claimed or finished and does nothing. Returns the job's final status, or None."""
    try:
        key = uuid.UUID(job_id)
    except (TypeError, ValueError):
        logger.error("plan_job_run: %r is not a job id", job_id)
        return None
    job = plan_job_execute(job_id=key)
    return job.status if job is not None else None

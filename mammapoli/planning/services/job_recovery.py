"""The sweep: no plan job is left behind by a lost worker or a broker that was down.

Celery beat sends it every PLAN_JOB_SWEEP_INTERVAL seconds, on the same broker as the jobs
(so it runs as soon as the broker answers again). It

- fails the jobs whose worker was lost on every attempt they had, and queues again those
  with an attempt left (a worker killed mid-solve, as by the kernel's out-of-memory killer);
- fails the jobs that stayed queued for PLAN_JOB_GIVE_UP_AFTER seconds (no worker came);
- sends the queued jobs whose message the broker never took (it was down), or took longer
  than PLAN_JOB_LOST_AFTER ago without any worker claiming it (a message lost with a broker
  restart). A duplicate message is harmless: the claim is a conditional UPDATE.

Every change is a conditional UPDATE on the job rows, so two sweeps, or a sweep and a
worker, never both act on one job.
"""

import datetime as dt
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _

from mammapoli.planning.models import PlanJob, PlanJobStatus

from .jobs import lost_jobs, lost_jobs_give_up, plan_job_dispatch


@dataclass(frozen=True)
class SweepReport:
    lost_failed: int
    lost_requeued: int
    expired: int
    sent: int
    unsent: int

    def as_dict(self) -> dict:
        return asdict(self)


def _seconds_ago(seconds: int):
    return Now() - dt.timedelta(seconds=seconds)


def plan_jobs_sweep() -> SweepReport:
    lost_failed = lost_jobs_give_up(PlanJob.objects.all())
    lost_requeued = lost_jobs(PlanJob.objects.filter(attempts__lt=settings.PLAN_JOB_MAX_ATTEMPTS)).update(
        status=PlanJobStatus.QUEUED, claim="", heartbeat_at=None, queued_at=Now(), dispatched_at=None)
    give_up = settings.PLAN_JOB_GIVE_UP_AFTER
    expired = PlanJob.objects.filter(status=PlanJobStatus.QUEUED, queued_at__lt=_seconds_ago(give_up)).update(
        status=PlanJobStatus.FAILED, finished_at=timezone.now(),
        error=_("No planning worker took this job within %(minutes)d minutes; plan again.") % {
            "minutes": give_up // 60})
    waiting = (PlanJob.objects.filter(status=PlanJobStatus.QUEUED)
               .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=_seconds_ago(settings.PLAN_JOB_LOST_AFTER)))
               .order_by("queued_at").values_list("job_id", "time_limit"))
    sent = unsent = 0
    for job_id, time_limit in waiting:
        if plan_job_dispatch(job_id=job_id, time_limit=time_limit):
            sent += 1
        else:  # the broker went away again: the next sweep tries the rest
            unsent += 1
            break
    return SweepReport(lost_failed=lost_failed, lost_requeued=lost_requeued, expired=expired, sent=sent,
                       unsent=unsent)

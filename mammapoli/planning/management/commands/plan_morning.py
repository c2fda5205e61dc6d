import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from mammapoli.planning.errors import Conflict
from mammapoli.planning.models import FINISHED_JOB_STATUSES, Plan, PlanJob, PlanJobStatus
from mammapoli.planning.selectors import job_plan
from mammapoli.planning.management.arguments import add_session_arguments, session_from_arguments
from mammapoli.planning.services.jobs import plan_job_cancel, plan_job_start
from mammapoli.planning.services.plans import plan_publish

POLL_SECONDS = 0.5


class Command(BaseCommand):
    help = ("Plan a clinic's morning with the engine (the same Celery task as 'plan this morning': eagerly "
            "without a broker, else on a worker), printing each improving plan; --publish publishes it.")

    def add_arguments(self, parser):
        add_session_arguments(parser)
        parser.add_argument("--publish", action="store_true", help="publish the proposal when it is ready")
        parser.add_argument("--time-limit", type=int, default=None,
                            help=f"seconds for the engine (default {settings.SCHEDULER_TIME_LIMIT})")
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, clinic: str, date: str, publish: bool, time_limit: int | None, seed: int, **options):
        session = session_from_arguments(clinic, date)
        try:
            job = plan_job_start(user=None, session=session, time_limit=time_limit, seed=seed)
        except ValidationError as exc:
            raise CommandError("; ".join(f"--{k.replace('_', '-')}: {' '.join(v)}"
                                         for k, v in exc.message_dict.items())) from None
        self.stdout.write(f"Job {job.job_id}: planning {session} ({len(job.morning['patients'])} visits, "
                          f"time limit {job.time_limit} s)")
        job = self._follow(job)
        plan = job_plan(job)
        if plan is None:
            raise CommandError(f"the job {job.status} without a plan: {job.error or '-'}")
        self._summary(job, plan)
        if publish:
            try:
                plan_publish(user=None, plan=plan)
            except Conflict as exc:
                raise CommandError(f"not published: {exc.message}") from None
            self.stdout.write(self.style.SUCCESS(f"Published plan {plan.pk} for {session}."))

    def _follow(self, job: PlanJob) -> PlanJob:
        """Print each improving plan as it arrives, until the job has finished."""
        shown = 0
        queued_since = time.monotonic()
        # Every attempt may run its full time, lose its worker, and wait for the sweep.
        deadline = time.monotonic() + settings.PLAN_JOB_MAX_ATTEMPTS * (
            job.time_limit + settings.PLAN_JOB_LOST_AFTER + settings.PLAN_JOB_SWEEP_INTERVAL)
        while True:
            try:
                job.refresh_from_db()
                for entry in job.progress[shown:]:
                    self.stdout.write(f"[{entry['elapsed']:7.2f}s] {entry['phase']}: {entry['scheduled']} patients "
                                      f"seen, total stay {entry['total_stay']} min, bound {entry['bound']}")
                shown = len(job.progress)
                if job.status in FINISHED_JOB_STATUSES:
                    return job
                if job.status == PlanJobStatus.QUEUED and time.monotonic() - queued_since > 60:
                    raise CommandError("the job is still queued after a minute: is a Celery worker running "
                                       "(celery -A mammapoli worker), and does the broker answer? The job "
                                       "waits and runs once both are there.")
                if time.monotonic() > deadline:
                    raise CommandError(f"the job is still {job.status} well past its time limit")
                time.sleep(POLL_SECONDS)
            except KeyboardInterrupt:
                self.stderr.write("Cancelling…")
                plan_job_cancel(user=None, job=job)

    def _summary(self, job: PlanJob, plan: Plan) -> None:
        data = plan.data
        seconds = data.get("stats", {}).get("solve_seconds")
        self.stdout.write(
            f"Proposal {plan.pk} ({plan.status}): {plan.scheduled} of {len(job.morning['patients'])} "
            f"patients seen, total stay {plan.total_stay} min (lower bound {plan.lower_bound_total_stay}), "
            f"{plan.solver_status}" + (f", {seconds:.1f} s" if seconds is not None else ""))
        for entry in data.get("unscheduled", []):
            self.stdout.write(f"  not seen: {entry['patient']}: {entry['reason']}")
        if job.status == PlanJobStatus.CANCELLED:
            self.stdout.write("Cancelled: this is the best plan found before the stop.")

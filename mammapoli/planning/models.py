"""A clinic's morning: its session, the visits booked into it, and each visit's steps.

A `VisitStep` carries the published plan (planned start/end and resources) and what
actually happened (actual start/end and resources). The database guarantees that a
visit step belongs to its visit's pathway (a trigger, see migration 0002).

Planning a morning: a `PlanJob` runs the engine on a snapshot of the morning and leaves a
`Plan` (a proposal); publishing one writes the visit steps' planned times and one
`ResourceBooking` per resource held, which PostgreSQL keeps free of overlaps.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from mammapoli.clinics.models import Clinic, Pathway, PathwayStep, Resource
from mammapoli.records.models import Patient, Referral

from .constraints import PostgresExclusionConstraint, TsTzRange


class ClinicSession(models.Model):
    """One clinic's morning on one date, with its window."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("clinic"))
    date = models.DateField(_("date"))
    start = models.TimeField(_("starts"))
    end = models.TimeField(_("ends"))
    state_at = models.TimeField(
        _("state at"), null=True, blank=True,
        help_text=_("Clock time up to which what happened is recorded (re-planning 'now')."),
    )
    version = models.PositiveIntegerField(
        _("version"), default=0, editable=False,
        help_text=_("Goes up with every change to what the engine sees of this morning."),
    )

    class Meta:
        verbose_name = _("clinic session")
        verbose_name_plural = _("clinic sessions")
        ordering = ["clinic", "date"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "date"], name="clinicsession_one_per_day"),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="clinicsession_end_after_start",
                violation_error_message=_("The session must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clinic}, {formats.date_format(self.date, 'DATE_FORMAT')}"


class VisitStatus(models.TextChoices):
    BOOKED = "booked", _("booked")
    ARRIVED = "arrived", _("arrived")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    NO_SHOW = "no_show", _("no-show")
    CANCELLED = "cancelled", _("cancelled")
    LEFT = "left", _("left early (result later)")
    REBOOKED = "rebooked", _("rebooked on another morning")


#: Visits that still take part in the morning's plan.
ACTIVE_VISIT_STATUSES = (VisitStatus.BOOKED, VisitStatus.ARRIVED, VisitStatus.IN_PROGRESS, VisitStatus.DONE)
#: Visits still to happen or under way: a referral has at most one of them.
OPEN_VISIT_STATUSES = (VisitStatus.BOOKED, VisitStatus.ARRIVED, VisitStatus.IN_PROGRESS)


class Visit(models.Model):
    """A patient in a session on a pathway."""

    session = models.ForeignKey(ClinicSession, on_delete=models.CASCADE, related_name="visits", verbose_name=_("session"))
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="visits", verbose_name=_("patient"))
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="visits", verbose_name=_("referral"),
    )
    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT, related_name="visits", verbose_name=_("pathway"))
    code = models.CharField(
        _("code"), max_length=20, help_text=_("The visit's id on this morning's plan, e.g. P07."),
    )
    status = models.CharField(_("status"), max_length=12, choices=VisitStatus.choices, default=VisitStatus.BOOKED)
    priority = models.PositiveSmallIntegerField(_("priority"), default=1)
    earliest = models.TimeField(_("not before"), null=True, blank=True)
    latest = models.TimeField(_("done by"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True,
                                      help_text=_("When she checked in (or walked in) on the day."))
    result_surgeon = models.ForeignKey(
        Resource, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("result given by"),
        help_text=_("Her result handed over to this surgeon (the one who examined her is called away)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["session", "code"]
        constraints = [
            models.UniqueConstraint(fields=["session", "code"], name="visit_unique_code_per_session"),
            models.UniqueConstraint(fields=["session", "patient"], name="visit_one_per_patient_per_session"),
            models.UniqueConstraint(
                fields=["referral"], condition=Q(status__in=OPEN_VISIT_STATUSES), name="visit_one_open_per_referral",
                violation_error_message=_("This referral is booked already."),
            ),
            models.CheckConstraint(
                condition=Q(priority__gte=1), name="visit_priority_at_least_one",
                violation_error_message=_("The priority is at least 1."),
            ),
            models.CheckConstraint(
                condition=Q(earliest__isnull=True) | Q(latest__isnull=True) | Q(latest__gt=F("earliest")),
                name="visit_latest_after_earliest",
                violation_error_message=_("'Done by' must be after 'not before'."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.session}"


class VisitStep(models.Model):
    """One step of a visit's pathway: its extra minutes, the published plan and what happened."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="steps", verbose_name=_("visit"))
    step = models.ForeignKey(PathwayStep, on_delete=models.PROTECT, related_name="+", verbose_name=_("step"))
    extra_minutes = models.PositiveSmallIntegerField(_("extra minutes"), default=0)
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    planned_end = models.DateTimeField(_("planned end"), null=True, blank=True)
    actual_start = models.DateTimeField(_("actual start"), null=True, blank=True)
    actual_end = models.DateTimeField(_("actual end"), null=True, blank=True)

    class Meta:
        verbose_name = _("visit step")
        verbose_name_plural = _("visit steps")
        ordering = ["visit", "step__position", "step_id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "step"], name="visitstep_unique_step"),
            models.CheckConstraint(
                # Spelled out: in SQL a comparison with NULL passes a CHECK.
                condition=(Q(planned_start__isnull=True) & Q(planned_end__isnull=True))
                | (Q(planned_start__isnull=False) & Q(planned_end__isnull=False)
                   & Q(planned_end__gt=F("planned_start"))),
                name="visitstep_planned_end_after_start",
                violation_error_message=_("A planned step must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | (Q(actual_start__isnull=False) & Q(actual_end__gt=F("actual_start"))),
                name="visitstep_actual_end_after_start",
                violation_error_message=_("A step must end after it started."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visit.code} {self.step.code}"

    @property
    def duration(self) -> int:
        return self.step.duration + self.extra_minutes


class AllocationPhase(models.TextChoices):
    PLANNED = "planned", _("planned")
    ACTUAL = "actual", _("actual")


class VisitStepResource(models.Model):
    """A resource held by a visit step, in the order of the step's needs (planned or actual)."""

    visit_step = models.ForeignKey(
        VisitStep, on_delete=models.CASCADE, related_name="allocations", verbose_name=_("visit step"),
    )
    phase = models.CharField(_("phase"), max_length=10, choices=AllocationPhase.choices)
    position = models.PositiveSmallIntegerField(_("position"))
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("resource"))

    class Meta:
        verbose_name = _("step resource")
        verbose_name_plural = _("step resources")
        ordering = ["visit_step", "phase", "position"]
        constraints = [
            models.UniqueConstraint(fields=["visit_step", "phase", "position"], name="visitstepresource_unique_position"),
            models.UniqueConstraint(fields=["visit_step", "phase", "resource"], name="visitstepresource_once_per_step"),
        ]

    def __str__(self) -> str:
        return f"{self.visit_step} {self.phase} {self.resource.code}"


class PlanJobStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")


#: A job in one of these states will not change any more.
FINISHED_JOB_STATUSES = (PlanJobStatus.SUCCEEDED, PlanJobStatus.FAILED, PlanJobStatus.CANCELLED)


class PlanTrigger(models.TextChoices):
    """Why the engine ran: a planner asked, or an event on the day."""

    REQUEST = "request", _("plan requested")
    ARRIVED = "arrived", _("patient arrived")
    STEP_STARTED = "step_started", _("step started")
    STEP_FINISHED = "step_finished", _("step finished")
    NO_SHOW = "no_show", _("no-show")
    WALK_IN = "walk_in", _("walk-in added")
    RESOURCE_UNAVAILABLE = "resource_unavailable", _("resource unavailable")
    PATHWAY_SWITCHED = "pathway_switched", _("pathway switched")
    LEFT = "left", _("patient left early")
    HANDOVER = "handover", _("result handed over")
    ABSENCE_CHANGED = "absence_changed", _("absence withdrawn or shortened")


class PlanJob(models.Model):
    """One run of the engine on one morning, as a Celery task (or eagerly without a broker)."""

    job_id = models.UUIDField(_("job id"), default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(ClinicSession, on_delete=models.CASCADE, related_name="plan_jobs",
                                verbose_name=_("session"))
    trigger = models.CharField(_("trigger"), max_length=24, choices=PlanTrigger.choices, default=PlanTrigger.REQUEST)
    trigger_detail = models.CharField(_("trigger detail"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=PlanJobStatus.choices,
                              default=PlanJobStatus.QUEUED)
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    progress = models.JSONField(_("progress"), default=list, blank=True,
                                help_text=_("The improving plans found so far."))
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("requested by"))
    time_limit = models.PositiveSmallIntegerField(_("time limit (seconds)"))
    seed = models.PositiveIntegerField(_("seed"), default=0)
    morning = models.JSONField(_("morning"), help_text=_("The morning as the engine saw it (mammapoli-morning/1)."))
    assigned = models.JSONField(
        _("assigned resources"), default=dict, blank=True,
        help_text=_("Steps that must be done by a named resource (a result handed over): "
                    "{visit code: [[step code, resource code], ...]}; not part of the exchange format."))
    session_version = models.PositiveIntegerField(
        _("morning version"), default=0,
        help_text=_("The morning's version the snapshot was taken at: its plan is stale once the morning moved on."))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Liveness, on the database's clock (web and worker hosts may disagree on the time):
    # when it (last) became queued, when the broker last took its message (null: not yet,
    # the broker did not answer), which run holds it ("host/pid/run"), and that run's last
    # sign of life. See planning/services/jobs.py and job_recovery.py.
    queued_at = models.DateTimeField(_("queued at"), db_default=Now())
    dispatched_at = models.DateTimeField(_("handed to the task queue at"), null=True, blank=True)
    claim = models.CharField(_("claimed by"), max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan job")
        verbose_name_plural = _("plan jobs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(time_limit__gte=1), name="planjob_time_limit_positive",
                                   violation_error_message=_("The time limit is at least one second.")),
        ]
        indexes = [  # the sweep looks at the unfinished jobs only
            models.Index(fields=["status"], condition=Q(status__in=["queued", "running"]), name="planjob_unfinished"),
        ]

    def __str__(self) -> str:
        return f"{self.session} {self.get_trigger_display()} ({self.get_status_display()})"

    @property
    def broker_unreachable(self) -> bool:
        """Queued, and the task queue did not take its message: it is sent again when it answers."""
        return self.status == PlanJobStatus.QUEUED and self.dispatched_at is None

    @property
    def trigger_text(self) -> str:
        """Why it ran, for people: "patient arrived P03 10:20", steps and pathways by name."""
        from mammapoli.clinics.names import clinic_names

        from .display import trigger_text

        return trigger_text(self, clinic_names(self.session.clinic_id))


class PlanStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    PUBLISHED = "published", _("published")
    SUPERSEDED = "superseded", _("superseded")
    STALE = "stale", _("stale")


class Plan(models.Model):
    """A `mammapoli-plan/1` plan of a morning made by a job: a proposal until it is published."""

    session = models.ForeignKey(ClinicSession, on_delete=models.CASCADE, related_name="plans",
                                verbose_name=_("session"))
    job = models.OneToOneField(PlanJob, on_delete=models.CASCADE, related_name="plan", verbose_name=_("job"))
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.PROPOSED)
    data = models.JSONField(_("plan"), help_text=_("The plan in the exchange format (mammapoli-plan/1)."))
    reasons = models.JSONField(
        _("reasons"), default=dict, blank=True,
        help_text=_("Per patient who cannot be seen: the engine's reason as a code and its parameters, to show "
                    "it in the reader's language (the plan itself keeps the English words)."))
    solver_status = models.CharField(_("solver status"), max_length=10)
    scheduled = models.PositiveIntegerField(_("patients seen"))
    priority_scheduled = models.PositiveIntegerField(_("priority seen"))
    total_stay = models.PositiveIntegerField(_("total stay (minutes)"))
    lower_bound_total_stay = models.PositiveIntegerField(_("lower bound on the total stay (minutes)"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("published by"))

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["session"], condition=Q(status="published"),
                                    name="plan_one_published_per_session"),
        ]

    def __str__(self) -> str:
        return f"{self.session} {self.get_status_display()} ({self.scheduled} patients)"


class ResourceBooking(models.Model):
    """A resource held by a step of the published plan for [start, end).

    On PostgreSQL an exclusion constraint (btree_gist) refuses two overlapping bookings of
    one resource, whatever code path writes them; on SQLite the booking service checks.
    """

    session = models.ForeignKey(ClinicSession, on_delete=models.CASCADE, related_name="resource_bookings",
                                verbose_name=_("session"))
    visit_step = models.ForeignKey(VisitStep, on_delete=models.CASCADE, related_name="bookings",
                                   verbose_name=_("visit step"))
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="bookings",
                                 verbose_name=_("resource"))
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))

    class Meta:
        verbose_name = _("resource booking")
        verbose_name_plural = _("resource bookings")
        ordering = ["resource", "start"]
        indexes = [models.Index(fields=["session", "resource"], name="resourcebooking_session_res")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="resourcebooking_end_after_start",
                                   violation_error_message=_("A booking must end after it starts.")),
            models.UniqueConstraint(fields=["visit_step", "resource"], name="resourcebooking_once_per_step"),
            PostgresExclusionConstraint(
                name="resourcebooking_no_overlap",
                expressions=[("resource", RangeOperators.EQUAL),
                             (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS)],
                violation_error_message=_("This resource is already booked at that time."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource.code} {self.start:%H:%M}-{self.end:%H:%M}"

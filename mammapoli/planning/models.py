"""A clinic's morning: its session, the visits booked into it, and each visit's steps.

A `VisitStep` carries the published plan (planned start/end and resources) and what
actually happened (actual start/end and resources). The database guarantees that a
visit step belongs to its visit's pathway (a trigger, see migration 0002).
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from mammapoli.clinics.models import Clinic, Pathway, PathwayStep, Resource
from mammapoli.records.models import Patient, Referral


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
        return f"{self.clinic} {self.date:%Y-%m-%d}"


class VisitStatus(models.TextChoices):
    BOOKED = "booked", _("booked")
    ARRIVED = "arrived", _("arrived")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    NO_SHOW = "no_show", _("no-show")
    CANCELLED = "cancelled", _("cancelled")


#: Visits that still take part in the morning's plan.
ACTIVE_VISIT_STATUSES = (VisitStatus.BOOKED, VisitStatus.ARRIVED, VisitStatus.IN_PROGRESS, VisitStatus.DONE)


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
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["session", "code"]
        constraints = [
            models.UniqueConstraint(fields=["session", "code"], name="visit_unique_code_per_session"),
            models.UniqueConstraint(fields=["session", "patient"], name="visit_one_per_patient_per_session"),
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

"""A clinic's master data: its team, its resources, when they are available, its pathways.

Everything the scheduling engine treats as a *resource* (a surgeon, a consult room, a
mammography unit) is a `Resource` with a `ResourceKind`; people are resources linked to a
`StaffMember`. Pathway templates mirror the exchange format (`docs/morning-format.md`):
steps with a duration, the kinds they need, precedence with min/max lags and
same-resource-as rules.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Clinic(models.Model):
    name = models.SlugField(
        _("name"), max_length=100, unique=True,
        help_text=_("Short identifier, used on the command line and in exchange files."),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    default_start = models.TimeField(_("morning starts"), default="08:00")
    default_end = models.TimeField(_("morning ends"), default="13:00")
    notice_minutes = models.PositiveSmallIntegerField(
        _("notice for a new time (minutes)"), default=30, validators=[MaxValueValidator(240)],
        help_text=_("On the day, a patient who is not here yet keeps her time or is given one at least this "
                    "long after the re-plan: she has to be reached and to travel."),
    )

    class Meta:
        verbose_name = _("clinic")
        verbose_name_plural = _("clinics")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_end__gt=F("default_start")),
                name="clinic_end_after_start",
                violation_error_message=_("The morning must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.name


class Role(models.TextChoices):
    PLANNER = "planner", _("planner")
    SURGEON = "surgeon", _("surgeon")
    RADIOLOGIST = "radiologist", _("radiologist")
    PATHOLOGIST = "pathologist", _("pathologist")
    RADIOGRAPHER = "radiographer", _("radiographer")
    NURSE = "nurse", _("nurse")
    PRIVACY_OFFICER = "privacy_officer", _("privacy officer")


class StaffMember(models.Model):
    """A user's membership of one clinic's team, in one role."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="staff", verbose_name=_("clinic"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["clinic", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "user"], name="staffmember_one_role_per_clinic"),
        ]

    def __str__(self) -> str:
        name = self.user.get_full_name() or self.user.get_username()
        return f"{name} ({self.get_role_display()}, {self.clinic})"


class ApplicationManager(models.Model):
    """A user who manages one clinic's team and accounts (applicatiebeheerder).

    Deliberately not a `StaffMember` role: every patient-data check asks for a membership of
    the clinic's team, so managing the team gives no access to its patients. Appointed and
    dismissed by a superuser only (`clinics.services.team`), each change in the access log.
    """

    clinic = models.ForeignKey(
        Clinic, on_delete=models.CASCADE, related_name="application_managers", verbose_name=_("clinic"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="managed_clinics", verbose_name=_("user"),
    )

    class Meta:
        verbose_name = _("application manager")
        verbose_name_plural = _("application managers")
        ordering = ["clinic", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "user"], name="applicationmanager_once_per_clinic"),
        ]

    def __str__(self) -> str:
        name = self.user.get_full_name() or self.user.get_username()
        return f"{name} ({self.clinic})"


class ResourceCategory(models.TextChoices):
    PERSON = "person", _("person")
    ROOM = "room", _("room")
    DEVICE = "device", _("device")


class ResourceKind(models.Model):
    """What a pathway step needs: `surgeon`, `consult_room`, `mammography_unit`, …"""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="kinds", verbose_name=_("clinic"))
    code = models.SlugField(_("code"), max_length=50, allow_unicode=False)
    name = models.CharField(_("name"), max_length=100, blank=True)
    category = models.CharField(
        _("category"), max_length=10, choices=ResourceCategory.choices, default=ResourceCategory.PERSON,
    )

    class Meta:
        verbose_name = _("resource kind")
        verbose_name_plural = _("resource kinds")
        ordering = ["clinic", "code"]
        constraints = [models.UniqueConstraint(fields=["clinic", "code"], name="resourcekind_unique_code")]

    def __str__(self) -> str:
        return self.name or self.code


class Resource(models.Model):
    """One person, room or device with capacity one: it does at most one step at a time."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="resources", verbose_name=_("clinic"))
    code = models.CharField(_("code"), max_length=50, help_text=_("Short id on the plan, e.g. chir-A."))
    name = models.CharField(_("name"), max_length=100, blank=True)
    kind = models.ForeignKey(ResourceKind, on_delete=models.PROTECT, related_name="resources", verbose_name=_("kind"))
    staff_member = models.OneToOneField(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="resource",
        verbose_name=_("staff member"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["clinic", "kind__code", "code"]
        constraints = [models.UniqueConstraint(fields=["clinic", "code"], name="resource_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} ({self.name})" if self.name else self.code

    def clean(self) -> None:
        if self.kind_id and self.clinic_id and self.kind.clinic_id != self.clinic_id:
            raise ValidationError({"kind": _("This kind belongs to another clinic.")})
        if self.staff_member_id and self.clinic_id and self.staff_member.clinic_id != self.clinic_id:
            raise ValidationError({"staff_member": _("This staff member belongs to another clinic.")})


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WeeklyAvailability(models.Model):
    """A resource's usual hours on one weekday; a break is the gap between two rows."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="weekly_availability", verbose_name=_("resource"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("weekly availability")
        verbose_name_plural = _("weekly availability")
        ordering = ["resource", "weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="weeklyavailability_end_after_start",
                violation_error_message=_("The end must be after the start."),
            ),
            models.UniqueConstraint(fields=["resource", "weekday", "start"], name="weeklyavailability_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class ExceptionKind(models.TextChoices):
    ABSENT = "absent", _("absent (leave, meeting, break)")
    EXTRA = "extra", _("extra hours")


class AvailabilityException(models.Model):
    """A dated change to the weekly hours: leave, a meeting, a break, or extra hours."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="availability_exceptions", verbose_name=_("resource"),
    )
    date = models.DateField(_("date"))
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))
    kind = models.CharField(_("kind"), max_length=10, choices=ExceptionKind.choices, default=ExceptionKind.ABSENT)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("availability exception")
        verbose_name_plural = _("availability exceptions")
        ordering = ["resource", "date", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="availabilityexception_end_after_start",
                violation_error_message=_("The end must be after the start."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.date} {self.start:%H:%M}-{self.end:%H:%M} {self.get_kind_display()}"


class Pathway(models.Model):
    """A template of steps a patient goes through in one morning (e.g. triple assessment with FNA)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="pathways", verbose_name=_("clinic"))
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("pathway")
        verbose_name_plural = _("pathways")
        ordering = ["clinic", "code"]
        constraints = [models.UniqueConstraint(fields=["clinic", "code"], name="pathway_unique_code")]

    def __str__(self) -> str:
        return self.name or self.code


class PathwayStep(models.Model):
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="steps", verbose_name=_("pathway"))
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=100, blank=True)
    short_name = models.CharField(_("short name"), max_length=16, blank=True,
                                  help_text=_("For the bars of the day view, e.g. echo; empty: the name."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    duration = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(1)],
    )

    class Meta:
        verbose_name = _("pathway step")
        verbose_name_plural = _("pathway steps")
        ordering = ["pathway", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pathway", "code"], name="pathwaystep_unique_code"),
            models.CheckConstraint(
                condition=Q(duration__gte=1), name="pathwaystep_positive_duration",
                violation_error_message=_("A step lasts at least one minute."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pathway.code}.{self.code}"


class StepNeed(models.Model):
    """One resource of `kind` held for the whole step; a kind listed twice needs two of it."""

    step = models.ForeignKey(PathwayStep, on_delete=models.CASCADE, related_name="needs", verbose_name=_("step"))
    kind = models.ForeignKey(ResourceKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("kind"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("needed resource kind")
        verbose_name_plural = _("needed resource kinds")
        ordering = ["step", "position", "id"]

    def __str__(self) -> str:
        return f"{self.step} needs {self.kind.code}"

    def clean(self) -> None:
        if self.kind_id and self.step_id and self.kind.clinic_id != self.step.pathway.clinic_id:
            raise ValidationError({"kind": _("This kind belongs to another clinic.")})


class StepPrecedence(models.Model):
    """`step` starts at least `min_lag` and at most `max_lag` minutes after `after` ends."""

    step = models.ForeignKey(PathwayStep, on_delete=models.CASCADE, related_name="predecessors", verbose_name=_("step"))
    after = models.ForeignKey(
        PathwayStep, on_delete=models.CASCADE, related_name="successors", verbose_name=_("after step"),
    )
    min_lag = models.PositiveSmallIntegerField(_("minimum lag (minutes)"), default=0)
    max_lag = models.PositiveSmallIntegerField(_("maximum lag (minutes)"), null=True, blank=True)

    class Meta:
        verbose_name = _("precedence")
        verbose_name_plural = _("precedences")
        ordering = ["step", "id"]
        constraints = [
            models.UniqueConstraint(fields=["step", "after"], name="stepprecedence_unique_pair"),
            models.CheckConstraint(
                condition=~Q(step=F("after")), name="stepprecedence_not_self",
                violation_error_message=_("A step cannot come after itself."),
            ),
            models.CheckConstraint(
                condition=Q(max_lag__isnull=True) | Q(max_lag__gte=F("min_lag")), name="stepprecedence_max_ge_min",
                violation_error_message=_("The maximum lag must not be below the minimum lag."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step} after {self.after.code}"

    def clean(self) -> None:
        if self.step_id and self.after_id:
            if self.step.pathway_id != self.after.pathway_id:
                raise ValidationError({"after": _("The earlier step must be in the same pathway.")})
            # The new edge after -> step closes a cycle if `after` already follows `step`.
            if self.after_id == self.step_id or self.after_id in _steps_reachable_from(self.step_id):
                raise ValidationError({"after": _("This precedence would make a cycle.")})


def _steps_reachable_from(step_id: int) -> set[int]:
    """Ids of the steps that (transitively) come after `step_id`."""
    seen: set[int] = set()
    frontier = [step_id]
    while frontier:
        current = frontier.pop()
        for successor in StepPrecedence.objects.filter(after_id=current).values_list("step_id", flat=True):
            if successor not in seen:
                seen.add(successor)
                frontier.append(successor)
    return seen


class StepSameAs(models.Model):
    """The resource of `kind` on `step` must be the one that did `other` (the same surgeon gives the result)."""

    step = models.ForeignKey(PathwayStep, on_delete=models.CASCADE, related_name="same_as", verbose_name=_("step"))
    kind = models.ForeignKey(ResourceKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("kind"))
    other = models.ForeignKey(PathwayStep, on_delete=models.CASCADE, related_name="+", verbose_name=_("same as step"))

    class Meta:
        verbose_name = _("same resource as")
        verbose_name_plural = _("same resource as")
        ordering = ["step", "id"]
        constraints = [
            models.UniqueConstraint(fields=["step", "kind"], name="stepsameas_unique_kind"),
            models.CheckConstraint(
                condition=~Q(step=F("other")), name="stepsameas_not_self",
                violation_error_message=_("A step cannot refer to itself."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step}: {self.kind.code} as {self.other.code}"

    def clean(self) -> None:
        if self.step_id and self.other_id and self.step.pathway_id != self.other.pathway_id:
            raise ValidationError({"other": _("The other step must be in the same pathway.")})


class ClinicUncertainty(models.Model):
    """How this clinic's mornings vary: the exchange format's `uncertainty` block, which goes
    into every morning the planning sends to the engine (plan this morning, every re-plan, the
    booking search). A clinic without it plans as if every morning ran exactly to plan.
    The defaults are those of a typical clinic (`fixtures/instances/uncertain/`);
    `manage.py estimate_uncertainty` measures the clinic's own from its recorded mornings."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="uncertainty",
                                  verbose_name=_("clinic"))
    duration_cv = models.DecimalField(
        _("variation of step lengths"), max_digits=3, decimal_places=2, default=Decimal("0.30"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(2))],
        help_text=_("The coefficient of variation of a step's length (standard deviation / mean): 0.30 means a "
                    "20-minute step usually takes 14 to 26 minutes. Per step below."),
    )
    no_show = models.DecimalField(
        _("no-show rate"), max_digits=3, decimal_places=2, default=Decimal("0.08"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("The share of booked patients who do not come, from 0 to 1 (0.08: 8 in 100)."),
    )
    punctuality_sd = models.DecimalField(
        _("punctuality (minutes)"), max_digits=3, decimal_places=1, default=Decimal(5),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(60))],
        help_text=_("The standard deviation of a patient's arrival around her time, in minutes."),
    )
    overtime_p90 = models.PositiveSmallIntegerField(
        _("overtime limit (minutes)"), null=True, blank=True, default=15, validators=[MaxValueValidator(240)],
        help_text=_("At most 1 in 10 mornings may run longer than this past the end of the morning; "
                    "empty: no limit."),
    )

    class Meta:
        verbose_name = _("uncertainty settings")
        verbose_name_plural = _("uncertainty settings")
        ordering = ["clinic"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_cv__gte=0) & Q(duration_cv__lte=2), name="clinicuncertainty_cv_range",
                violation_error_message=_("The variation of step lengths is between 0 and 2."),
            ),
            models.CheckConstraint(
                condition=Q(no_show__gte=0) & Q(no_show__lte=1), name="clinicuncertainty_no_show_range",
                violation_error_message=_("The no-show rate is between 0 and 1."),
            ),
            models.CheckConstraint(
                condition=Q(punctuality_sd__gte=0) & Q(punctuality_sd__lte=60),
                name="clinicuncertainty_punctuality_range",
                violation_error_message=_("The punctuality is between 0 and 60 minutes."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.clinic)


class StepVariation(models.Model):
    """A step whose length varies more or less than the clinic's usual (a core biopsy more)."""

    uncertainty = models.ForeignKey(ClinicUncertainty, on_delete=models.CASCADE, related_name="steps",
                                    verbose_name=_("uncertainty settings"))
    step_code = models.SlugField(_("step code"), max_length=50,
                                 help_text=_("The step's code in the clinic's pathways, e.g. core."))
    duration_cv = models.DecimalField(
        _("variation of its length"), max_digits=3, decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(2))],
    )

    class Meta:
        verbose_name = _("step length variation")
        verbose_name_plural = _("step length variations")
        ordering = ["uncertainty", "step_code"]
        constraints = [
            models.UniqueConstraint(fields=["uncertainty", "step_code"], name="stepvariation_once_per_step",
                                    violation_error_message=_("This step has a variation already.")),
            models.CheckConstraint(
                condition=Q(duration_cv__gte=0) & Q(duration_cv__lte=2), name="stepvariation_cv_range",
                violation_error_message=_("The variation of a step's length is between 0 and 2."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step_code} {self.duration_cv}"

    def clean(self) -> None:
        # In the admin the settings may be new (unsaved) with their clinic chosen already.
        cached = self._meta.get_field("uncertainty").is_cached(self)
        clinic_id = self.uncertainty.clinic_id if self.uncertainty_id or cached else None
        if self.step_code and clinic_id and not PathwayStep.objects.filter(
                pathway__clinic_id=clinic_id, code=self.step_code).exists():
            raise ValidationError({"step_code": _("No pathway of this clinic has a step %(code)s.") % {
                "code": self.step_code}})

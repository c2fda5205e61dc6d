"""Patients, their referrals, and the shared multidisciplinary form of each visit.

The form (`VisitForm`, one per visit) has a `FormSection` per discipline whose `content`
is validated by the section's serializer (`content.py`) and whose `version` goes up by one
with every change: an edit, the author's signature, or an addendum after signing. Each
change leaves an immutable `SectionVersion` (who, in which role, when, the fields changed
with old and new values, and the full content afterwards). The model and its queryset
refuse to change or delete one; on PostgreSQL a trigger refuses it too (migration 0003).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from mammapoli.clinics.models import Clinic
from mammapoli.core.bounds import REASON_MAX_LENGTH, validate_date_of_birth, validate_received_on

from .sections import SectionKey


class Sex(models.TextChoices):
    FEMALE = "F", _("female")
    MALE = "M", _("male")
    OTHER = "X", _("other")
    UNKNOWN = "U", _("unknown")


class Patient(models.Model):
    """A patient as one clinic knows her: her record belongs to that clinic, and her hospital
    number is unique within it. Another clinic that sees the same woman has its own record,
    so nothing typed in one clinic finds, or links to, a patient of another."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients", verbose_name=_("clinic"))
    hospital_number = models.CharField(
        _("hospital number"), max_length=32,
        validators=[RegexValidator(r"^[A-Za-z0-9-]+$", _("Letters, digits and dashes only."))],
    )
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    date_of_birth = models.DateField(
        _("date of birth"), null=True, blank=True, validators=[validate_date_of_birth],
        help_text=_("Unknown only for patients imported from an anonymous exchange file."),
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.FEMALE)
    phone = PhoneNumberField(
        _("phone"), blank=True,
        help_text=_("To reach her when her time changes on the day, e.g. 06 12345678 or +31 15 2123456."),
    )

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        ordering = ["family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "hospital_number"], name="patient_number_unique_per_clinic",
                                    violation_error_message=_("This clinic has a patient with this hospital number.")),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.hospital_number})"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def age_on(self, day) -> int | None:
        born = self.date_of_birth
        if born is None:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Urgency(models.TextChoices):
    REGULAR = "regular", _("regular (within 5 working days)")
    URGENT = "urgent", _("urgent (within 2 working days)")


class Complaint(models.TextChoices):
    PALPABLE_LUMP = "palpable_lump", _("palpable lump")
    PAIN = "pain", _("breast pain")
    NIPPLE_DISCHARGE = "nipple_discharge", _("nipple discharge")
    SKIN_CHANGE = "skin_change", _("skin or nipple change")
    SCREENING_RECALL = "screening_recall", _("recall from screening")
    OTHER = "other", _("other")


class Suspicion(models.TextChoices):
    LOW = "low", _("low")
    MODERATE = "moderate", _("moderate")
    HIGH = "high", _("high (suspected malignancy)")


class Referral(models.Model):
    """A GP's request to see a patient at the clinic."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("clinic"))
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("patient"))
    referring_gp = models.CharField(_("referring GP"), max_length=200)
    complaint = models.CharField(_("complaint"), max_length=20, choices=Complaint.choices)
    reason = models.TextField(_("reason for referral"), blank=True, max_length=REASON_MAX_LENGTH,
                              validators=[MaxLengthValidator(REASON_MAX_LENGTH)])
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.REGULAR)
    suspicion = models.CharField(_("clinical suspicion"), max_length=10, choices=Suspicion.choices, default=Suspicion.LOW)
    biopsy_requested = models.BooleanField(_("biopsy requested"), default=False)
    received_on = models.DateField(_("received on"), validators=[validate_received_on])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"{self.patient} — {self.get_complaint_display()} ({self.received_on})"


class VisitForm(models.Model):
    """The shared form of one visit: created, with its four empty sections, on first access."""

    visit = models.OneToOneField(
        "planning.Visit", on_delete=models.PROTECT, related_name="form", verbose_name=_("visit"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit form")
        verbose_name_plural = _("visit forms")

    def __str__(self) -> str:
        return f"{_('form')} {self.visit}"


class FormSection(models.Model):
    """One discipline's part of the form: its current content and version, and its signature."""

    form = models.ForeignKey(VisitForm, on_delete=models.PROTECT, related_name="sections", verbose_name=_("form"))
    key = models.CharField(_("section"), max_length=12, choices=SectionKey.choices)
    content = models.JSONField(_("content"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    version = models.PositiveIntegerField(_("version"), default=0)
    updated_at = models.DateTimeField(_("last changed at"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("last changed by"),
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("signed by"),
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_version = models.PositiveIntegerField(_("signed version"), null=True, blank=True)

    class Meta:
        verbose_name = _("form section")
        verbose_name_plural = _("form sections")
        ordering = ["form", "id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "key"], name="formsection_one_per_key"),
            models.CheckConstraint(
                condition=(Q(signed_by__isnull=True) & Q(signed_at__isnull=True) & Q(signed_version__isnull=True))
                | (Q(signed_by__isnull=False) & Q(signed_at__isnull=False) & Q(signed_version__isnull=False)),
                name="formsection_signature_complete",
                violation_error_message=_("A signature has a signer, a time and a version."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form} {self.get_key_display()} v{self.version}"

    @property
    def signed(self) -> bool:
        return self.signed_version is not None

    def clean(self) -> None:
        from .content import content_validate

        if self.key not in SectionKey.values:
            return  # the field's own validation names it
        _canonical, errors = content_validate(self.key, self.content)
        if errors:
            raise ValidationError({"content": [f"{field}: {messages}" for field, messages in errors.items()]})
        if self.signed_version is not None and self.signed_version > self.version:
            raise ValidationError({"signed_version": _("The signed version cannot be newer than the section.")})


class ChangeKind(models.TextChoices):
    EDIT = "edit", _("edit")
    SIGN = "sign", _("signed")
    ADDENDUM = "addendum", _("addendum")


class ImmutableError(Exception):
    """A section's history cannot be changed."""


class SectionVersionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableError("a section's history is immutable")

    def delete(self):
        raise ImmutableError("a section's history is immutable")


class SectionVersion(models.Model):
    """One change of a section, kept for good: who, in which role, when, what changed, and the result."""

    section = models.ForeignKey(FormSection, on_delete=models.PROTECT, related_name="versions",
                                verbose_name=_("section"))
    version = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=10, choices=ChangeKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("author"))
    role = models.CharField(_("role"), max_length=20)
    at = models.DateTimeField(_("when"), default=timezone.now)
    changes = models.JSONField(_("changes"), default=dict, blank=True, encoder=DjangoJSONEncoder,
                               help_text=_("Per changed field: the old and the new value."))
    content = models.JSONField(_("content afterwards"), encoder=DjangoJSONEncoder)
    reason = models.TextField(_("reason"), blank=True, max_length=REASON_MAX_LENGTH,
                              validators=[MaxLengthValidator(REASON_MAX_LENGTH)],
                              help_text=_("Why an addendum was added after signing."))

    objects = SectionVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("section version")
        verbose_name_plural = _("section versions")
        ordering = ["section", "version"]
        constraints = [
            models.UniqueConstraint(fields=["section", "version"], name="sectionversion_unique_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="sectionversion_from_one",
                                   violation_error_message=_("Versions start at 1.")),
            models.CheckConstraint(
                condition=~Q(kind="addendum") | ~Q(reason=""), name="sectionversion_addendum_has_reason",
                violation_error_message=_("An addendum needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.section} #{self.version} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("a section's history is immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("a section's history is immutable")


class AddendumManager(models.Manager.from_queryset(SectionVersionQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(kind=ChangeKind.ADDENDUM)


class Addendum(SectionVersion):
    """A change after signing, with its reason: kept beside the signed text, never replacing it."""

    objects = AddendumManager()

    class Meta:
        proxy = True
        verbose_name = _("addendum")
        verbose_name_plural = _("addenda")

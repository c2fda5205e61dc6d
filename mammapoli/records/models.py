"""Patients and their referrals. (The shared multidisciplinary form lives here too.)"""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from mammapoli.clinics.models import Clinic


class Sex(models.TextChoices):
    FEMALE = "F", _("female")
    MALE = "M", _("male")
    OTHER = "X", _("other")
    UNKNOWN = "U", _("unknown")


class Patient(models.Model):
    hospital_number = models.CharField(
        _("hospital number"), max_length=32, unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9-]+$", _("Letters, digits and dashes only."))],
    )
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    date_of_birth = models.DateField(
        _("date of birth"), null=True, blank=True,
        help_text=_("Unknown only for patients imported from an anonymous exchange file."),
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.FEMALE)

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        ordering = ["family_name", "given_name"]

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
    reason = models.TextField(_("reason for referral"), blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.REGULAR)
    suspicion = models.CharField(_("clinical suspicion"), max_length=10, choices=Suspicion.choices, default=Suspicion.LOW)
    biopsy_requested = models.BooleanField(_("biopsy requested"), default=False)
    received_on = models.DateField(_("received on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"{self.patient} — {self.get_complaint_display()} ({self.received_on})"

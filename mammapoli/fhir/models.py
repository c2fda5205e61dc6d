"""What came in over FHIR: each referral received, by the identifier its sender gave it.

The identifier makes receiving idempotent: a ServiceRequest sent again (an interface engine
retries, a GP presses send twice) finds its row and is not booked twice.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mammapoli.records.models import Referral


class ReceivedServiceRequest(models.Model):
    system = models.CharField(_("identifier system"), max_length=255)
    value = models.CharField(_("identifier value"), max_length=255)
    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="received_as",
                                    verbose_name=_("referral"))
    resource = models.JSONField(_("resource as received"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("received by"))

    class Meta:
        verbose_name = _("referral received over FHIR")
        verbose_name_plural = _("referrals received over FHIR")
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["system", "value"], name="receivedservicerequest_identifier")]

    def __str__(self) -> str:
        return f"{self.system}|{self.value}"

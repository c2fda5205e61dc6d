"""The letter to the referring GP: made once the conclusion is signed, kept as it was sent.

A letter is never changed: when the signed record changes (another section is signed, an
addendum is added) a new version is made that replaces the one before (`replaces`). Each
letter keeps its content (what both the PDF and the FHIR Composition are made from), the
versions of the sections it was made from (`basis`), and its PDF.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImmutableLetter(Exception):
    """A letter that was made is never changed."""


class GpLetter(models.Model):
    visit = models.ForeignKey("planning.Visit", on_delete=models.PROTECT, related_name="gp_letters",
                              verbose_name=_("visit"))
    version = models.PositiveIntegerField(_("version"))
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="replaced_by", verbose_name=_("replaces"))
    basis = models.JSONField(_("made from"), help_text=_("The version of each signed section it was made from."))
    basis_digest = models.CharField(_("digest of the basis"), max_length=64)
    content = models.JSONField(_("content"))
    pdf = models.BinaryField(_("PDF"))
    pages = models.PositiveSmallIntegerField(_("pages"))
    sha1 = models.CharField(_("SHA-1 (base64)"), max_length=28)
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)

    class Meta:
        verbose_name = _("letter to the GP")
        verbose_name_plural = _("letters to the GP")
        ordering = ["visit", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "version"], name="gpletter_unique_version"),
            models.UniqueConstraint(fields=["visit", "basis_digest"], name="gpletter_once_per_basis"),
        ]

    def __str__(self) -> str:
        return f"{self.visit} letter v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableLetter("a letter that was made is never changed")
        super().save(*args, **kwargs)

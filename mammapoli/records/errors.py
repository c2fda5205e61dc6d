"""Refusals of patient data: not found or forbidden (the access helpers), and why a change to
the form was refused. Nothing is written in any of these cases.

The API maps them to HTTP answers (428, 412, 409, 400); the pages show them. Each carries a
short `log_detail` for the access-log row of the refused attempt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from mammapoli.clinics.access import NotInYourClinics, RoleMayNot

if TYPE_CHECKING:
    from .models import FormSection


class PatientDataNotFound(NotInYourClinics):
    """No such patient (or visit, referral, letter), or not in one of the user's clinics: 404."""


class PatientDataForbidden(RoleMayNot):
    """A patient of the user's clinic, but this role may not do this with her data: 403."""


class FormChangeRefused(Exception):
    message = _("The change was refused.")

    @property
    def log_detail(self) -> str:
        return type(self).__name__


class VersionRequired(FormChangeRefused):
    """No version given: a change must say which version it was made on (HTTP If-Match)."""

    message = _("Say which version you changed: send the section's ETag in If-Match.")

    @property
    def log_detail(self) -> str:
        return "no version given"


class StaleVersion(FormChangeRefused):
    """Someone saved the section since the version the change was made on."""

    message = _("Someone else saved this section after you opened it.")

    def __init__(self, *, expected: int, current: FormSection):
        super().__init__(f"expected version {expected}, current {current.version}")
        self.expected = expected
        self.current = current

    @property
    def log_detail(self) -> str:
        return f"stale version {self.expected}, current {self.current.version}"


class SectionSigned(FormChangeRefused):
    message = _("This section is signed: add an addendum with a reason instead.")

    @property
    def log_detail(self) -> str:
        return "section is signed"


class SectionNotSigned(FormChangeRefused):
    message = _("This section is not signed yet: change it directly.")

    @property
    def log_detail(self) -> str:
        return "section is not signed"


class NothingToSign(FormChangeRefused):
    message = _("Nothing has been written in this section yet.")

    @property
    def log_detail(self) -> str:
        return "nothing to sign"


class ContentInvalid(FormChangeRefused):
    """The change does not fit the section's schema. `errors` names each field, nested as the content."""

    message = _("Please correct the errors below.")

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors

    @property
    def log_detail(self) -> str:
        return "invalid: " + ", ".join(sorted(self.errors))

"""The four sections of the shared form and which role writes each.

Everyone in the visit's clinic team who reads findings reads every section; each section
has one writing role (the surgeon writes two: the clinical examination and the conclusion).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from mammapoli.clinics.models import Role


class SectionKey(models.TextChoices):
    CLINICAL = "clinical", _("Clinical examination")
    IMAGING = "imaging", _("Imaging")
    PATHOLOGY = "pathology", _("Pathology")
    CONCLUSION = "conclusion", _("Conclusion")


#: The role that writes (edits, signs, adds addenda to) each section.
SECTION_WRITERS: dict[str, str] = {
    SectionKey.CLINICAL: Role.SURGEON,
    SectionKey.IMAGING: Role.RADIOLOGIST,
    SectionKey.PATHOLOGY: Role.PATHOLOGIST,
    SectionKey.CONCLUSION: Role.SURGEON,
}

SECTION_KEYS: tuple[str, ...] = tuple(SectionKey.values)


def may_write_section(role: str, section: str) -> bool:
    return SECTION_WRITERS.get(section) == role


def sections_written_by(role: str) -> list[str]:
    return [key for key in SECTION_KEYS if SECTION_WRITERS[key] == role]

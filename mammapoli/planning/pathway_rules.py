"""Which pathway a referral suggests. The planner can always choose another.

Rules, first match wins (a rule whose pathway the clinic does not run is skipped):
1. the referral asks for a biopsy             -> core biopsy pathway (`core`)
2. the patient is under 30                    -> ultrasound only (`ultrasound-only`; no
   mammography in young, dense breasts; a biopsy can still be decided during ultrasound)
3. a palpable lump                            -> cytology pathway (`fna`)
4. otherwise                                  -> mammography and ultrasound (`imaging`)
The pathway codes are those of the shared exchange format's standard pathways.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from mammapoli.clinics.models import Pathway
from mammapoli.records.models import Complaint, Referral

YOUNG_AGE = 30


@dataclass(frozen=True)
class PathwaySuggestion:
    pathway: Pathway
    rule: str
    reason: str


def _rules(referral: Referral, patient_age: int | None) -> list[tuple[str, str, str]]:
    """(rule, pathway code, reason) that apply, in order."""
    rules = []
    if referral.biopsy_requested:
        rules.append(("biopsy_requested", "core", _("The referral asks for a biopsy.")))
    if patient_age is not None and patient_age < YOUNG_AGE:
        rules.append(("young", "ultrasound-only",
                      _("The patient is under %(age)d: ultrasound first, no mammography.") % {"age": YOUNG_AGE}))
    if referral.complaint == Complaint.PALPABLE_LUMP:
        rules.append(("palpable_lump", "fna", _("A palpable lump: ultrasound-guided cytology (FNA).")))
    rules.append(("default", "imaging", _("Mammography and ultrasound.")))
    return rules


def pathway_suggest(*, referral: Referral, patient_age: int | None) -> PathwaySuggestion | None:
    """The suggested pathway for `referral`, or None when the clinic runs no pathway at all."""
    pathways = {p.code: p for p in Pathway.objects.filter(clinic_id=referral.clinic_id, active=True)}
    for rule, code, reason in _rules(referral, patient_age):
        if code in pathways:
            return PathwaySuggestion(pathways[code], rule, reason)
    first = min(pathways.values(), key=lambda p: p.code, default=None)
    if first is None:
        return None
    return PathwaySuggestion(first, "only", _("The clinic's pathway %(name)s.") % {"name": first})

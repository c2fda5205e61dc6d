"""What the letter to the GP says, in plain Dutch, from the signed sections only.

The content is a plain dict (kept with the letter): the PDF and the FHIR Composition are both
made from it, so the two always say the same. It is written in Dutch whatever the language of
the person who signed: the letter goes to a Dutch GP.
"""

import datetime as dt
import hashlib
import json

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from mammapoli.planning.models import Visit
from mammapoli.records.content import Outcome, Plan
from mammapoli.records.models import ChangeKind, FormSection, SectionVersion
from mammapoli.records.scoring import concordance_of, score_label
from mammapoli.records.sections import SectionKey

LETTER_LANGUAGE = "nl"

#: The scores of each component of the triple assessment, in the order the letter gives them.
COMPONENTS = (
    (SectionKey.CLINICAL, ("p_score",)),
    (SectionKey.IMAGING, ("birads", "m_score", "u_score")),
    (SectionKey.PATHOLOGY, ("c_score", "b_score")),
)


def signed_sections(visit: Visit) -> dict[str, FormSection]:
    return {section.key: section for section in FormSection.objects.filter(
        form__visit=visit, signed_version__isnull=False).select_related("signed_by")}


def letter_basis(sections: dict[str, FormSection]) -> dict[str, int]:
    """The version of each signed section: a letter is made once per basis."""
    return {key: section.version for key, section in sorted(sections.items())}


def basis_digest(basis: dict[str, int]) -> str:
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _when(value: dt.datetime) -> str:
    local = timezone.localtime(value)
    return _("%(date)s at %(time)s") % {"date": formats.date_format(local, "j F Y"), "time": local.strftime("%H:%M")}


def _component_titles() -> dict[str, str]:
    return {SectionKey.CLINICAL: _("Clinical examination"), SectionKey.IMAGING: _("Imaging (mammography and "
            "ultrasound)"), SectionKey.PATHOLOGY: _("Pathology (needle biopsy)")}


def _component(key: str, fields: tuple[str, ...], sections: dict[str, FormSection], biopsy_taken: bool) -> dict:
    title = _component_titles()[key]
    section = sections.get(key)
    if section is None:
        if key == SectionKey.PATHOLOGY and not biopsy_taken:
            return {"key": key, "title": title, "scores": [], "text": _("No biopsy was taken.")}
        return {"key": key, "title": title, "scores": [],
                "text": _("Not signed yet: this result follows in a later letter.")}
    scores = [score_label(field, section.content[field]) for field in fields if section.content.get(field) is not None]
    signed = _("Signed by %(name)s on %(when)s.") % {"name": _name(section.signed_by), "when": _when(section.signed_at)}
    return {"key": key, "title": title, "scores": scores,
            "text": signed if scores else f"{_('No score was given.')} {signed}"}


def _told(conclusion: FormSection) -> str:
    told_at = conclusion.content.get("told_at")
    if not told_at:
        return _("It has not been recorded when the patient was told the result.")
    versions = SectionVersion.objects.filter(section=conclusion).exclude(kind=ChangeKind.SIGN).select_related(
        "author").order_by("-version")
    teller = next((v.author for v in versions if v.changes.get("told_at", {}).get("new") == told_at), None)
    when = _when(dt.datetime.fromisoformat(told_at.replace("Z", "+00:00")))
    if teller is None:
        return _("The patient was told the result on %(when)s.") % {"when": when}
    return _("%(name)s told the patient the result on %(when)s.") % {"name": _name(teller), "when": when}


def letter_content(visit: Visit, sections: dict[str, FormSection]) -> dict:
    """The letter for `visit` (its conclusion signed), from its signed `sections`."""
    conclusion = sections[SectionKey.CONCLUSION]
    patient, referral = visit.patient, visit.referral
    imaging = sections.get(SectionKey.IMAGING)
    biopsy_taken = bool(imaging and imaging.content.get("biopsies"))
    with translation.override(LETTER_LANGUAGE):
        verdict = concordance_of({key: section.content for key, section in sections.items()})
        outcome, plan = conclusion.content.get("outcome"), conclusion.content.get("plan")
        return {
            "language": LETTER_LANGUAGE,
            "clinic": str(visit.session.clinic),
            "title": _("Result of the breast clinic"),
            "to": referral.referring_gp if referral else _("the general practitioner"),
            "salutation": _("Dear colleague,"),
            "patient": {"name": patient.full_name, "hospital_number": patient.hospital_number,
                        "born": formats.date_format(patient.date_of_birth, "j F Y") if patient.date_of_birth else ""},
            "visit_date": formats.date_format(visit.session.date, "l j F Y"),
            "opening": _("On %(date)s we saw your patient %(name)s at the breast clinic, where she had the "
                         "examination, the imaging and, where needed, the needle biopsy in one morning. "
                         "Below you find the outcome of this triple assessment.") % {
                "date": formats.date_format(visit.session.date, "j F Y"), "name": patient.full_name},
            "components": [_component(key, fields, sections, biopsy_taken) for key, fields in COMPONENTS],
            "assessment": _("Triple assessment: %(state)s.") % {"state": verdict.state_label},
            "reasons": list(verdict.reasons),
            "outcome": str(Outcome(outcome).label) if outcome else _("not given"),
            "plan": str(Plan(plan).label) if plan else _("not given"),
            "plan_notes": conclusion.content.get("plan_notes", ""),
            "told": _told(conclusion),
            "signed": _("Signed by %(name)s, surgeon, on %(when)s.") % {
                "name": _name(conclusion.signed_by), "when": _when(conclusion.signed_at)},
            "signed_by": _name(conclusion.signed_by),
            "closing": _("With kind regards,"),
        }

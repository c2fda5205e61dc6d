"""DiagnosticReport and Observation: the signed part of the shared form, and nothing else.

A section is released once its author has signed it (with its addenda: the content as it
stands). One Observation per score entered in a signed section (P, BI-RADS, M, U, C, B) and
one for the concordance, computed (records.scoring) from the signed sections only, so an
unsigned score never shows through it. The report holds them as its results, with the
surgeon's conclusion once the conclusion is signed.
"""

from dataclasses import dataclass

from django.utils import translation
from fhir.resources.R4B.diagnosticreport import DiagnosticReport
from fhir.resources.R4B.observation import Observation

from mammapoli.planning.models import Visit
from mammapoli.records.content import Outcome, Plan, Specimen
from mammapoli.records.models import FormSection
from mammapoli.records.scoring import BadgeState, concordance_of, score_label
from mammapoli.records.sections import SectionKey

from .. import codes
from .common import concept, coding, local, own_coding, patient_reference, person_reference


@dataclass(frozen=True)
class Released:
    """A visit's signed sections (`signed_by` loaded) and which of them have addenda."""

    visit: Visit
    sections: dict[str, FormSection]
    amended: frozenset[str]
    letter_id: int | None = None

    def content(self, key: str) -> dict | None:
        section = self.sections.get(key)
        return section.content if section else None


def observation_id(visit_id: int, code: str) -> str:
    return f"{visit_id}-{code}"


def _english(field: str, value) -> str:
    with translation.override("en"):
        return score_label(field, value)


def _score_value(field: str, value) -> dict:
    _code, _display, _section, _category, value_system = codes.SCORE_OBSERVATIONS[field]
    codings = [own_coding(value_system, codes.score_value_code(field, value), _english(field, value))]
    if field == "birads" and value in codes.BIRADS_SNOMED:
        codings.append(coding(codes.SNOMED, *codes.BIRADS_SNOMED[value]))
    return concept(*codings, text=_english(field, value))


def _observation(released: Released, key: str, *, code: dict, value: dict, category: str | None,
                 status: str, performer, issued, note=None, derived=None) -> Observation:
    visit = released.visit
    return Observation(
        id=observation_id(visit.pk, key),
        status=status,
        category=[concept(coding(codes.OBSERVATION_CATEGORY, category))] if category else None,
        code=code,
        subject=patient_reference(visit.patient),
        effectiveDateTime=visit.session.date,
        issued=local(issued),
        performer=performer,
        valueCodeableConcept=value,
        note=note,
        derivedFrom=derived,
        basedOn=[{"reference": f"ServiceRequest/{visit.referral_id}"}] if visit.referral_id else None,
    )


def score_observations(released: Released) -> list[Observation]:
    found = []
    for field, (code, display, section_key, category, _system) in codes.SCORE_OBSERVATIONS.items():
        section = released.sections.get(section_key)
        if section is None or section.content.get(field) is None:
            continue
        codings = [own_coding("observation", code, display)]
        if field == "birads":
            codings.insert(0, coding(codes.SNOMED, *codes.BIRADS_OBSERVABLE_SNOMED))
        found.append(_observation(
            released, code, code=concept(*codings, text=display), value=_score_value(field, section.content[field]),
            category=category, status="amended" if section_key in released.amended else "final",
            performer=[person_reference(section.signed_by)], issued=section.signed_at))
    return found


def concordance_observation(released: Released, scores: list[Observation]) -> Observation | None:
    if not scores:
        return None
    verdict = concordance_of({key: section.content for key, section in released.sections.items()})
    code, display = codes.CONCORDANCE_OBSERVATION
    with translation.override("en"):
        label = str(BadgeState(verdict.state).label)
    return _observation(
        released, code, code=concept(own_coding("observation", code, display), text=display),
        value=concept(own_coding("concordance", verdict.state, label), text=label), category=None,
        status="final" if verdict.complete else "preliminary",
        performer=[{"display": "Mammapoli (computed from the signed sections)"}],
        issued=max(section.signed_at for section in released.sections.values()),
        note=[{"text": reason} for reason in verdict.reasons] or None,
        derived=[{"reference": f"Observation/{o.id}"} for o in scores])


def observations_of(released: Released) -> list[Observation]:
    scores = score_observations(released)
    verdict = concordance_observation(released, scores)
    return scores + ([verdict] if verdict else [])


def _categories(released: Released) -> list[dict]:
    found = []
    if "imaging" in released.sections:
        found.append(concept(coding(codes.V2_0074, *codes.SECTION_CATEGORY["imaging"])))
    pathology = released.content("pathology")
    if pathology is not None:
        specimens = pathology.get("specimens") or []
        if Specimen.CORE in specimens or not specimens:
            found.append(concept(coding(codes.V2_0074, *codes.SECTION_CATEGORY["pathology"])))
        if Specimen.CYTOLOGY in specimens:
            found.append(concept(coding(codes.V2_0074, *codes.CYTOPATHOLOGY)))
    return found


def _status(released: Released) -> str:
    if not released.sections:
        return "registered"
    if len(released.sections) < len(SectionKey.values):
        return "partial"
    return "amended" if released.amended else "final"


def _conclusion(released: Released) -> tuple[str | None, list[dict] | None]:
    content = released.content(SectionKey.CONCLUSION)
    if not content:
        return None, None
    with translation.override("en"):
        parts = [str(Outcome(content["outcome"]).label).capitalize() if content.get("outcome") else "",
                 f"Plan: {Plan(content['plan']).label}." if content.get("plan") else "", content.get("plan_notes", "")]
    text = " ".join(part.strip() for part in parts if part and part.strip()) or None
    outcome = content.get("outcome")
    return text, [concept(own_coding(codes.OUTCOME_SYSTEM_NAME, outcome))] if outcome else None


def diagnostic_report_of(released: Released, observations: list[Observation]) -> DiagnosticReport:
    visit = released.visit
    system, code, display = codes.REPORT_CODE
    conclusion, conclusion_codes = _conclusion(released)
    signers = {section.signed_by_id: section.signed_by for section in released.sections.values()}
    issued = max((section.signed_at for section in released.sections.values()), default=None)
    return DiagnosticReport(
        id=str(visit.pk),
        identifier=[{"system": codes.visit_system(),
                     "value": f"{visit.session.clinic.name}/{visit.session.date.isoformat()}/{visit.code}"}],
        basedOn=[{"reference": f"ServiceRequest/{visit.referral_id}"}] if visit.referral_id else None,
        status=_status(released),
        category=_categories(released) or None,
        code=concept(own_coding(system, code, display), text=display),
        subject=patient_reference(visit.patient),
        effectiveDateTime=visit.session.date,
        issued=local(issued) if issued else None,
        performer=[person_reference(user) for user in signers.values()] or None,
        result=[{"reference": f"Observation/{o.id}", "display": o.code.text} for o in observations] or None,
        conclusion=conclusion,
        conclusionCode=conclusion_codes,
        presentedForm=[{"contentType": "application/pdf", "url": f"Binary/{released.letter_id}",
                        "title": "Letter to the referring GP"}] if released.letter_id else None,
    )

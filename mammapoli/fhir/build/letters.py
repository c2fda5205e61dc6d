"""The GP's letter as FHIR: a DocumentReference to its PDF (a Binary), and the Composition
with the same text in sections. Both from the letter's stored content, so they say what the
PDF says."""

import base64

from django.utils.html import escape
from fhir.resources.R4B.binary import Binary
from fhir.resources.R4B.composition import Composition
from fhir.resources.R4B.documentreference import DocumentReference

from mammapoli.letters.models import GpLetter

from .. import codes
from .common import coding, concept, local, patient_reference


def _type() -> dict:
    return concept(coding(codes.LOINC, *codes.CONSULT_NOTE_LOINC))


def _narrative(*paragraphs: str) -> dict:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs if p)
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'}


def document_reference_of(letter: GpLetter) -> DocumentReference:
    visit, content = letter.visit, letter.content
    return DocumentReference(
        id=str(letter.pk),
        masterIdentifier={"system": codes.own("NamingSystem", "gp-letter"), "value": f"{visit.pk}-{letter.version}"},
        status="superseded" if hasattr(letter, "replaced_by") else "current",
        docStatus="final",
        type=_type(),
        subject=patient_reference(visit.patient),
        date=local(letter.created_at),
        author=[{"display": content["signed_by"]}],
        authenticator={"display": content["signed_by"]},
        custodian={"display": content["clinic"]},
        relatesTo=[{"code": "replaces", "target": {"reference": f"DocumentReference/{letter.replaces_id}"}}]
        if letter.replaces_id else None,
        description=f"{content['title']} — {content['patient']['name']}",
        content=[
            {"attachment": {"contentType": "application/pdf", "language": content["language"],
                            "url": f"Binary/{letter.pk}", "size": len(letter.pdf), "hash": letter.sha1,
                            "title": content["title"], "creation": local(letter.created_at)}},
            {"attachment": {"contentType": "application/fhir+json", "url": f"Composition/{letter.pk}",
                            "title": content["title"]}},
        ],
        context={"related": [{"reference": f"DiagnosticReport/{visit.pk}"}]
                 + ([{"reference": f"ServiceRequest/{visit.referral_id}"}] if visit.referral_id else [])},
    )


def composition_of(letter: GpLetter) -> Composition:
    visit, content = letter.visit, letter.content
    sections = [{"title": component["title"], "text": _narrative(", ".join(component["scores"]), component["text"])}
                for component in content["components"]]
    sections.append({"title": content["assessment"], "text": _narrative(content["assessment"], *content["reasons"])})
    sections.append({"title": content["plan"], "text": _narrative(
        f"{content['outcome']} — {content['plan']}", content["plan_notes"], content["told"], content["signed"])})
    return Composition(
        id=str(letter.pk),
        language=content["language"],
        status="final" if not letter.replaces_id else "amended",
        type=_type(),
        subject=patient_reference(visit.patient),
        date=local(letter.created_at),
        author=[{"display": content["signed_by"]}],
        title=content["title"],
        attester=[{"mode": "legal", "party": {"display": content["signed_by"]}}],
        custodian={"display": content["clinic"]},
        relatesTo=[{"code": "replaces", "targetReference": {"reference": f"Composition/{letter.replaces_id}"}}]
        if letter.replaces_id else None,
        text=_narrative(content["salutation"], content["opening"], content["closing"], content["signed_by"]),
        section=sections,
    )


def binary_of(letter: GpLetter) -> Binary:
    return Binary(id=str(letter.pk), contentType="application/pdf", data=base64.b64encode(bytes(letter.pdf)).decode())

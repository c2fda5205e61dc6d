"""Pieces every resource uses: references, codings, the searchset Bundle."""

import datetime as dt

from django.conf import settings
from django.utils import timezone, translation
from fhir.resources.R4B.bundle import Bundle

from mammapoli.records.models import Patient

from .. import codes


def coding(system: str, code: str, display: str | None = None) -> dict:
    return {"system": system, "code": code, **({"display": display} if display else {})}


def own_coding(code_system: str, code: str, display: str | None = None) -> dict:
    return coding(codes.own("CodeSystem", code_system), code, display)


def concept(*codings: dict, text: str | None = None) -> dict:
    return {"coding": list(codings), **({"text": text} if text else {})}


def patient_reference(patient: Patient) -> dict:
    return {"reference": f"Patient/{patient.pk}", "display": patient.full_name,
            "identifier": {"system": codes.hospital_number_system(), "value": patient.hospital_number}}


def person_reference(user) -> dict:
    """A member of staff: her name (users are not served as Practitioner resources)."""
    return {"type": "Practitioner", "display": user.get_full_name() or user.get_username()}


def local(value: dt.datetime) -> dt.datetime:
    """An aware datetime in the clinic's time zone (what the wire shows: +01:00, not Z)."""
    return timezone.localtime(value)


def searchset(resources: list, *, self_url: str, base_url: str, outcome=None) -> Bundle:
    entries = [{"fullUrl": f"{base_url}{r.get_resource_type()}/{r.id}", "resource": r, "search": {"mode": "match"}}
               for r in resources]
    if outcome is not None:
        entries.append({"resource": outcome, "search": {"mode": "outcome"}})
    return Bundle(type="searchset", total=len(resources), link=[{"relation": "self", "url": self_url}],
                  entry=entries or None)


def fhir_version() -> str:
    return "4.3.0"  # R4B: the models the resources are built and validated with


def software_version() -> str:
    return getattr(settings, "SPECTACULAR_SETTINGS", {}).get("VERSION", "1")


def english(label) -> str:
    """A label of ours (lazy, translated) as a code's display: displays are in English."""
    with translation.override("en"):
        return str(label)

"""Schedule, Slot and the proposed Appointments of `$find`.

A clinic is one Schedule; each of its working mornings is one Slot (the morning's hours;
"busy-unavailable" when nobody works that morning). Whether a given pathway still fits a
morning is the booking engine's answer, and `$find` gives it: the earliest mornings where it
fits without moving anyone, each as a proposed Appointment at the arrival the engine found.
"""

import datetime as dt

from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.schedule import Schedule
from fhir.resources.R4B.slot import Slot

from mammapoli.clinics.models import Clinic, Pathway
from mammapoli.planning.booking_search import MorningTry
from mammapoli.planning.clock import aware, clock
from scheduler import Problem

from .. import codes
from ..outcome import Issue, outcome_of
from .common import coding, concept


def clinic_reference(clinic: Clinic) -> dict:
    return {"identifier": {"system": codes.clinic_system(), "value": clinic.name}, "display": str(clinic)}


def pathway_concept(pathway: Pathway) -> dict:
    return concept(coding(codes.pathway_system(), pathway.code, pathway.name or pathway.code))


def schedule_of(clinic: Clinic, pathways: list[Pathway], horizon: tuple[dt.date, dt.date]) -> Schedule:
    start, end = horizon
    return Schedule(
        id=str(clinic.pk),
        identifier=[{"system": codes.clinic_system(), "value": clinic.name}],
        active=True,
        serviceType=[pathway_concept(p) for p in pathways] or None,
        actor=[clinic_reference(clinic)],
        planningHorizon={"start": aware(start, clinic.default_start), "end": aware(end, clinic.default_end)},
        comment="The clinic's mornings: one Slot each. Appointment/$find gives the mornings a pathway fits.",
    )


def slot_id(clinic: Clinic, day: dt.date) -> str:
    return f"{clinic.pk}-{day.isoformat()}"


def slot_of(clinic: Clinic, morning: Problem) -> Slot:
    """One morning (the booking search's own `Problem`) as a Slot."""
    day = dt.date.fromisoformat(morning.date)
    staffed = any(resource.available for resource in morning.resources)
    start, end = morning.window
    return Slot(
        id=slot_id(clinic, day),
        schedule={"reference": f"Schedule/{clinic.pk}"},
        status="free" if staffed else "busy-unavailable",
        start=aware(day, clock(start)),
        end=aware(day, clock(end)),
        comment=f"{len(morning.patients)} visits booked" if staffed else "Nobody works this morning.",
    )


def proposed_appointment_of(clinic: Clinic, pathway: Pathway, fit: MorningTry, *, within_target: bool) -> Appointment:
    """A morning the booking search found, as an Appointment to propose (nothing is booked)."""
    placement = fit.placement
    return Appointment(
        id=f"{clinic.pk}-{fit.day.isoformat()}-{pathway.pk}",
        status="proposed",
        serviceType=[pathway_concept(pathway)],
        start=aware(fit.day, clock(placement.arrival)),
        end=aware(fit.day, clock(placement.departure)),
        minutesDuration=placement.departure - placement.arrival,
        slot=[{"reference": f"Slot/{slot_id(clinic, fit.day)}"}],
        comment=None if within_target else "Not within the urgency target: the first morning that fits.",
        participant=[{"actor": clinic_reference(clinic), "required": "required", "status": "needs-action"}],
    )


def proposals_of(clinic: Clinic, pathway: Pathway, found) -> tuple[list[Appointment], OperationOutcome | None]:
    """`$find`'s answer: the mornings within the target; else the first that fits, with a warning."""
    proposals = [proposed_appointment_of(clinic, pathway, fit, within_target=True) for fit in found.within]
    if proposals:
        return proposals, None
    message = (f"No morning within the target ({found.target.isoformat()}) takes this pathway"
               + ("; the first that does is proposed." if found.first_after else "; none in the horizon."))
    if found.first_after:
        proposals.append(proposed_appointment_of(clinic, pathway, found.first_after, within_target=False))
    return proposals, outcome_of([Issue("", message, "informational", "warning")])

"""Appointment: a booked visit, its steps as the participants who take part in them.

One Appointment per visit: start and end are her first step's start and her last step's end
(the morning's window while nothing is planned). Every person, room and device of every step
is a participant with that step's period and the step as its type; a step under way or done
shows what really happened (its actual times and resources), as on the board. The status
follows the board's (codes.APPOINTMENT_STATUS).
"""

import datetime as dt

from fhir.resources.R4B.appointment import Appointment

from mammapoli.planning.clock import aware
from mammapoli.planning.models import AllocationPhase, Visit, VisitStatus, VisitStep

from .. import codes
from .common import coding, concept, english, local, own_coding, patient_reference


def _step_period(visit_step: VisitStep) -> tuple[dt.datetime | None, dt.datetime | None, str]:
    """(start, end, phase) of a step: what happened once it started, else the plan."""
    if visit_step.actual_start is not None:
        return visit_step.actual_start, visit_step.actual_end, AllocationPhase.ACTUAL
    return visit_step.planned_start, visit_step.planned_end, AllocationPhase.PLANNED


def _participant(visit: Visit, visit_step: VisitStep, resource, start, end) -> dict:
    category = resource.kind.category
    participation, participation_display = codes.PARTICIPATION_BY_CATEGORY[category]
    step = visit_step.step
    period = {**({"start": local(start)} if start else {}), **({"end": local(end)} if end else {})}
    return {
        "type": [concept(coding(codes.V3_PARTICIPATION_TYPE, participation, participation_display)),
                 concept(coding(codes.pathway_step_system(), step.code, step.name or step.code),
                         text=step.name or step.code)],
        "actor": {"type": codes.ACTOR_TYPE_BY_CATEGORY[category],
                  "identifier": {"system": codes.resource_system(), "value": f"{visit.session.clinic.name}/{resource.code}"},
                  "display": resource.name or resource.code},
        "required": "required",
        "status": "accepted",
        **({"period": period} if period else {}),
    }


def appointment_of(visit: Visit) -> Appointment:
    """`visit` with `steps__step`, `steps__allocations__resource__kind` and `session__clinic` loaded."""
    session = visit.session
    participants = [{"actor": patient_reference(visit.patient), "required": "required", "status": "accepted"}]
    starts, ends = [], []
    for visit_step in sorted(visit.steps.all(), key=lambda s: (s.step.position, s.step_id)):
        start, end, phase = _step_period(visit_step)
        starts += [start] if start else []
        ends += [end] if end else []
        for allocation in sorted((a for a in visit_step.allocations.all() if a.phase == phase),
                                 key=lambda a: a.position):
            participants.append(_participant(visit, visit_step, allocation.resource, start, end))
    start = min(starts, default=aware(session.date, session.start))
    end = max(ends, default=None) or aware(session.date, session.end)
    end = max(end, start + dt.timedelta(minutes=1))
    status = codes.APPOINTMENT_STATUS[visit.status]
    pathway = visit.pathway
    return Appointment(
        id=str(visit.pk),
        identifier=[{"system": codes.visit_system(),
                     "value": f"{session.clinic.name}/{session.date.isoformat()}/{visit.code}"}],
        status=status,
        cancelationReason=concept(own_coding("visit-status", visit.status), text=english(VisitStatus(visit.status).label))
        if status in ("cancelled", "noshow") else None,
        serviceType=[concept(coding(codes.pathway_system(), pathway.code, pathway.name or pathway.code))],
        description=f"{session.clinic} — {pathway.name or pathway.code}",
        start=local(start),
        end=local(end),
        minutesDuration=max(1, int((end - start).total_seconds() // 60)),
        slot=[{"reference": f"Slot/{session.clinic_id}-{session.date.isoformat()}"}],
        created=local(visit.created_at),
        comment=english(VisitStatus.LEFT.label) if visit.status == VisitStatus.LEFT else None,
        basedOn=[{"reference": f"ServiceRequest/{visit.referral_id}"}] if visit.referral_id else None,
        participant=participants,
    )

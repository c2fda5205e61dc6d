"""The one adapter between the database and the engine's exchange format.

`mammapoli-morning/1` speaks clinic-local "HH:MM" on the session's date; the database
speaks aware datetimes. Every conversion between the two lives here.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from mammapoli.clinics.availability import available_on
from mammapoli.clinics.models import Pathway, Resource

from .models import ACTIVE_VISIT_STATUSES, AllocationPhase, ClinicSession, Visit, VisitStep

MORNING_FORMAT = "mammapoli-morning/1"
PLAN_FORMAT = "mammapoli-plan/1"


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def hhmm(value: dt.time | dt.datetime) -> str:
    """An aware datetime (in clinic-local time) or a time as "HH:MM"."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value, clinic_zone()).time()
    return value.strftime("%H:%M")


def parse_hhmm(text: str) -> dt.time:
    return dt.datetime.strptime(text, "%H:%M").time()


def aware(day: dt.date, text_or_time: str | dt.time) -> dt.datetime:
    """Clinic-local "HH:MM" (or a time) on `day` as an aware datetime."""
    clock = parse_hhmm(text_or_time) if isinstance(text_or_time, str) else text_or_time
    return dt.datetime.combine(day, clock, tzinfo=clinic_zone())


def _pathways_json(clinic_id: int) -> dict:
    pathways = (
        Pathway.objects.filter(clinic_id=clinic_id, active=True)
        .prefetch_related("steps__needs__kind", "steps__predecessors__after", "steps__same_as__kind",
                          "steps__same_as__other")
        .order_by("id")
    )
    result = {}
    for pathway in pathways:
        steps = []
        for step in pathway.steps.all():
            entry = {"id": step.code, "duration": step.duration,
                     "needs": [need.kind.code for need in step.needs.all()]}
            after = []
            for link in step.predecessors.all():
                lag = {"step": link.after.code}
                if link.min_lag:
                    lag["min"] = link.min_lag
                if link.max_lag is not None:
                    lag["max"] = link.max_lag
                after.append(lag)
            if after:
                entry["after"] = after
            same_as = {rule.kind.code: rule.other.code for rule in step.same_as.all()}
            if same_as:
                entry["same_as"] = same_as
            steps.append(entry)
        result[pathway.code] = {"steps": steps}
    return result


def _allocation_codes(visit_step: VisitStep, phase: str) -> list[str]:
    return [a.resource.code for a in visit_step.allocations.all() if a.phase == phase]


def planned_visits(session: ClinicSession):
    """The visits that take part in the morning's plan, with everything the export reads."""
    return (
        Visit.objects.filter(session=session, status__in=ACTIVE_VISIT_STATUSES)
        .select_related("pathway")
        .prefetch_related(Prefetch("steps", queryset=VisitStep.objects.select_related("step")
                                   .prefetch_related("allocations__resource")))
        .order_by("id")
    )


def session_to_morning(session: ClinicSession) -> dict:
    """The session as a `mammapoli-morning/1` instance (defaults left out)."""
    window = (session.start, session.end)
    resources = (
        Resource.objects.filter(clinic_id=session.clinic_id, active=True)
        .select_related("kind").prefetch_related("weekly_availability", "availability_exceptions")
        .order_by("id")
    )
    morning: dict = {
        "format": MORNING_FORMAT,
        "name": session.clinic.name,
        "date": session.date.isoformat(),
        "window": {"start": hhmm(session.start), "end": hhmm(session.end)},
    }
    if session.state_at is not None:
        morning["now"] = hhmm(session.state_at)
    morning["resources"] = [
        {"id": r.code, "kind": r.kind.code,
         "available": [[hhmm(s), hhmm(e)] for s, e in available_on(r, session.date, window)]}
        for r in resources
    ]
    morning["pathways"] = _pathways_json(session.clinic_id)
    patients, fixed, reference = [], [], []
    for visit in planned_visits(session):
        entry: dict = {"id": visit.code, "pathway": visit.pathway.code}
        if visit.earliest is not None:
            entry["earliest"] = hhmm(visit.earliest)
        if visit.latest is not None:
            entry["latest"] = hhmm(visit.latest)
        if visit.priority != 1:
            entry["priority"] = visit.priority
        extra = {vs.step.code: vs.extra_minutes for vs in visit.steps.all() if vs.extra_minutes}
        if extra:
            entry["extra"] = extra
        patients.append(entry)
        for vs in visit.steps.all():
            if vs.actual_start is not None:
                done = {"patient": visit.code, "step": vs.step.code, "start": hhmm(vs.actual_start),
                        "resources": _allocation_codes(vs, AllocationPhase.ACTUAL)}
                if vs.actual_end is not None:
                    done["end"] = hhmm(vs.actual_end)
                fixed.append(done)
            if vs.planned_start is not None:
                reference.append({"patient": visit.code, "step": vs.step.code, "start": hhmm(vs.planned_start),
                                  "end": hhmm(vs.planned_end),
                                  "resources": _allocation_codes(vs, AllocationPhase.PLANNED)})
    morning["patients"] = patients
    if fixed:
        morning["fixed"] = fixed
    if reference:
        morning["reference"] = reference
    return morning

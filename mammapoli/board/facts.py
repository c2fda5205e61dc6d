"""The morning as plain data, in clinic-local minutes since midnight of the session's date.

This module is the one place where database rows and aware datetimes become minutes; the
chart, the board and the figures are pure functions of `MorningFacts`.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from mammapoli.clinics.availability import available_on
from mammapoli.clinics.models import Resource
from mammapoli.planning.clock import clinic_zone, minutes_on
from mammapoli.planning.models import AllocationPhase, ClinicSession, Visit

Span = tuple[int, int]

# Step families: the chart's colours and the board's rules (lab steps, the result consult).
EXAM, MAMMO, US, BIOPSY, LAB, RESULT, OTHER = "exam", "mammo", "us", "biopsy", "lab", "result", "other"
FAMILIES = (EXAM, MAMMO, US, BIOPSY, LAB, RESULT, OTHER)
_FAMILY_BY_CODE = {
    "exam": EXAM, "consult": EXAM, "intake": EXAM,
    "mammo": MAMMO, "tomo": MAMMO,
    "us": US, "echo": US, "ultrasound": US,
    "fna": BIOPSY, "core": BIOPSY, "biopsy": BIOPSY, "vab": BIOPSY,
    "cytology": LAB, "histology": LAB, "pathology": LAB,
    "result": RESULT,
}

# Resource groups of the day view, in display order.
SURGEONS, RADIOLOGISTS, PATHOLOGISTS, RADIOGRAPHERS, NURSES, OTHER_STAFF, ROOMS, DEVICES = (
    "surgeons", "radiologists", "pathologists", "radiographers", "nurses", "other_staff", "rooms", "devices")
GROUPS = (SURGEONS, RADIOLOGISTS, PATHOLOGISTS, RADIOGRAPHERS, NURSES, OTHER_STAFF, ROOMS, DEVICES)
_GROUP_BY_KIND = {"surgeon": SURGEONS, "radiologist": RADIOLOGISTS, "pathologist": PATHOLOGISTS,
                  "radiographer": RADIOGRAPHERS, "nurse": NURSES}
_GROUP_BY_CATEGORY = {"room": ROOMS, "device": DEVICES}


def step_family(code: str) -> str:
    """`fna` → biopsy; also `core-2`, `mammo_tomo`: the part before the first dash or underscore."""
    head = code.lower().replace("_", "-").split("-")[0]
    return _FAMILY_BY_CODE.get(head, OTHER)


def resource_group(kind_code: str, category: str) -> str:
    return _GROUP_BY_CATEGORY.get(category) or _GROUP_BY_KIND.get(kind_code, OTHER_STAFF)




def morning_now(day: dt.date, state_at: dt.time | None, clock: dt.datetime) -> int | None:
    """'Now' on the morning's axis: the wall clock on the day itself (never before the recorded
    state), the recorded state (`state_at`) on another day, otherwise none."""
    recorded = minutes_on(state_at, day) if state_at is not None else None
    if timezone.localtime(clock, clinic_zone()).date() == day:
        wall = minutes_on(clock, day)
        return wall if recorded is None else max(wall, recorded)
    return recorded


@dataclass(frozen=True)
class ResourceFact:
    code: str
    name: str
    kind: str
    group: str
    available: tuple[Span, ...]


@dataclass(frozen=True)
class Lag:
    """The step starts at least `minutes` after step `after` ends (lab processing, a report)."""

    after: str
    minutes: int


@dataclass(frozen=True)
class StepFact:
    code: str
    family: str
    position: int
    duration: int
    planned: Span | None = None
    actual_start: int | None = None
    actual_end: int | None = None
    planned_resources: tuple[str, ...] = ()
    actual_resources: tuple[str, ...] = ()
    lags: tuple[Lag, ...] = ()
    name: str = ""  # the clinic's name of the step, in the active language
    short_name: str = ""  # for a bar of the chart

    @property
    def label(self) -> str:
        return self.name or self.code

    @property
    def short_label(self) -> str:
        return self.short_name or self.label

    @property
    def started(self) -> bool:
        return self.actual_start is not None

    @property
    def done(self) -> bool:
        return self.actual_end is not None

    @property
    def running(self) -> bool:
        return self.started and not self.done


@dataclass(frozen=True)
class VisitFact:
    visit_id: int
    patient_id: int
    code: str
    name: str
    pathway: str  # its name (the code when it has none)
    status: str
    steps: tuple[StepFact, ...]
    pathway_code: str = ""
    arrived: int | None = None          # when she checked in (or walked in)
    not_seen: str | None = None         # the published plan leaves her out: the engine's reason


@dataclass(frozen=True)
class MorningFacts:
    date: dt.date
    window: Span
    now: int | None
    resources: tuple[ResourceFact, ...]
    visits: tuple[VisitFact, ...]

    @property
    def has_run(self) -> bool:
        """Something has been recorded as happened."""
        return any(step.started for visit in self.visits for step in visit.steps)


def _step_fact(visit_step, day: dt.date) -> StepFact:
    def minutes(value):
        return minutes_on(value, day) if value is not None else None

    codes = {phase: tuple(a.resource.code for a in visit_step.allocations.all() if a.phase == phase)
             for phase in AllocationPhase.values}
    planned = None
    if visit_step.planned_start is not None:
        planned = (minutes(visit_step.planned_start), minutes(visit_step.planned_end))
    return StepFact(
        code=visit_step.step.code, name=visit_step.step.name or "", short_name=visit_step.step.short_name or "",
        family=step_family(visit_step.step.code),
        position=visit_step.step.position,
        duration=visit_step.duration, planned=planned,
        actual_start=minutes(visit_step.actual_start), actual_end=minutes(visit_step.actual_end),
        planned_resources=codes[AllocationPhase.PLANNED], actual_resources=codes[AllocationPhase.ACTUAL],
        lags=tuple(Lag(after=link.after.code, minutes=link.min_lag)
                   for link in visit_step.step.predecessors.all() if link.min_lag),
    )


def _resources(session: ClinicSession, used: set[str]) -> tuple[ResourceFact, ...]:
    """The clinic's active resources, and inactive ones the morning's steps still name."""
    rows = (Resource.objects.filter(clinic_id=session.clinic_id).select_related("kind", "staff_member__user")
            .prefetch_related("weekly_availability", "availability_exceptions").order_by("code"))
    window = (session.start, session.end)
    result = []
    for resource in rows:
        if not resource.active and resource.code not in used:
            continue
        name = resource.name
        if not name and resource.staff_member is not None:
            name = resource.staff_member.user.get_full_name()
        result.append(ResourceFact(
            code=resource.code, name=name, kind=resource.kind.code,
            group=resource_group(resource.kind.code, resource.kind.category),
            available=tuple((minutes_on(s, session.date), minutes_on(e, session.date))
                            for s, e in available_on(resource, session.date, window)),
        ))
    return tuple(result)


def morning_facts(session: ClinicSession, visits: Iterable[Visit], *, clock: dt.datetime,
                  not_seen: dict[str, str] | None = None) -> MorningFacts:
    """`visits` come from `session_for_user`, which logged that they were shown; `not_seen`:
    the published plan's reasons for the visits it leaves out (by visit code)."""
    day = session.date
    not_seen = not_seen or {}
    visit_facts = tuple(
        VisitFact(
            visit_id=visit.pk, patient_id=visit.patient_id, code=visit.code, name=visit.patient.full_name,
            pathway=visit.pathway.name or visit.pathway.code, pathway_code=visit.pathway.code, status=visit.status,
            steps=tuple(sorted((_step_fact(vs, day) for vs in visit.steps.all()), key=lambda s: s.position)),
            arrived=minutes_on(visit.arrived_at, day) if visit.arrived_at is not None else None,
            not_seen=not_seen.get(visit.code),
        )
        for visit in visits
    )
    used = {code for v in visit_facts for s in v.steps for code in s.planned_resources + s.actual_resources}
    return MorningFacts(
        date=day, window=(minutes_on(session.start, day), minutes_on(session.end, day)),
        now=morning_now(day, session.state_at, clock), resources=_resources(session, used), visits=visit_facts,
    )

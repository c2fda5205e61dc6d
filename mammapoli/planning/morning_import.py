"""Import a `mammapoli-morning/1` instance: the clinic, its resources, pathways, patients and visits.

Importing is idempotent: the same file twice changes nothing the second time, and a later
file of the same morning (the re-planning state at 10:15) updates it in place. A file that
breaks the format changes nothing and raises `MorningFormatError` naming the field.
"""

import datetime as dt
import hashlib
from collections.abc import Mapping

from django.db import transaction
from django.utils.text import slugify

from mammapoli.clinics.availability import exceptions_for
from mammapoli.clinics.models import (
    AvailabilityException,
    Clinic,
    ExceptionKind,
    Pathway,
    PathwayStep,
    Resource,
    ResourceCategory,
    ResourceKind,
    StepNeed,
    StepPrecedence,
    StepSameAs,
    WeeklyAvailability,
)
from mammapoli.records.models import Patient
from mammapoli.records.services import visit_form_ensure

from .clock import aware, parse_hhmm
from .models import AllocationPhase, ClinicSession, Visit, VisitStatus, VisitStep, VisitStepResource
from .morning_validation import validate_morning
from .services.versions import clinic_mornings_changed
from .uncertainty import uncertainty_import

ROOM_WORDS = ("room", "kamer")
#: The reason of the exceptions an import writes to give a resource the file's hours that day
#: (not someone called away).
IMPORTED_HOURS = "import"
DEVICE_WORDS = ("unit", "device", "scanner", "machine")


def _category_for(kind_code: str) -> str:
    if any(word in kind_code for word in ROOM_WORDS):
        return ResourceCategory.ROOM
    if any(word in kind_code for word in DEVICE_WORDS):
        return ResourceCategory.DEVICE
    return ResourceCategory.PERSON


def _intervals(pairs) -> list[tuple[dt.time, dt.time]]:
    return [(parse_hhmm(start), parse_hhmm(end)) for start, end in pairs]


@transaction.atomic
def morning_import(
    *, data: dict, clinic_name: str | None = None, patients: Mapping[str, Patient] | None = None,
) -> ClinicSession:
    """Create or update the clinic and its morning from `data`.

    `patients` gives the patient of an instance's patient id where known; the others get an
    anonymous patient, since exchange files carry no personal data.
    """
    validate_morning(data)
    name = slugify(clinic_name or data.get("name") or "") or "clinic"
    day = dt.date.fromisoformat(data["date"])
    window = (parse_hhmm(data["window"]["start"]), parse_hhmm(data["window"]["end"]))

    clinic, _ = Clinic.objects.get_or_create(name=name)
    if "notice" in data and clinic.notice_minutes != data["notice"]:
        clinic.notice_minutes = data["notice"]
        clinic.full_clean()
        clinic.save(update_fields=["notice_minutes"])
    session, _ = ClinicSession.objects.update_or_create(
        clinic=clinic, date=day,
        defaults={"start": window[0], "end": window[1],
                  "state_at": parse_hhmm(data["now"]) if "now" in data else None},
    )
    kinds = _import_kinds(clinic, data)
    resources = _import_resources(clinic, kinds, data["resources"], day, window)
    steps = _import_pathways(clinic, kinds, data["pathways"])
    if "uncertainty" in data:
        uncertainty_import(clinic=clinic, block=data["uncertainty"])
    visits = _import_visits(session, steps, data, patients or {})
    _import_allocations(session, visits, resources, data)
    clinic_mornings_changed(clinic_id=clinic.pk)  # its pathways and resources are the file's now
    session.refresh_from_db(fields=["version"])
    return session


def _import_kinds(clinic: Clinic, data: dict) -> dict[str, ResourceKind]:
    codes = {r["kind"] for r in data["resources"]}
    for pathway in data["pathways"].values():
        for step in pathway["steps"]:
            codes.update(step["needs"])
            codes.update(step.get("same_as", {}))
    kinds = {}
    for code in sorted(codes):
        kinds[code], _ = ResourceKind.objects.get_or_create(
            clinic=clinic, code=code,
            defaults={"name": code.replace("_", " "), "category": _category_for(code)},
        )
    return kinds


def _import_resources(clinic, kinds, entries, day, window) -> dict[str, Resource]:
    resources = {}
    for entry in entries:
        resource, _ = Resource.objects.update_or_create(
            clinic=clinic, code=entry["id"], defaults={"kind": kinds[entry["kind"]], "active": True},
        )
        wanted = _intervals(entry["available"])
        weekly_rows = WeeklyAvailability.objects.filter(resource=resource, weekday=day.weekday())
        AvailabilityException.objects.filter(resource=resource, date=day).delete()
        if not weekly_rows.exists():
            WeeklyAvailability.objects.bulk_create(
                WeeklyAvailability(resource=resource, weekday=day.weekday(), start=s, end=e) for s, e in wanted
            )
        else:
            absent, extra = exceptions_for([(w.start, w.end) for w in weekly_rows], wanted, window)
            AvailabilityException.objects.bulk_create(
                [AvailabilityException(resource=resource, date=day, start=s, end=e, kind=ExceptionKind.ABSENT,
                                       reason=IMPORTED_HOURS) for s, e in absent]
                + [AvailabilityException(resource=resource, date=day, start=s, end=e, kind=ExceptionKind.EXTRA,
                                         reason=IMPORTED_HOURS) for s, e in extra]
            )
        resources[resource.code] = resource
    return resources


def _import_pathways(clinic, kinds, pathways: dict) -> dict[tuple[str, str], PathwayStep]:
    steps: dict[tuple[str, str], PathwayStep] = {}
    for code, template in pathways.items():
        pathway, _ = Pathway.objects.update_or_create(clinic=clinic, code=code, defaults={"active": True})
        wanted = [s["id"] for s in template["steps"]]
        # Steps are updated in place: visits refer to them.
        PathwayStep.objects.filter(pathway=pathway).exclude(code__in=wanted).delete()
        for position, entry in enumerate(template["steps"]):
            step, _ = PathwayStep.objects.update_or_create(
                pathway=pathway, code=entry["id"], defaults={"position": position, "duration": entry["duration"]},
            )
            steps[(code, step.code)] = step
        for entry in template["steps"]:
            step = steps[(code, entry["id"])]
            StepNeed.objects.filter(step=step).delete()
            StepNeed.objects.bulk_create(
                StepNeed(step=step, kind=kinds[k], position=i) for i, k in enumerate(entry["needs"])
            )
            StepPrecedence.objects.filter(step=step).delete()
            StepPrecedence.objects.bulk_create(
                StepPrecedence(step=step, after=steps[(code, lag["step"])], min_lag=lag.get("min", 0),
                               max_lag=lag.get("max"))
                for lag in entry.get("after", [])
            )
            StepSameAs.objects.filter(step=step).delete()
            StepSameAs.objects.bulk_create(
                StepSameAs(step=step, kind=kinds[kind], other=steps[(code, other)])
                for kind, other in entry.get("same_as", {}).items()
            )
    return steps


def _anonymous_hospital_number(clinic: Clinic, patient_id: str) -> str:
    """A stable, unique number for an exchange file's patient id within a clinic."""
    readable = slugify(patient_id)[:16]
    if readable != patient_id:
        readable += "-" + hashlib.sha1(patient_id.encode()).hexdigest()[:6]
    return f"X{clinic.pk}-{readable}"


def _import_visits(session, steps, data, known_patients: Mapping[str, Patient]) -> dict[str, Visit]:
    clinic = session.clinic
    visits: dict[str, Visit] = {}
    for entry in data["patients"]:
        pathway_code = entry["pathway"]
        pathway = steps[(pathway_code, data["pathways"][pathway_code]["steps"][0]["id"])].pathway
        patient = known_patients.get(entry["id"])
        if patient is None:
            patient, _ = Patient.objects.get_or_create(
                clinic=clinic, hospital_number=_anonymous_hospital_number(clinic, entry["id"]),
                defaults={"given_name": "", "family_name": entry["id"]},
            )
        visit = Visit.objects.filter(session=session, code=entry["id"]).first()
        fields = {
            "patient": patient, "priority": entry.get("priority", 1),
            "earliest": parse_hhmm(entry["earliest"]) if "earliest" in entry else None,
            "latest": parse_hhmm(entry["latest"]) if "latest" in entry else None,
            "arrived_at": aware(session.date, entry["arrived"]) if "arrived" in entry else None,
        }
        if visit is None:
            visit = Visit.objects.create(session=session, code=entry["id"], pathway=pathway, **fields)
            visit_form_ensure(visit=visit)
        else:
            if visit.pathway_id != pathway.id:
                visit.steps.all().delete()
                visit.pathway = pathway
            if visit.status in (VisitStatus.NO_SHOW, VisitStatus.CANCELLED):
                visit.status = VisitStatus.BOOKED
            for name, value in fields.items():
                setattr(visit, name, value)
            visit.save()
        extra = entry.get("extra", {})
        for step_entry in data["pathways"][pathway_code]["steps"]:
            VisitStep.objects.update_or_create(
                visit=visit, step=steps[(pathway_code, step_entry["id"])],
                defaults={"extra_minutes": extra.get(step_entry["id"], 0)},
            )
        visits[visit.code] = visit
    # Visits of this morning that the file no longer lists did not take part.
    missing = Visit.objects.filter(session=session).exclude(code__in=visits.keys())
    for visit in missing.exclude(status__in=(VisitStatus.NO_SHOW, VisitStatus.CANCELLED)):
        started = visit.steps.filter(actual_start__isnull=False).exists()
        visit.status = VisitStatus.NO_SHOW if "now" in data and not started else VisitStatus.CANCELLED
        visit.save(update_fields=["status"])
    return visits


def _import_allocations(session, visits, resources, data) -> None:
    """The published plan (`reference`) and what happened (`fixed`) onto the visit steps."""
    day = session.date
    visit_steps = {
        (vs.visit.code, vs.step.code): vs
        for vs in VisitStep.objects.filter(visit__in=visits.values()).select_related("visit", "step")
    }
    VisitStepResource.objects.filter(visit_step__in=visit_steps.values()).delete()
    for vs in visit_steps.values():
        vs.planned_start = vs.planned_end = vs.actual_start = vs.actual_end = None
    allocations = []
    for entry in data.get("reference", []):
        vs = visit_steps[(entry["patient"], entry["step"])]
        vs.planned_start = aware(day, entry["start"])
        vs.planned_end = aware(day, entry["end"]) if "end" in entry else (
            vs.planned_start + dt.timedelta(minutes=vs.step.duration + vs.extra_minutes))
        allocations += [VisitStepResource(visit_step=vs, phase=AllocationPhase.PLANNED, position=i,
                                          resource=resources[code]) for i, code in enumerate(entry["resources"])]
    for entry in data.get("fixed", []):
        vs = visit_steps[(entry["patient"], entry["step"])]
        vs.actual_start = aware(day, entry["start"])
        vs.actual_end = aware(day, entry["end"]) if "end" in entry else None
        allocations += [VisitStepResource(visit_step=vs, phase=AllocationPhase.ACTUAL, position=i,
                                          resource=resources[code]) for i, code in enumerate(entry["resources"])]
    VisitStep.objects.bulk_update(visit_steps.values(), ["planned_start", "planned_end", "actual_start", "actual_end"])
    VisitStepResource.objects.bulk_create(allocations)
    _update_statuses(visits.values(), data)


def _update_statuses(visits, data) -> None:
    """A visit with fixed steps (or `arrived`) has arrived; with all steps finished, it is done."""
    for visit in visits:
        steps = list(visit.steps.all())
        started = [s for s in steps if s.actual_start is not None]
        if not started:
            status = VisitStatus.ARRIVED if visit.arrived_at is not None else VisitStatus.BOOKED
        elif all(s.actual_end is not None for s in steps):
            status = VisitStatus.DONE
        else:
            status = VisitStatus.IN_PROGRESS
        if visit.status != status:
            visit.status = status
            visit.save(update_fields=["status"])

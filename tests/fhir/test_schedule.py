"""Schedule, Slot and $find: the clinic's mornings, and where a pathway fits, from the booking engine."""

import datetime as dt

import pytest
from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.schedule import Schedule
from fhir.resources.R4B.slot import Slot

from mammapoli.audit.models import AccessEvent
from mammapoli.clinics.models import AvailabilityException, Resource
from mammapoli.fhir.build.capability import SERVED
from mammapoli.planning.clock import aware
from mammapoli.planning.booking_search import earliest_fit
from mammapoli.planning.clock import clock
from tests.fhir.conftest import expressions, issues

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 30)


def test_find_gives_the_booking_engines_earliest_mornings(planner, fhir_as, clinic, pathways):
    response = fhir_as(planner).get("/fhir/Appointment/$find?service-type=fna&priority=urgent&_count=2")
    assert response.status_code == 200, response.json()
    proposals = [Appointment.model_validate(e.resource.model_dump())
                 for e in Bundle.model_validate(response.json()).entry]
    first = earliest_fit(clinic=clinic, pathway=pathways["fna"], urgency="urgent", received_on=MONDAY).fit
    assert [p.status for p in proposals] == ["proposed", "proposed"]
    assert proposals[0].start == aware(first.day, clock(first.placement.arrival))
    assert proposals[0].end == aware(first.day, clock(first.placement.departure))
    assert proposals[1].start.date() > first.day
    assert all(p.start.date() <= dt.date(2026, 12, 2) for p in proposals)  # urgent: within 2 working days
    assert proposals[0].slot[0].reference == f"Slot/{clinic.pk}-{first.day.isoformat()}"
    assert AccessEvent.objects.filter(what="FHIR Appointment $find", clinic_id=clinic.pk, patient_id=None).exists()


def test_find_says_so_when_nothing_fits_within_the_target(planner, fhir_as, clinic, pathways):
    surgeon = Resource.objects.get(clinic=clinic, code="chir-A")
    for day in (dt.date(2026, 12, 1), dt.date(2026, 12, 2)):
        AvailabilityException.objects.create(resource=surgeon, date=day, start=dt.time(7), end=dt.time(14))
    response = fhir_as(planner).get("/fhir/Appointment/$find?service-type=imaging&priority=urgent")
    entries = response.json()["entry"]
    assert [e["search"]["mode"] for e in entries] == ["match", "outcome"]
    assert entries[0]["resource"]["start"].startswith("2026-12-03")
    assert entries[0]["resource"]["comment"].startswith("Not within the urgency target")
    assert entries[1]["resource"]["issue"][0]["severity"] == "warning"


@pytest.mark.parametrize(("query", "parameter"), [
    ("priority=urgent", "service-type"), ("service-type=massage", "service-type"),
    ("service-type=fna&priority=whenever", "priority"), ("service-type=fna&_count=9", "_count"),
    ("service-type=fna&colour=red", "colour"), ("service-type=urn:x|fna", "service-type"),
])
def test_find_refuses_bad_parameters_by_name(planner, fhir_as, clinic, pathways, query, parameter):
    response = fhir_as(planner).get(f"/fhir/Appointment/$find?{query}")
    assert response.status_code == 400 and expressions(response) == [parameter]


def test_the_clinics_schedule_and_its_mornings(planner, fhir_as, clinic, pathways, outsider):
    schedules = Bundle.model_validate(fhir_as(planner).get("/fhir/Schedule").json())
    schedule = Schedule.model_validate(schedules.entry[0].resource.model_dump())
    assert schedule.id == str(clinic.pk) and {c.coding[0].code for c in schedule.serviceType} == set(pathways)
    Resource.objects.filter(clinic=clinic).update(active=False)
    Resource.objects.filter(clinic=clinic, code="chir-A").update(active=True)
    AvailabilityException.objects.create(resource=Resource.objects.get(code="chir-A"), date=dt.date(2026, 12, 2),
                                         start=dt.time(7), end=dt.time(14))
    slots = fhir_as(planner).get(f"/fhir/Slot?schedule=Schedule/{clinic.pk}&start=ge2026-12-01&start=le2026-12-07")
    parsed = [Slot.model_validate(e["resource"]) for e in slots.json()["entry"]]
    assert [(s.start.date().isoformat(), s.status) for s in parsed] == [
        ("2026-12-01", "free"), ("2026-12-02", "busy-unavailable"), ("2026-12-03", "free"), ("2026-12-04", "free"),
        ("2026-12-07", "free")]
    assert parsed[0].start == aware(dt.date(2026, 12, 1), "08:00")
    one = fhir_as(planner).get(f"/fhir/Slot/{clinic.pk}-2026-12-01")
    assert Slot.model_validate(one.json()).id == parsed[0].id
    assert fhir_as(outsider).get(f"/fhir/Slot/{clinic.pk}-2026-12-01").status_code == 404
    assert fhir_as(outsider).get(f"/fhir/Schedule/{clinic.pk}").status_code == 404
    assert fhir_as(planner).get(f"/fhir/Slot?schedule={clinic.pk}&start=ge2026-12-01&start=le2027-03-01"
                                ).status_code == 400


def test_the_capability_statement_says_exactly_what_is_served(planner, fhir_as):
    from django.urls import get_resolver

    response = fhir_as(planner).get("/fhir/metadata")
    statement = CapabilityStatement.model_validate(response.json())
    assert statement.fhirVersion == "4.3.0" and statement.format == ["application/fhir+json", "json"]
    listed = {r.type: {i.code for i in r.interaction or []} for r in statement.rest[0].resource}
    routes = {str(p.pattern) for p in get_resolver("mammapoli.fhir.urls").url_patterns}
    for served in SERVED:
        assert listed[served.type] == set(served.interactions)
        assert ("read" in served.interactions) == (f"{served.type}/<str:resource_id>" in routes), served.type
        assert bool({"search-type", "create"} & set(served.interactions)) == (served.type in routes), served.type
    served_types = {route.split("/")[0] for route in routes if route and route != "metadata"}
    assert served_types == {s.type for s in SERVED if s.interactions}
    assert fhir_as(None).get("/fhir/metadata").status_code in (401, 403)
    assert issues(fhir_as(None).get("/fhir/metadata"))[0]["code"] == "login"

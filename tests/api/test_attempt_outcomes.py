"""The access log of a write says what really happened: one row per attempt, written after the
service ran, with its outcome; a refused attempt leaves nothing else behind (issue 10)."""

import pytest

from mammapoli.audit.models import AccessEvent
from mammapoli.planning.clock import aware
from mammapoli.planning.models import Visit
from mammapoli.records.models import Patient
from tests.api.test_events_api import morning  # noqa: F401 - the published morning
from tests.api.test_events_api import post_event  # noqa: F401

pytestmark = pytest.mark.django_db


def rows_of(user, **filters):
    return list(AccessEvent.objects.filter(username=user.username, **filters).order_by("id")
                .values_list("what", "outcome", "role", "detail"))


def test_an_event_the_service_refuses_is_logged_refused_not_allowed(morning, planner, post_event):
    visit = Visit.objects.filter(session=morning).order_by("code").first()
    url = f"/api/visits/{visit.pk}/events/"
    at = aware(morning.date, "08:05").isoformat()
    assert post_event(planner, url, {"type": "arrived", "at": at}).status_code == 202
    again = post_event(planner, url, {"type": "arrived", "at": at})
    assert again.status_code == 400 and "type" in again.json()
    assert rows_of(planner, what="event arrived") == [
        ("event arrived", "allowed", "planner", ""), ("event arrived", "denied", "planner", "invalid: type")]


def test_a_refused_walk_in_leaves_no_patient_behind_and_one_refused_row(morning, planner, post_event):
    data = {"patient": {"hospital_number": "7009999", "given_name": "Eva", "family_name": "Smit",
                        "date_of_birth": "1980-02-02"}, "pathway": "nope", "at": aware(morning.date, "09:00").isoformat()}
    response = post_event(planner, f"/api/sessions/{morning.pk}/walk-ins/", data)
    assert response.status_code == 400 and "pathway" in response.json()
    assert not Patient.objects.filter(hospital_number="7009999").exists()
    assert rows_of(planner) == [("walk-in", "denied", "planner", f"session={morning.pk} invalid: pathway")]


def test_a_walk_in_is_logged_allowed_once_it_is_in(morning, planner, post_event):
    data = {"patient": {"hospital_number": "7009999", "given_name": "Eva", "family_name": "Smit",
                        "date_of_birth": "1980-02-02"}, "pathway": "ultrasound-only",
            "at": aware(morning.date, "09:00").isoformat()}
    assert post_event(planner, f"/api/sessions/{morning.pk}/walk-ins/", data).status_code == 202
    # The attempt's row and the service's row for the new patient, both with her role.
    assert [row[:3] for row in rows_of(planner, what="walk-in")] == [("walk-in", "allowed", "planner")] * 2
    assert not AccessEvent.objects.filter(outcome="denied").exists()


def test_a_refused_absence_is_logged_with_the_clinic_and_the_role(morning, planner, surgeon, post_event):
    resource = morning.clinic.resources.get(code="rad-B")
    url = f"/api/resources/{resource.pk}/unavailable/"
    assert post_event(surgeon, url, {"at": aware(morning.date, "10:00").isoformat()}).status_code == 403
    assert list(AccessEvent.objects.filter(username=surgeon.username).values_list(
        "what", "outcome", "role", "clinic_id", "detail")) == [
        ("resource unavailable", "denied", "surgeon", morning.clinic_id,
         f"resource={resource.pk} role surgeon may not do this")]
    no_morning = post_event(planner, url, {"at": "2031-01-06T10:00:00+01:00"})
    assert no_morning.status_code == 400
    assert rows_of(planner) == [("resource unavailable", "denied", "planner", f"resource={resource.pk} invalid: at")]

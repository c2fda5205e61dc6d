"""The proposal as the planner reads it on the day: only what changed, every call with its phone
number, who cannot be seen and why; the patients in the clinic are never called."""

import pytest

from mammapoli.planning.morning_import import morning_import
from mammapoli.planning.proposal_diff import Change, proposal_diff
from mammapoli.records.models import Patient
from tests.planning.conftest import load_instance

pytestmark = pytest.mark.django_db


@pytest.fixture
def mild(clinic):
    """standard-20 at 10:00 with a 10-minute overrun, a no-show and a walk-in; every patient
    has a phone number."""
    session = morning_import(data=load_instance("day/standard-20-mild"), clinic_name=clinic.name)
    for number, visit in enumerate(session.visits.select_related("patient").order_by("code"), start=1):
        Patient.objects.filter(pk=visit.patient_id).update(phone=f"+3161234{number:04d}")
    return session


def test_on_a_mild_morning_the_proposal_names_every_change_and_every_call(mild, plan_now, planner):
    job = plan_now(mild, time_limit=3)
    diff = proposal_diff(plan=job.plan, user=planner)
    by_code = {c.visit.code: c for c in diff.changes}
    present = {p["id"] for p in job.morning["patients"] if "arrived" in p} | {f["patient"] for f in job.morning["fixed"]}
    assert {c.visit.code for c in diff.changes if c.present} == present
    assert by_code["W1"].change == Change.NEW and by_code["W1"].present and not by_code["W1"].call
    assert not [c for c in diff.not_seen if c.present]            # nobody in the clinic is dropped
    assert len([c for c in diff.moved if c.arrival_moves and not c.present]) <= 3
    # One list of calls: exactly those not here yet whose time changed or who cannot be seen.
    expected = {c.visit.code for c in diff.changes
                if not c.present and (c.not_seen or (c.change == Change.MOVED and c.arrival_moves))}
    assert {c.visit.code for c in diff.to_call} == expected
    assert all(c.phone.startswith("+3161234") for c in diff.to_call)
    assert set(diff.changed) | set(diff.unchanged) == set(diff.changes)
    assert not set(diff.changed) & set(diff.unchanged)


def test_a_calm_morning_proposes_no_change_and_no_call(clinic, plan_now):
    session = morning_import(data=load_instance("day/standard-20-calm"), clinic_name=clinic.name)
    diff = proposal_diff(plan=plan_now(session, time_limit=3).plan)
    assert diff.to_call == () and diff.not_seen == ()
    assert [c.visit.code for c in diff.changed if c.arrival_moves and not c.present] == []


def test_a_patient_in_the_clinic_who_cannot_be_seen_is_dropped_and_named(mild, plan_now, planner):
    # P16 came early for her fine-needle pathway but has to leave by 10:30: it cannot be done.
    import datetime as dt
    mild.visits.filter(code="P16").update(latest=dt.time(10, 30))
    job = plan_now(mild, time_limit=3)
    diff = proposal_diff(plan=job.plan)
    (p16,) = [c for c in diff.not_seen if c.visit.code == "P16"]
    assert (p16.change, p16.present, p16.call) == (Change.DROPPED, True, False)
    assert p16.reason.startswith("Her pathway (fna) needs at least")  # the engine's reason, translated
    assert diff.not_seen[0].visit.code == "P16"   # dropped patients in the clinic first

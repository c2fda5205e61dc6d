"""Events through the API: who may enter which, the re-plan in the answer, 400 naming the field."""

import pytest

from mammapoli.audit.models import AccessEvent
from mammapoli.planning.clock import aware, hhmm
from mammapoli.planning.models import PlanJob, Visit, VisitStep
from mammapoli.planning.services.plans import plan_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def morning(small_morning, plan_now):
    plan_publish(user=None, plan=plan_now(small_morning).plan)
    return small_morning


@pytest.fixture
def post_event(api_as, django_capture_on_commit_callbacks):
    def post(user, url, data):
        with django_capture_on_commit_callbacks(execute=True):
            response = api_as(user).post(url, data, format="json")
        return response
    return post


def planned_on(session, resource_code, step_code) -> VisitStep:
    return (VisitStep.objects.filter(visit__session=session, step__code=step_code, allocations__phase="planned",
                                     allocations__resource__code=resource_code)
            .select_related("visit").order_by("planned_start").first())


def iso(session, clock):
    return aware(session.date, clock).isoformat()


def test_a_planner_enters_an_arrival_and_gets_the_re_plan(morning, planner, post_event):
    visit = Visit.objects.filter(session=morning).order_by("code").first()
    response = post_event(planner, f"/api/visits/{visit.pk}/events/", {"type": "arrived", "at": iso(morning, "08:05")})
    assert response.status_code == 202, response.json()
    body = response.json()
    assert (body["code"], body["status"], body["job"]["trigger"]) == (visit.code, "arrived", "arrived")
    assert PlanJob.objects.get(job_id=body["job"]["job_id"]).status == "succeeded"


def test_the_planner_lets_an_arrived_patient_leave_early_and_a_surgeon_may_not(morning, planner, surgeon,
                                                                               post_event):
    visit = Visit.objects.filter(session=morning).order_by("code").first()
    url = f"/api/visits/{visit.pk}/events/"
    post_event(planner, url, {"type": "arrived", "at": iso(morning, "08:05")})
    assert post_event(surgeon, url, {"type": "left", "at": iso(morning, "08:10")}).status_code == 403
    response = post_event(planner, url, {"type": "left", "at": iso(morning, "08:10")})
    assert response.status_code == 202, response.json()
    assert (response.json()["status"], response.json()["job"]["trigger"]) == ("left", "left")
    assert visit.code not in {p["id"] for p in PlanJob.objects.get(trigger="left").morning["patients"]}


def test_a_surgeon_starts_and_finishes_her_own_exam(morning, surgeon, post_event):
    exam = planned_on(morning, "chir-A", "exam")
    url = f"/api/visits/{exam.visit_id}/events/"
    started = post_event(surgeon, url, {"type": "step_started", "step": "exam", "at": exam.planned_start.isoformat()})
    assert started.status_code == 202, started.json()
    assert started.json()["status"] == "in_progress"
    finished = post_event(surgeon, url, {"type": "step_finished", "step": "exam", "at": exam.planned_end.isoformat()})
    assert finished.status_code == 202
    exam.refresh_from_db()
    assert (hhmm(exam.actual_start), hhmm(exam.actual_end)) == (hhmm(exam.planned_start), hhmm(exam.planned_end))


def test_a_specialist_may_not_enter_someone_elses_step_nor_arrivals(morning, surgeon, pathologist, post_event):
    theirs = VisitStep.objects.filter(visit__session=morning, step__code="exam").exclude(
        allocations__resource__code="chir-A").select_related("visit").first()
    response = post_event(surgeon, f"/api/visits/{theirs.visit_id}/events/", {"type": "step_started", "step": "exam"})
    assert response.status_code == 403
    assert post_event(pathologist, f"/api/visits/{theirs.visit_id}/events/", {"type": "arrived"}).status_code == 403
    assert not VisitStep.objects.filter(actual_start__isnull=False).exists()
    # One row for the attempt, with the outcome it had (no "allowed" row before the refusal).
    rows = AccessEvent.objects.filter(username="sophie.surgeon").values_list("what", "outcome", "role", "detail")
    assert list(rows) == [("event step_started", "denied", "surgeon", "not the user's step")]


def test_the_radiologist_switches_to_a_biopsy_pathway_during_her_ultrasound(morning, radiologist, planner, post_event):
    us = next(vs for vs in VisitStep.objects.filter(visit__session=morning, step__code="us",
                                                     visit__pathway__code="imaging",
                                                     allocations__resource__code="rad-A").select_related("visit")
              .order_by("planned_start"))
    visit = us.visit
    url = f"/api/visits/{visit.pk}/events/"
    for code in ("exam", "mammo"):
        done = visit.steps.get(step__code=code)
        assert post_event(planner, url, {"type": "step_started", "step": code,
                                         "at": done.planned_start.isoformat()}).status_code == 202
        assert post_event(planner, url, {"type": "step_finished", "step": code,
                                         "at": done.planned_end.isoformat()}).status_code == 202
    assert post_event(radiologist, url, {"type": "pathway_switched", "pathway": "fna"}).status_code == 403  # not yet
    assert post_event(radiologist, url, {"type": "step_started", "step": "us",
                                         "at": us.planned_start.isoformat()}).status_code == 202
    switched = post_event(radiologist, url, {"type": "pathway_switched", "pathway": "fna",
                                             "at": us.planned_start.isoformat()})
    assert switched.status_code == 202, switched.json()
    visit.refresh_from_db()
    assert visit.pathway.code == "fna"
    assert switched.json()["job"]["status"] == "queued"  # it runs when the request commits…
    assert PlanJob.objects.get(job_id=switched.json()["job"]["job_id"]).status == "succeeded"  # …and did


@pytest.mark.parametrize(("data", "field"), [
    ({"type": "teleported"}, "type"),
    ({"type": "step_started", "step": "fna"}, "step"),
    ({"type": "step_started"}, "step"),
    ({"type": "step_started", "step": "exam", "resources": ["chir-Z"]}, "resources"),
    ({"type": "step_started", "step": "exam", "at": "yesterday"}, "at"),
    ({"type": "pathway_switched", "pathway": "nope"}, "pathway"),
])
def test_bad_event_input_is_a_400_naming_the_field(morning, planner, post_event, data, field):
    visit = Visit.objects.filter(session=morning, pathway__code="imaging").first()
    response = post_event(planner, f"/api/visits/{visit.pk}/events/", data)
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not PlanJob.objects.exclude(trigger="request").exists()


def test_outsiders_get_404(morning, outsider, post_event):
    visit = Visit.objects.filter(session=morning).first()
    assert post_event(outsider, f"/api/visits/{visit.pk}/events/", {"type": "arrived"}).status_code == 404
    assert post_event(outsider, f"/api/sessions/{morning.pk}/walk-ins/", {}).status_code in (400, 404)
    resource = morning.clinic.resources.get(code="rad-B")
    assert post_event(outsider, f"/api/resources/{resource.pk}/unavailable/", {}).status_code == 404


def test_a_walk_in(morning, planner, post_event):
    data = {"patient": {"hospital_number": "7009999", "given_name": "Eva", "family_name": "Smit",
                        "date_of_birth": "1980-02-02"}, "pathway": "ultrasound-only", "at": iso(morning, "09:00")}
    response = post_event(planner, f"/api/sessions/{morning.pk}/walk-ins/", data)
    assert response.status_code == 202, response.json()
    assert (response.json()["code"], response.json()["status"]) == ("W01", "arrived")
    bad = post_event(planner, f"/api/sessions/{morning.pk}/walk-ins/", {**data, "pathway": "nope"})
    assert bad.status_code == 400 and "pathway" in bad.json()


def test_a_doctor_called_away(morning, planner, surgeon, post_event):
    resource = morning.clinic.resources.get(code="rad-B")
    url = f"/api/resources/{resource.pk}/unavailable/"
    assert post_event(surgeon, url, {"at": iso(morning, "10:00")}).status_code == 403
    response = post_event(planner, url, {"at": iso(morning, "10:00"), "reason": "SEH"})
    assert response.status_code == 202 and response.json()["job"]["trigger"] == "resource_unavailable"
    no_morning = post_event(planner, url, {"at": "2031-01-06T10:00:00+01:00"})
    assert no_morning.status_code == 400 and "at" in no_morning.json()


# Keeping faith on the day: absences withdrawn or shortened, a result handed over, a rebooking --------

def test_a_planner_lists_withdraws_and_shortens_absences(morning, planner, surgeon, post_event, api_as):
    from mammapoli.clinics.models import AvailabilityException

    rad_b = morning.clinic.resources.get(code="rad-B")
    post_event(planner, f"/api/resources/{rad_b.pk}/unavailable/", {"at": iso(morning, "10:00"), "reason": "ER"})
    listed = api_as(surgeon).get(f"/api/sessions/{morning.pk}/absences/").json()
    assert [(a["resource"], a["start"], a["end"], a["reason"]) for a in listed] == [("rad-B", "10:00", "13:00", "ER")]
    url = f"/api/sessions/{morning.pk}/absences/{listed[0]['id']}"
    assert post_event(surgeon, f"{url}/shorten/", {"until": iso(morning, "11:00")}).status_code == 403
    bad = post_event(planner, f"{url}/shorten/", {"until": iso(morning, "09:00")})
    assert bad.status_code == 400 and "until" in bad.json()
    response = post_event(planner, f"{url}/shorten/", {"until": iso(morning, "11:00")})
    assert response.status_code == 202 and response.json()["job"]["trigger"] == "absence_changed"
    assert AvailabilityException.objects.get(pk=listed[0]["id"]).end.strftime("%H:%M") == "11:00"
    assert post_event(planner, f"{url}/withdraw/", {}).status_code == 202
    assert not AvailabilityException.objects.filter(pk=listed[0]["id"]).exists()
    assert post_event(planner, f"{url}/withdraw/", {}).status_code == 404


def test_a_planner_hands_a_result_over_and_a_bad_surgeon_is_named(morning, planner, post_event):
    visit = Visit.objects.filter(session=morning).order_by("code").first()
    url = f"/api/visits/{visit.pk}/result-handover/"
    bad = post_event(planner, url, {"surgeon": "rad-A", "at": iso(morning, "08:00")})
    assert bad.status_code == 400 and "surgeon" in bad.json()
    response = post_event(planner, url, {"surgeon": "chir-B", "at": iso(morning, "08:00")})
    assert response.status_code == 202, response.json()
    job = PlanJob.objects.get(job_id=response.json()["job"]["job_id"])
    assert job.trigger == "handover" and job.assigned == {visit.code: [["result", "chir-B"]]}
    result = next(a for a in job.plan.data["assignments"] if (a["patient"], a["step"]) == (visit.code, "result"))
    assert result["resources"][0] == "chir-B"


def test_a_patient_on_the_plan_is_not_rebooked_through_the_api(morning, planner, api_as):
    visit = Visit.objects.filter(session=morning).order_by("code").first()
    response = api_as(planner).post(f"/api/visits/{visit.pk}/rebook/")
    assert response.status_code == 400 and "visit" in response.json()


def test_the_diff_says_who_is_in_the_clinic_and_gives_the_phone_number_to_call(morning, planner, post_event, api_as):
    from mammapoli.records.models import Patient

    Patient.objects.update(phone="+31612345678")
    visit = Visit.objects.filter(session=morning).order_by("code").first()
    response = post_event(planner, f"/api/visits/{visit.pk}/events/", {"type": "arrived", "at": iso(morning, "08:05")})
    plan_id = PlanJob.objects.get(job_id=response.json()["job"]["job_id"]).plan.pk
    changes = {c["code"]: c for c in api_as(planner).get(f"/api/plans/{plan_id}/diff/").json()["changes"]}
    assert changes[visit.code]["present"] is True and changes[visit.code]["call"] is False
    assert {c["phone"] for c in changes.values()} == {"06 12345678"}
    assert all(c["change"] in ("new", "moved", "unchanged", "dropped", "unscheduled") for c in changes.values())

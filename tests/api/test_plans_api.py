"""Plan this morning through the API: the job, its progress, the diff, publishing, 409 when stale."""

import pytest

from mammapoli.audit.models import AccessEvent
from mammapoli.planning.models import Plan, PlanJob, PlanStatus, ResourceBooking
from tests.planning.conftest import assert_valid

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(small_morning, planner, api_as, django_capture_on_commit_callbacks):
    """small-8 planned through the API (the task runs when the request's transaction commits)."""
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(planner).post(f"/api/sessions/{small_morning.pk}/plan/", {"time_limit": 1}, format="json")
    assert response.status_code == 202, response.json()
    assert response.json()["status"] == "queued"
    return response.json()["job_id"]


def test_plan_this_morning_then_follow_the_job(planned, planner, api_as, small_morning):
    job = api_as(planner).get(f"/api/plan-jobs/{planned}/").json()
    assert (job["status"], job["trigger"], job["session"], job["time_limit"]) == (
        "succeeded", "request", small_morning.pk, 1)
    assert job["progress"] and {"elapsed", "phase", "scheduled", "priority", "total_stay", "bound"} == \
        set(job["progress"][-1])
    assert job["plan"]["status"] == "proposed" and job["plan"]["objective"]["scheduled"] == 8
    assert_valid(PlanJob.objects.get().morning, Plan.objects.get().data)


def test_the_diff_then_publish_then_the_published_plan(planned, planner, api_as, small_morning):
    plan_id = api_as(planner).get(f"/api/plan-jobs/{planned}/").json()["plan"]["id"]
    diff = api_as(planner).get(f"/api/plans/{plan_id}/diff/").json()
    assert diff["stale"] is False
    assert {c["code"] for c in diff["changes"]} == {f"P0{i}" for i in range(1, 9)}
    assert all(c["change"] == "new" and c["old_arrival"] is None for c in diff["changes"])  # nothing published yet
    response = api_as(planner).post(f"/api/plans/{plan_id}/publish/")
    assert response.status_code == 200 and response.json()["status"] == "published"
    assert ResourceBooking.objects.exists()
    published = api_as(planner).get(f"/api/sessions/{small_morning.pk}/plan/").json()
    assert published["format"] == "mammapoli-plan/1" and published["objective"]["scheduled"] == 8
    again = api_as(planner).post(f"/api/plans/{plan_id}/publish/")
    assert again.status_code == 409


def test_publishing_a_stale_proposal_is_a_409_and_writes_nothing(planned, planner, api_as, small_morning,
                                                                  admin_client):
    plan_id = api_as(planner).get(f"/api/plan-jobs/{planned}/").json()["plan"]["id"]
    response = admin_client.post("/admin/clinics/availabilityexception/add/", {  # a change the proposal did not see
        "resource": small_morning.clinic.resources.get(code="rad-A").pk, "date": small_morning.date.isoformat(),
        "start": "10:00", "end": "11:00", "kind": "absent", "reason": "called away"})
    assert response.status_code == 302
    response = api_as(planner).post(f"/api/plans/{plan_id}/publish/")
    assert response.status_code == 409
    assert response.json()["code"] == "stale_proposal"
    assert api_as(planner).get(f"/api/plans/{plan_id}/diff/").json()["stale"] is True
    assert Plan.objects.get().status == PlanStatus.PROPOSED and not ResourceBooking.objects.exists()


def test_a_finished_job_cannot_be_cancelled(planned, planner, api_as):
    response = api_as(planner).post(f"/api/plan-jobs/{planned}/cancel/")
    assert response.status_code == 409 and response.json()["code"] == "job_finished"


def test_a_queued_job_can_be_cancelled(small_morning, planner, api_as, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job_id = api_as(planner).post(f"/api/sessions/{small_morning.pk}/plan/", {}, format="json").json()["job_id"]
    response = api_as(planner).post(f"/api/plan-jobs/{job_id}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_who_may_plan_and_publish(planned, small_morning, surgeon, outsider, api_as):
    plan_id = Plan.objects.get().pk
    assert api_as(surgeon).get(f"/api/plan-jobs/{planned}/").status_code == 200  # the team reads
    assert api_as(surgeon).get(f"/api/plans/{plan_id}/diff/").status_code == 200
    assert api_as(surgeon).post(f"/api/sessions/{small_morning.pk}/plan/", {}, format="json").status_code == 403
    assert api_as(surgeon).post(f"/api/plans/{plan_id}/publish/").status_code == 403
    assert api_as(surgeon).post(f"/api/plan-jobs/{planned}/cancel/").status_code == 403
    for url in (f"/api/plan-jobs/{planned}/", f"/api/plans/{plan_id}/diff/", f"/api/sessions/{small_morning.pk}/plan/",
                "/api/plans/999999/diff/", "/api/plan-jobs/5f1d7a3c-0000-4000-8000-000000000000/"):
        response = api_as(outsider).get(url)
        assert response.status_code == 404 and response.json() == {"detail": "Not found."}, url
    assert api_as(outsider).post(f"/api/plans/{plan_id}/publish/").status_code == 404
    assert Plan.objects.get().status == PlanStatus.PROPOSED
    assert AccessEvent.objects.filter(username="olaf.outsider", outcome="denied").count() >= 6


def test_a_time_limit_above_the_setting_is_a_400(small_morning, planner, api_as):
    response = api_as(planner).post(f"/api/sessions/{small_morning.pk}/plan/", {"time_limit": 99999}, format="json")
    assert response.status_code == 400 and "time_limit" in response.json()
    assert not PlanJob.objects.exists()

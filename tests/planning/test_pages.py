"""The planner's pages: a referral to a booking; a morning planned, its proposal, publishing."""

import datetime as dt
from html import unescape

import pytest
from django.utils import timezone

from mammapoli.clinics.models import ClinicUncertainty
from mammapoli.planning.models import Plan, PlanJob, PlanStatus, Visit
from mammapoli.planning.working_days import working_days_after
from mammapoli.records.models import Referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client
    return login


def test_from_referral_to_booking(planner, as_user, pathways, clinic):
    client = as_user(planner)
    assert client.get("/planning/referrals/new/").status_code == 200
    response = client.post("/planning/referrals/new/", {
        "clinic": clinic.pk, "hospital_number": "7005555", "given_name": "Ilse", "family_name": "Bakker",
        "date_of_birth": "1975-06-01", "sex": "F", "referring_gp": "Praktijk Noord", "complaint": "palpable_lump",
        "urgency": "urgent", "suspicion": "moderate"})
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/planning/referrals/{referral.pk}/"
    page = client.get(f"/planning/referrals/{referral.pk}/").content.decode()
    tomorrow = next(working_days_after(timezone.localdate()))
    assert "fna" in page and 'name="arrival" value="08:00"' in page and tomorrow.isoformat() in page
    booked = client.post(f"/planning/referrals/{referral.pk}/book/",
                         {"pathway": "fna", "date": tomorrow.isoformat(), "arrival": "08:00"}, follow=True)
    assert Visit.objects.get().code == "P01"
    assert "Booked: P01" in booked.content.decode()
    again = client.post(f"/planning/referrals/{referral.pk}/book/",
                        {"pathway": "fna", "date": tomorrow.isoformat(), "arrival": "08:00"}, follow=True)
    assert "already booked" in again.content.decode() and Visit.objects.count() == 1


def test_a_referral_form_with_errors_is_shown_again(planner, as_user, clinic):
    response = as_user(planner).post("/planning/referrals/new/", {"clinic": clinic.pk, "complaint": "headache"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Referral.objects.exists()


def test_plan_a_morning_see_the_proposal_and_publish(planner, as_user, small_morning,
                                                    django_capture_on_commit_callbacks, settings):
    client = as_user(planner)
    assert "Plan this morning" in client.get(f"/planning/sessions/{small_morning.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/planning/sessions/{small_morning.pk}/", {"time_limit": "1"})
    assert response.status_code == 302
    job_page = client.get(response["Location"]).content.decode()
    assert "Improving plans" in job_page and "See the proposal" in job_page
    plan = Plan.objects.get()
    page = client.get(f"/planning/plans/{plan.pk}/").content.decode()
    assert "new on the plan" in page and "Publish" in page
    published = client.post(f"/planning/plans/{plan.pk}/publish/", follow=True)
    assert "The plan is published." in published.content.decode()
    assert Plan.objects.get().status == PlanStatus.PUBLISHED


def test_the_pages_are_the_planners(surgeon, outsider, as_user, small_morning):
    assert as_user(surgeon).post(f"/planning/sessions/{small_morning.pk}/", {}).status_code == 403
    assert as_user(outsider).get(f"/planning/sessions/{small_morning.pk}/").status_code == 404
    referral = Referral.objects.create(clinic=small_morning.clinic, patient=small_morning.visits.first().patient,
                                       referring_gp="x", complaint="pain", received_on=dt.date(2026, 11, 30))
    assert as_user(surgeon).get(f"/planning/referrals/{referral.pk}/").status_code == 403
    assert as_user(outsider).get(f"/planning/referrals/{referral.pk}/").status_code == 404


def test_dutch_pages(planner, as_user, small_morning, settings):
    settings.LANGUAGE_CODE = "nl"
    client = as_user(planner)
    page = client.get(f"/planning/sessions/{small_morning.pk}/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Plan deze ochtend" in page


@pytest.mark.parametrize(("limit", "message"), [
    ("0", "Ensure this value is greater than or equal to 1."),
    ("11", "Ensure this value is less than or equal to 2."),  # the test settings' SCHEDULER_TIME_LIMIT
    ("soon", "Enter a whole number."),
])
def test_a_time_limit_that_is_not_allowed_is_refused_with_a_message_and_starts_nothing(
        planner, as_user, small_morning, limit, message):
    response = as_user(planner).post(f"/planning/sessions/{small_morning.pk}/", {"time_limit": limit})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PlanJob.objects.exists()


def test_an_empty_time_limit_is_the_default_and_the_page_says_so(planner, as_user, small_morning,
                                                                 django_capture_on_commit_callbacks, settings):
    client = as_user(planner)
    assert "Empty: 2 s, the most the engine may take." in client.get(
        f"/planning/sessions/{small_morning.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/planning/sessions/{small_morning.pk}/", {"time_limit": ""}).status_code == 302
    assert PlanJob.objects.get().time_limit == settings.SCHEDULER_TIME_LIMIT


def test_the_job_page_follows_a_running_job_and_stops_when_it_is_done(planner, as_user, small_morning,
                                                                      django_capture_on_commit_callbacks):
    client = as_user(planner)
    with django_capture_on_commit_callbacks(execute=False):  # queued: no worker has taken it yet
        job = client.post(f"/planning/sessions/{small_morning.pk}/", {"time_limit": "1"})
    html = client.get(job["Location"]).content.decode()
    assert 'data-job-live data-running="true"' in html and "planning/job-live.js" in html
    assert '<noscript><meta http-equiv="refresh" content="10"></noscript>' in html   # its message not sent yet
    assert "Waiting for a planning worker." in html
    PlanJob.objects.update(status="succeeded")
    assert 'data-running="false"' in client.get(job["Location"]).content.decode()


def test_the_proposal_says_how_the_plan_holds_up_on_a_real_morning(planner, as_user, small_morning, plan_now,
                                                                   settings):
    ClinicUncertainty.objects.create(clinic=small_morning.clinic)  # overtime limit 15 minutes
    plan = Plan.objects.get(job=plan_now(small_morning))
    assert plan.scheduled == 8 and plan.data["risk"]["runs"] == 400  # the engine's own static runs
    plan.data["risk"].update(answered_expected=7.4, overtime_p90=18.2)  # figures of our own, for exact words
    plan.save()
    client = as_user(planner)
    page = unescape(client.get(f"/planning/plans/{plan.pk}/").content.decode())
    assert ("On a real morning:</strong>\n  <span class=\"risk-words\">7 of 8 expected to have their answer by "
            "13:00; 1 in 10 mornings like this runs more than 18 minutes over.</span> "
            "<span class=\"error\">That is more than the clinic's limit of 15 minutes.</span>") in page
    settings.LANGUAGE_CODE = "nl"
    page = unescape(client.get(f"/planning/plans/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="nl").content.decode())
    assert ("7 van de 8 hebben naar verwachting hun uitslag om 13:00; 1 op de 10 ochtenden zoals deze loopt meer "
            "dan 18 minuten uit.") in page
    assert "Dat is meer dan de grens van de kliniek van 15 minuten." in page


def test_a_proposal_without_uncertainty_settings_has_no_risk_words(planner, as_user, small_morning, plan_now):
    plan = Plan.objects.get(job=plan_now(small_morning))
    page = as_user(planner).get(f"/planning/plans/{plan.pk}/").content.decode()
    assert "Publish" in page and "On a real morning" not in page

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from mammapoli.clinics.models import StaffMember
from mammapoli.planning.adapter import session_to_morning
from mammapoli.planning.models import Visit
from mammapoli.records.models import Patient, Referral
from tests.planning.test_morning_exchange import normalised

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
DEMO_USERS = ["planner", "surgeon", "radiologist", "pathologist", "nurse", "privacy", "outsider", "manager"]


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


def test_the_demo_clinic_is_standard_20_on_todays_date(demo):
    from mammapoli.planning.models import ClinicSession

    session = ClinicSession.objects.get(clinic__name="demo")
    assert session.date == timezone.localdate()
    expected = json.loads((ROOT / "fixtures/instances/standard-20.json").read_text())
    exported = session_to_morning(session)
    assert exported["date"] == timezone.localdate().isoformat()
    expected["date"] = exported["date"]
    assert normalised(exported) == normalised(expected)


def test_every_demo_patient_has_a_name_and_a_referral(demo):
    visits = Visit.objects.filter(session__clinic__name="demo").select_related("patient", "referral")
    assert visits.count() == 20
    for visit in visits:
        assert visit.patient.family_name and visit.patient.date_of_birth
        assert visit.referral is not None and visit.referral.patient_id == visit.patient_id
    urgent = {v.code for v in visits if v.referral.urgency == "urgent"}
    assert urgent == {"P01", "P13"}  # the two patients of priority 3


def test_loading_twice_changes_nothing(demo):
    counts = (Patient.objects.count(), Referral.objects.count(), Visit.objects.count(), StaffMember.objects.count())
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "20 visits" in out.getvalue()
    assert (Patient.objects.count(), Referral.objects.count(), Visit.objects.count(),
            StaffMember.objects.count()) == counts


def test_a_morning_on_another_date(demo):
    call_command("load_demo", "--date", "2026-12-01", stdout=io.StringIO())
    assert Visit.objects.filter(session__date=dt.date(2026, 12, 1)).count() == 20


def test_each_demo_user_logs_in_with_password_demo(demo, client):
    for username in DEMO_USERS:
        assert client.login(username=username, password="demo"), username
        response = client.get("/")
        assert response.status_code == 200
        client.logout()


def test_team_roles_and_the_outsider(demo):
    roles = dict(StaffMember.objects.filter(clinic__name="demo").values_list("user__username", "role"))
    assert roles == {"planner": "planner", "surgeon": "surgeon", "radiologist": "radiologist",
                     "pathologist": "pathologist", "nurse": "nurse", "privacy": "privacy_officer"}
    for username in ("outsider", "manager"):  # the application manager is in no team: she sees no patient
        assert not get_user_model().objects.get(username=username).memberships.exists()
    surgeon = StaffMember.objects.get(user__username="surgeon")
    assert surgeon.resource.code == "chir-A"


def test_the_application_manager_manages_the_clinic_in_the_admin(demo, client):
    client.login(username="manager", password="demo")
    assert client.get("/admin/").status_code == 200
    response = client.get("/admin/clinics/resource/")
    assert response.status_code == 200
    assert b"chir-A" in response.content
    assert client.get("/admin/clinics/pathway/").status_code == 200
    assert b"Sophie" in client.get("/admin/clinics/staffmember/").content
    for username in ("planner", "surgeon"):
        client.login(username=username, password="demo")
        assert client.get("/admin/").status_code == 302  # not staff: to the admin login


def test_the_demo_clinic_works_every_weekday_so_referrals_can_be_booked(demo):
    from mammapoli.clinics.models import Clinic
    from mammapoli.planning.booking_search import earliest_fit

    clinic = Clinic.objects.get(name="demo")
    today = timezone.localdate()
    search = earliest_fit(clinic=clinic, pathway=clinic.pathways.get(code="fna"), urgency="urgent",
                          received_on=today, today=today)
    assert search.within_target and search.blocked == ()
    call_command("load_demo", stdout=io.StringIO())  # and loading again adds nothing
    assert all(r.weekly_availability.filter(weekday=0).count() == r.weekly_availability.filter(
        weekday=today.weekday()).count() for r in clinic.resources.all())


def test_each_demo_user_logs_in_with_the_documented_demo_second_factor(demo):
    """README: password `demo`, then the code of the demo secret (an authenticator app with
    JVQW23LBOBXWY2JAMRSW23ZAKRHVIUBB, or `manage.py demo_otp_code`)."""
    from django.test import Client

    assert json.loads((ROOT / "fixtures/demo_clinic.json").read_text())["otp_secret"] == \
        "JVQW23LBOBXWY2JAMRSW23ZAKRHVIUBB"
    out = io.StringIO()
    call_command("demo_otp_code", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    for username in DEMO_USERS:
        browser = Client()
        browser.post("/accounts/login/", {"username": username, "password": "demo"})
        assert browser.get("/").status_code == 302  # the password alone is not enough
        browser.post("/accounts/second-factor/", {"otp_token": code})
        assert browser.get("/").status_code == 200, username


def test_loading_the_demo_again_keeps_one_authenticator_per_user(demo):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    call_command("load_demo", stdout=io.StringIO())
    assert TOTPDevice.objects.filter(user__username="planner").count() == 1

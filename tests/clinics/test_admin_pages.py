"""Every admin page, as every persona: patient data never shows in the admin without an
access-log row (there is none: patient data is not in the admin), and everyone outside the
admin's two groups (superusers, application managers) is refused every page."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from mammapoli.audit.models import AccessEvent
from mammapoli.planning.models import Plan, PlanJob, ResourceBooking
from tests.factories import ReferralFactory, VisitFactory

pytestmark = pytest.mark.django_db

#: Rows about a patient; none of these may be in the admin.
PATIENT_DATA = {"records.patient", "records.referral", "records.visitform", "records.formsection",
                "records.sectionversion", "records.addendum", "planning.visit", "planning.visitstep",
                "planning.visitstepresource", "audit.accessevent", "letters.gpletter", "fhir.receivedservicerequest"}
PERSONAS = ["staff_planner", "surgeon", "radiologist", "pathologist", "nurse", "privacy_officer", "outsider",
            "application_manager", "superuser"]
ADMIN_USERS = {"application_manager", "superuser"}


def _pages(model) -> list[str]:
    info = (model._meta.app_label, model._meta.model_name)
    pages = [reverse("admin:%s_%s_changelist" % info), reverse("admin:%s_%s_add" % info)]
    for row in model._default_manager.all()[:3]:
        for view in ("change", "history", "delete"):
            pages.append(reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[row.pk]))
    return pages


def test_no_patient_data_model_is_in_the_admin():
    registered = {f"{model._meta.app_label}.{model._meta.model_name}" for model in admin.site._registry}
    assert PATIENT_DATA <= {f"{m._meta.app_label}.{m._meta.model_name}" for m in apps.get_models()}
    assert registered & PATIENT_DATA == set()


def _plan_rows(visit, clinic) -> None:
    """A job, a plan and a booking of the visit's morning, so their change pages exist too."""
    job = PlanJob.objects.create(session=visit.session, time_limit=5, morning={})
    Plan.objects.create(session=visit.session, job=job, data={}, solver_status="OPTIMAL", scheduled=1,
                        priority_scheduled=0, total_stay=60, lower_bound_total_stay=60)
    start = dt.datetime(2026, 12, 1, 8, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    ResourceBooking.objects.create(session=visit.session, visit_step=visit.steps.first(),
                                   resource=clinic.resources.first(), start=start, end=start + dt.timedelta(minutes=15))


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_admin_page_as_each_persona(request, client, persona, clinic, surgeon, outsider):
    user = request.getfixturevalue(persona)
    visit = VisitFactory(session__clinic=clinic, patient__family_name="Zeldenrust",
                         patient__hospital_number="7654321")
    visit.referral = ReferralFactory(clinic=clinic, patient=visit.patient)  # named on a clinic's delete page
    visit.save()
    _plan_rows(visit, clinic)
    client.force_login(user)
    seen = 0
    for model in admin.site._registry:
        for page in _pages(model):
            before = AccessEvent.objects.count()
            response = client.get(page)
            body = response.content.decode()
            if re.search(r"Zeldenrust|7654321", body):
                assert AccessEvent.objects.count() > before, f"{page} shows patient data and logs nothing"
            if persona not in ADMIN_USERS:
                assert response.status_code in (302, 403, 404), (page, response.status_code)
                if response.status_code == 302:
                    # to the admin's login, or (staff, but no such row for her) to its index
                    assert response["Location"].startswith("/admin/login/") or response["Location"] == "/admin/", (
                        page, response["Location"])
            else:
                assert response.status_code in (200, 302, 403, 404), (page, response.status_code)
                seen += response.status_code == 200
    if persona in ADMIN_USERS:
        assert seen > 0

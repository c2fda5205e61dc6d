"""The application manager edits her own clinic's master data in the admin, and no other's:
lists, pages and every foreign-key choice stop at her clinic."""

import pytest

from mammapoli.clinics.models import Resource
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_resource(other_clinic):
    return ResourceFactory(clinic=other_clinic, code="chir-Z", kind__code="surgeon")


def test_she_lists_and_opens_her_clinics_resources_only(client, application_manager, clinic, other_resource):
    client.force_login(application_manager)
    listing = client.get("/admin/clinics/resource/")
    assert b"chir-A" in listing.content and b"chir-Z" not in listing.content
    assert b"elsewhere" not in listing.content  # not even as a filter choice
    own = clinic.resources.get(code="chir-A")
    assert client.get(f"/admin/clinics/resource/{own.pk}/change/").status_code == 200
    page = client.get(f"/admin/clinics/resource/{other_resource.pk}/change/")
    assert page.status_code == 302 and page["Location"] == "/admin/"
    assert client.get(f"/admin/clinics/clinic/{other_resource.clinic_id}/change/")["Location"] == "/admin/"


def test_she_cannot_move_a_resource_into_another_clinic(client, application_manager, clinic, other_resource):
    own = clinic.resources.get(code="chir-A")
    client.force_login(application_manager)
    form = client.get(f"/admin/clinics/resource/{own.pk}/change/").context["adminform"].form
    assert set(form.fields["clinic"].queryset) == {clinic}
    assert other_resource.kind not in form.fields["kind"].queryset
    response = client.post("/admin/clinics/resource/add/", {
        "clinic": other_resource.clinic_id, "code": "sneaky", "name": "", "kind": other_resource.kind_id,
        "active": "on", **_empty_inlines()})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "clinic" in errors and "kind" in errors
    assert not Resource.objects.filter(code="sneaky").exists()


def test_she_adds_a_resource_to_her_own_clinic(client, application_manager, clinic):
    client.force_login(application_manager)
    kind = clinic.kinds.get(code="surgeon")
    response = client.post("/admin/clinics/resource/add/", {
        "clinic": clinic.pk, "code": "chir-B", "name": "", "kind": kind.pk, "active": "on", **_empty_inlines()})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert clinic.resources.filter(code="chir-B").exists()


def test_she_adds_no_clinic_and_deletes_none(client, application_manager, clinic):
    client.force_login(application_manager)
    assert client.get("/admin/clinics/clinic/add/").status_code == 403
    assert client.post(f"/admin/clinics/clinic/{clinic.pk}/delete/", {"post": "yes"}).status_code == 403


def _empty_inlines() -> dict:
    data = {}
    for prefix in ("weekly_availability", "availability_exceptions"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
                     f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    return data

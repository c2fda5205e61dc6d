"""Managing the team in the admin: only the clinic's application manager (or a superuser),
only her own clinic, never her own role, every change in the access log."""

import pytest
from django.contrib.auth import get_user_model

from mammapoli.audit.models import AccessEvent, Action, Outcome
from mammapoli.clinics.models import ApplicationManager, StaffMember

pytestmark = pytest.mark.django_db

User = get_user_model()
ADD = "/admin/clinics/staffmember/add/"


def _change(member):
    return f"/admin/clinics/staffmember/{member.pk}/change/"


def _refused(response) -> bool:
    """403, 404, the admin's redirect to its login page, or its "no such object" redirect home."""
    return response.status_code in (403, 404) or (
        response.status_code == 302 and (response["Location"].startswith("/admin/login/")
                                         or response["Location"] == "/admin/"))


def test_a_planner_cannot_make_herself_surgeon_in_another_clinic(client, staff_planner, other_visit):
    client.force_login(staff_planner)
    response = client.post(ADD, {"clinic": other_visit.session.clinic_id, "user": staff_planner.pk,
                                 "role": "surgeon"})
    assert _refused(response)
    assert not StaffMember.objects.filter(user=staff_planner, clinic=other_visit.session.clinic).exists()
    refusal = AccessEvent.objects.get(action=Action.ROLE_GRANT)  # the attempt is logged, as refused
    assert (refusal.username, refusal.outcome, refusal.role) == ("petra.planner", Outcome.DENIED, "")
    assert client.get(f"/api/visits/{other_visit.pk}/form/").status_code == 404


def test_a_planner_cannot_make_herself_privacy_officer(client, staff_planner):
    own = staff_planner.memberships.get()
    client.force_login(staff_planner)
    response = client.post(_change(own), {"role": "privacy_officer"})
    assert _refused(response)
    own.refresh_from_db()
    assert own.role == "planner"
    assert client.get("/privacy/").status_code in (403, 404)


def test_nobody_changes_her_own_role_not_even_an_application_manager(client, application_manager, clinic):
    own = StaffMember.objects.create(clinic=clinic, user=application_manager, role="planner")
    client.force_login(application_manager)
    assert client.post(_change(own), {"role": "privacy_officer"}).status_code == 403
    assert client.post(f"/admin/clinics/staffmember/{own.pk}/delete/", {"post": "yes"}).status_code == 403
    own.refresh_from_db()
    assert own.role == "planner"
    assert list(AccessEvent.objects.order_by("id").values_list("action", "outcome", "role")) == [
        (Action.ROLE_CHANGE, Outcome.DENIED, "application_manager"),
        (Action.ROLE_REVOKE, Outcome.DENIED, "application_manager")]


def test_the_application_manager_changes_a_role_and_the_log_says_so(client, application_manager, surgeon):
    member = surgeon.memberships.get()
    client.force_login(application_manager)
    response = client.post(_change(member), {"role": "radiologist"})
    assert response.status_code == 302, response.content
    member.refresh_from_db()
    assert member.role == "radiologist"
    event = AccessEvent.objects.get(action=Action.ROLE_CHANGE)
    assert (event.username, event.role, event.clinic_id, event.patient_id) == (
        "anna.manager", "application_manager", member.clinic_id, None)
    assert event.detail == "user=sophie.surgeon role surgeon -> radiologist"


def test_the_application_manager_removes_a_role_and_the_log_says_so(client, application_manager, surgeon):
    member = surgeon.memberships.get()
    client.force_login(application_manager)
    response = client.post(f"/admin/clinics/staffmember/{member.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not StaffMember.objects.filter(pk=member.pk).exists()
    event = AccessEvent.objects.get(action=Action.ROLE_REVOKE)
    assert event.detail == "user=sophie.surgeon role=surgeon"


def test_the_application_manager_sees_only_her_own_clinic(client, application_manager, surgeon, outsider):
    client.force_login(application_manager)
    listing = client.get("/admin/clinics/staffmember/")
    assert listing.status_code == 200
    assert b"sophie.surgeon" in listing.content and b"olaf.outsider" not in listing.content
    outsiders_row = outsider.memberships.get()
    assert _refused(client.get(_change(outsiders_row)))
    assert _refused(client.post(_change(outsiders_row), {"role": "planner"}))
    outsiders_row.refresh_from_db()
    assert outsiders_row.role == "surgeon"
    assert _refused(client.get(f"/admin/auth/user/{outsider.pk}/change/"))


def test_the_application_manager_cannot_put_anyone_into_another_clinic(
        client, application_manager, planner, other_clinic):
    client.force_login(application_manager)
    response = client.post(ADD, {"clinic": other_clinic.pk, "user": planner.pk, "role": "surgeon"})
    assert response.status_code == 200  # the form again, with the error on the clinic field
    assert "clinic" in response.context["adminform"].form.errors
    assert not StaffMember.objects.filter(clinic=other_clinic, user=planner).exists()


def test_the_application_manager_cannot_give_herself_a_role(client, application_manager, clinic):
    client.force_login(application_manager)
    response = client.post(ADD, {"clinic": clinic.pk, "user": application_manager.pk, "role": "surgeon"})
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert not StaffMember.objects.filter(user=application_manager).exists()


def test_the_user_search_answers_the_application_manager_with_her_clinics_users_only(
        client, application_manager, surgeon, outsider):
    client.force_login(application_manager)
    response = client.get("/admin/autocomplete/", {"app_label": "clinics", "model_name": "staffmember",
                                                   "field_name": "user", "term": ""})
    assert response.status_code == 200
    names = {row["text"] for row in response.json()["results"]}
    assert "sophie.surgeon" in names
    assert "olaf.outsider" not in names and "anna.manager" not in names


def test_the_application_manager_creates_a_user_of_her_clinic(client, application_manager, clinic):
    client.force_login(application_manager)
    response = client.post("/admin/auth/user/add/", {
        "username": "rianne.radiologist", "first_name": "Rianne", "last_name": "Radioloog", "email": "",
        "clinic": clinic.pk, "role": "radiologist", "password1": "een-lang-wachtwoord-42",
        "password2": "een-lang-wachtwoord-42"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="rianne.radiologist")
    assert not user.is_staff and not user.is_superuser
    assert user.memberships.get().role == "radiologist"
    assert list(AccessEvent.objects.order_by("id").values_list("action", "detail")) == [
        (Action.ACCOUNT_CREATE, "user=rianne.radiologist"), (Action.ROLE_GRANT, "user=rianne.radiologist role=radiologist")]


def test_the_application_manager_cannot_create_a_user_of_another_clinic(client, application_manager, other_clinic):
    client.force_login(application_manager)
    response = client.post("/admin/auth/user/add/", {
        "username": "indringer", "first_name": "In", "last_name": "Dringer", "email": "",
        "clinic": other_clinic.pk, "role": "surgeon", "password1": "een-lang-wachtwoord-42",
        "password2": "een-lang-wachtwoord-42"})
    assert response.status_code == 200
    assert "clinic" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="indringer").exists()


def test_the_application_manager_deactivates_rather_than_deletes(client, application_manager, surgeon):
    client.force_login(application_manager)
    page = f"/admin/auth/user/{surgeon.pk}/"
    response = client.post(page + "change/", {"first_name": surgeon.first_name, "last_name": surgeon.last_name,
                                              "email": "", "is_active": ""})
    assert response.status_code == 302, response.context["adminform"].form.errors
    surgeon.refresh_from_db()
    assert not surgeon.is_active
    assert AccessEvent.objects.get(action=Action.ACCOUNT_DEACTIVATE).detail == "user=sophie.surgeon"
    assert client.post(page + "delete/", {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=surgeon.pk).exists()


def test_the_application_manager_sets_no_password_and_no_admin_rights(client, application_manager, surgeon):
    client.force_login(application_manager)
    page = f"/admin/auth/user/{surgeon.pk}/"
    assert client.get(page + "password/").status_code == 403
    assert client.post(page + "password/", {"password1": "x", "password2": "x"}).status_code == 403
    assert AccessEvent.objects.get(outcome=Outcome.DENIED).detail == f"refused in the admin: password {surgeon.pk}"
    client.post(page + "change/", {"first_name": "S", "last_name": "C", "email": "", "is_active": "on",
                                   "is_staff": "on", "is_superuser": "on"})
    surgeon.refresh_from_db()
    assert (surgeon.first_name, surgeon.is_staff, surgeon.is_superuser) == ("S", False, False)


def test_a_superuser_appoints_an_application_manager_and_the_log_says_so(client, superuser, clinic, planner):
    client.force_login(superuser)
    response = client.post("/admin/clinics/applicationmanager/add/", {"clinic": clinic.pk, "user": planner.pk})
    assert response.status_code == 302
    assert ApplicationManager.objects.filter(clinic=clinic, user=planner).exists()
    planner.refresh_from_db()
    assert planner.is_staff
    event = AccessEvent.objects.get(action=Action.ROLE_GRANT)
    assert (event.username, event.role, event.detail) == ("root", "superuser", "user=petra.planner role=application_manager")


def test_an_application_manager_appoints_no_application_manager(client, application_manager, clinic, planner):
    client.force_login(application_manager)
    response = client.post("/admin/clinics/applicationmanager/add/", {"clinic": clinic.pk, "user": planner.pk})
    assert _refused(response)
    assert not ApplicationManager.objects.filter(user=planner).exists()


def test_a_superuser_making_someone_superuser_is_logged(client, superuser, planner):
    client.force_login(superuser)
    page = client.get(f"/admin/auth/user/{planner.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update({"is_superuser": "on", "is_staff": "on", "is_active": "on", "groups": [], "user_permissions": [],
                 "date_joined_0": "2026-11-30", "date_joined_1": "10:00:00"})
    data = {k: v for k, v in data.items() if k not in ("date_joined", "last_login")}
    response = client.post(f"/admin/auth/user/{planner.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    planner.refresh_from_db()
    assert planner.is_superuser
    assert sorted(AccessEvent.objects.filter(action=Action.ROLE_GRANT).values_list("detail", flat=True)) == [
        "user=petra.planner role=admin", "user=petra.planner role=superuser"]

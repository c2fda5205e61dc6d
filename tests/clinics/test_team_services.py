"""The team services check the rights themselves (whatever page calls them) and log each change."""

import pytest
from django.core.exceptions import ValidationError

from mammapoli.audit.models import AccessEvent, Action
from mammapoli.clinics.models import StaffMember
from mammapoli.clinics.services.team import (
    TeamChangeRefused,
    account_create,
    account_update,
    application_manager_appoint,
    application_manager_dismiss,
    staff_member_grant,
    staff_member_remove,
    staff_member_role_change,
)
from mammapoli.clinics.team_rights import manageable_users
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_planner_changes_no_role_not_even_her_own(planner, surgeon):
    own, other = planner.memberships.get(), surgeon.memberships.get()
    for member in (own, other):
        with pytest.raises(TeamChangeRefused):
            staff_member_role_change(actor=planner, member_id=member.pk, role="privacy_officer")
    assert set(StaffMember.objects.values_list("role", flat=True)) == {"planner", "surgeon"}
    assert not AccessEvent.objects.exists()


def test_the_application_manager_does_not_reach_another_clinic(application_manager, outsider, other_clinic, planner):
    with pytest.raises(TeamChangeRefused):
        staff_member_role_change(actor=application_manager, member_id=outsider.memberships.get().pk, role="planner")
    with pytest.raises(TeamChangeRefused):
        staff_member_grant(actor=application_manager, clinic=other_clinic, user=planner, role="surgeon")
    with pytest.raises(TeamChangeRefused):
        staff_member_remove(actor=application_manager, member_id=outsider.memberships.get().pk)
    with pytest.raises(TeamChangeRefused):
        account_update(actor=application_manager, user_id=outsider.pk, first_name="O", last_name="B", email="",
                       is_active=False)
    assert outsider.memberships.get().role == "surgeon"


def test_nobody_grants_herself_a_role_not_even_a_superuser(superuser, clinic):
    with pytest.raises(TeamChangeRefused):
        staff_member_grant(actor=superuser, clinic=clinic, user=superuser, role="surgeon")
    with pytest.raises(TeamChangeRefused):
        application_manager_appoint(actor=superuser, clinic=clinic, user=superuser)


def test_a_role_must_be_a_role(application_manager, surgeon):
    with pytest.raises(ValidationError) as error:
        staff_member_role_change(actor=application_manager, member_id=surgeon.memberships.get().pk, role="root")
    assert "role" in error.value.message_dict


def test_the_manager_users_are_her_clinics_plain_users(application_manager, surgeon, planner, outsider, superuser,
                                                        clinic, other_clinic):
    both = UserFactory(username="in.both")
    StaffMember.objects.create(clinic=clinic, user=both, role="nurse")
    StaffMember.objects.create(clinic=other_clinic, user=both, role="nurse")
    assert set(manageable_users(application_manager).values_list("username", flat=True)) == {
        "sophie.surgeon", "petra.planner"}


def test_an_account_needs_a_good_password_and_a_free_username(application_manager, clinic, surgeon):
    with pytest.raises(ValidationError) as error:
        account_create(actor=application_manager, clinic=clinic, role="nurse", username="nieuw", first_name="N",
                       last_name="W", password="123")
    assert "password" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        account_create(actor=application_manager, clinic=clinic, role="nurse", username="sophie.surgeon",
                       first_name="N", last_name="W", password="een-lang-wachtwoord-42")
    assert "username" in error.value.message_dict
    assert not AccessEvent.objects.exists()


def test_reactivating_is_logged_too(application_manager, surgeon):
    for active, action in ((False, Action.ACCOUNT_DEACTIVATE), (True, Action.ACCOUNT_REACTIVATE)):
        account_update(actor=application_manager, user_id=surgeon.pk, first_name="S", last_name="C", email="",
                       is_active=active)
        assert AccessEvent.objects.latest("id").action == action


def test_dismissing_the_last_appointment_closes_the_admin_for_her(superuser, application_manager, clinic):
    appointment = application_manager.managed_clinics.get()
    application_manager_dismiss(actor=superuser, appointment_id=appointment.pk)
    application_manager.refresh_from_db()
    assert not application_manager.is_staff
    event = AccessEvent.objects.get()
    assert (event.action, event.detail) == (Action.ROLE_REVOKE, "user=anna.manager role=application_manager")


def test_the_log_rows_of_team_changes_cannot_be_changed(application_manager, surgeon):
    from mammapoli.audit.models import AppendOnlyError

    staff_member_role_change(actor=application_manager, member_id=surgeon.memberships.get().pk, role="nurse")
    event = AccessEvent.objects.get()
    event.detail = "nothing happened"
    with pytest.raises(AppendOnlyError):
        event.save()


def test_deleting_an_account_logs_each_role_it_loses(superuser, surgeon, application_manager):
    from mammapoli.clinics.services.team import account_delete

    with pytest.raises(TeamChangeRefused):
        account_delete(actor=application_manager, user_id=surgeon.pk)
    account_delete(actor=superuser, user_id=surgeon.pk)
    assert list(AccessEvent.objects.order_by("id").values_list("action", "detail")) == [
        (Action.ROLE_REVOKE, "user=sophie.surgeon role=surgeon"),
        (Action.ACCOUNT_DELETE, "user=sophie.surgeon")]

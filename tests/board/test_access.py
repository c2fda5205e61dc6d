"""morning_for_user: the morning's team sees its patients, each look is logged; others get 404."""

import pytest

from mammapoli.audit.models import AccessEvent
from mammapoli.planning.access import morning_for_user
from mammapoli.planning.models import VisitStatus
from mammapoli.clinics.access import NotInYourClinics

pytestmark = pytest.mark.django_db

#: P01-P20 (P08 a no-show) and the walk-ins W1 and W2.
VISITS_SHOWN = 22


@pytest.mark.parametrize("persona", ["planner", "surgeon", "nurse"])
def test_team_members_see_the_morning_and_each_patient_shown_is_logged(request, persona, morning):
    user = request.getfixturevalue(persona)
    access = morning_for_user(user, morning.pk, what="day view")
    assert (access.session, access.membership.role, len(access.visits)) == (morning, persona, VISITS_SHOWN)
    rows = AccessEvent.objects.filter(username=user.username)
    assert rows.count() == VISITS_SHOWN
    assert set(rows.values_list("action", "what", "outcome", "role", "clinic_id", "detail")) == {
        ("list", "day view", "allowed", persona, morning.clinic_id, f"session={morning.pk} date=2025-12-02")}
    assert sorted(rows.values_list("patient_id", "visit_id")) == sorted((v.patient_id, v.pk) for v in access.visits)


def test_an_outsider_gets_not_found_and_one_refused_row(morning, outsider):
    with pytest.raises(NotInYourClinics):
        morning_for_user(outsider, morning.pk, what="board")
    (row,) = AccessEvent.objects.filter(username="olaf.outsider")
    assert (row.action, row.what, row.outcome, row.clinic_id, row.patient_id, row.detail) == (
        "list", "board", "denied", morning.clinic_id, None, f"session={morning.pk} not in the clinic team")


def test_a_missing_morning_is_not_found_either(planner):
    with pytest.raises(NotInYourClinics):
        morning_for_user(planner, 999_999, what="day view")
    (row,) = AccessEvent.objects.all()
    assert (row.outcome, row.clinic_id, row.detail) == ("denied", None, "session=999999 no such session")


def test_cancelled_visits_are_neither_shown_nor_logged(morning, planner):
    morning.visits.filter(code="P02").update(status=VisitStatus.CANCELLED)
    access = morning_for_user(planner, morning.pk, what="day view")
    assert "P02" not in [v.code for v in access.visits]
    assert AccessEvent.objects.count() == VISITS_SHOWN - 1

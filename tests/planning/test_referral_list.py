"""The planner's referral list: open, booked, past the urgency target; filters; logged."""

import datetime as dt

import pytest

from mammapoli.audit.models import AccessEvent
from mammapoli.planning.referral_list import ALL, BOOKED, LATE, OPEN, referrals_for_planner
from tests.factories import ClinicFactory, ClinicSessionFactory, PatientFactory, ReferralFactory, VisitFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 30)  # Monday, the suite clock's day


@pytest.fixture
def referrals(clinic):
    late = ReferralFactory(clinic=clinic, urgency="urgent", received_on=dt.date(2026, 11, 25),  # target Fri 27th
                           patient=PatientFactory(given_name="Ingrid", family_name="Bakker"))
    fresh = ReferralFactory(clinic=clinic, urgency="regular", received_on=dt.date(2026, 11, 27),  # target 4 Dec
                            patient=PatientFactory(given_name="Fleur", family_name="Visser"))
    booked = ReferralFactory(clinic=clinic, urgency="urgent", received_on=dt.date(2026, 11, 26),
                             patient=PatientFactory(given_name="Lotte", family_name="de Boer"))
    VisitFactory(session=ClinicSessionFactory(clinic=clinic, date=dt.date(2026, 12, 1)), patient=booked.patient,
                 referral=booked)
    ReferralFactory(clinic=ClinicFactory(name="other"), patient=PatientFactory(family_name="Elders"))
    return {"late": late, "fresh": fresh, "booked": booked}


def names(rows) -> list[str]:
    return [row.referral.patient.family_name for row in rows]


@pytest.mark.parametrize(("state", "expected"), [
    (OPEN, ["Bakker", "Visser"]), (LATE, ["Bakker"]), (BOOKED, ["de Boer"]), (ALL, ["Bakker", "Visser", "de Boer"]),
])
def test_the_planner_sees_open_late_and_booked_referrals_of_her_clinic_the_most_pressing_first(
        planner, referrals, state, expected):
    assert names(referrals_for_planner(planner, state=state, today=TODAY)) == expected


def test_a_referral_past_its_target_is_late_and_says_until_when_it_was_due(planner, referrals):
    (row,) = referrals_for_planner(planner, state=LATE, today=TODAY)
    assert (row.target, row.late_on(TODAY), row.booked) == (dt.date(2026, 11, 27), True, False)


def test_filters_by_urgency_and_received_date(planner, referrals):
    assert names(referrals_for_planner(planner, state=ALL, urgency="urgent", today=TODAY)) == ["Bakker", "de Boer"]
    assert names(referrals_for_planner(planner, state=ALL, received_from=dt.date(2026, 11, 26), today=TODAY)) == [
        "Visser", "de Boer"]


@pytest.mark.parametrize("persona", ["surgeon", "outsider", "privacy_officer"])
def test_only_planners_see_the_list(request, referrals, persona):
    assert referrals_for_planner(request.getfixturevalue(persona), state=ALL, today=TODAY) == []


def test_each_patient_shown_is_logged_once(planner, referrals):
    referrals_for_planner(planner, state=ALL, today=TODAY)
    rows = AccessEvent.objects.filter(username=planner.username, what="referral list", action="list")
    assert sorted(rows.values_list("patient_id", flat=True)) == sorted(r.patient_id for r in referrals.values())


def test_the_page_links_each_referral_and_refuses_a_bad_filter_with_its_name(client, planner, referrals):
    client.force_login(planner)
    html = client.get("/planning/referrals/").content.decode()
    assert f'href="/planning/referrals/{referrals["late"].pk}/"' in html and "target missed" in html
    assert f'href="/planning/referrals/{referrals["booked"].pk}/"' not in html  # booked: not open
    bad = client.get("/planning/referrals/", {"state": "everything", "received_from": "gisteren"})
    assert bad.status_code == 200
    assert "Select a valid choice" in bad.content.decode() and "Enter a valid date" in bad.content.decode()

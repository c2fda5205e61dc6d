"""Finding a patient: planners and specialists of her clinic find her by name, hospital number
or date of birth; a user of another clinic finds nobody; every search is logged."""

import datetime as dt

import pytest

from mammapoli.audit.models import AccessEvent
from mammapoli.records.errors import PatientDataNotFound
from mammapoli.records.patient_search import patient_for_user, patients_search_for_user
from tests.factories import ClinicFactory, ClinicSessionFactory, PatientFactory, ReferralFactory, VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ours(clinic):
    """Sanne Jansen (a visit) and Marieke de Vries (a referral only) in our clinic; Sanne
    Jansson in another clinic."""
    sanne = PatientFactory(given_name="Sanne", family_name="Jansen", hospital_number="07001200",
                           date_of_birth=dt.date(1998, 4, 12))
    VisitFactory(session=ClinicSessionFactory(clinic=clinic), patient=sanne)
    marieke = PatientFactory(given_name="Marieke", family_name="de Vries", hospital_number="07001237",
                             date_of_birth=dt.date(1968, 9, 3))
    ReferralFactory(clinic=clinic, patient=marieke)
    elsewhere = PatientFactory(given_name="Sanne", family_name="Jansson", hospital_number="09000001")
    ReferralFactory(clinic=ClinicFactory(name="other"), patient=elsewhere)
    return {"sanne": sanne, "marieke": marieke, "elsewhere": elsewhere}


def found(user, query: str) -> list[str]:
    return [p.full_name for p in patients_search_for_user(user, query).patients]


@pytest.mark.parametrize(("query", "names"), [
    ("Jansen", ["Sanne Jansen"]), ("jans", ["Sanne Jansen"]), ("sanne", ["Sanne Jansen"]),
    ("de vries", ["Marieke de Vries"]), ("Marieke Vries", ["Marieke de Vries"]),
    ("07001200", ["Sanne Jansen"]), ("070012", ["Marieke de Vries", "Sanne Jansen"]),
    ("12-04-1998", ["Sanne Jansen"]), ("1998-04-12", ["Sanne Jansen"]), ("03/09/1968", ["Marieke de Vries"]),
    ("Bakker", []),
])
def test_a_planner_finds_the_patients_of_her_clinic_by_name_number_or_date_of_birth(planner, ours, query, names):
    assert found(planner, query) == names


@pytest.mark.parametrize("persona", ["surgeon", "radiologist", "pathologist", "nurse"])
def test_the_specialists_search_too(request, ours, persona):
    assert found(request.getfixturevalue(persona), "jansen") == ["Sanne Jansen"]


def test_an_outsider_finds_nobody_not_even_her_own_clinics_namesake(outsider, ours):
    assert found(outsider, "Sanne") == []


def test_the_privacy_officer_uses_her_own_search(privacy_officer, ours):
    assert found(privacy_officer, "Jansen") == []


def test_every_search_is_logged_a_row_per_patient_found_or_one_when_none(planner, outsider, ours):
    patients_search_for_user(planner, "070012")
    rows = AccessEvent.objects.filter(username=planner.username, action="search")
    assert sorted((r.patient_id, r.what, r.detail, r.role) for r in rows) == sorted(
        (p.pk, "patient search", "query=070012", "planner") for p in (ours["sanne"], ours["marieke"]))
    patients_search_for_user(planner, "Bakker")
    patients_search_for_user(outsider, "Sanne")
    assert list(AccessEvent.objects.filter(detail__startswith="query=Bakker").values_list("patient_id", "role")) == [
        (None, "planner")]
    # The outsider searched her own clinic's patients (she is a surgeon elsewhere): nobody, logged.
    assert list(AccessEvent.objects.filter(username=outsider.username).values_list(
        "patient_id", "action", "detail", "role", "clinic_id")) == [
        (None, "search", "query=Sanne", "surgeon", outsider.memberships.get().clinic_id)]


def test_a_one_letter_search_is_not_run(planner, ours):
    assert patients_search_for_user(planner, "J").too_short
    assert not AccessEvent.objects.exists()


def test_her_page_lists_her_visits_and_referrals_and_is_logged(client, surgeon, outsider, ours):
    client.force_login(surgeon)
    html = client.get(f"/patients/{ours['sanne'].pk}/").content.decode()
    visit = ours["sanne"].visits.get()
    assert f'href="/visits/{visit.pk}/form/"' in html  # a surgeon reads the findings: the form
    assert AccessEvent.objects.filter(username=surgeon.username, action="read", what="patient",
                                      patient_id=ours["sanne"].pk).count() == 1
    with pytest.raises(PatientDataNotFound):
        patient_for_user(outsider, ours["sanne"].pk)
    client.force_login(outsider)
    assert client.get(f"/patients/{ours['sanne'].pk}/").status_code == 404
    assert AccessEvent.objects.filter(username=outsider.username, outcome="denied").count() == 2
    # the probes are stored in her clinic, where its privacy officer sees them (issue 10)
    assert set(AccessEvent.objects.filter(username=outsider.username).values_list("clinic_id", "patient_id")) == {
        (ours["sanne"].clinic_id, ours["sanne"].pk)}


def test_the_planner_goes_from_a_result_to_the_referral(client, planner, ours):
    client.force_login(planner)
    results = client.get("/patients/", {"q": "de Vries"}).content.decode()
    assert f'href="/patients/{ours["marieke"].pk}/"' in results
    page = client.get(f"/patients/{ours['marieke'].pk}/").content.decode()
    referral = ours["marieke"].referrals.get()
    assert f'href="/planning/referrals/{referral.pk}/"' in page

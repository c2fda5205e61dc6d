"""The permission-checking helpers: who gets a visit, and what each attempt leaves in the log."""

import datetime as dt

import pytest

from mammapoli.audit.models import AccessEvent
from mammapoli.planning.access import visit_for_user, visits_for_user
from mammapoli.records.errors import PatientDataForbidden, PatientDataNotFound
from tests.factories import ClinicSessionFactory, VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(clinic):
    return VisitFactory(session=ClinicSessionFactory(clinic=clinic, date=dt.date(2026, 12, 1)),
                        pathway=clinic.pathways.get(code="imaging"))


def last_event() -> AccessEvent:
    return AccessEvent.objects.order_by("-id").first()


def test_a_team_member_gets_the_visit_and_the_read_is_logged(visit, surgeon):
    access = visit_for_user(surgeon, visit.pk, findings=True, what="form")
    assert access.visit == visit and access.role == "surgeon"
    event = last_event()
    assert (event.username, event.role, event.action, event.what, event.outcome, event.patient_id, event.visit_id) == (
        "sophie.surgeon", "surgeon", "read", "form", "allowed", visit.patient_id, visit.pk)


def test_an_outsider_gets_not_found_and_the_attempt_is_logged(visit, outsider):
    with pytest.raises(PatientDataNotFound):
        visit_for_user(outsider, visit.pk)
    event = last_event()
    assert (event.username, event.outcome, event.patient_id, event.detail) == (
        "olaf.outsider", "denied", visit.patient_id, "not in the clinic team")


def test_a_missing_visit_is_not_found_too(surgeon):
    with pytest.raises(PatientDataNotFound):
        visit_for_user(surgeon, 999_999)
    assert (last_event().outcome, last_event().patient_id, last_event().detail) == ("denied", None, "no such visit")


def test_a_planner_sees_the_visit_but_not_the_findings(visit, planner):
    assert visit_for_user(planner, visit.pk).visit == visit
    with pytest.raises(PatientDataForbidden):
        visit_for_user(planner, visit.pk, findings=True, what="form")
    assert (last_event().outcome, last_event().role, last_event().detail) == (
        "denied", "planner", "role planner does not read findings")


def test_a_list_logs_a_row_per_patient_shown(visit, clinic, radiologist, outsider):
    second = VisitFactory(session=visit.session, pathway=visit.pathway)
    shown = list(visits_for_user(radiologist, day=dt.date(2026, 12, 1)))
    assert shown == [visit, second] or shown == [second, visit]
    rows = AccessEvent.objects.filter(action="list").order_by("visit_id")
    assert [(r.patient_id, r.visit_id, r.detail) for r in rows] == sorted(
        [(visit.patient_id, visit.pk, "date=2026-12-01"), (second.patient_id, second.pk, "date=2026-12-01")],
        key=lambda row: row[1])
    assert list(visits_for_user(outsider, day=dt.date(2026, 12, 1))) == []
    assert list(visits_for_user(radiologist, day=dt.date(2026, 12, 2))) == []


# --- the refusal's type says what was refused (issue 11) -------------------------------------------


@pytest.mark.parametrize("helper", ["session", "plan", "plan job", "resource"])
def test_a_morning_a_plan_a_job_or_a_resource_is_not_found_as_the_clinics_data_not_as_a_patients(
        request, surgeon, helper):
    import uuid

    from mammapoli.clinics.access import NotInYourClinics, resource_for_user
    from mammapoli.planning.access import plan_for_user, plan_job_for_user, session_for_user

    call = {"session": lambda: session_for_user(surgeon, 999_999), "plan": lambda: plan_for_user(surgeon, 999_999),
            "plan job": lambda: plan_job_for_user(surgeon, uuid.uuid4()),
            "resource": lambda: resource_for_user(surgeon, 999_999)}[helper]
    with pytest.raises(NotInYourClinics) as refused:
        call()
    assert not isinstance(refused.value, PatientDataNotFound)
    assert (last_event().outcome, last_event().username) == ("denied", "sophie.surgeon")


def test_a_role_refusal_and_a_findings_refusal_are_told_apart_by_their_type_not_their_log_text(visit, planner):
    from mammapoli.clinics.access import RoleMayNot

    with pytest.raises(PatientDataForbidden) as findings:
        visit_for_user(planner, visit.pk, findings=True)
    with pytest.raises(PatientDataForbidden) as role:
        visit_for_user(planner, visit.pk, roles={"surgeon"})
    assert isinstance(role.value, RoleMayNot)
    assert (str(findings.value), str(role.value)) == ("Your role does not read the findings.",
                                                      "Your role may not do this.")

"""The privacy officer reviews the log: a day of her clinics on one page, filtered by date, user,
action and outcome, paged, with full names and patient numbers, and exported as CSV — every
page and export logged."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.utils import timezone

from mammapoli.audit.models import AccessEvent
from mammapoli.audit.selectors import PAGE_SIZE
from mammapoli.audit.services import access_event_record, access_events_record_many
from tests.factories import ClinicFactory, ClinicSessionFactory, PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(clinic):
    return VisitFactory(session=ClinicSessionFactory(clinic=clinic, date=dt.date(2026, 12, 1)),
                        pathway=clinic.pathways.get(code="imaging"),
                        patient=PatientFactory(given_name="Anna", family_name="de Vries", hospital_number="H-4711"))


@pytest.fixture
def named(surgeon, radiologist):
    surgeon.first_name, surgeon.last_name = "Sophie", "Snijders"
    surgeon.save()
    radiologist.first_name, radiologist.last_name = "Ruben", "Röntgen"
    radiologist.save()
    return surgeon, radiologist


def seen(user, visit, *, what="form", when=None, outcome="allowed", action="read"):
    with time_machine.travel(when or timezone.now(), tick=False):
        return access_event_record(user=user, action=action, what=what, outcome=outcome, role="surgeon",
                                   clinic_id=visit.session.clinic_id, patient_id=visit.patient_id, visit_id=visit.pk)


def test_a_day_of_board_refreshes_fits_on_one_page(client, clinic, visit, surgeon, privacy_officer):
    """A morning of a board refreshing every 30 s (8 hours): 32 rows for the patient, not 960."""
    start = timezone.now().replace(hour=7, minute=0)
    for tick in range(8 * 60 * 2):
        with time_machine.travel(start + dt.timedelta(seconds=30 * tick), tick=False):
            access_events_record_many(user=surgeon, action="list", what="board", subjects=[(visit.patient_id, visit.pk)],
                                      role="surgeon", clinic_id=clinic.pk, detail="session=1 date=2026-11-30")
    assert AccessEvent.objects.count() == 32
    assert sum(AccessEvent.objects.values_list("count", flat=True)) == 960
    client.force_login(privacy_officer)
    response = client.get("/privacy/log/")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 32 + 0  # the officer's own look names no patient yet
    assert not response.context["page"].has_other_pages()


def test_the_log_page_shows_full_names_and_patient_numbers(client, visit, named, privacy_officer):
    surgeon, _radiologist = named
    seen(surgeon, visit)
    client.force_login(privacy_officer)
    html = client.get("/privacy/log/").content.decode()
    assert "Sophie Snijders" in html and "(sophie.surgeon)" in html
    assert "Anna de Vries" in html and "(H-4711)" in html


def test_the_log_page_filters_by_date_user_action_and_outcome(client, visit, named, privacy_officer, outsider):
    surgeon, radiologist = named
    yesterday = timezone.now() - dt.timedelta(days=1)
    seen(surgeon, visit, when=yesterday)
    seen(surgeon, visit, what="visit")
    seen(radiologist, visit, action="write", what="form section imaging")
    seen(radiologist, visit, outcome="denied")
    client.force_login(privacy_officer)

    def shown(**query):
        response = client.get("/privacy/log/", query)
        assert response.status_code == 200
        return sorted((e.username, e.action, e.what, e.outcome) for e in response.context["page"]
                      if e.username != "pim.privacy")

    today = timezone.localdate().isoformat()
    assert shown(date_from=today, date_to=today) == [
        ("ruben.radiologist", "read", "form", "denied"), ("ruben.radiologist", "write", "form section imaging", "allowed"),
        ("sophie.surgeon", "read", "visit", "allowed")]
    day_before = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert shown(date_from=day_before, date_to=day_before) == [("sophie.surgeon", "read", "form", "allowed")]
    assert shown(user="Röntgen", action="write") == [("ruben.radiologist", "write", "form section imaging", "allowed")]
    assert shown(outcome="denied") == [("ruben.radiologist", "read", "form", "denied")]
    assert shown(patient="H-4711", user="sophie") == [("sophie.surgeon", "read", "form", "allowed"),
                                                       ("sophie.surgeon", "read", "visit", "allowed")]


def test_a_bad_filter_names_the_field_and_shows_nothing(client, visit, surgeon, privacy_officer):
    seen(surgeon, visit)
    client.force_login(privacy_officer)
    response = client.get("/privacy/log/", {"date_from": "yesterday", "action": "steal"})
    assert response.status_code == 400
    assert set(response.context["filter"].errors) == {"date_from", "action"}
    assert response.context["rows"] == []
    response = client.get("/privacy/log/", {"date_from": "2026-11-30", "date_to": "2026-11-29"})
    assert response.status_code == 400 and "date_to" in response.context["filter"].errors


def test_the_log_pages(client, clinic, privacy_officer, surgeon):
    patients = [PatientFactory() for _ in range(3)]
    for index in range(PAGE_SIZE + 5):
        access_event_record(user=surgeon, action="write", what="form", clinic_id=clinic.pk,
                            patient_id=patients[index % 3].pk)
    client.force_login(privacy_officer)
    first = client.get("/privacy/log/")
    assert first.context["page"].paginator.num_pages == 2
    assert "page=2" in first.content.decode()
    second = client.get("/privacy/log/", {"page": 2, "date_from": timezone.localdate().isoformat()})
    assert len(second.context["page"]) == 5 + 3  # the 5 oldest, and page 1's look at the 3 patients it named


def test_each_page_logs_the_patients_it_names(client, visit, surgeon, privacy_officer):
    seen(surgeon, visit)
    client.force_login(privacy_officer)
    client.get("/privacy/log/")
    look = AccessEvent.objects.get(username="pim.privacy")
    assert (look.action, look.what, look.patient_id, look.outcome) == ("list", "access log", visit.patient_id,
                                                                      "allowed")
    assert look.detail.startswith("filter=date_from=")


@pytest.mark.parametrize("persona", ["surgeon", "planner", "outsider"])
def test_everyone_else_is_refused_and_the_refusal_logged(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get("/privacy/log/").status_code == 403
    assert client.get("/privacy/log/", {"format": "csv"}).status_code == 403
    refusals = AccessEvent.objects.filter(username=user.username, what="access log", outcome="denied")
    assert refusals.count() == 2


def test_other_clinics_rows_are_not_hers(client, visit, privacy_officer):
    elsewhere = ClinicFactory(name="elders")
    access_event_record(user=privacy_officer, action="read", what="form", clinic_id=elsewhere.pk,
                        patient_id=visit.patient_id)
    client.force_login(privacy_officer)
    page = client.get("/privacy/log/").context["page"]
    assert [event.clinic_id for event in page] == []


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="access-log')
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_export_holds_every_filtered_row_and_is_logged(client, visit, named, privacy_officer):
    surgeon, radiologist = named
    seen(surgeon, visit)
    seen(radiologist, visit, outcome="denied", what="=HYPERLINK(\"x\")")
    client.force_login(privacy_officer)
    rows = read_csv(client.get("/privacy/log/", {"format": "csv", "user": "sophie"}))
    assert rows[0][:4] == ["First time", "Last time", "Times", "Username"]
    assert [(r[3], r[4], r[7], r[8], r[9]) for r in rows[1:]] == [
        ("sophie.surgeon", "Sophie Snijders", "form", "H-4711", "Anna de Vries")]
    exports = AccessEvent.objects.filter(username="pim.privacy", action="export").order_by("id")
    assert [(e.what, e.patient_id, e.detail) for e in exports] == [
        ("access log", None, "filter=user=sophie"), ("access log", visit.patient_id, "filter=user=sophie")]
    rows = read_csv(client.get("/privacy/log/", {"format": "csv", "outcome": "denied"}))
    assert [r[7] for r in rows[1:]] == ["'=HYPERLINK(\"x\")"]  # a formula is written as text


def test_the_patient_page_filters_pages_and_exports(client, visit, named, privacy_officer):
    surgeon, radiologist = named
    seen(surgeon, visit)
    seen(radiologist, visit, outcome="denied")
    client.force_login(privacy_officer)
    response = client.get(f"/privacy/patients/{visit.patient_id}/", {"outcome": "denied"})
    assert response.status_code == 200
    assert [e.username for e in response.context["page"]] == ["ruben.radiologist"]
    assert "Ruben Röntgen" in response.content.decode()
    rows = read_csv(client.get(f"/privacy/patients/{visit.patient_id}/", {"format": "csv", "user": "snijders"}))
    assert [r[3] for r in rows[1:]] == ["sophie.surgeon"]
    assert AccessEvent.objects.filter(username="pim.privacy", action="export", patient_id=visit.patient_id).exists()
    assert client.get(f"/privacy/patients/{visit.patient_id}/", {"date_to": "soon"}).status_code == 400

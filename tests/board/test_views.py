"""The pages: /sessions/<id>/day/ (with ?rows=patients and ?print=1), /sessions/<id>/board/, home."""

import pytest
from django.utils import timezone

from mammapoli.audit.models import AccessEvent
from tests.board.html import chart_rows, page, table_row, text_of
from tests.factories import ClinicSessionFactory

pytestmark = pytest.mark.django_db

VISITS_SHOWN = 22


def test_the_day_view_has_a_row_per_resource_with_the_plan_and_what_happened(client, planner, morning):
    html = page(client, planner, f"/sessions/{morning.pk}/day/")
    rows = chart_rows(html)
    assert list(rows)[:3] == ["chir-A", "chir-B", "chir-C"] and len(rows) == 18
    assert ("planned", "09:55", "10:20", "P07") in rows["rad-B"]
    assert ("actual", "09:55", "10:15", "") in rows["rad-B"]  # core under way at 10:15
    assert ("off", "10:45", "13:00", "") in rows["rad-B"]
    assert ("planned", "10:10", "10:25", "P06") in rows["echo-A"]
    assert 'class="gantt-now x-450"' in html
    for group in ("Surgeons", "Radiologists", "Pathologists", "Radiographers", "Nurses", "Rooms", "Devices"):
        assert f'<div class="gantt-group">{group}</div>' in html


def test_the_arrival_list_and_the_figures(client, planner, morning):
    html = page(client, planner, f"/sessions/{morning.pk}/day/")
    assert table_row(html, "P09", section='id="arrivals"') == "08:00 P09 Lotte de Boer ultrasound-only 08:50 done"
    assert table_row(html, "P16", section='id="arrivals"') == "10:15 P16 Karin Peters fna 12:20 booked"
    assert table_row(html, "W1", section='id="arrivals"') == "not planned yet W1 Lotte Smit fna — booked"
    assert 'data-figure="patients">3 of 19<' in html
    assert text_of(html.split('data-figure="longest-stay">')[1].split("</dd>")[0]) == \
        "longest 4 h 10 min (P18, 08:30–12:40)"
    assert '<tr data-resource="rad-B">' in html and "121%" in html


def test_the_patient_rows_show_steps_lab_lags_and_waits(client, surgeon, morning):
    html = page(client, surgeon, f"/sessions/{morning.pk}/day/?rows=patients")
    rows = chart_rows(html)
    assert list(rows)[:3] == ["P09", "P20", "P01"] and list(rows)[-3:] == ["P08", "W1", "W2"]
    assert ("planned", "09:55", "10:20", "core") in rows["P07"]
    assert ("lag", "10:20", "12:20", "lab 120 min") in rows["P07"]
    assert ("lag", "09:55", "10:25", "lab 30 min") in rows["P04"]
    assert ("wait", "11:40", "12:00", "20 min") in rows["P18"]
    assert "Wilma Smit" in html and 'aria-current="true">A row per patient<' in html


def test_an_unknown_row_mode_falls_back_to_resources(client, planner, morning):
    assert "chir-A" in chart_rows(page(client, planner, f"/sessions/{morning.pk}/day/?rows=nonsense"))


def test_the_print_layout_is_logged_as_printing(client, planner, morning):
    html = page(client, planner, f"/sessions/{morning.pk}/day/?print=1")
    assert 'class="dayview printing"' in html and 'id="arrivals"' in html and 'id="figures"' not in html
    assert AccessEvent.objects.filter(action="print", what="day view", outcome="allowed").count() == VISITS_SHOWN
    assert not AccessEvent.objects.filter(action="list").exists()


@pytest.mark.parametrize("persona", ["planner", "surgeon", "nurse"])
@pytest.mark.parametrize(("url", "what"), [("day", "day view"), ("board", "board")])
def test_the_team_may_open_both_pages(request, client, morning, persona, url, what):
    user = request.getfixturevalue(persona)
    page(client, user, f"/sessions/{morning.pk}/{url}/")
    assert AccessEvent.objects.filter(username=user.username, action="list", what=what).count() == VISITS_SHOWN


@pytest.mark.parametrize("url", ["day", "board"])
def test_an_outsider_gets_404_and_a_refused_row(client, morning, outsider, url):
    client.force_login(outsider)
    assert client.get(f"/sessions/{morning.pk}/{url}/").status_code == 404
    assert list(AccessEvent.objects.values_list("username", "outcome", "patient_id")) == [
        ("olaf.outsider", "denied", None)]


@pytest.mark.parametrize("url", ["day", "board"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, morning, url):
    response = client.get(f"/sessions/{morning.pk}/{url}/")
    assert (response.status_code, response.url) == (302, f"/accounts/login/?next=/sessions/{morning.pk}/{url}/")
    # the refused attempt is logged in the morning's clinic, no patient shown (issue 10)
    assert list(AccessEvent.objects.values_list("username", "outcome", "clinic_id", "patient_id")) == [
        ("", "denied", morning.clinic_id, None)]


def test_the_board_says_where_each_patient_is(client, nurse, morning):
    client.force_login(nurse)
    response = client.get(f"/sessions/{morning.pk}/board/")
    html = response.content.decode()
    assert '<meta http-equiv="refresh" content="30; url=?auto_refresh=1">' in html
    assert table_row(html, "P06") == ("P06 Fatima El Amrani fna In fna in echo-A with rad-A 10:10 5 of 15 min "
                                      "Cytology 10:55 · patho-A")
    assert table_row(html, "P04") == ("P04 Ingrid Bakker fna Waiting sample in the lab until 10:25 09:55 20 min "
                                      "Cytology 10:25 · patho-A")
    assert table_row(html, "P01") == "P01 Sanne Jansen ultrasound-only Done 09:15"
    assert table_row(html, "P08") == "P08 Esther Meijer imaging No-show —"
    assert 'data-visit="P06" data-place="in_step"' in html
    assert "board/_actions.html" in [t.name for t in response.templates]


def test_the_home_page_links_todays_mornings_of_the_users_clinics(client, clinic, planner, outsider):
    today = ClinicSessionFactory(clinic=clinic, date=timezone.localdate())
    html = page(client, planner, "/")
    assert f'href="/sessions/{today.pk}/day/"' in html and f'href="/sessions/{today.pk}/board/"' in html
    assert f"/sessions/{today.pk}/" not in page(client, outsider, "/")


def test_the_day_view_reads_the_morning_in_a_fixed_number_of_queries(client, planner, morning,
                                                                     django_assert_max_num_queries):
    client.force_login(planner)
    # Whatever the number of patients (one query: the second-factor device; one: the log rows a refresh adds to).
    with django_assert_max_num_queries(17):
        assert client.get(f"/sessions/{morning.pk}/day/").status_code == 200

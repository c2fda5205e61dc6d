"""A specialist's "my next patients": the steps on her own resources this morning, in order,
where each patient is now, the form one click away; only the patients shown are logged."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from mammapoli.audit.models import AccessEvent
from mammapoli.board.my_patients import my_next_patients
from mammapoli.board.timeline import effective_resources
from tests.board.conftest import MORNING_DATE

pytestmark = pytest.mark.django_db
DAY = dt.date.fromisoformat(MORNING_DATE)


def test_the_radiologist_sees_her_step_under_way_first_then_the_next_ones_in_order(radiologist, morning):
    mine = my_next_patients(radiologist, day=DAY)
    first = mine.steps[0]
    assert (first.visit.code, first.step.code, first.running, first.entry.place) == ("P06", "fna", True, "in_step")
    later = [s.start for s in mine.steps[1:]]
    assert later == sorted(later) and len(later) >= 3
    assert all("rad-A" in effective_resources(s.step) and not s.step.done for s in mine.steps)
    assert all(s.form for s in mine.steps)  # a radiologist reads the findings


def test_where_each_patient_is_now_comes_from_the_board(radiologist, morning):
    places = {s.visit.code: s.entry.place for s in my_next_patients(radiologist, day=DAY).steps}
    assert places["P06"] == "in_step"
    assert set(places.values()) <= {"in_step", "waiting", "arrived", "expected"}


def test_the_pathologist_sees_only_the_lab_steps_on_her_own_resource(pathologist, morning):
    mine = my_next_patients(pathologist, day=DAY)
    assert mine.steps and {s.step.family for s in mine.steps} == {"lab"}
    assert all(s.resources == ("patho-A",) for s in mine.steps)


def test_only_the_patients_shown_are_logged(radiologist, morning):
    mine = my_next_patients(radiologist, day=DAY)
    rows = AccessEvent.objects.filter(username=radiologist.username, what="my next patients")
    assert sorted(rows.values_list("visit_id", flat=True)) == sorted({s.visit.visit_id for s in mine.steps})
    assert AccessEvent.objects.filter(username=radiologist.username).count() == rows.count()


def test_a_planner_or_an_outsider_has_no_steps_and_nothing_is_logged(planner, outsider, morning):
    for user in (planner, outsider):
        mine = my_next_patients(user, day=DAY)
        assert (mine.steps, mine.has_resources) == ((), False)
    assert not AccessEvent.objects.exists()


def test_another_day_without_a_morning_says_so(radiologist, morning):
    mine = my_next_patients(radiologist, day=DAY + dt.timedelta(days=1))
    assert (mine.has_resources, mine.sessions, mine.steps) == (True, (), ())


def test_the_page_opens_the_form_in_one_click(client, radiologist, morning, time_machine):
    time_machine.move_to(dt.datetime.combine(DAY, dt.time(10, 15), tzinfo=ZoneInfo("Europe/Amsterdam")), tick=False)
    client.force_login(radiologist)
    html = client.get("/my-patients/").content.decode()
    p06 = morning.visits.get(code="P06")
    assert f'data-visit="P06" data-step="fna"' in html and f'href="/visits/{p06.pk}/form/"' in html

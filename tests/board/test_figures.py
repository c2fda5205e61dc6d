"""The morning in figures, on the replanning morning at 10:15 and on hand-made ones."""

import pytest

from mammapoli.board.facts import ResourceFact
from mammapoli.board.figures import session_figures
from tests.board.builders import fna_visit, morning, span, step

pytestmark = pytest.mark.django_db


def test_patients_seen_and_on_the_plan(facts):
    figures = session_figures(facts)
    assert figures.has_run
    # 19 of the file's 21 patients have times for every step; W1 and W2 are not planned yet;
    # P08 (in standard-20, not in the replan file) did not come.
    assert (figures.on_plan, figures.seen, figures.not_planned, figures.no_show) == (19, 3, 2, 1)
    assert (figures.same_morning_results, figures.results_given) == (19, 3)


def test_stays_and_waiting(facts):
    figures = session_figures(facts)
    longest = figures.longest_stay
    # P18: exam 08:30 ... result 12:20-12:40; steps 15+15+15+25+20+20 = 110 min; the core
    # biopsy ended 09:40 and histology needs 120 min after it: lab until 11:40, histology 12:00.
    assert (longest.code, longest.start, longest.end, longest.minutes) == ("P18", *span("08:30", "12:40"), 250)
    assert (longest.steps, longest.waiting, longest.lags) == (110, 140, 120)
    assert sum(s.minutes for s in figures.stays) == 1860
    assert figures.mean_stay == pytest.approx(1860 / 19)
    assert (figures.total_waiting, figures.total_lags) == (555, 510)
    assert figures.mean_waiting == pytest.approx(555 / 19)


def test_utilisation_of_the_pathologist_and_of_the_radiologist_who_leaves_early(facts):
    by_code = {u.code: u for u in session_figures(facts).utilisation}
    # patho-A works 09:00-13:00; seven lab steps: cytology 15 min x5 (P20, P15 done; P04, P06,
    # P16 planned), histology 20 min x2 (P18, P07).
    patho = by_code["patho-A"]
    assert (patho.available, patho.busy, patho.outside, patho.percent) == (240, 115, 0, 48)
    # rad-B leaves at 10:45 (165 min), but the published plan still gives it five 15-minute
    # ultrasounds after that: 200 min busy, 75 of them outside its hours.
    rad_b = by_code["rad-B"]
    assert (rad_b.available, rad_b.busy, rad_b.outside, rad_b.percent) == (165, 200, 75, 121)


def test_before_the_morning_runs_everything_is_planned():
    figures = session_figures(morning(fna_visit("P01", visit_id=1), fna_visit("P02", visit_id=2)))
    assert (figures.has_run, figures.on_plan, figures.seen, figures.same_morning_results) == (False, 2, 0, 2)
    assert [(s.code, s.minutes, s.waiting, s.lags) for s in figures.stays] == [("P01", 120, 40, 30),
                                                                              ("P02", 120, 40, 30)]


def test_an_overrun_under_way_lengthens_the_stay_up_to_now():
    running = step("result", ("09:40", "10:00"), started="09:40", duration=20, resources=("chir-A",))
    figures = session_figures(morning(fna_visit(result=running), now="10:30"))
    assert figures.stays[0].end == span("10:30", "10:30")[0]
    assert (figures.seen, figures.results_given) == (0, 0)


def test_a_result_after_the_window_is_not_a_same_morning_result():
    late = step("result", ("12:50", "13:10"), duration=20, resources=("chir-A",))
    assert session_figures(morning(fna_visit(result=late))).same_morning_results == 0


def test_a_resource_absent_all_morning_has_no_utilisation_and_its_planned_steps_are_outside_its_hours():
    absent = ResourceFact(code="mcv-A", name="", kind="nurse", group="nurses", available=())
    (nurse,) = session_figures(morning(fna_visit(), resources=(absent,))).utilisation
    assert (nurse.available, nurse.busy, nurse.outside, nurse.percent) == (0, 20, 20, None)

"""Effective times: actual where recorded, planned otherwise; lags and waits between steps."""

from mammapoli.board.timeline import effective_resources, effective_span, is_scheduled, lag_spans, wait_spans
from tests.board.builders import fna_visit, span, step


def test_a_step_not_started_counts_at_its_planned_times():
    assert effective_span(step("us", ("08:20", "08:35")), now=600) == span("08:20", "08:35")
    assert effective_span(step("us"), now=600) is None


def test_a_finished_step_counts_at_its_actual_times():
    assert effective_span(step("us", ("08:20", "08:35"), started="08:25", ended="08:45"), now=600) == \
        span("08:25", "08:45")


def test_a_step_under_way_counts_to_its_expected_end_or_to_now_once_it_overran():
    running = step("us", ("08:20", "08:35"), started="08:30")
    assert effective_span(running, now=8 * 60 + 35) == span("08:30", "08:45")
    assert effective_span(running, now=8 * 60 + 52) == span("08:30", "08:52")
    assert effective_span(running, now=None) == span("08:30", "08:45")


def test_resources_are_the_actual_ones_once_the_step_started():
    moved = step("us", ("08:20", "08:35"), started="08:20", resources=("rad-A", "echo-A"),
                 actual_resources=("rad-B", "echo-B"))
    assert effective_resources(moved) == ("rad-B", "echo-B")
    assert effective_resources(step("us", ("08:20", "08:35"), resources=("rad-A", "echo-A"))) == ("rad-A", "echo-A")


def test_the_lab_lag_runs_from_the_biopsy_for_its_minimum_and_the_rest_is_waiting():
    visit = fna_visit()
    assert lag_spans(visit, now=None) == [(span("08:50", "09:20"), 30, True)]
    # 08:15-08:20 between exam and us, 09:35-09:40 between cytology and result.
    assert wait_spans(visit, now=None) == [span("08:15", "08:20"), span("09:35", "09:40")]


def test_a_lag_is_cut_off_where_the_next_step_starts():
    early = fna_visit(cytology=step("cytology", ("09:00", "09:15"), lags=(("fna", 30),)))
    assert lag_spans(early, now=None) == [(span("08:50", "09:00"), 30, True)]


def test_a_walk_in_without_planned_steps_is_not_scheduled():
    assert is_scheduled(fna_visit(), now=None)
    assert not is_scheduled(fna_visit(result=step("result")), now=None)

"""The event buttons of each board row at 10:15 on the replanning morning, per persona."""

import pytest

from mammapoli.board.actions import RowActions, row_actions
from mammapoli.board.board import board_entries, board_entry
from tests.board.builders import fna_visit, morning, resource, step

pytestmark = pytest.mark.django_db

RADIOLOGIST_A = frozenset({"rad-A"})
PATHOLOGIST = frozenset({"patho-A"})
SURGEON_C = frozenset({"chir-C"})


@pytest.fixture
def entries(facts):
    return {entry.code: entry for entry in board_entries(facts)}


def test_a_planner_marks_an_expected_patient_arrived_or_a_no_show(entries):
    assert row_actions(entries["P03"], planner=True) == RowActions(arrive=True, no_show=True)


def test_a_planner_finishes_the_step_under_way_or_switches_her_pathway(entries):
    assert row_actions(entries["P06"], planner=True) == RowActions(finish=("fna",), switch=True)  # not leave: in fna


def test_a_planner_starts_the_next_step_of_a_waiting_patient(entries):
    assert row_actions(entries["P04"], planner=True) == RowActions(start="cytology", switch=True, leave=True)


def test_a_no_show_can_still_arrive_and_a_patient_done_has_no_buttons(entries):
    assert row_actions(entries["P08"], planner=True) == RowActions(arrive=True)
    assert not row_actions(entries["P01"], planner=True)


def test_the_radiologist_gets_the_buttons_of_her_own_step_only(entries):
    assert row_actions(entries["P06"], planner=False, own=RADIOLOGIST_A) == RowActions(finish=("fna",), switch=True)
    assert not row_actions(entries["P07"], planner=False, own=RADIOLOGIST_A)  # rad-B's core biopsy
    assert not row_actions(entries["P03"], planner=False, own=RADIOLOGIST_A)  # arrivals are the planner's


def test_the_pathologist_starts_the_cytology_she_will_read(entries):
    assert row_actions(entries["P04"], planner=False, own=PATHOLOGIST) == RowActions(start="cytology")
    assert not row_actions(entries["P04"], planner=False, own=SURGEON_C)


def test_the_surgeon_finishes_her_result_consult(entries):
    assert row_actions(entries["P15"], planner=False, own=SURGEON_C) == RowActions(finish=("result",), switch=True)


def test_while_the_lab_reads_only_the_lab_step_can_finish():
    done = {
        "exam": step("exam", ("08:00", "08:15"), started="08:00", ended="08:15", resources=("chir-A", "spreek-A")),
        "us": step("us", ("08:20", "08:35"), started="08:20", ended="08:35", resources=("rad-A", "echo-A")),
        "fna": step("fna", ("08:35", "08:50"), started="08:35", ended="08:50", resources=("rad-A", "echo-A")),
    }
    reading = step("cytology", ("09:20", "09:35"), started="09:22", resources=("patho-A",), lags=(("fna", 30),))
    entry = board_entry(fna_visit(**done, cytology=reading),
                        morning(now="09:30", resources=(resource("patho-A", "pathologists"),)))
    assert row_actions(entry, planner=False, own=PATHOLOGIST) == RowActions(finish=("cytology",))
    assert row_actions(entry, planner=True) == RowActions(finish=("cytology",), switch=True)

"""The clinic board: where each patient is at 10:15 on the replanning morning, and the rules."""

import pytest

from mammapoli.board.board import (
    ARRIVED,
    DONE,
    EXPECTED,
    IN_STEP,
    LEFT,
    NO_SHOW,
    WAITING,
    board_entries,
    board_entry,
)
from tests.board.builders import fna_visit, morning, resource, span, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(facts):
    return {entry.code: entry for entry in board_entries(facts)}


def test_p06_is_in_her_fna_with_the_radiologist_in_the_ultrasound_room(entries):
    p06 = entries["P06"]
    assert (p06.place, p06.since, p06.current.code) == (IN_STEP, span("10:10", "10:10")[0], "fna")
    assert [h.code for h in p06.current.rooms] == ["echo-A"]
    assert [h.code for h in p06.current.others] == ["rad-A"]
    assert (p06.current.elapsed, p06.current.length, p06.current.overrun) == (5, 15, False)
    assert (p06.next.code, p06.next.start, [h.code for h in p06.next.holders]) == (
        "cytology", span("10:55", "10:55")[0], ["patho-A"])


def test_p15_is_in_her_result_consult(entries):
    p15 = entries["P15"]
    assert (p15.place, p15.current.code, p15.current.rooms_text, p15.next) == (IN_STEP, "result", "spreek-B", None)
    assert [h.code for h in p15.current.others] == ["chir-C", "mcv-A"]


def test_p04_waits_for_cytology_while_her_sample_is_in_the_lab(entries):
    p04 = entries["P04"]
    # fna ended 09:55; cytology at least 30 min later.
    assert (p04.place, p04.since, p04.waited, p04.lab_until) == (WAITING, span("09:55", "09:55")[0], 20,
                                                                 span("10:25", "10:25")[0])
    assert (p04.next.code, p04.next.start, p04.next.due, p04.result_ready) == (
        "cytology", span("10:25", "10:25")[0], False, False)


def test_done_no_show_and_not_arrived(entries):
    assert (entries["P01"].place, entries["P01"].since) == (DONE, span("09:15", "09:15")[0])
    assert entries["P08"].place == NO_SHOW
    assert (entries["P03"].place, entries["P03"].arrival, entries["P03"].late) == (EXPECTED, 615, False)
    assert (entries["W1"].place, entries["W1"].arrival, entries["W1"].next.start) == (EXPECTED, None, None)


def test_the_board_lists_patients_in_a_step_first_then_the_longest_waits(facts):
    assert [(e.place, e.code) for e in board_entries(facts)] == [
        (IN_STEP, "P07"), (IN_STEP, "P06"), (IN_STEP, "P15"),  # since 09:55, 10:10, 10:10
        (WAITING, "P18"), (WAITING, "P04"),  # 35 and 20 minutes
        *[(EXPECTED, code) for code in ("P03", "P16", "P11", "P12", "P14", "P05", "P13", "P10", "P17", "P19",
                                        "P02", "W1", "W2")],  # by arrival time, the unplanned last
        (DONE, "P09"), (DONE, "P01"), (DONE, "P20"),
        (NO_SHOW, "P08"),
    ]


LAB_DONE = {
    "exam": step("exam", ("08:00", "08:15"), started="08:00", ended="08:15", resources=("chir-A", "spreek-A")),
    "us": step("us", ("08:20", "08:35"), started="08:20", ended="08:35", resources=("rad-A", "echo-A")),
    "fna": step("fna", ("08:35", "08:50"), started="08:35", ended="08:50", resources=("rad-A", "echo-A")),
}


def test_once_cytology_is_done_the_result_is_ready_for_the_consult():
    done = step("cytology", ("09:20", "09:35"), started="09:20", ended="09:35", resources=("patho-A",),
                lags=(("fna", 30),))
    entry = board_entry(fna_visit(**LAB_DONE, cytology=done), morning(now="09:38"))
    assert (entry.place, entry.waited, entry.result_ready, entry.next.code, entry.next.due) == (
        WAITING, 3, True, "result", False)


def test_while_the_pathologist_reads_she_waits_and_the_board_says_so():
    reading = step("cytology", ("09:20", "09:35"), started="09:22", resources=("patho-A",), lags=(("fna", 30),))
    entry = board_entry(fna_visit(**LAB_DONE, cytology=reading),
                        morning(now="09:30", resources=(resource("patho-A", "pathologists"),)))
    assert (entry.place, entry.since, entry.waited, entry.lab.code, entry.result_ready) == (
        WAITING, span("08:50", "08:50")[0], 40, "cytology", False)
    assert entry.next.code == "result"


def test_a_step_taking_longer_than_planned_is_flagged():
    long_exam = step("exam", ("08:00", "08:15"), started="08:02", resources=("chir-A", "spreek-A"))
    entry = board_entry(fna_visit(exam=long_exam), morning(now="08:20"))
    assert (entry.place, entry.current.elapsed, entry.current.overrun) == (IN_STEP, 18, True)
    assert (entry.next.code, entry.next.due) == ("us", False)


def test_arrived_late_and_overdue():
    assert board_entry(fna_visit(status="arrived"), morning(now="08:05")).place == ARRIVED
    late = board_entry(fna_visit(), morning(now="08:05"))
    assert (late.place, late.late, late.next.due) == (EXPECTED, True, True)


def test_a_visit_marked_done_is_done_even_without_every_time_recorded():
    entry = board_entry(fna_visit(status="done", exam=LAB_DONE["exam"]), morning(now="10:00"))
    assert (entry.place, entry.since) == (DONE, span("08:15", "08:15")[0])


def test_a_patient_who_left_early_is_listed_apart_from_those_done():
    entry = board_entry(fna_visit(status="left", **{k: LAB_DONE[k] for k in ("exam", "us")}), morning(now="09:00"))
    assert (entry.place, entry.since, entry.next) == (LEFT, span("08:35", "08:35")[0], None)


def test_a_patient_who_arrived_waits_since_her_arrival():
    import dataclasses

    arrived = dataclasses.replace(fna_visit(status="arrived"), arrived=span("07:55", "07:55")[0])
    entry = board_entry(arrived, morning(arrived, now="08:25"))
    assert (entry.place, entry.since, entry.waited) == (ARRIVED, span("07:55", "07:55")[0], 30)

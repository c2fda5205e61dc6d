"""The Gantt chart's geometry: bars in percent of the window, rows per resource or per patient."""

from mammapoli.board.chart import PATIENTS, RESOURCES, Axis, day_chart, overrun, patient_row
from tests.board.builders import fna_visit, morning, resource, span, step

WINDOW = span("08:00", "13:00")


def test_minutes_become_percent_of_the_window_and_bars_are_clipped_to_it():
    axis = Axis(WINDOW)
    assert axis.left(span("08:00", "08:00")[0]) == 0.0
    assert axis.left(span("10:30", "10:30")[0]) == 50.0
    bar = axis.bar("planned", span("07:50", "08:15"))
    assert (bar.start, bar.end, bar.left, bar.width) == (480, 495, 0.0, 5.0)
    assert axis.bar("planned", span("13:00", "13:20")) is None


def test_gridlines_every_quarter_hour_with_the_hours_marked():
    ticks = Axis(span("08:10", "09:00")).ticks()
    assert [(tick.label, tick.hour) for tick in ticks] == [("08:15", False), ("08:30", False), ("08:45", False),
                                                           ("09:00", True)]


def bars(row, kind):
    return [(b.start, b.end, b.label) for b in row.bars if b.kind == kind]


def test_a_patient_row_shows_steps_the_lab_lag_and_the_waits():
    row = patient_row(Axis(WINDOW), fna_visit(), now=None)
    assert [label for _, _, label in bars(row, "planned")] == ["exam", "us", "fna", "cytology", "result"]
    assert bars(row, "lag") == [(*span("08:50", "09:20"), "lab 30 min")]
    assert bars(row, "wait") == [(*span("08:15", "08:20"), ""), (*span("09:35", "09:40"), "")]
    assert bars(row, "actual") == []


def test_what_happened_is_a_second_bar_and_an_overrun_is_marked():
    late_us = step("us", ("08:20", "08:35"), started="08:25", ended="08:50", resources=("rad-A", "echo-A"))
    row = patient_row(Axis(WINDOW), fna_visit(us=late_us), now=None)
    assert bars(row, "actual") == [(*span("08:25", "08:50"), "")]
    assert bars(row, "overrun") == [(*span("08:40", "08:50"), "")]  # planned 15 min, took 25


def test_a_step_under_way_is_drawn_up_to_now_and_overruns_once_past_its_length():
    running = step("fna", ("08:35", "08:50"), started="08:40", resources=("rad-A", "echo-A"))
    assert overrun(running, now=span("08:50", "08:50")[0]) is None
    assert overrun(running, now=span("09:05", "09:05")[0]) == span("08:55", "09:05")
    row = patient_row(Axis(WINDOW), fna_visit(fna=running), now=span("08:50", "08:50")[0])
    assert [(b.start, b.end, b.running) for b in row.bars if b.kind == "actual"] == [(*span("08:40", "08:50"), True)]


def test_a_no_shows_plan_stays_faded_without_waits_or_lags():
    row = patient_row(Axis(WINDOW), fna_visit(status="no_show"), now=None)
    assert {(b.kind, b.void) for b in row.bars} == {("planned", True)}
    assert row.note == "no-show"


def test_a_resource_row_shows_its_unavailable_time():
    facts = morning(fna_visit(), resources=(resource("patho-A", "pathologists", ("09:00", "12:00")),))
    (group,) = day_chart(facts, RESOURCES).groups
    (row,) = group.rows
    assert bars(row, "off") == [(*span("08:00", "09:00"), ""), (*span("12:00", "13:00"), "")]
    assert bars(row, "planned") == [(*span("09:20", "09:35"), "P01")]


def test_the_resource_rows_of_the_replanning_morning(facts):
    chart = day_chart(facts, RESOURCES)
    assert [(g.key, [r.key for r in g.rows]) for g in chart.groups] == [
        ("surgeons", ["chir-A", "chir-B", "chir-C"]), ("radiologists", ["rad-A", "rad-B"]),
        ("pathologists", ["patho-A"]), ("radiographers", ["mbb-A", "mbb-B"]), ("nurses", ["mcv-A", "mcv-B"]),
        ("rooms", ["echo-A", "echo-B", "spreek-A", "spreek-B", "spreek-C", "spreek-D"]),
        ("devices", ["mammo-A", "mammo-B"]),
    ]
    rad_b = next(r for g in chart.groups for r in g.rows if r.key == "rad-B")
    assert (*span("09:55", "10:20"), "P07") in bars(rad_b, "planned")
    assert [(b.start, b.end, b.running) for b in rad_b.bars if b.kind == "actual" and b.start == 595] == [
        (*span("09:55", "10:15"), True)]  # core under way at 10:15
    assert bars(rad_b, "off") == [(*span("10:45", "13:00"), "")]
    assert (chart.now, chart.now_left) == (615, 45.0)


def test_the_patient_rows_in_order_of_arrival_with_the_no_show_and_the_walk_ins_last(facts):
    (group,) = day_chart(facts, PATIENTS).groups
    assert [r.key for r in group.rows][:4] == ["P09", "P20", "P01", "P15"]
    assert [(r.key, r.note) for r in group.rows][-3:] == [("P08", "no-show"), ("W1", "not planned yet"),
                                                          ("W2", "not planned yet")]
    p04 = next(r for r in group.rows if r.key == "P04")
    assert bars(p04, "lag") == [(*span("09:55", "10:25"), "lab 30 min")]
    assert bars(p04, "wait") == [(*span("09:20", "09:25"), "")]


def test_a_rows_note_goes_after_its_bars_or_before_them_never_over_them():
    no_show = patient_row(Axis(WINDOW), fna_visit(status="no_show"), now=None)  # 08:00-10:00: the first 40 %
    assert no_show.note_at == ("left", 40.0)
    late = step("result", ("12:30", "12:50"), duration=20, resources=("chir-A",))
    to_the_end = patient_row(Axis(WINDOW), fna_visit(status="no_show", result=late), now=None)
    assert to_the_end.note_at == ("right", 100.0)  # the bars reach 12:50: the note before the first, at 08:00
    unplanned = patient_row(Axis(WINDOW), fna_visit(**{code: step(code) for code in
                                                      ("exam", "us", "fna", "cytology", "result")}), now=None)
    assert (unplanned.note, unplanned.note_at) == ("not planned yet", ("left", 0.0))


def test_a_patient_the_published_plan_leaves_out_is_noted_with_the_reason():
    import dataclasses

    dropped = dataclasses.replace(fna_visit(**{code: step(code) for code in ("exam", "us", "fna", "cytology", "result")}),
                                  not_seen="No pathologist can do cytology between 09:30 and 12:40")
    row = patient_row(Axis(WINDOW), dropped, now=None)
    assert (row.note, row.note_title) == ("not on the plan", "No pathologist can do cytology between 09:30 and 12:40")

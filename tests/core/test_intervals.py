from hypothesis import given
from hypothesis import strategies as st

from mammapoli.core.intervals import clip, merge, subtract


def test_merge_joins_overlapping_and_touching_intervals():
    assert merge([(600, 660), (480, 540), (530, 560), (660, 700)]) == [(480, 560), (600, 700)]


def test_subtract_cuts_a_break_out_of_the_morning():
    assert subtract([(480, 780)], [(600, 615)]) == [(480, 600), (615, 780)]
    assert subtract([(480, 600)], [(400, 500), (590, 700)]) == [(500, 590)]


def test_clip_to_the_window():
    assert clip([(420, 600), (700, 900)], 480, 780) == [(480, 600), (700, 780)]


intervals = st.lists(st.tuples(st.integers(0, 100), st.integers(1, 30)).map(lambda p: (p[0], p[0] + p[1])), max_size=6)


@given(intervals, intervals)
def test_subtract_keeps_exactly_the_points_not_removed(kept, removed):
    result = subtract(kept, removed)

    def covered(points, spans):
        return {t for t in points if any(s <= t < e for s, e in spans)}

    points = range(0, 140)
    assert covered(points, result) == covered(points, kept) - covered(points, removed)
    assert result == merge(result)

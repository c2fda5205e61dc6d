"""The chart is placed by classes, not inline styles (the CSP allows none): every 0.1 % step
has its class, and the stylesheet is the generated one."""

from mammapoli.board.positions import STYLESHEET, css_class, positions_css


def test_a_percentage_becomes_the_class_of_its_nearest_step():
    assert [css_class("x", p) for p in (0, 45.0, 12.34, 12.36, 99.96, 130, -2)] == [
        "x-0", "x-450", "x-123", "x-124", "x-1000", "x-1000", "x-0"]


def test_each_class_sets_its_property():
    css = positions_css()
    assert ".x-450{left:45%}" in css and ".r-125{right:12.5%}" in css and ".w-1000{width:100%}" in css
    assert ".w-1001" not in css


def test_the_stylesheet_is_current():
    assert STYLESHEET.read_text() == positions_css(), "run: python -m mammapoli.board.positions"

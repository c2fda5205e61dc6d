"""Filters for minutes on the morning's axis, and the home page's list of mornings."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from mammapoli.planning.clock import clock as hhmm
from ..positions import css_class
from ..selectors import mornings_for_user

register = template.Library()


@register.filter
def clock(minutes: int | None) -> str:
    """Minutes since midnight as 08:45; nothing as —."""
    return "—" if minutes is None else hhmm(minutes)


@register.filter
def duration(minutes: int | float | None) -> str:
    """50 min, 3 h 05 min; nothing as —."""
    if minutes is None:
        return "—"
    minutes = round(minutes)
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(hours)d h %(minutes)02d min") % {"hours": minutes // 60, "minutes": minutes % 60}


@register.inclusion_tag("board/_home_mornings.html", takes_context=True)
def upcoming_mornings(context, days: int = 7):
    today = timezone.localdate()
    return {"mornings": mornings_for_user(context["user"], first_day=today, days=days), "today": today}


@register.filter
def hours(minutes: int | None) -> str:
    """Minutes as h:mm (4:45), for columns of figures."""
    return "—" if minutes is None else f"{minutes // 60}:{minutes % 60:02d}"


@register.filter
def at_left(percent: float) -> str:
    """The class that puts an element `percent` % from the left (board/positions.css)."""
    return css_class("x", percent)


@register.filter
def at_right(percent: float) -> str:
    return css_class("r", percent)


@register.filter
def wide(percent: float) -> str:
    """The class that makes an element `percent` % wide."""
    return css_class("w", percent)


@register.filter
def at_side(place: tuple[str, float]) -> str:
    """("left", 30.0) or ("right", 12.5), as a note's place is given, as a class."""
    side, percent = place
    return css_class("x" if side == "left" else "r", percent)

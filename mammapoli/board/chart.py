"""The day view's Gantt chart as geometry: rows of bars placed in percent of the session window.

Pure: a function of `MorningFacts`. A bar is the published plan (`planned`), what happened
(`actual`, a thinner bar under it; `overrun` where it took longer than planned), a patient's
`wait` between steps, a required `lag` (the sample in the lab), or a resource's `off` time.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mammapoli.core.intervals import subtract
from mammapoli.planning.models import VisitStatus

from mammapoli.planning.clock import clock as hhmm

from .facts import GROUPS, MorningFacts, ResourceFact, Span, StepFact, VisitFact
from .facts import DEVICES, NURSES, OTHER_STAFF, PATHOLOGISTS, RADIOGRAPHERS, RADIOLOGISTS, ROOMS, SURGEONS
from .timeline import effective_span, lag_spans, planned_length, timed_steps, wait_spans

RESOURCES, PATIENTS = "resources", "patients"
ROW_MODES = (RESOURCES, PATIENTS)

GROUP_LABELS = {
    SURGEONS: gettext_lazy("Surgeons"), RADIOLOGISTS: gettext_lazy("Radiologists"),
    PATHOLOGISTS: gettext_lazy("Pathologists"), RADIOGRAPHERS: gettext_lazy("Radiographers"),
    NURSES: gettext_lazy("Nurses"), OTHER_STAFF: gettext_lazy("Other staff"), ROOMS: gettext_lazy("Rooms"),
    DEVICES: gettext_lazy("Devices"),
}
#: Waits and lags at least this long get their minutes written on the chart (shorter ones: on hover).
LABEL_MINUTES = 15
#: A row's note goes after its last bar if that ends before this percent of the track.
NOTE_ROOM = 80


@dataclass(frozen=True)
class Bar:
    kind: str
    start: int
    end: int
    left: float
    width: float
    family: str = ""
    label: str = ""
    title: str = ""
    running: bool = False
    void: bool = False


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    detail: str = ""
    note: str = ""
    status: str = ""
    bars: tuple[Bar, ...] = ()
    note_title: str = ""

    @property
    def note_at(self) -> tuple[str, float]:
        """Where the note goes on the track, clear of the bars: ("left", %) after the last bar,
        or ("right", %) before the first one when the bars reach the end of the morning."""
        if not self.bars:
            return "left", 0.0
        end = max(bar.left + bar.width for bar in self.bars)
        if end <= NOTE_ROOM:
            return "left", round(end, 3)
        return "right", round(100 - min(bar.left for bar in self.bars), 3)


@dataclass(frozen=True)
class RowGroup:
    key: str
    label: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Tick:
    minute: int
    left: float
    hour: bool

    @property
    def label(self) -> str:
        return hhmm(self.minute)


@dataclass(frozen=True)
class Chart:
    mode: str
    window: Span
    ticks: tuple[Tick, ...]
    groups: tuple[RowGroup, ...]
    now: int | None
    now_left: float | None


class Axis:
    """Minutes to percent of the window."""

    def __init__(self, window: Span):
        self.start, self.end = window

    def left(self, minute: int) -> float:
        return round((minute - self.start) * 100 / (self.end - self.start), 3)

    def bar(self, kind: str, span: Span, **details) -> Bar | None:
        start, end = max(span[0], self.start), min(span[1], self.end)
        if end <= start:
            return None
        return Bar(kind=kind, start=start, end=end, left=self.left(start),
                   width=round(self.left(end) - self.left(start), 3), **details)

    def ticks(self) -> tuple[Tick, ...]:
        first = -(-self.start // 15) * 15
        return tuple(Tick(minute=m, left=self.left(m), hour=m % 60 == 0) for m in range(first, self.end + 1, 15))


def _span_text(span: Span) -> str:
    return f"{hhmm(span[0])}–{hhmm(span[1])}"


def actual_shown(step: StepFact, now: int | None) -> Span | None:
    """What has happened of a step: to its end, or, under way, up to now."""
    if step.actual_start is None:
        return None
    if step.actual_end is not None:
        return (step.actual_start, step.actual_end)
    if now is not None and now > step.actual_start:
        return (step.actual_start, now)
    return (step.actual_start, step.actual_start + planned_length(step))


def overrun(step: StepFact, now: int | None) -> Span | None:
    """The part of a started step beyond its planned length."""
    shown = actual_shown(step, now)
    if shown is None:
        return None
    due = step.actual_start + planned_length(step)
    return (due, shown[1]) if shown[1] > due else None


def _step_bars(axis: Axis, visit: VisitFact, step: StepFact, now: int | None, *, label: str,
               planned: bool, actual: bool) -> list[Bar]:
    """A step's planned bar, its actual bar and its overrun (each as asked)."""
    void = visit.status == VisitStatus.NO_SHOW
    bars = []
    if planned and step.planned:
        title = _("%(visit)s %(step)s: planned %(span)s with %(resources)s") % {
            "visit": visit.code, "step": step.label, "span": _span_text(step.planned),
            "resources": ", ".join(step.planned_resources) or "—"}
        bars.append(axis.bar("planned", step.planned, family=step.family, label=label, title=title, void=void))
    shown = actual_shown(step, now)
    if actual and shown:
        title = (_("%(visit)s %(step)s: under way since %(start)s with %(resources)s") if step.running
                 else _("%(visit)s %(step)s: done %(span)s with %(resources)s")) % {
            "visit": visit.code, "step": step.label, "span": _span_text(shown), "start": hhmm(shown[0]),
            "resources": ", ".join(step.actual_resources) or "—"}
        bars.append(axis.bar("actual", shown, family=step.family, title=title, running=step.running))
        over = overrun(step, now)
        if over:
            title = _("%(visit)s %(step)s: %(minutes)s min longer than planned") % {
                "visit": visit.code, "step": step.label, "minutes": over[1] - over[0]}
            bars.append(axis.bar("overrun", over, title=title))
    return [bar for bar in bars if bar is not None]


def _resource_rows(axis: Axis, morning: MorningFacts, resources: list[ResourceFact]) -> tuple[Row, ...]:
    bars: dict[str, list[Bar]] = {r.code: [] for r in resources}
    for visit in morning.visits:
        for step in visit.steps:
            label = visit.code  # the colour says which step; the title says all
            for code in step.planned_resources:
                if code in bars:
                    bars[code] += _step_bars(axis, visit, step, morning.now, label=label, planned=True, actual=False)
            for code in step.actual_resources:
                if code in bars:
                    bars[code] += _step_bars(axis, visit, step, morning.now, label=label, planned=False, actual=True)
    rows = []
    for resource in resources:
        off = [axis.bar("off", span, title=_("not available %(span)s") % {"span": _span_text(span)})
               for span in subtract([morning.window], resource.available)]
        rows.append(Row(key=resource.code, label=resource.code, detail=resource.name,
                        bars=tuple(b for b in off if b) + tuple(sorted(bars[resource.code], key=_bar_order))))
    return tuple(rows)


def _bar_order(bar: Bar):
    return ("planned", "actual", "overrun").index(bar.kind), bar.start


def patient_row(axis: Axis, visit: VisitFact, now: int | None) -> Row:
    bars: list[Bar] = []
    no_show = visit.status == VisitStatus.NO_SHOW  # her plan stays visible, faded; no waits or lags
    for span, minutes, after_biopsy in [] if no_show else lag_spans(visit, now):
        label = (_("lab %(minutes)s min") if after_biopsy else _("min. %(minutes)s min")) % {"minutes": minutes}
        label = label if span[1] - span[0] >= LABEL_MINUTES else ""
        title = (_("sample in the lab: at least %(minutes)s min before the next step") if after_biopsy
                 else _("at least %(minutes)s min before the next step")) % {"minutes": minutes}
        bars.append(axis.bar("lag", span, label=label, title=title))
    for span in [] if no_show else wait_spans(visit, now):
        minutes = span[1] - span[0]
        title = _("waiting %(minutes)s min (%(span)s)") % {"minutes": minutes, "span": _span_text(span)}
        label = _("%(minutes)s min") % {"minutes": minutes} if minutes >= LABEL_MINUTES else ""
        bars.append(axis.bar("wait", span, label=label, title=title))
    for step in visit.steps:
        bars += _step_bars(axis, visit, step, now, label=step.short_label, planned=True, actual=True)
    note = ""
    if no_show:
        note = _("no-show")
    elif visit.not_seen and not any(step.started for step in visit.steps):
        note = _("not on the plan")
    elif not any(effective_span(step, now) for step in visit.steps):
        note = _("not planned yet")
    return Row(key=visit.code, label=visit.code, detail=visit.name, note=note, status=visit.status,
               bars=tuple(b for b in bars if b is not None), note_title=visit.not_seen or "")


def _arrival_order(visit: VisitFact, now: int | None):
    steps = timed_steps(visit, now)
    return (0, steps[0][1][0], visit.code) if steps else (1, 0, visit.code)


def day_chart(morning: MorningFacts, mode: str = RESOURCES) -> Chart:
    axis = Axis(morning.window)
    if mode == PATIENTS:
        visits = sorted(morning.visits, key=lambda v: _arrival_order(v, morning.now))
        groups = (RowGroup(key=PATIENTS, label=_("Patients"),
                           rows=tuple(patient_row(axis, v, morning.now) for v in visits)),)
    else:
        groups = tuple(
            RowGroup(key=group, label=str(GROUP_LABELS[group]), rows=_resource_rows(axis, morning, members))
            for group in GROUPS
            if (members := [r for r in morning.resources if r.group == group])
        )
    now = morning.now if morning.now is not None and morning.window[0] <= morning.now <= morning.window[1] else None
    return Chart(mode=mode, window=morning.window, ticks=axis.ticks(), groups=groups, now=now,
                 now_left=axis.left(now) if now is not None else None)

"""The morning in figures. Pure: a function of `MorningFacts`.

Every figure uses each step's *effective* times (see `timeline`): actual where recorded,
planned otherwise. Definitions, for the visits on the plan (booked, arrived, in progress or
done, with times for every step):

- seen: all of the visit's steps are done;
- same-morning result: the visit has a result step that ends inside the window;
- stay: from the start of the first step to the end of the last;
- waiting: stay minus the lengths of the visit's steps (lab steps included, although she
  is not in the room for them); the required lags (the sample in the lab) are waiting too,
  and are also given on their own;
- utilisation of a resource: minutes busy inside the window (the union of the steps it
  holds: actual resources once a step started, planned before) over its available minutes
  that morning (`available_on`); busy minutes outside its availability (an overrun into a
  break, or a plan that predates an absence) are counted and shown apart.
"""

from dataclasses import dataclass

from mammapoli.core.intervals import clip, merge, subtract
from mammapoli.planning.models import ACTIVE_VISIT_STATUSES, VisitStatus

from .facts import RESULT, MorningFacts, Span, VisitFact
from .timeline import effective_resources, effective_span, is_scheduled, lag_spans, timed_steps


def _length(spans) -> int:
    return sum(end - start for start, end in spans)


@dataclass(frozen=True)
class Stay:
    code: str
    start: int
    end: int
    steps: int
    lags: int

    @property
    def minutes(self) -> int:
        return self.end - self.start

    @property
    def waiting(self) -> int:
        return self.minutes - self.steps


@dataclass(frozen=True)
class Utilisation:
    code: str
    name: str
    group: str
    available: int
    busy: int
    outside: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.busy / self.available) if self.available else None


@dataclass(frozen=True)
class Figures:
    has_run: bool
    on_plan: int
    seen: int
    not_planned: int
    no_show: int
    same_morning_results: int
    results_given: int
    stays: tuple[Stay, ...]
    utilisation: tuple[Utilisation, ...]

    @property
    def mean_stay(self) -> float | None:
        return sum(s.minutes for s in self.stays) / len(self.stays) if self.stays else None

    @property
    def longest_stay(self) -> Stay | None:
        return max(self.stays, key=lambda s: (s.minutes, s.code)) if self.stays else None

    @property
    def total_waiting(self) -> int:
        return sum(s.waiting for s in self.stays)

    @property
    def mean_waiting(self) -> float | None:
        return self.total_waiting / len(self.stays) if self.stays else None

    @property
    def total_lags(self) -> int:
        return sum(s.lags for s in self.stays)


def stay_of(visit: VisitFact, now: int | None) -> Stay:
    steps = timed_steps(visit, now)
    return Stay(code=visit.code, start=min(span[0] for _, span in steps), end=max(span[1] for _, span in steps),
                steps=_length(span for _, span in steps), lags=_length(span for span, _, _ in lag_spans(visit, now)))


def _has_same_morning_result(visit: VisitFact, now: int | None, window: Span) -> bool:
    spans = [effective_span(step, now) for step in visit.steps if step.family == RESULT]
    return any(span is not None and span[1] <= window[1] for span in spans)


def utilisation(morning: MorningFacts, on_plan: list[VisitFact]) -> tuple[Utilisation, ...]:
    held: dict[str, list[Span]] = {r.code: [] for r in morning.resources}
    for visit in on_plan:
        for step in visit.steps:
            span = effective_span(step, morning.now)
            for code in effective_resources(step):
                if span and code in held:
                    held[code].append(span)
    result = []
    for resource in morning.resources:
        busy = clip(merge(held[resource.code]), *morning.window)
        result.append(Utilisation(
            code=resource.code, name=resource.name, group=resource.group, available=_length(resource.available),
            busy=_length(busy), outside=_length(subtract(busy, resource.available)),
        ))
    return tuple(result)


def session_figures(morning: MorningFacts) -> Figures:
    now = morning.now
    active = [v for v in morning.visits if v.status in ACTIVE_VISIT_STATUSES]
    on_plan = [v for v in active if is_scheduled(v, now)]
    return Figures(
        has_run=morning.has_run,
        on_plan=len(on_plan),
        seen=sum(all(step.done for step in v.steps) for v in on_plan),
        not_planned=len(active) - len(on_plan),
        no_show=sum(v.status == VisitStatus.NO_SHOW for v in morning.visits),
        same_morning_results=sum(_has_same_morning_result(v, now, morning.window) for v in on_plan),
        results_given=sum(any(s.family == RESULT and s.done for s in v.steps) for v in on_plan),
        stays=tuple(stay_of(v, now) for v in on_plan),
        utilisation=utilisation(morning, on_plan),
    )

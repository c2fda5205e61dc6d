"""What a step's times are for the figures and the board: actual where recorded, planned otherwise.

A finished step counts from its actual start to its actual end. A step under way counts
from its actual start to its expected end (start + planned length), or to `now` once it
has overrun that. A step not started counts at its planned times; without them it has none
(a walk-in not yet planned).
"""

from mammapoli.core.intervals import merge, subtract

from .facts import BIOPSY, Span, StepFact, VisitFact


def planned_length(step: StepFact) -> int:
    return step.planned[1] - step.planned[0] if step.planned else step.duration


def effective_span(step: StepFact, now: int | None) -> Span | None:
    if step.actual_start is None:
        return step.planned
    if step.actual_end is not None:
        return (step.actual_start, step.actual_end)
    expected = step.actual_start + planned_length(step)
    return (step.actual_start, max(expected, now) if now is not None else expected)


def effective_resources(step: StepFact) -> tuple[str, ...]:
    """The resources that did the step once it started (if recorded), the planned ones before."""
    return step.actual_resources if step.started and step.actual_resources else step.planned_resources


def timed_steps(visit: VisitFact, now: int | None) -> list[tuple[StepFact, Span]]:
    """The visit's steps that have times, in time order."""
    spans = [(step, effective_span(step, now)) for step in visit.steps]
    return sorted(((s, span) for s, span in spans if span is not None), key=lambda item: (item[1], item[0].position))


def is_scheduled(visit: VisitFact, now: int | None) -> bool:
    """Every step of the visit has times (done, under way or planned)."""
    return bool(visit.steps) and all(effective_span(step, now) is not None for step in visit.steps)


def lag_spans(visit: VisitFact, now: int | None) -> list[tuple[Span, int, bool]]:
    """The required lags between the visit's steps: (span, minimum minutes, after a biopsy?).

    A lag runs from the end of the earlier step for its minimum, cut off where the later
    step starts (the sample is in the lab; the patient waits).
    """
    by_code = {step.code: step for step in visit.steps}
    result = []
    for step in visit.steps:
        later = effective_span(step, now)
        for lag in step.lags:
            earlier_step = by_code.get(lag.after)
            earlier = effective_span(earlier_step, now) if earlier_step else None
            if later is None or earlier is None:
                continue
            span = (earlier[1], min(earlier[1] + lag.minutes, later[0]))
            if span[1] > span[0]:
                result.append((span, lag.minutes, earlier_step.family == BIOPSY))
    return sorted(result)


def wait_spans(visit: VisitFact, now: int | None) -> list[Span]:
    """Time between the visit's first start and last end covered by neither a step nor a lag."""
    steps = timed_steps(visit, now)
    if not steps:
        return []
    stay = (min(span[0] for _, span in steps), max(span[1] for _, span in steps))
    covered = [span for _, span in steps] + [span for span, _, _ in lag_spans(visit, now)]
    return subtract([stay], merge(covered))

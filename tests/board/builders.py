"""Hand-made mornings as plain data, for the pure functions of mammapoli.board."""

import datetime as dt

from mammapoli.board.facts import Lag, MorningFacts, ResourceFact, StepFact, VisitFact, step_family


def t(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def span(start: str, end: str) -> tuple[int, int]:
    return t(start), t(end)


def step(code: str, planned: tuple[str, str] | None = None, *, started: str | None = None,
         ended: str | None = None, position: int = 0, duration: int = 15, resources: tuple[str, ...] = (),
         actual_resources: tuple[str, ...] | None = None, lags: tuple[tuple[str, int], ...] = ()) -> StepFact:
    return StepFact(
        code=code, family=step_family(code), position=position, duration=duration,
        planned=span(*planned) if planned else None,
        actual_start=t(started) if started else None, actual_end=t(ended) if ended else None,
        planned_resources=resources if planned else (),
        actual_resources=(resources if actual_resources is None else actual_resources) if started else (),
        lags=tuple(Lag(after=after, minutes=minutes) for after, minutes in lags),
    )


def visit(code: str, *steps: StepFact, status: str = "booked", visit_id: int = 1) -> VisitFact:
    numbered = tuple(StepFact(**{**s.__dict__, "position": i}) for i, s in enumerate(steps))
    return VisitFact(visit_id=visit_id, patient_id=visit_id, code=code, name=f"Patient {code}", pathway="fna",
                     status=status, steps=numbered)


def resource(code: str, group: str, *available: tuple[str, str]) -> ResourceFact:
    return ResourceFact(code=code, name="", kind=code.split("-")[0], group=group,
                        available=tuple(span(*a) for a in (available or [("08:00", "13:00")])))


def morning(*visits: VisitFact, now: str | None = None, resources: tuple[ResourceFact, ...] = ()) -> MorningFacts:
    return MorningFacts(date=dt.date(2026, 12, 1), window=span("08:00", "13:00"), now=t(now) if now else None,
                        resources=resources, visits=visits)


def fna_visit(code: str = "P01", *, visit_id: int = 1, status: str = "booked", **overrides) -> VisitFact:
    """exam → us → fna → (lab 30) → cytology → result, planned 08:00–09:35, nothing happened yet;
    `overrides` replace steps by code."""
    steps = {
        "exam": step("exam", ("08:00", "08:15"), resources=("chir-A", "spreek-A")),
        "us": step("us", ("08:20", "08:35"), resources=("rad-A", "echo-A")),
        "fna": step("fna", ("08:35", "08:50"), resources=("rad-A", "echo-A")),
        "cytology": step("cytology", ("09:20", "09:35"), resources=("patho-A",), lags=(("fna", 30),)),
        "result": step("result", ("09:40", "10:00"), duration=20, resources=("chir-A", "spreek-A", "mcv-A")),
    }
    steps.update(overrides)
    return visit(code, *steps.values(), status=status, visit_id=visit_id)

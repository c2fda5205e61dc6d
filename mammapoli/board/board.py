"""The clinic board: where each patient of the morning is now. Pure: a function of `MorningFacts`.

A patient is not seen (the published plan leaves her out, with the engine's reason: the
planner rebooks her, or lets her go with her result to follow), in a step (one under way
that she attends), waiting (between steps, including while her sample is in the lab or the
pathologist reads it), arrived (nothing started yet; since when she checked in), expected
(not arrived), done, left early (the result follows later), or a no-show. Her wait counts
from the end of her last finished step.
"""

from dataclasses import dataclass

from mammapoli.planning.models import VisitStatus

from .facts import LAB, RESULT, ROOMS, MorningFacts, ResourceFact, StepFact, VisitFact
from .timeline import effective_resources, effective_span, planned_length

NOT_SEEN, IN_STEP, WAITING, ARRIVED, EXPECTED, DONE, LEFT, NO_SHOW, REBOOKED = (
    "not_seen", "in_step", "waiting", "arrived", "expected", "done", "left", "no_show", "rebooked")
#: In board order: first whom the published plan cannot see this morning (never silently lost).
PLACES = (NOT_SEEN, IN_STEP, WAITING, ARRIVED, EXPECTED, DONE, LEFT, NO_SHOW, REBOOKED)


@dataclass(frozen=True)
class Holder:
    """A resource a step holds, split for the board's sentence: in <room> with <people>."""

    code: str
    name: str
    group: str


@dataclass(frozen=True)
class StepOnBoard:
    code: str
    start: int | None
    holders: tuple[Holder, ...]
    due: bool = False
    length: int = 0
    elapsed: int | None = None
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or self.code

    @property
    def overrun(self) -> bool:
        return self.elapsed is not None and self.elapsed > self.length

    @property
    def rooms(self) -> tuple[Holder, ...]:
        return tuple(h for h in self.holders if h.group == ROOMS)

    @property
    def others(self) -> tuple[Holder, ...]:
        return tuple(h for h in self.holders if h.group != ROOMS)

    @property
    def rooms_text(self) -> str:
        return ", ".join(h.code for h in self.rooms)

    @property
    def others_text(self) -> str:
        return ", ".join(f"{h.code} ({h.name})" if h.name else h.code for h in self.others)

    @property
    def holders_text(self) -> str:
        return ", ".join(h.code for h in self.holders)


@dataclass(frozen=True)
class BoardEntry:
    visit_id: int
    code: str
    name: str
    pathway: str
    status: str
    place: str
    since: int | None = None
    waited: int | None = None
    current: StepOnBoard | None = None
    lab: StepOnBoard | None = None
    lab_until: int | None = None
    next: StepOnBoard | None = None
    arrival: int | None = None
    late: bool = False
    result_ready: bool = False
    reason: str = ""          # not seen: why the plan leaves her out
    present: bool = False     # she is in the clinic
    pathway_code: str = ""

    @property
    def status_label(self) -> str:
        return VisitStatus(self.status).label


def _on_board(step: StepFact, resources: dict[str, ResourceFact], now: int | None) -> StepOnBoard:
    span = effective_span(step, now)
    start = step.actual_start if step.started else (span[0] if span else None)
    holders = tuple(Holder(code=c, name=resources[c].name if c in resources else "",
                           group=resources[c].group if c in resources else "")
                    for c in effective_resources(step))
    return StepOnBoard(code=step.code, name=step.name, start=start, holders=holders, length=planned_length(step),
                       due=not step.started and start is not None and now is not None and start < now,
                       elapsed=now - step.actual_start if step.running and now is not None else None)


def _lab_until(visit: VisitFact, step: StepFact) -> int | None:
    """When the required lag before `step` ends (its earlier steps finished), if there is one."""
    ends = {s.code: s.actual_end for s in visit.steps}
    untils = [ends[lag.after] + lag.minutes for lag in step.lags if ends.get(lag.after) is not None]
    return max(untils) if untils else None


def board_entry(visit: VisitFact, morning: MorningFacts) -> BoardEntry:
    now = morning.now
    resources = {r.code: r for r in morning.resources}
    base = {"visit_id": visit.visit_id, "code": visit.code, "name": visit.name, "pathway": visit.pathway,
            "status": visit.status, "arrival": min((s.planned[0] for s in visit.steps if s.planned), default=None),
            "pathway_code": visit.pathway_code}
    if visit.status == VisitStatus.NO_SHOW:
        return BoardEntry(**base, place=NO_SHOW)
    if visit.status == VisitStatus.REBOOKED:
        return BoardEntry(**base, place=REBOOKED)
    done = [s for s in visit.steps if s.done]
    if visit.status == VisitStatus.LEFT:
        return BoardEntry(**base, place=LEFT, since=max((s.actual_end for s in done), default=None))
    if visit.status == VisitStatus.DONE or (visit.steps and len(done) == len(visit.steps)):
        return BoardEntry(**base, place=DONE, since=max((s.actual_end for s in done), default=None))
    ahead = sorted((s for s in visit.steps if not s.started),
                   key=lambda s: (effective_span(s, now) or (10**6, 0), s.position))
    following = _on_board(ahead[0], resources, now) if ahead else None
    attended = [s for s in visit.steps if s.running and s.family != LAB]
    if attended:
        current = attended[0]
        return BoardEntry(**base, place=IN_STEP, since=current.actual_start, next=following,
                          current=_on_board(current, resources, now))
    if not any(s.started for s in visit.steps):
        present = visit.status == VisitStatus.ARRIVED
        if visit.not_seen is not None and not any(s.planned for s in visit.steps):
            return BoardEntry(**base, place=NOT_SEEN, reason=visit.not_seen, present=present,
                              since=visit.arrived if present else None)
        if present:  # she waits since she checked in
            waited = max(now - visit.arrived, 0) if now is not None and visit.arrived is not None else None
            return BoardEntry(**base, place=ARRIVED, next=following, since=visit.arrived, waited=waited, present=True)
        late = base["arrival"] is not None and now is not None and base["arrival"] < now
        return BoardEntry(**base, place=EXPECTED, next=following, late=late)
    last_end = max((s.actual_end for s in done), default=None)
    lab = next((s for s in visit.steps if s.running and s.family == LAB), None)
    lab_until = _lab_until(visit, ahead[0]) if ahead and ahead[0].family == LAB else None
    labs_done = [s for s in done if s.family == LAB]
    result_ready = bool(labs_done) and any(s.family == RESULT for s in ahead)
    return BoardEntry(
        **base, place=WAITING, since=last_end,
        waited=max(now - last_end, 0) if now is not None and last_end is not None else None,
        next=following, lab=_on_board(lab, resources, now) if lab else None,
        lab_until=lab_until if lab_until is not None and (now is None or lab_until > now) else None,
        result_ready=result_ready,
    )


def _order(entry: BoardEntry):
    rank = PLACES.index(entry.place)
    if entry.place == IN_STEP:
        return rank, entry.since, entry.code
    if entry.place == WAITING:
        return rank, -(entry.waited or 0), entry.code
    if entry.place in (ARRIVED, EXPECTED):
        return rank, entry.arrival if entry.arrival is not None else 10**6, entry.code
    if entry.place == NOT_SEEN:
        return rank, not entry.present, entry.code
    if entry.place in (DONE, LEFT):
        return rank, entry.since, entry.code
    return rank, 0, entry.code


def board_entries(morning: MorningFacts) -> list[BoardEntry]:
    """Everyone of the morning, the patients in a step first, then the longest waits."""
    return sorted((board_entry(visit, morning) for visit in morning.visits), key=_order)

"""The arrival times to give the patients: the planned start of each one's first step. Pure."""

from dataclasses import dataclass

from mammapoli.planning.models import VisitStatus

from .facts import MorningFacts


@dataclass(frozen=True)
class Arrival:
    visit_id: int
    code: str
    name: str
    pathway: str
    status: str
    arrival: int | None
    until: int | None
    not_planned_reason: str = ""

    @property
    def status_label(self) -> str:
        return VisitStatus(self.status).label


def arrival_list(morning: MorningFacts) -> list[Arrival]:
    """From the published plan only (what the patient was told), earliest first; unplanned last."""
    result = []
    for visit in morning.visits:
        planned = [step.planned for step in visit.steps if step.planned]
        result.append(Arrival(
            visit_id=visit.visit_id, code=visit.code, name=visit.name, pathway=visit.pathway, status=visit.status,
            arrival=min(s[0] for s in planned) if planned else None,
            until=max(s[1] for s in planned) if planned else None, not_planned_reason=visit.not_seen or "",
        ))
    return sorted(result, key=lambda a: (a.arrival is None, a.arrival or 0, a.code))

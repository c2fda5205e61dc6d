"""One patient's place in a plan: the start of each of her steps and the resources each holds.

The engine's internal plan is a dict patient index -> `Placement`, shared by the heuristics,
the CP-SAT back-end, the bounds and the reasons (times in minutes, resources as indices into
`Prepared.resources`, -1 for a pooled resource not given yet).
"""

from __future__ import annotations

from dataclasses import dataclass

from .prepared import PPatient, Prepared
from .result import ScheduledStep


@dataclass
class Placement:
    """One patient's steps: start per step and resources per step (in `needs` order)."""

    patient: int
    starts: list[int]
    resources: list[tuple[int, ...]]

    def arrival(self, p: PPatient) -> int:
        """When she is asked to come: the start of her first step."""
        return min(self.starts)

    def departure(self, p: PPatient) -> int:
        return max(s + st.duration for s, st in zip(self.starts, p.steps))

    def stay(self, p: PPatient) -> int:
        """Her time in the clinic: from her first step, or from when she arrived."""
        return self.departure(p) - p.origin(self.arrival(p))


def as_steps(prep: Prepared, placements: dict[int, Placement]) -> tuple[ScheduledStep, ...]:
    """A plan's steps as the result gives them: patient by patient, each in time order, with
    the ids of the resources (concrete ones: pooled resources given)."""
    out = []
    for i in sorted(placements):
        p, pl = prep.patients[i], placements[i]
        for s in sorted(range(len(p.steps)), key=lambda s: (pl.starts[s], s)):
            st = p.steps[s]
            out.append(ScheduledStep(p.id, st.id, pl.starts[s], pl.starts[s] + st.duration,
                                     tuple(prep.resources[r].id for r in pl.resources[s])))
    return tuple(out)

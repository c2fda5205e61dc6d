"""Which event buttons a board row offers to whom. Pure: a function of the row and the user.

Planners enter every event (a patient leaving early, her result to follow, only between
steps). A specialist (or radiographer, nurse) gets the buttons of the
steps that hold one of her own resources, and during her step the switch to a biopsy
pathway. The services check the same rights again (`mammapoli.planning.permissions`);
this only keeps buttons off rows where they would be refused.
"""

from dataclasses import dataclass

from .board import ARRIVED, EXPECTED, IN_STEP, NO_SHOW, NOT_SEEN, WAITING, BoardEntry, StepOnBoard


@dataclass(frozen=True)
class RowActions:
    arrive: bool = False
    no_show: bool = False
    finish: tuple[str, ...] = ()
    start: str | None = None
    switch: bool = False
    leave: bool = False
    rebook: bool = False

    def __bool__(self) -> bool:
        return (self.arrive or self.no_show or bool(self.finish) or self.start is not None or self.switch
                or self.leave or self.rebook)


def _holds(step: StepOnBoard | None, own: frozenset[str]) -> bool:
    return step is not None and any(holder.code in own for holder in step.holders)


def row_actions(entry: BoardEntry, *, planner: bool, own: frozenset[str] = frozenset()) -> RowActions:
    """The buttons of `entry`'s row for a planner, or for a team member holding the resources `own`."""
    if entry.place == NOT_SEEN:
        # Rebooked on her next morning, or (in the clinic) home with the result to follow.
        return RowActions(rebook=planner, leave=planner and entry.present, arrive=planner and not entry.present)
    if entry.place == EXPECTED:
        return RowActions(arrive=planner, no_show=planner)
    if entry.place == NO_SHOW:
        return RowActions(arrive=planner)  # she came after all
    if entry.place not in (ARRIVED, WAITING, IN_STEP):
        return RowActions()
    running = [step for step in (entry.current, entry.lab) if step is not None]
    finish = tuple(step.code for step in running if planner or _holds(step, own))
    start = None
    if not running and entry.next is not None and (planner or _holds(entry.next, own)):
        start = entry.next.code
    switch = planner or (entry.place == IN_STEP and _holds(entry.current, own))
    return RowActions(finish=finish, start=start, switch=switch, leave=planner and not running)

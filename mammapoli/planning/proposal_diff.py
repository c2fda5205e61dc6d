"""A proposal as the planner reads it: what changes against the plan it would replace.

Compared with the published plan the job saw (its morning's `reference`): per visit, whether
it is new on the plan, moves (by how many minutes, arrival and departure; a step kept at its
time in another room is not a move), stays, is dropped (on the published plan, or in the
clinic, and not seen now: with the engine's reason) or still cannot be seen; whether she is
in the clinic; and whether she needs a call (booked, not here yet, and her time changed or
she cannot be seen), with her phone number.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from mammapoli.audit.models import Action
from mammapoli.audit.services import access_events_record_many

from .clock import minutes
from .models import Plan, PlanStatus, Visit, VisitStatus
from .reasons import plan_reasons

#: Not in the clinic yet: a new time is a call to make.
WAITING_AT_HOME = (VisitStatus.BOOKED,)


class Change:
    NEW = "new"  # not on the published plan (a new booking, a walk-in)
    MOVED = "moved"
    UNCHANGED = "unchanged"
    DROPPED = "dropped"  # on the published plan or in the clinic, and not seen now
    UNSCHEDULED = "unscheduled"  # was not on the plan, and cannot be seen this morning
    ALL = (NEW, MOVED, UNCHANGED, DROPPED, UNSCHEDULED)


@dataclass(frozen=True)
class VisitChange:
    visit: Visit
    change: str
    old_arrival: str | None
    new_arrival: str | None
    old_departure: str | None
    new_departure: str | None
    steps_moved: int  # steps at another time
    steps_reassigned: int  # steps at the same time with another room, device or person
    reason: str
    call: bool
    present: bool = False  # in the clinic (arrived, or a step done): told in person

    @property
    def shift(self) -> int | None:
        """Minutes the arrival moves (later is positive)."""
        if self.old_arrival is None or self.new_arrival is None:
            return None
        return minutes(self.new_arrival) - minutes(self.old_arrival)

    @property
    def arrival_moves(self) -> bool:
        return bool(self.shift)

    @property
    def not_seen(self) -> bool:
        return self.change in (Change.DROPPED, Change.UNSCHEDULED)

    @property
    def phone(self) -> str:
        return str(self.visit.patient.phone) if self.visit.patient.phone else ""


@dataclass(frozen=True)
class ProposalDiff:
    plan: Plan
    stale: bool
    changes: tuple[VisitChange, ...]

    @property
    def moved(self) -> tuple[VisitChange, ...]:
        return tuple(c for c in self.changes if c.change == Change.MOVED)

    @property
    def not_seen(self) -> tuple[VisitChange, ...]:
        """Everyone the proposal cannot see, the patients it drops first."""
        return tuple(sorted((c for c in self.changes if c.not_seen), key=lambda c: (c.change != Change.DROPPED,
                                                                                     not c.present, c.visit.code)))

    @property
    def changed(self) -> tuple[VisitChange, ...]:
        """What the planner has to look at: everything but the unchanged."""
        return tuple(c for c in self.changes if c.change != Change.UNCHANGED)

    @property
    def unchanged(self) -> tuple[VisitChange, ...]:
        return tuple(c for c in self.changes if c.change == Change.UNCHANGED)

    @property
    def to_call(self) -> tuple[VisitChange, ...]:
        """One list of calls, in the order of the new times (those who cannot come last)."""
        return tuple(sorted((c for c in self.changes if c.call),
                            key=lambda c: (c.new_arrival is None, c.new_arrival or "", c.visit.code)))


def _by_patient(entries: list[dict]) -> dict[str, dict[str, dict]]:
    result: dict[str, dict[str, dict]] = {}
    for entry in entries:
        result.setdefault(entry["patient"], {})[entry["step"]] = entry
    return result


def _span(steps: dict[str, dict] | None) -> tuple[str | None, str | None]:
    if not steps:
        return None, None
    return min(s["start"] for s in steps.values()), max(s["end"] for s in steps.values())


def proposal_is_stale(plan: Plan) -> bool:
    if plan.status == PlanStatus.STALE:
        return True
    if plan.status != PlanStatus.PROPOSED:
        return False
    return plan.session.version != plan.job.session_version


def proposal_diff(*, plan: Plan, user: AbstractBaseUser | None = None) -> ProposalDiff:
    """The changes `plan` makes to the plan published when it was made. With `user`, the
    patients shown are logged (one row each)."""
    morning = plan.job.morning
    before = _by_patient(morning.get("reference", []))
    after = _by_patient(plan.data["assignments"])
    fixed = {f["patient"] for f in morning.get("fixed", [])}
    arrived = {p["id"] for p in morning["patients"] if "arrived" in p}
    reasons = plan_reasons(plan)  # in the reader's language
    visits = {v.code: v for v in Visit.objects.filter(session_id=plan.session_id).select_related("patient")}
    changes = []
    for patient in morning["patients"]:
        visit = visits.get(patient["id"])
        if visit is None:
            continue  # cancelled and removed since; the proposal is stale anyway
        old, new = before.get(patient["id"]), after.get(patient["id"])
        (old_arrival, old_departure), (new_arrival, new_departure) = _span(old), _span(new)
        moved = sum(1 for step, entry in (new or {}).items()
                    if old is None or step not in old or old[step]["start"] != entry["start"])
        reassigned = sum(1 for step, entry in (new or {}).items()
                         if old and step in old and old[step]["start"] == entry["start"]
                         and old[step]["resources"] != entry["resources"])
        present = patient["id"] in fixed or patient["id"] in arrived
        if new is None:
            change = Change.DROPPED if old is not None or present else Change.UNSCHEDULED
        elif old is None:
            change = Change.NEW
        elif moved:
            change = Change.MOVED
        else:
            change = Change.UNCHANGED
        waiting = visit.status in WAITING_AT_HOME and not present
        call = waiting and (new is None or (change == Change.MOVED and old_arrival != new_arrival))
        changes.append(VisitChange(visit, change, old_arrival, new_arrival, old_departure, new_departure, moved,
                                   reassigned, reasons.get(patient["id"], ""), call, present))
    if user is not None:
        access_events_record_many(user=user, action=Action.READ, what="plan proposal",
                                  subjects=[(c.visit.patient_id, c.visit.pk) for c in changes],
                                  clinic_id=plan.session.clinic_id, detail=f"plan {plan.pk}")
    return ProposalDiff(plan=plan, stale=proposal_is_stale(plan), changes=tuple(changes))

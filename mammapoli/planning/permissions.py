"""Who may do what on the planning side, on top of being in the clinic's team.

Planners book, plan, publish and enter every event. Specialists (and the radiographers and
nurses who hold resources too) enter the events of their own steps: a step started or
finished on a resource that is theirs, and the switch to a biopsy pathway decided during a
step they are doing. Everyone else in the team reads.
"""

from django.db.models import QuerySet

from mammapoli.clinics.models import Resource, Role, StaffMember
from mammapoli.clinics.roles import CLINICAL_ROLES

from .models import AllocationPhase, Visit, VisitStep, VisitStepResource

PLANNERS = frozenset({Role.PLANNER})
EVENT_ROLES = PLANNERS | CLINICAL_ROLES


def own_resources(membership: StaffMember) -> QuerySet[Resource]:
    """The resources that are this team member (her place on the plan)."""
    return Resource.objects.filter(staff_member=membership)


def _own_resources(membership: StaffMember) -> set[int]:
    return set(own_resources(membership).values_list("pk", flat=True))


def may_record_step(membership: StaffMember, visit_step: VisitStep, resources: list[Resource] | None = None) -> bool:
    """A planner, or a team member whose resource the step holds (planned, actual or named now)."""
    if membership.role in PLANNERS:
        return True
    if membership.role not in CLINICAL_ROLES:
        return False
    held = {a.resource_id for a in visit_step.allocations.all()} | {r.pk for r in resources or ()}
    return bool(_own_resources(membership) & held)


def may_switch_pathway(membership: StaffMember, visit: Visit) -> bool:
    """A planner, or whoever is doing (or did) a step of this visit: the biopsy is decided there."""
    if membership.role in PLANNERS:
        return True
    if membership.role not in CLINICAL_ROLES:
        return False
    done_by = set(VisitStepResource.objects.filter(visit_step__visit=visit, phase=AllocationPhase.ACTUAL)
                  .values_list("resource_id", flat=True))
    return bool(_own_resources(membership) & done_by)

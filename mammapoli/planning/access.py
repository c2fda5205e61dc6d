"""Plans, plan jobs and resources, fetched only for members of their clinic's team.

Each goes through `session_for_user` (or the clinic membership), so the same rules and the
same access log apply as for the visits: outside the team "not found", a role without the
right "forbidden".
"""

import uuid
from collections.abc import Collection

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from mammapoli.audit.models import Action, Outcome
from mammapoli.audit.services import access_event_record
from mammapoli.clinics.models import Resource, StaffMember
from mammapoli.records.access import (
    PatientDataNotFound,
    SessionAccess,
    clinic_membership_for_user,
    session_for_user,
)

from .models import Plan, PlanJob


def _missing(user, what: str, key) -> PatientDataNotFound:
    access_event_record(user=user, action=Action.READ, what=what, outcome=Outcome.DENIED, detail=f"no such {what} {key}")
    return PatientDataNotFound(key)


def plan_job_for_user(
    user: AbstractBaseUser | AnonymousUser, job_id: uuid.UUID, *, roles: Collection[str] | None = None,
    action: Action = Action.READ,
) -> tuple[PlanJob, SessionAccess]:
    job = PlanJob.objects.select_related("session__clinic").filter(job_id=job_id).first()
    if job is None:
        raise _missing(user, "plan job", job_id)
    return job, session_for_user(user, job.session_id, roles=roles, action=action, what="plan job")


def plan_for_user(
    user: AbstractBaseUser | AnonymousUser, plan_id: int, *, roles: Collection[str] | None = None,
    action: Action = Action.READ,
) -> tuple[Plan, SessionAccess]:
    plan = Plan.objects.select_related("session__clinic", "job").filter(pk=plan_id).first()
    if plan is None:
        raise _missing(user, "plan", plan_id)
    return plan, session_for_user(user, plan.session_id, roles=roles, action=action, what="plan")


def resource_for_user(
    user: AbstractBaseUser | AnonymousUser, resource_id: int, *, roles: Collection[str] | None = None,
) -> tuple[Resource, StaffMember]:
    resource = Resource.objects.select_related("clinic", "kind").filter(pk=resource_id).first()
    if resource is None:
        raise PatientDataNotFound(resource_id)
    return resource, clinic_membership_for_user(user, resource.clinic_id, roles=roles)

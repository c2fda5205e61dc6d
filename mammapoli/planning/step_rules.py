"""What may be recorded as having happened: a step started or finished, a pathway kept.

The rules of the pathway hold for what happened too (a recorded step becomes a `fixed`
step for the engine, and a fixed step that breaks a rule makes every re-plan impossible),
so an event that would break one is refused with the rule named, before anything is
written. Each function returns the problems as {field: message}; empty means allowed.
"""

import datetime as dt

from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _

import scheduler
from mammapoli.clinics.models import PathwayStep, Resource
from mammapoli.clinics.names import clinic_names

from .adapter import session_problem
from .clock import clinic_zone, minutes_on
from .engine import start_conflict
from .models import AllocationPhase, ClinicSession, VisitStep
from .reasons import reason_text


def actual_resources(visit_step: VisitStep) -> list[Resource]:
    return [a.resource for a in sorted(visit_step.allocations.all(), key=lambda a: a.position)
            if a.phase == AllocationPhase.ACTUAL]


def planned_resources(visit_step: VisitStep) -> list[Resource]:
    return [a.resource for a in sorted(visit_step.allocations.all(), key=lambda a: a.position)
            if a.phase == AllocationPhase.PLANNED]


def _needs(step: PathwayStep) -> list[str]:
    return [need.kind.code for need in step.needs.order_by("position", "id").select_related("kind")]


def resources_problems(step: PathwayStep, resources: list[Resource]) -> dict[str, str]:
    needs = _needs(step)
    kinds = [r.kind.code for r in resources]
    if kinds != needs:
        return {"resources": _("Step %(step)s needs %(needs)s, in that order; given: %(given)s.") % {
            "step": step.code, "needs": ", ".join(needs) or "-", "given": ", ".join(kinds) or "-"}}
    if len({r.pk for r in resources}) != len(resources):
        return {"resources": _("A resource cannot be held twice by one step.")}
    return {}


#: The field a refusal names, per engine code (scheduler.feasibility); the rest are about time.
_FIELD = {"fixed_overlap": "step", "fixed_before_open": "step", "fixed_same_as": "resources",
          "fixed_capacity": "resources"}


def start_problems(visit_step: VisitStep, at: dt.datetime, resources: list[Resource]) -> dict[str, str]:
    """Why `visit_step` may not start at `at` on `resources` ({} when it may): the shape of
    `resources` here, the rules of the pathway by the engine (`engine.start_conflict` on the
    morning as it stands), translated (`reasons.TEMPLATES`)."""
    problems = resources_problems(visit_step.step, resources)
    if problems:
        return problems
    visit = visit_step.visit
    session = visit.session
    try:
        conflict = start_conflict(session_problem(session), patient=visit.code, step=visit_step.step.code,
                                  start=minutes_on(at, session.date), resources=tuple(r.code for r in resources))
    except scheduler.ProblemError as error:  # the shape is checked above: a resource the morning does not have
        if error.path.endswith("]") and ".resources[" in error.path:
            return {"resources": _("Not an active resource of this clinic.")}
        return {"step": _("The planner cannot take this step: %(error)s.") % {"error": error}}
    if conflict is None:
        return {}
    text = reason_text(conflict.code, conflict.params, names=clinic_names(session.clinic_id),
                       pathway=conflict.pathways.get(visit.code),
                       other_pathway=conflict.pathways.get(conflict.params.get("other_patient")))
    return {_FIELD.get(conflict.code, "at"): f"{capfirst(text)}." if text else conflict.text}


def at_problems(session: ClinicSession, at: dt.datetime, *, before_start_allowed: bool = False) -> dict[str, str]:
    """`at` (aware) must be on the morning's date, within its window."""
    local = at.astimezone(clinic_zone())
    if local.date() != session.date:
        return {"at": _("Not on the morning of %(date)s.") % {"date": formats.date_format(session.date, "DATE_FORMAT")}}
    if local.time() > session.end:
        return {"at": _("After the end of the morning (%(end)s).") % {"end": session.end.strftime("%H:%M")}}
    if not before_start_allowed and local.time() < session.start:
        return {"at": _("Before the start of the morning (%(start)s).") % {"start": session.start.strftime("%H:%M")}}
    return {}

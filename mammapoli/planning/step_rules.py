"""What may be recorded as having happened: a step started or finished, a pathway kept.

The rules of the pathway hold for what happened too (a recorded step becomes a `fixed`
step for the engine, and a fixed step that breaks a rule makes every re-plan impossible),
so an event that would break one is refused with the rule named, before anything is
written. Each function returns the problems as {field: message}; empty means allowed.
"""

import datetime as dt

from django.utils import formats
from django.utils.translation import gettext as _

from mammapoli.clinics.models import PathwayStep, Resource
from mammapoli.clinics.names import label

from .clock import clinic_zone, hhmm
from .models import AllocationPhase, ClinicSession, VisitStep


def step_length(visit_step: VisitStep) -> dt.timedelta:
    return dt.timedelta(minutes=visit_step.step.duration + visit_step.extra_minutes)


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


def start_problems(visit_step: VisitStep, at: dt.datetime, resources: list[Resource]) -> dict[str, str]:
    """Why `visit_step` may not start at `at` on `resources` ({} when it may)."""
    problems = resources_problems(visit_step.step, resources)
    if problems:
        return problems
    visit = visit_step.visit
    steps = {vs.step_id: vs for vs in visit.steps.all()}
    running = [vs for vs in steps.values() if vs.actual_start is not None and vs.actual_end is None]
    if running:
        return {"step": _("The patient is still in step %(step)s.") % {"step": running[0].step.code}}
    for link in visit_step.step.predecessors.all():
        before = steps.get(link.after_id)
        if before is None or before.actual_end is None:
            return {"step": _("Step %(before)s must be finished first.") % {"before": label(link.after)}}
        gap = (at - before.actual_end).total_seconds() / 60
        if gap < link.min_lag:
            return {"at": _("Step %(step)s starts at least %(minutes)d minutes after %(before)s ended (%(end)s).") % {
                "step": label(visit_step.step), "minutes": link.min_lag, "before": label(link.after),
                "end": hhmm(before.actual_end)}}
        if link.max_lag is not None and gap > link.max_lag:
            return {"at": _("Step %(step)s must start within %(minutes)d minutes after %(before)s ended (%(end)s); "
                            "switch the pathway if it cannot.") % {
                "step": label(visit_step.step), "minutes": link.max_lag, "before": label(link.after),
                "end": hhmm(before.actual_end)}}
    for rule in visit_step.step.same_as.all():
        other = steps.get(rule.other_id)
        theirs = [r for r in actual_resources(other) if r.kind_id == rule.kind_id] if other else []
        mine = [r for r in resources if r.kind_id == rule.kind_id]
        if theirs and not set(r.pk for r in mine) & set(r.pk for r in theirs):
            return {"resources": _("Step %(step)s is done by the %(kind)s who did %(other)s: %(resource)s.") % {
                "step": label(visit_step.step), "kind": label(rule.kind), "other": label(rule.other),
                "resource": theirs[0].code}}
    return busy_problems(visit_step, at, at + step_length(visit_step), resources)


def busy_problems(visit_step: VisitStep, start: dt.datetime, end: dt.datetime,
                  resources: list[Resource]) -> dict[str, str]:
    """A resource is with one patient at a time, in what happened as in the plan."""
    others = (VisitStep.objects.filter(visit__session_id=visit_step.visit.session_id, actual_start__isnull=False,
                                       allocations__phase=AllocationPhase.ACTUAL,
                                       allocations__resource__in=resources)
              .exclude(pk=visit_step.pk).select_related("visit", "step").distinct())
    for other in others:
        if other.actual_end is None or (other.actual_start < end and start < other.actual_end):
            held = {r.code for r in resources} & {a.resource.code for a in other.allocations.all()
                                                  if a.phase == AllocationPhase.ACTUAL}
            return {"resources": _("%(resource)s is with %(visit)s (%(step)s, since %(start)s).") % {
                "resource": ", ".join(sorted(held)), "visit": other.visit.code, "step": other.step.code,
                "start": hhmm(other.actual_start)}}
    return {}


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

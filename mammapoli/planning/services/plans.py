"""Publishing a proposal: the morning's planned times and resource bookings, in one transaction."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mammapoli.audit.models import Action
from mammapoli.audit.services import access_events_record_many
from mammapoli.clinics.models import Resource
from mammapoli.planning.adapter import planned_visits
from mammapoli.planning.clock import aware
from mammapoli.planning.errors import Conflict, StaleProposal
from mammapoli.planning.models import AllocationPhase, ClinicSession, Plan, PlanStatus, VisitStep, VisitStepResource

from .bookings import planned_resources_write
from .versions import morning_changed


@transaction.atomic
def plan_publish(*, user: AbstractBaseUser | None, plan: Plan) -> Plan:
    """Make `plan` the morning's published plan.

    Raises `StaleProposal` when the morning's bookings changed after the proposal was made,
    and `Conflict` when it is not an open proposal; in both cases nothing is written.
    """
    session = ClinicSession.objects.select_for_update().select_related("clinic").get(pk=plan.session_id)
    plan = Plan.objects.select_for_update(of=("self",)).select_related("job").get(pk=plan.pk)
    if plan.status != PlanStatus.PROPOSED:
        raise Conflict(_("This plan is %(status)s; only a proposal can be published.") % {
            "status": plan.get_status_display()}, detail={"status": plan.status})
    if session.version != plan.job.session_version:
        raise StaleProposal(_("The bookings of this morning changed after the proposal was made; "
                              "plan the morning again."))
    changed = _write_planned_steps(session, plan.data["assignments"])
    Plan.objects.filter(session=session, status__in=(PlanStatus.PUBLISHED, PlanStatus.PROPOSED)) \
        .exclude(pk=plan.pk).update(status=PlanStatus.SUPERSEDED)
    plan.status, plan.published_at, plan.published_by = PlanStatus.PUBLISHED, timezone.now(), user
    plan.save(update_fields=["status", "published_at", "published_by"])
    morning_changed(session=session)  # the published plan is the next re-plan's reference
    if user is not None:
        access_events_record_many(user=user, action=Action.WRITE, what="planned times", subjects=changed,
                                  clinic_id=session.clinic_id, detail=f"plan {plan.pk} published")
    return plan


def _write_planned_steps(session: ClinicSession, assignments: list[dict]) -> list[tuple[int, int]]:
    """Every active visit step gets the plan's time and resources (or none when unscheduled).
    Returns (patient id, visit id) of the visits whose plan changed."""
    by_step = {(a["patient"], a["step"]): a for a in assignments}
    resources = {r.code: r for r in Resource.objects.filter(clinic_id=session.clinic_id)}
    visits = list(planned_visits(session))
    unknown = {a["patient"] for a in assignments} - {v.code for v in visits}
    if unknown:
        raise Conflict(_("The plan names visits that are not on this morning: %(codes)s.") % {
            "codes": ", ".join(sorted(unknown))})
    steps, placed, changed = [], [], []
    for visit in visits:
        before = [(vs.planned_start, vs.planned_end) for vs in visit.steps.all()]
        for vs in visit.steps.all():
            entry = by_step.get((visit.code, vs.step.code))
            vs.planned_start = aware(session.date, entry["start"]) if entry else None
            vs.planned_end = aware(session.date, entry["end"]) if entry else None
            steps.append(vs)
            placed.append((vs, [resources[code] for code in entry["resources"]] if entry else []))
        if before != [(vs.planned_start, vs.planned_end) for vs in visit.steps.all()]:
            changed.append((visit.patient_id, visit.pk))
    VisitStep.objects.bulk_update(steps, ["planned_start", "planned_end"])
    VisitStepResource.objects.filter(visit_step__in=steps, phase=AllocationPhase.PLANNED).delete()
    planned_resources_write(session=session, steps=placed, replace_all=True)
    return changed

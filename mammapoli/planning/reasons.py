"""Why a patient cannot be seen, in the reader's language.

The engine gives each unscheduled patient a reason in English words and, beside them, a
stable code with its parameters (`scheduler.reasons`; kept in `Plan.reasons`). Here each code
has a translatable template; step and kind codes become the clinic's names. A reason the
engine gave only in words (an older plan) is shown in those words.
"""

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from mammapoli.clinics.names import ClinicNames, clinic_names

from .models import Plan

TEMPLATES = {
    "temporal": _("her pathway's own times cannot be kept by %(latest)s (the waits between her steps, her "
                  "earliest start or the time that is left)"),
    "pathway_too_long": _("her pathway (%(pathway)s) needs at least %(needed)s min, but only %(start)s–%(end)s is "
                          "open (%(open)s min)"),
    "no_time_left": _("no time is left: she cannot start before %(start)s and must be done by %(latest)s"),
    "fixed_lags_end": _("%(step)s cannot start after %(at)s and still keep the waits after the steps already done "
                        "and end by %(latest)s"),
    "fixed_lags": _("the steps around %(step)s (at %(at)s, already done) cannot keep their waits"),
    "kind_missing": _("%(step)s needs a %(kind)s and the clinic has none this morning"),
    "kind_short": _("%(step)s needs %(needed)s × %(kind)s and the clinic has %(have)s this morning"),
    "same_as_none": _("no single %(kinds)s is available for all the steps that must be done by the same one"),
    "fits_left_out": _("fits in the plan as it stands, but was left out to keep the rest of the morning"),
    "no_placement": _("no time this morning meets the rules of her pathway"),
    "fixed_unreachable": _("%(step)s is fixed at %(at)s, but the steps before it cannot be done by then (ready "
                           "at %(ready)s)"),
    "no_free_start": _("%(step)s cannot start between %(start)s and %(end)s on free resources"),
    "max_lag": _("%(step)s cannot start before %(start)s and must start within %(max)s min after %(after)s"),
    "kind_cannot": _("no %(kind)s can do %(step)s (%(duration)s min) between %(start)s and %(end)s"),
    "resource_busy": _("%(kind)s %(resource)s is busy %(start)s–%(end)s"),
    "resource_away": _("%(kind)s %(resource)s is not available %(start)s–%(end)s"),
    "resource_busy_or_away": _("%(kind)s %(resource)s is busy or not available %(start)s–%(end)s"),
    "resource_away_after": _("%(kind)s %(resource)s is not available after %(at)s"),
    "resource_away_before": _("%(kind)s %(resource)s is not available before %(at)s"),
    "every_busy": _("every %(kind)s (%(resources)s) is busy %(start)s–%(end)s"),
    "every_away": _("every %(kind)s (%(resources)s) is not available %(start)s–%(end)s"),
    "every_busy_or_away": _("every %(kind)s (%(resources)s) is busy or not available %(start)s–%(end)s"),
    "every_busy_after": _("every %(kind)s (%(resources)s) is busy after %(at)s"),
    "every_away_after": _("every %(kind)s (%(resources)s) is not available after %(at)s"),
    "every_busy_or_away_after": _("every %(kind)s (%(resources)s) is busy or not available after %(at)s"),
    "ends_too_late": _("%(step)s would end at %(end)s at the earliest, after the end of the morning"),
    "ends_after_latest": _("%(step)s would end at %(end)s at the earliest, after her latest time %(latest)s"),
    # What happened breaks a rule (scheduler.feasibility): a step may not be recorded as started.
    "fixed_overlap": _("the patient is still in step %(other)s (a patient is in one step at a time)"),
    "fixed_before_open": _("step %(before)s must be finished before %(step)s starts"),
    "fixed_min_lag": _("step %(step)s starts at least %(minutes)s minutes after %(before)s ended (%(end)s)"),
    "fixed_max_lag": _("step %(step)s must start within %(minutes)s minutes after %(before)s ended (%(end)s); "
                       "switch the pathway if it cannot"),
    "fixed_outside": _("step %(step)s at %(start)s–%(end)s is outside her time this morning (%(lo)s–%(hi)s)"),
    "fixed_same_as": _("step %(step)s is done by the %(kind)s who did %(other)s: %(resource)s"),
    "fixed_capacity": _("resource %(resource)s is with %(other_patient)s (%(other)s, since %(since)s)"),
    # Left out by the uncertainty-aware plan (scheduler.robust), to keep the morning safe.
    "overtime_risk": _("left out to keep the morning safe: with her, 1 in 10 mornings like this would run "
                       "%(overtime_p90)s min or more over (the clinic's limit is %(limit)s min)"),
    "expected_answered": _("left out to keep the morning safe: with her, fewer patients would have their answer "
                           "by the end of an average morning (expected priority answered %(with)s instead of "
                           "%(without)s)"),
    "overtime_room": _("left out to keep the morning safe: the plan keeps room for steps that run long (the "
                       "clinic's overtime limit is %(limit)s min), and that room is where she would have been"),
    "overtime_room_no_limit": _("left out to keep the morning safe: the plan keeps room for steps that run long, "
                                "and that room is where she would have been"),
}


def reason_text(code: str, params: dict, *, names: ClinicNames, pathway: str | None = None,
                other_pathway: str | None = None) -> str | None:
    """The reason in the active language; None for a code without a template. Step codes
    are named in `pathway`, `other` in `other_pathway` when it is another patient's step."""
    if code == "clauses":
        parts = [reason_text(c.get("code", ""), c.get("params", {}), names=names, pathway=pathway)
                 for c in params.get("clauses", [])]
        return "; ".join(parts) if parts and None not in parts else None
    if code == "ends_too_late" and params.get("latest"):
        code = "ends_after_latest"
    if code == "overtime_room" and params.get("limit") is None:
        code = "overtime_room_no_limit"
    template = TEMPLATES.get(code)
    if template is None:
        return None
    values = dict(params)
    for key in ("step", "after", "before"):
        if key in values:
            values[key] = names.step(values[key], pathway)
    if "other" in values:
        values["other"] = names.step(values["other"], other_pathway or pathway)
    if "pathway" in values:
        values["pathway"] = names.pathway(values["pathway"])
    if "kind" in values:
        values["kind"] = names.kind(values["kind"])
    if "kinds" in values:
        values["kinds"] = "/".join(names.kind(kind) for kind in values["kinds"])
    if "resources" in values:
        values["resources"] = ", ".join(values["resources"])
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):  # parameters of another engine version: its words instead
        return None


def plan_reasons(plan: Plan, *, names: ClinicNames | None = None) -> dict[str, str]:
    """Per patient id on `plan` who cannot be seen: why, in the active language (the engine's
    words where it gave no code)."""
    names = names or clinic_names(plan.session.clinic_id)
    pathways = {p["id"]: p.get("pathway") for p in plan.job.morning.get("patients", [])}
    result = {}
    for entry in plan.data.get("unscheduled", []):
        coded = (plan.reasons or {}).get(entry["patient"]) or {}
        text = reason_text(coded.get("code", ""), coded.get("params", {}), names=names,
                           pathway=pathways.get(entry["patient"])) if coded else None
        result[entry["patient"]] = capfirst(text) if text else entry.get("reason", "")
    return result

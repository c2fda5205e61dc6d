"""The clinic's uncertainty settings as the engine's `Uncertainty` (the format's `uncertainty` block).

The one place that reads them for the engine: every morning the adapter exports (plan this morning,
each re-plan, the booking search's mornings) carries it, so the engine plans with the
clinic's own variation and every plan carries its `risk`. A clinic without settings sends
no block: its mornings are planned, and measured, as if they ran exactly to plan.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError

import scheduler

from mammapoli.clinics.models import Clinic, ClinicUncertainty
from mammapoli.clinics.services.uncertainty import clinic_uncertainty_set

from .morning_validation import MorningFormatError


def clinic_uncertainty(clinic_id: int, step_codes: Iterable[str]) -> scheduler.Uncertainty | None:
    """How a morning whose pathways have these step codes varies (None without settings). A
    step variation for a step no active pathway has any more is left out: the engine refuses
    a step id it does not know."""
    settings = ClinicUncertainty.objects.filter(clinic_id=clinic_id).prefetch_related("steps").first()
    if settings is None:
        return None
    codes = set(step_codes)
    return scheduler.Uncertainty(
        duration_cv=float(settings.duration_cv),
        step_cv=tuple((row.step_code, float(row.duration_cv)) for row in settings.steps.all() if row.step_code in codes),
        no_show=float(settings.no_show), punctuality_sd=float(settings.punctuality_sd),
        overtime_p90=None if settings.overtime_p90 is None else settings.overtime_p90)


def uncertainty_import(*, clinic: Clinic, block: dict) -> None:
    """An instance's `uncertainty` block (format-checked already) as the clinic's settings; a
    field left out is no variation of that kind, an overtime limit is rounded to whole
    minutes. A value the settings do not take raises `MorningFormatError` naming it."""
    cv = block.get("duration_cv", 0)
    step_cv = {code: value for code, value in cv.items() if code != "default"} if isinstance(cv, dict) else {}
    try:
        clinic_uncertainty_set(
            clinic=clinic, duration_cv=cv["default"] if isinstance(cv, dict) else cv,
            no_show=block.get("no_show", 0), punctuality_sd=block.get("punctuality_sd", 0),
            overtime_p90=block.get("overtime_p90"), step_cv=step_cv, other_steps_kept=False)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        path = {"duration_cv": "duration_cv.default" if step_cv else "duration_cv"}.get(
            field, field.replace("step_cv.", "duration_cv."))
        raise MorningFormatError(f"uncertainty.{path}", " ".join(messages)) from None

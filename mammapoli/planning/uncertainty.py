"""The clinic's uncertainty settings as the exchange format's `uncertainty` block.

The one place that writes the block: every morning the adapter exports (plan this morning,
each re-plan, the booking search's mornings) carries it, so the engine plans with the
clinic's own variation and every plan carries its `risk`. A clinic without settings sends
no block: its mornings are planned, and measured, as if they ran exactly to plan.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError

from mammapoli.clinics.models import Clinic, ClinicUncertainty
from mammapoli.clinics.services.uncertainty import clinic_uncertainty_set

from .morning_validation import MorningFormatError


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def uncertainty_block(clinic_id: int, step_codes: Iterable[str]) -> dict | None:
    """The `uncertainty` block of a morning whose pathways have these step codes (None without
    settings). A step variation for a step no active pathway has any more is left out: the
    format refuses a step id it does not know."""
    settings = ClinicUncertainty.objects.filter(clinic_id=clinic_id).prefetch_related("steps").first()
    if settings is None:
        return None
    codes = set(step_codes)
    per_step = {row.step_code: _number(row.duration_cv) for row in settings.steps.all() if row.step_code in codes}
    default = _number(settings.duration_cv)
    block: dict = {"duration_cv": {"default": default, **per_step} if per_step else default,
                   "no_show": _number(settings.no_show), "punctuality_sd": _number(settings.punctuality_sd)}
    if settings.overtime_p90 is not None:
        block["overtime_p90"] = settings.overtime_p90
    return block


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

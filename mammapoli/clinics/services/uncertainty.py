"""Writes of clinic master data."""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import Clinic, ClinicUncertainty, StepVariation

_CENT, _TENTH = Decimal("0.01"), Decimal("0.1")


def _decimal(value: float | Decimal, places: Decimal) -> Decimal:
    return Decimal(str(value)).quantize(places, rounding=ROUND_HALF_UP)


@transaction.atomic
def clinic_uncertainty_set(
    *, clinic: Clinic, duration_cv: float | Decimal, no_show: float | Decimal, punctuality_sd: float | Decimal,
    overtime_p90: float | None, step_cv: Mapping[str, float | Decimal] | None = None, other_steps_kept: bool = True,
) -> ClinicUncertainty:
    """Set how the clinic's mornings vary (numbers rounded to the settings' precision).

    `step_cv` (step code -> cv) sets the steps named in it; the other steps' settings are
    kept, or deleted with `other_steps_kept=False`. A bad value is a `ValidationError` naming the
    field (`step_cv.<code>` for a step) and nothing is written."""
    settings = ClinicUncertainty.objects.select_for_update().filter(clinic=clinic).first() \
        or ClinicUncertainty(clinic=clinic)
    settings.duration_cv = _decimal(duration_cv, _CENT)
    settings.no_show = _decimal(no_show, _CENT)
    settings.punctuality_sd = _decimal(punctuality_sd, _TENTH)
    settings.overtime_p90 = None if overtime_p90 is None else round(overtime_p90)
    settings.full_clean()
    settings.save()
    if not other_steps_kept:
        settings.steps.exclude(step_code__in=list(step_cv or {})).delete()
    for code, cv in (step_cv or {}).items():
        row = settings.steps.filter(step_code=code).first() or StepVariation(uncertainty=settings, step_code=code)
        row.duration_cv = _decimal(cv, _CENT)
        try:
            row.full_clean()
        except ValidationError as error:
            raise ValidationError({f"step_cv.{code}": [m for ms in error.message_dict.values() for m in ms]}) \
                from None
        row.save()
    # What the engine sees of every coming morning changed: their open proposals go stale.
    from mammapoli.planning.services.versions import clinic_mornings_changed

    clinic_mornings_changed(clinic_id=clinic.pk)
    return settings

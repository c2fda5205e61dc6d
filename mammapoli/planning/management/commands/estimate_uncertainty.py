import datetime as dt
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mammapoli.clinics.models import ClinicUncertainty
from mammapoli.clinics.selectors import clinic_by_name
from mammapoli.clinics.services.uncertainty import clinic_uncertainty_set
from mammapoli.planning.uncertainty_estimate import MIN_MORNINGS, MIN_STEP_OBSERVATIONS, UncertaintyEstimate, \
    uncertainty_estimate


def _figure(value, places: int = 2) -> str:
    return "-" if value is None else f"{value:.{places}f}"


class Command(BaseCommand):
    help = ("Estimate a clinic's uncertainty settings (step length variation, no-shows, punctuality) from its "
            "recorded mornings and show them beside the current ones; --save (or answering yes) saves them.")

    def add_arguments(self, parser):
        parser.add_argument("clinic", help="the clinic's name")
        parser.add_argument("--since", help="only mornings from this date on, YYYY-MM-DD (default: all)")
        parser.add_argument("--save", action="store_true", help="save the estimate without asking")
        parser.add_argument("--no-input", action="store_false", dest="interactive",
                            help="do not ask; without --save nothing is saved")

    def handle(self, *args, clinic: str, since: str | None, save: bool, interactive: bool, **options):
        found = clinic_by_name(clinic)
        if found is None:
            raise CommandError(f"clinic: no clinic named {clinic!r}")
        try:
            since_day = dt.date.fromisoformat(since) if since else None
        except ValueError:
            raise CommandError(f"--since: not a date in YYYY-MM-DD form: {since!r}") from None
        estimate = uncertainty_estimate(found, since=since_day, today=timezone.localdate())
        period = f"since {since_day.isoformat()}" if since_day else "in all"
        if not estimate.enough:
            raise CommandError(
                f"{found.name}: {estimate.mornings} recorded morning{'s' if estimate.mornings != 1 else ''} "
                f"{period}; an estimate needs at least {MIN_MORNINGS}. Nothing saved.")
        current = ClinicUncertainty.objects.filter(clinic=found).prefetch_related("steps").first()
        self.stdout.write(f"{found.name}: {estimate.mornings} recorded mornings {period}.")
        self.stdout.write("")
        self._table(estimate, current)
        if save or (interactive and self.confirm("Save the estimate as the clinic's settings? [y/N] ")):
            self._save(estimate, current)
        else:
            self.stdout.write("Not saved (--save saves it).")

    def confirm(self, question: str) -> bool:
        """Ask on a terminal; anything else (a pipe, a cron job) is no."""
        if not sys.stdin.isatty():
            return False
        return input(question).strip().lower() in ("y", "yes", "j", "ja")

    def _table(self, estimate: UncertaintyEstimate, current: ClinicUncertainty | None) -> None:
        steps = {row.step_code: row.duration_cv for row in current.steps.all()} if current else {}
        rows = [("", "current", "estimate", "from")]
        rows.append(("step length cv (default)", _figure(current and current.duration_cv),
                     _figure(estimate.duration_cv), f"{estimate.durations} steps"))
        for fit in estimate.steps:
            note = f"{fit.count} steps, mean {fit.mean_ratio:.2f} x planned"
            if not fit.own:
                note += f"; fewer than {MIN_STEP_OBSERVATIONS}: not saved, the default applies"
            rows.append((f"  {fit.code}", _figure(steps.get(fit.code)), _figure(fit.cv), note))
        rows.append(("no-show rate", _figure(current and current.no_show), _figure(estimate.no_show),
                     f"{estimate.no_shows} no-shows of {estimate.booked} booked patients"))
        mean = "" if estimate.punctuality_mean is None else f", mean {estimate.punctuality_mean:+.1f} min"
        rows.append(("punctuality sd (min)", _figure(current and current.punctuality_sd, 1),
                     _figure(estimate.punctuality_sd, 1), f"{estimate.arrivals} arrivals{mean}"))
        limit = "-" if current is None or current.overtime_p90 is None else str(current.overtime_p90)
        rows.append(("overtime limit (min)", limit, limit, "the clinic's choice: not estimated"))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            self.stdout.write(f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:>{widths[2]}}  {row[3]}".rstrip())

    def _save(self, estimate: UncertaintyEstimate, current: ClinicUncertainty | None) -> None:
        base = current or ClinicUncertainty()  # what is not estimated keeps its setting (or the default)
        try:
            clinic_uncertainty_set(
                clinic=estimate.clinic,
                duration_cv=base.duration_cv if estimate.duration_cv is None else estimate.duration_cv,
                no_show=base.no_show if estimate.no_show is None else estimate.no_show,
                punctuality_sd=base.punctuality_sd if estimate.punctuality_sd is None else estimate.punctuality_sd,
                overtime_p90=base.overtime_p90, step_cv=estimate.step_cv)
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
                               + ". Nothing saved.") from None
        self.stdout.write(self.style.SUCCESS(f"Saved as the uncertainty settings of {estimate.clinic.name}."))

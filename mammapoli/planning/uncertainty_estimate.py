"""How a clinic's mornings really vary, measured on its own recorded mornings: the figures
behind its uncertainty settings (`manage.py estimate_uncertainty`). Read-only.

- **Step lengths**: every visit step with a recorded start and end, its actual length over
  its planned one (the step's duration plus the visit's extra minutes; not the published
  times, which a re-plan stretches while a step overruns). The ratio is fitted as the
  format's lognormal: with m and s the mean and standard deviation of log(ratio), the cv is
  sqrt(exp(s²) - 1), the mean ratio exp(m + s²/2). A step gets its own cv from
  `MIN_STEP_OBSERVATIONS` observations; the clinic's default pools every step's spread
  around its own mean (a step that always overruns by the same amount varies little: its
  planned duration is wrong, and the table shows that as its mean ratio).
- **No-shows**: of the booked patients whose morning was recorded (walk-ins, cancelled,
  rebooked and never recorded visits left out), the share marked no-show.
- **Punctuality**: her check-in against her arrival on the last plan published before she
  came (the time she was told), clipped as the format clips it (-15..+30); the standard
  deviation around her planned time, as the engine draws it (root mean square), and the mean.

A morning counts as recorded when it lies before `today` and at least one of its steps has
a recorded end; fewer than `MIN_MORNINGS` of them give no estimate.
"""

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from mammapoli.clinics.models import Clinic
from scheduler.simulate import EARLY, LATE

from .clock import aware
from .models import ClinicSession, Plan, PlanStatus, Visit, VisitStatus, VisitStep

MIN_MORNINGS = 5
MIN_STEP_OBSERVATIONS = 20
WALK_IN_PREFIX = "W"  # the codes events.walk_in_add gives
CAME = (VisitStatus.ARRIVED, VisitStatus.IN_PROGRESS, VisitStatus.DONE, VisitStatus.LEFT)


@dataclass(frozen=True)
class StepFit:
    """One step code's actual/planned length ratios, fitted as a lognormal."""

    code: str
    count: int
    cv: float | None          # None with fewer than two observations
    mean_ratio: float

    @property
    def own(self) -> bool:
        """Enough observations for a setting of its own."""
        return self.count >= MIN_STEP_OBSERVATIONS and self.cv is not None


@dataclass(frozen=True)
class UncertaintyEstimate:
    clinic: Clinic
    since: dt.date | None
    mornings: int
    steps: tuple[StepFit, ...] = ()
    duration_cv: float | None = None    # pooled over the steps
    durations: int = 0                  # observations behind it
    no_show: float | None = None
    booked: int = 0                     # booked patients behind it
    no_shows: int = 0
    punctuality_sd: float | None = None
    punctuality_mean: float | None = None
    arrivals: int = 0

    @property
    def enough(self) -> bool:
        return self.mornings >= MIN_MORNINGS

    @property
    def step_cv(self) -> dict[str, float]:
        """The steps that get a setting of their own."""
        return {fit.code: fit.cv for fit in self.steps if fit.own}


def recorded_mornings(clinic: Clinic, *, since: dt.date | None, today: dt.date):
    mornings = ClinicSession.objects.filter(clinic=clinic, date__lt=today,
                                            visits__steps__actual_end__isnull=False).distinct()
    return mornings.filter(date__gte=since) if since else mornings


def _lognormal(logs: list[float], centre: float) -> tuple[float, float]:
    """(cv, mean ratio) of log-ratios with this mean; the cv from the sample variance."""
    variance = sum((x - centre) ** 2 for x in logs) / (len(logs) - 1) if len(logs) > 1 else 0.0
    return math.sqrt(math.expm1(variance)), math.exp(centre + variance / 2)


def _step_fits(sessions) -> tuple[tuple[StepFit, ...], float | None, int]:
    logs: dict[str, list[float]] = defaultdict(list)
    steps = (VisitStep.objects.filter(visit__session__in=sessions, actual_start__isnull=False,
                                      actual_end__isnull=False)
             .select_related("step").order_by("step__code", "pk"))
    for vs in steps:
        actual = (vs.actual_end - vs.actual_start).total_seconds() / 60
        logs[vs.step.code].append(math.log(actual / vs.duration))
    fits, squares, freedom = [], 0.0, 0
    for code, values in sorted(logs.items()):
        centre = sum(values) / len(values)
        cv, ratio = _lognormal(values, centre)
        fits.append(StepFit(code, len(values), cv if len(values) > 1 else None, ratio))
        squares += sum((x - centre) ** 2 for x in values)
        freedom += len(values) - 1
    pooled = math.sqrt(math.expm1(squares / freedom)) if freedom else None
    return tuple(fits), pooled, sum(len(v) for v in logs.values())


def _booked_visits(sessions):
    return Visit.objects.filter(session__in=sessions).exclude(code__startswith=WALK_IN_PREFIX)


def _planned_arrival(plans: list[Plan], visit: Visit) -> dt.datetime | None:
    """Her first step's start on the last plan published before she came (plans newest first)."""
    for plan in plans:
        if plan.published_at <= visit.arrived_at:
            starts = [a["start"] for a in plan.data.get("assignments", []) if a["patient"] == visit.code]
            return aware(visit.session.date, min(starts)) if starts else None
    return None


def _punctuality(sessions) -> tuple[float | None, float | None, int]:
    plans = defaultdict(list)
    for plan in (Plan.objects.filter(session__in=sessions, published_at__isnull=False,
                                     status__in=(PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED))
                 .order_by("-published_at", "-id")):
        plans[plan.session_id].append(plan)
    offsets = []
    for visit in _booked_visits(sessions).filter(arrived_at__isnull=False).select_related("session"):
        planned = _planned_arrival(plans[visit.session_id], visit)
        if planned is not None:
            offset = (visit.arrived_at - planned).total_seconds() / 60
            offsets.append(min(LATE, max(EARLY, offset)))
    if not offsets:
        return None, None, 0
    return math.sqrt(sum(x * x for x in offsets) / len(offsets)), sum(offsets) / len(offsets), len(offsets)


def uncertainty_estimate(clinic: Clinic, *, since: dt.date | None = None, today: dt.date) -> UncertaintyEstimate:
    """The estimate from the clinic's mornings before `today` (from `since` on)."""
    sessions = list(recorded_mornings(clinic, since=since, today=today).values_list("pk", flat=True))
    if len(sessions) < MIN_MORNINGS:
        return UncertaintyEstimate(clinic=clinic, since=since, mornings=len(sessions))
    fits, pooled, durations = _step_fits(sessions)
    outcomes = _booked_visits(sessions).filter(Q(status__in=CAME) | Q(status=VisitStatus.NO_SHOW))
    booked = outcomes.count()
    no_shows = outcomes.filter(status=VisitStatus.NO_SHOW).count()
    sd, mean, arrivals = _punctuality(sessions)
    return UncertaintyEstimate(
        clinic=clinic, since=since, mornings=len(sessions), steps=fits, duration_cv=pooled, durations=durations,
        no_show=no_shows / booked if booked else None, booked=booked, no_shows=no_shows,
        punctuality_sd=sd, punctuality_mean=mean, arrivals=arrivals)

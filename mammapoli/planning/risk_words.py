"""A plan's `risk` (the engine's static runs, format: "Uncertainty") in plain words for the
planner: how many of the patients on the plan are expected to have their answer by the end
of the morning, and how far 1 in 10 such mornings runs over. The one place that words it;
the proposal page, the day view and the board show what it says.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Plan, PlanStatus


def _whole(value: float) -> int:
    """Rounded half up (16.5 patients is 17), never below 0."""
    return max(0, int(value + 0.5))


@dataclass(frozen=True)
class RiskWords:
    """The risk of a plan in words: `sentence`, and `over_limit` (empty when within the
    clinic's overtime limit, or it has none)."""

    sentence: str
    over_limit: str = ""

    def __str__(self) -> str:
        return f"{self.sentence}. {self.over_limit}" if self.over_limit else self.sentence


def risk_words(risk: Mapping, *, seen: int, end: str, limit: float | None = None) -> RiskWords:
    """`risk` of a plan that sees `seen` patients in a morning ending at `end` ("13:00");
    `limit`: the clinic's overtime limit in minutes (the 90th percentile), if any."""
    answered = min(seen, _whole(risk["answered_expected"]))
    answers = ngettext(
        "%(answered)d of %(seen)d expected to have her answer by %(end)s",
        "%(answered)d of %(seen)d expected to have their answer by %(end)s",
        answered) % {"answered": answered, "seen": seen, "end": end}
    over = _whole(risk["overtime_p90"])
    if over == 0:
        overtime = _("9 in 10 mornings like this end on time")
    else:
        overtime = ngettext("1 in 10 mornings like this runs more than %(minutes)d minute over",
                            "1 in 10 mornings like this runs more than %(minutes)d minutes over",
                            over) % {"minutes": over}
    sentence = _("%(answers)s; %(overtime)s") % {"answers": answers, "overtime": overtime}
    if limit is None or over <= limit:
        return RiskWords(sentence)
    limit = _whole(limit)
    return RiskWords(sentence, ngettext("That is more than the clinic's limit of %(limit)d minute.",
                                        "That is more than the clinic's limit of %(limit)d minutes.",
                                        limit) % {"limit": limit})


def plan_risk_words(plan: Plan) -> RiskWords | None:
    """The words of a stored plan's `risk` (None when it has none — the clinic has no
    uncertainty settings, or the plan was made before it had — or sees nobody)."""
    risk = plan.data.get("risk")
    if not risk or not plan.scheduled:  # nobody on the plan: nothing to say
        return None
    morning = plan.job.morning
    return risk_words(risk, seen=plan.scheduled, end=morning["window"]["end"],
                      limit=morning.get("uncertainty", {}).get("overtime_p90"))


@dataclass(frozen=True)
class MorningRisk:
    """The risk of the morning's current plan: the latest re-plan (published or waiting to be),
    re-planned `at` ("10:20"; None: planned before the morning started)."""

    words: RiskWords
    plan: Plan
    at: str | None

    @property
    def published(self) -> bool:
        return self.plan.status == PlanStatus.PUBLISHED


def morning_risk(plan: Plan | None) -> MorningRisk | None:
    """The risk of this plan of the morning, and when it was re-planned (None: no plan, or no risk)."""
    words = plan_risk_words(plan) if plan is not None else None
    return MorningRisk(words=words, plan=plan, at=plan.job.morning.get("now")) if words is not None else None

"""What the day view, the board and the home page show: one call per page."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from mammapoli.audit.models import Action
from mammapoli.clinics.selectors import active_pathways
from mammapoli.planning.access import morning_for_user
from mammapoli.planning.models import ClinicSession, PlanJob
from mammapoli.planning.permissions import PLANNERS, own_resources
from mammapoli.planning.risk_words import MorningRisk, morning_risk
from mammapoli.planning.selectors import current_risk, pending_plan_job, published_not_seen, published_plan_row

from .actions import RowActions, row_actions
from .arrivals import Arrival, arrival_list
from .board import BoardEntry, board_entries
from .chart import RESOURCES, ROW_MODES, Chart, day_chart
from .facts import MorningFacts, morning_facts
from .figures import Figures, session_figures

User = AbstractBaseUser | AnonymousUser


@dataclass(frozen=True)
class DayView:
    session: ClinicSession
    role: str
    morning: MorningFacts
    chart: Chart
    arrivals: list[Arrival]
    figures: Figures
    printing: bool
    risk: MorningRisk | None = None  # of the published plan


@dataclass(frozen=True)
class BoardRow:
    entry: BoardEntry
    actions: RowActions

    @property
    def finish_buttons(self) -> list[tuple[str, str]]:
        """(step code, its name) of each step the row can finish."""
        running = {step.code: step.label for step in (self.entry.current, self.entry.lab) if step is not None}
        return [(code, running.get(code, code)) for code in self.actions.finish]

    @property
    def start_label(self) -> str:
        following = self.entry.next
        return following.label if following is not None and following.code == self.actions.start else (
            self.actions.start or "")


@dataclass(frozen=True)
class Board:
    session: ClinicSession
    role: str
    morning: MorningFacts
    entries: list[BoardEntry]
    rows: list[BoardRow]
    pathways: list[tuple[str, str]]  # (code, name) of the pathways to switch to
    pending_job: PlanJob | None = None
    risk: MorningRisk | None = None  # of the current re-plan

    @property
    def may_plan(self) -> bool:
        return self.role in PLANNERS


def day_view_for_user(
    user: User, session_id: int, *, rows: str = RESOURCES, printing: bool = False, clock: dt.datetime | None = None,
) -> DayView:
    access = morning_for_user(user, session_id, what="day view", action=Action.PRINT if printing else Action.LIST)
    published = published_plan_row(access.session)
    morning = morning_facts(access.session, access.visits, clock=clock or timezone.now(),
                            not_seen=published_not_seen(access.session, published=published) if published else {})
    return DayView(
        session=access.session, role=access.membership.role, morning=morning,
        chart=day_chart(morning, rows if rows in ROW_MODES else RESOURCES),
        arrivals=arrival_list(morning), figures=session_figures(morning), printing=printing,
        risk=morning_risk(published),
    )


def board_for_user(user: User, session_id: int, *, clock: dt.datetime | None = None) -> Board:
    access = morning_for_user(user, session_id, what="board")
    morning = morning_facts(access.session, access.visits, clock=clock or timezone.now(),
                            not_seen=published_not_seen(access.session))
    entries = board_entries(morning)
    planner = access.membership.role in PLANNERS
    own = frozenset(own_resources(access.membership).values_list("code", flat=True))
    return Board(session=access.session, role=access.membership.role, morning=morning, entries=entries,
                 rows=[BoardRow(entry, row_actions(entry, planner=planner, own=own)) for entry in entries],
                 pathways=[(p.code, str(p)) for p in active_pathways(access.session.clinic_id)],
                 pending_job=pending_plan_job(access.session) if planner else None,
                 risk=current_risk(access.session))


def mornings_for_user(user: User, *, first_day: dt.date, days: int = 7) -> QuerySet[ClinicSession]:
    """The user's clinics' mornings from `first_day` for `days` days (no patient data)."""
    if not user.is_authenticated:
        return ClinicSession.objects.none()
    return (ClinicSession.objects.filter(clinic__staff__user=user,
                                         date__range=(first_day, first_day + dt.timedelta(days=days - 1)))
            .select_related("clinic").order_by("date", "start", "clinic__name"))

"""Where a new patient fits: the earliest morning that takes her without moving anyone.

Read-only. Each candidate morning is the engine's `Problem` (`adapter.session_problem`; a
morning not created yet comes from the clinic's weekly availability) and the new patient is
placed around the published plan (the engine's own `scheduler.insert`, through
`engine.place_patient`). Booked visits that have no plan yet
must not be pushed out either: they are placed first, in booking order, and only if they
all fit does the new patient's placement count (a plan exists in which everyone is seen).
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, replace

from django.utils import timezone
from django.utils.translation import gettext as _

from mammapoli.clinics.models import Clinic, Pathway
from mammapoli.clinics.names import ClinicNames, clinic_names
from mammapoli.records.models import Patient, Referral
from scheduler import Assignment, Problem
from scheduler import Patient as EnginePatient

from .adapter import session_problem
from .engine import Blocked, Insertion, place_patient
from .clock import clock
from .models import ClinicSession, Visit
from .pathway_rules import PathwaySuggestion, pathway_suggest
from .working_days import add_working_days, is_working_day, target_date, working_days_after

#: How many working days past the urgency target to look for the first morning that fits.
HORIZON_WORKING_DAYS = 15
NEW_PATIENT = "+new"


@dataclass(frozen=True)
class UnplannedBlock:
    """Booked visits without a plan that could not all be placed: the morning is unknown territory."""

    count: int


@dataclass(frozen=True)
class MorningTry:
    day: dt.date
    placement: Insertion | None = None
    blocked: Blocked | UnplannedBlock | None = None
    names: ClinicNames | None = None  # to name steps and kinds in the message
    pathway: str | None = None

    @property
    def fits(self) -> bool:
        return self.placement is not None

    @property
    def message(self) -> str:
        """Why the patient does not fit this morning, for the planner."""
        if self.blocked is None:
            return ""
        if isinstance(self.blocked, UnplannedBlock):
            return _("%(count)d booked visits have no plan yet and do not all fit; plan this morning first.") % {
                "count": self.blocked.count}
        b = self.blocked
        if b.too_early:
            return _("%(arrival)s is before the earliest possible start, %(start)s.") % {
                "arrival": clock(b.end), "start": clock(b.start)}
        if b.too_late:
            return _("Arriving at %(arrival)s, the pathway (at least %(needed)d minutes) cannot be done between "
                     "then and %(end)s.") % {"arrival": clock(b.start), "needed": b.needed, "end": clock(b.end)}
        names = self.names or ClinicNames()
        values = {"kind": names.kind(b.kind), "resources": ", ".join(b.resources) or "-", "needed": b.needed,
                  "step": names.step(b.step, self.pathway),
                  "start": clock(b.start), "end": clock(b.end), "free": b.free}
        if b.full:
            return _("No %(kind)s (%(resources)s) has %(needed)d free minutes between %(start)s and %(end)s "
                     "for step %(step)s.") % values
        return _("%(kind)s (%(resources)s) has %(free)d free minutes between %(start)s and %(end)s, none of "
                 "which fits step %(step)s in the pathway's order and time limits.") % values


@dataclass(frozen=True)
class FitSearch:
    pathway: Pathway
    target: dt.date
    tried: tuple[MorningTry, ...]

    @property
    def fit(self) -> MorningTry | None:
        return next((t for t in self.tried if t.fits), None)

    @property
    def within_target(self) -> bool:
        return self.fit is not None and self.fit.day <= self.target

    @property
    def blocked(self) -> tuple[MorningTry, ...]:
        return tuple(t for t in self.tried if not t.fits)


def morning_for(clinic: Clinic, day: dt.date) -> Problem:
    """The morning of `day` as the engine would see it, created from the weekly hours if need be."""
    session = ClinicSession.objects.select_related("clinic").filter(clinic=clinic, date=day).first()
    if session is None:
        session = ClinicSession(clinic=clinic, date=day, start=_time(clinic.default_start),
                                end=_time(clinic.default_end))
    return session_problem(session)


def _time(value: dt.time | str) -> dt.time:
    """A clinic's default hours (a str on an instance that was created and not reloaded)."""
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(value)


def fit_into(problem: Problem, patient: EnginePatient, *,
             arrival: int | None = None) -> Insertion | Blocked | UnplannedBlock:
    """`patient` placed into the morning without moving anyone (see the module docstring)."""
    planned = Counter(a.patient for a in problem.reference)
    unplanned = [p for p in problem.patients if planned[p.id] < len(problem.pathway(p.pathway).steps)]
    reference = list(problem.reference)
    for other in unplanned:
        placed = place_patient(replace(problem, reference=tuple(reference)), other)
        if not isinstance(placed, Insertion):
            return UnplannedBlock(len(unplanned))
        reference += [Assignment(other.id, s.step, s.start, s.resources, s.end) for s in placed.steps]
    return place_patient(replace(problem, reference=tuple(reference)), patient, arrival=arrival)


def new_patient(pathway: Pathway) -> EnginePatient:
    """The patient to book, as the engine sees her: her pathway, nothing else known yet."""
    return EnginePatient(NEW_PATIENT, pathway.code)


def try_morning(clinic: Clinic, pathway: Pathway, day: dt.date, *, arrival: int | None = None,
                names: ClinicNames | None = None) -> MorningTry:
    result = fit_into(morning_for(clinic, day), new_patient(pathway), arrival=arrival)
    if isinstance(result, Insertion):
        return MorningTry(day, placement=result)
    return MorningTry(day, blocked=result, names=names, pathway=pathway.code)


def earliest_fit(
    *,
    clinic: Clinic,
    pathway: Pathway,
    urgency: str,
    received_on: dt.date,
    skip_days: frozenset[dt.date] = frozenset(),
    today: dt.date | None = None,
) -> FitSearch:
    """Try the working mornings after `today` in date order until the patient fits, looking
    at most `HORIZON_WORKING_DAYS` past the urgency target. `skip_days`: mornings the patient
    is already booked on."""
    today = today or timezone.localdate()
    target = target_date(urgency, received_on)
    last = add_working_days(max(target, today), HORIZON_WORKING_DAYS)
    tried = []
    names = clinic_names(clinic.pk)
    for day in working_days_after(today):
        if day > last:
            break
        if day in skip_days or not is_working_day(day):
            continue
        attempt = try_morning(clinic, pathway, day, names=names)
        tried.append(attempt)
        if attempt.fits:
            break
    return FitSearch(pathway=pathway, target=target, tried=tuple(tried))


@dataclass(frozen=True)
class BookingSuggestion:
    """What the planner sees for a referral: the suggested pathway (or the one she chose) and
    where it fits."""

    suggested: PathwaySuggestion | None
    search: FitSearch | None


def patient_is_booked_on(patient: Patient, clinic: Clinic) -> frozenset[dt.date]:
    """The mornings of `clinic` the patient already has a visit on."""
    return frozenset(Visit.objects.filter(patient=patient, session__clinic=clinic)
                     .values_list("session__date", flat=True))


def booking_suggestion(*, referral: Referral, pathway: Pathway | None = None,
                       today: dt.date | None = None) -> BookingSuggestion:
    today = today or timezone.localdate()
    suggested = pathway_suggest(referral=referral, patient_age=referral.patient.age_on(today))
    chosen = pathway or (suggested.pathway if suggested else None)
    if chosen is None:
        return BookingSuggestion(suggested, None)
    search = earliest_fit(clinic=referral.clinic, pathway=chosen, urgency=referral.urgency,
                          received_on=referral.received_on, today=today,
                          skip_days=patient_is_booked_on(referral.patient, referral.clinic))
    return BookingSuggestion(suggested, search)

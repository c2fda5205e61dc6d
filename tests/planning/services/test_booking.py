"""Booking: the suggested pathway, the earliest morning within the urgency target, the booking."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from mammapoli.audit.models import AccessEvent
from mammapoli.clinics.models import AvailabilityException
from mammapoli.planning.clock import hhmm
from mammapoli.planning.booking_search import earliest_fit
from mammapoli.planning.errors import BookingConflict
from mammapoli.planning.models import AllocationPhase, ResourceBooking, Visit, VisitStep
from mammapoli.planning.pathway_rules import pathway_suggest
from mammapoli.planning.services.booking import visit_book
from mammapoli.planning.working_days import add_working_days, target_date
from mammapoli.records.models import FormSection
from tests.factories import PatientFactory, ReferralFactory
from tests.planning.conftest import MONDAY

pytestmark = pytest.mark.django_db


def referral(clinic, **fields):
    return ReferralFactory(clinic=clinic, received_on=MONDAY, **fields)


def absent_all_morning(clinic, code, day):
    AvailabilityException.objects.create(resource=clinic.resources.get(code=code), date=day,
                                         start=dt.time(8), end=dt.time(13), reason="congress")


def test_working_days_and_targets():
    friday = dt.date(2026, 12, 4)
    assert add_working_days(friday, 1) == dt.date(2026, 12, 7)  # Monday
    assert target_date("urgent", MONDAY) == dt.date(2026, 12, 2)  # Wednesday
    assert target_date("regular", MONDAY) == dt.date(2026, 12, 7)  # next Monday
    assert target_date("urgent", friday) == dt.date(2026, 12, 8)


@pytest.mark.parametrize(("fields", "age", "expected"), [
    ({"biopsy_requested": True, "complaint": "pain"}, 45, ("core", "biopsy_requested")),
    ({"complaint": "palpable_lump"}, 24, ("ultrasound-only", "young")),
    ({"complaint": "palpable_lump"}, 52, ("fna", "palpable_lump")),
    ({"complaint": "nipple_discharge"}, 61, ("imaging", "default")),
    ({"complaint": "pain"}, None, ("imaging", "default")),
])
def test_the_suggested_pathway(clinic, pathways, fields, age, expected):
    suggestion = pathway_suggest(referral=referral(clinic, **fields), patient_age=age)
    assert (suggestion.pathway.code, suggestion.rule) == expected
    assert suggestion.reason


def test_a_rule_whose_pathway_the_clinic_does_not_run_is_skipped(clinic):
    suggestion = pathway_suggest(referral=referral(clinic, biopsy_requested=True), patient_age=40)
    assert (suggestion.pathway.code, suggestion.rule) == ("imaging", "default")


def test_an_urgent_patient_fits_the_next_morning(clinic, pathways):
    search = earliest_fit(clinic=clinic, pathway=pathways["fna"], urgency="urgent", received_on=MONDAY, today=MONDAY)
    assert search.within_target
    assert (search.fit.day, search.fit.placement.arrival) == (dt.date(2026, 12, 1), 8 * 60)
    assert search.blocked == ()


def test_when_nothing_fits_within_the_target_the_planner_sees_why_and_the_first_morning_that_does(clinic, pathways):
    for day in (dt.date(2026, 12, 1), dt.date(2026, 12, 2)):
        absent_all_morning(clinic, "rad-A", day)
    search = earliest_fit(clinic=clinic, pathway=pathways["imaging"], urgency="urgent", received_on=MONDAY,
                          today=MONDAY)
    assert not search.within_target
    assert search.fit.day == dt.date(2026, 12, 3)  # Thursday, the day after the target
    assert [(t.day, t.blocked.step, t.blocked.kind, t.blocked.resources, t.blocked.full) for t in search.blocked] == [
        (dt.date(2026, 12, 1), "us", "radiologist", ("rad-A",), True),
        (dt.date(2026, 12, 2), "us", "radiologist", ("rad-A",), True),
    ]
    assert search.blocked[0].message == (
        "No radiologist (rad-A) has 15 free minutes between 08:30 and 12:40 for step us.")


def test_a_regular_referral_may_wait_five_working_days(clinic, pathways):
    for day in (dt.date(2026, 12, d) for d in (1, 2, 3, 4)):
        absent_all_morning(clinic, "patho-A", day)
    search = earliest_fit(clinic=clinic, pathway=pathways["fna"], urgency="regular", received_on=MONDAY, today=MONDAY)
    assert search.within_target and search.fit.day == dt.date(2026, 12, 7)  # next Monday, the fifth working day
    assert [t.blocked.kind for t in search.blocked] == ["pathologist"] * 4


def book(planner, clinic, pathway, *, day=dt.date(2026, 12, 1), arrival=dt.time(8), patient=None):
    return visit_book(user=planner, referral=ReferralFactory(clinic=clinic, received_on=MONDAY,
                                                               patient=patient or PatientFactory()),
                      pathway=pathway, day=day, arrival=arrival, today=MONDAY)


def test_booking_writes_the_visit_its_planned_steps_resource_bookings_and_form(clinic, pathways, planner):
    visit = book(planner, clinic, pathways["imaging"])
    assert (visit.code, visit.status, visit.session.date) == ("P01", "booked", dt.date(2026, 12, 1))
    steps = [(vs.step.code, hhmm(vs.planned_start), hhmm(vs.planned_end))
             for vs in visit.steps.select_related("step").order_by("step__position")]
    assert steps == [("exam", "08:00", "08:15"), ("mammo", "08:15", "08:30"), ("us", "08:30", "08:45"),
                     ("result", "08:55", "09:05")]
    planned = VisitStep.objects.get(visit=visit, step__code="us").allocations.filter(phase=AllocationPhase.PLANNED)
    assert [a.resource.code for a in planned.order_by("position")] == ["rad-A", "echo-A"]
    assert ResourceBooking.objects.filter(session=visit.session).count() == 8
    assert AccessEvent.objects.filter(action="write", what="visit", visit_id=visit.pk).exists()
    assert sorted(FormSection.objects.filter(form__visit=visit).values_list("key", flat=True)) == [
        "clinical", "conclusion", "imaging", "pathology"]  # her shared form, ready before anyone reads it


def test_a_second_booking_fits_around_the_first_and_nobody_moves(clinic, pathways, planner):
    first = book(planner, clinic, pathways["imaging"])
    before = list(VisitStep.objects.filter(visit=first).values_list("planned_start", "planned_end"))
    search = earliest_fit(clinic=clinic, pathway=pathways["imaging"], urgency="urgent", received_on=MONDAY,
                          today=MONDAY)
    assert (search.fit.day, search.fit.placement.arrival) == (dt.date(2026, 12, 1), 8 * 60 + 15)
    second = book(planner, clinic, pathways["imaging"], arrival=dt.time(8, 15))
    assert second.code == "P02"
    assert list(VisitStep.objects.filter(visit=first).values_list("planned_start", "planned_end")) == before


def test_a_taken_slot_is_a_conflict_and_nothing_is_written(clinic, pathways, planner):
    book(planner, clinic, pathways["imaging"])
    counts = (Visit.objects.count(), VisitStep.objects.count(), ResourceBooking.objects.count())
    with pytest.raises(BookingConflict) as refused:
        book(planner, clinic, pathways["imaging"], arrival=dt.time(8))
    assert "no longer fits at 08:00" in refused.value.message
    assert (Visit.objects.count(), VisitStep.objects.count(), ResourceBooking.objects.count()) == counts


def test_booked_visits_without_a_plan_are_not_pushed_out(clinic, pathways, planner):
    from tests.factories import ClinicSessionFactory, VisitFactory

    session = ClinicSessionFactory(clinic=clinic, date=dt.date(2026, 12, 1))
    for _ in range(8):  # imported, not planned: 8 x 25 minutes of the single surgeon
        VisitFactory(session=session, pathway=pathways["imaging"])
    search = earliest_fit(clinic=clinic, pathway=pathways["imaging"], urgency="urgent", received_on=MONDAY,
                          today=MONDAY)
    assert search.fit.day == dt.date(2026, 12, 1)  # the 8 and the new patient all fit
    for _ in range(4):  # 12 x 25 minutes: the surgeon's whole morning
        VisitFactory(session=session, pathway=pathways["imaging"])
    search = earliest_fit(clinic=clinic, pathway=pathways["imaging"], urgency="urgent", received_on=MONDAY,
                          today=MONDAY)
    assert search.fit.day == dt.date(2026, 12, 2)
    assert "plan this morning first" in search.blocked[0].message


@pytest.mark.parametrize(("change", "field"), [
    ({"day": dt.date(2026, 11, 30)}, "date"),  # today: that is a walk-in
    ({"day": dt.date(2026, 12, 5)}, "date"),  # a Saturday
])
def test_bad_booking_input_names_the_field_and_writes_nothing(clinic, pathways, planner, change, field):
    with pytest.raises(ValidationError) as refused:
        visit_book(user=planner, referral=referral(clinic), pathway=pathways["imaging"],
                   **{"day": dt.date(2026, 12, 1), "arrival": dt.time(8), **change}, today=MONDAY)
    assert field in refused.value.message_dict
    assert Visit.objects.count() == 0


def test_a_pathway_of_another_clinic_is_refused(clinic, pathways, planner, outsider):
    from tests.factories import PathwayFactory

    foreign = PathwayFactory(clinic=outsider.memberships.get().clinic, code="imaging")
    with pytest.raises(ValidationError) as refused:
        visit_book(user=planner, referral=referral(clinic), pathway=foreign, day=dt.date(2026, 12, 1),
                   arrival=dt.time(8), today=MONDAY)
    assert "pathway" in refused.value.message_dict


def test_a_patient_is_booked_once_per_morning(clinic, pathways, planner):
    patient = PatientFactory()
    book(planner, clinic, pathways["imaging"], patient=patient)
    with pytest.raises(ValidationError) as refused:
        book(planner, clinic, pathways["imaging"], patient=patient, arrival=dt.time(9))
    assert "date" in refused.value.message_dict


def test_a_referral_is_booked_once(clinic, pathways, planner):
    first = ReferralFactory(clinic=clinic, received_on=MONDAY)
    visit = visit_book(user=planner, referral=first, pathway=pathways["imaging"], day=dt.date(2026, 12, 1),
                       arrival=dt.time(8), today=MONDAY)
    with pytest.raises(ValidationError) as refused:
        visit_book(user=planner, referral=first, pathway=pathways["imaging"], day=dt.date(2026, 12, 2),
                   arrival=dt.time(8), today=MONDAY)
    assert refused.value.message_dict == {"referral": ["This referral is already booked on Tue 1 December 2026 (P01)."]}
    assert Visit.objects.filter(referral=first).count() == 1
    visit.status = "no_show"
    visit.save()
    again = visit_book(user=planner, referral=first, pathway=pathways["imaging"], day=dt.date(2026, 12, 2),
                       arrival=dt.time(8), today=MONDAY)
    assert again.session.date == dt.date(2026, 12, 2)  # after a no-show, she is booked again


def test_the_database_refuses_a_second_open_visit_of_a_referral(clinic, pathways):
    from django.db import IntegrityError, transaction

    from tests.factories import ClinicSessionFactory
    visit = book(None, clinic, pathways["imaging"])
    other = ClinicSessionFactory(clinic=clinic, date=dt.date(2026, 12, 2))
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.create(session=other, patient=visit.patient, referral=visit.referral,
                             pathway=pathways["imaging"], code="P01")


def test_working_days_skip_dutch_public_holidays():
    # Christmas 2026 is a Friday, Second Christmas Day a Saturday; King's Day 2027 a Tuesday.
    assert add_working_days(dt.date(2026, 12, 23), 2) == dt.date(2026, 12, 28)  # Thu 24th, then Mon 28th
    assert target_date("urgent", dt.date(2027, 4, 26)) == dt.date(2027, 4, 29)  # Wed 28th, Thu 29th: not King's Day
    assert target_date("regular", dt.date(2027, 5, 3)) == dt.date(2027, 5, 11)  # Ascension Day, Thu 6 May


def test_the_earliest_morning_is_never_a_public_holiday(clinic, pathways):
    monday_before_kings_day = dt.date(2027, 4, 26)
    search = earliest_fit(clinic=clinic, pathway=pathways["fna"], urgency="urgent", received_on=monday_before_kings_day,
                          today=monday_before_kings_day)
    assert search.fit.day == dt.date(2027, 4, 28)  # Wednesday: King's Day (Tuesday 27th) is skipped
    assert dt.date(2027, 4, 27) not in [t.day for t in search.tried]


def test_booking_on_a_public_holiday_is_refused_with_its_name(clinic, pathways, planner):
    with pytest.raises(ValidationError) as refused:
        visit_book(user=planner, referral=referral(clinic), pathway=pathways["imaging"], day=dt.date(2026, 12, 25),
                   arrival=dt.time(8), today=MONDAY)
    assert refused.value.message_dict == {"date": ["Fri 25 December 2026 is Christmas Day: the clinic is closed."]}
    assert Visit.objects.count() == 0


def test_the_holiday_is_named_in_dutch_too(clinic, pathways, planner):
    from django.utils import translation

    with translation.override("nl"), pytest.raises(ValidationError) as refused:
        visit_book(user=planner, referral=referral(clinic), pathway=pathways["imaging"], day=dt.date(2027, 4, 27),
                   arrival=dt.time(8), today=MONDAY)
    assert refused.value.message_dict == {"date": ["di 27 april 2027 is het Koningsdag: de polikliniek is gesloten."]}

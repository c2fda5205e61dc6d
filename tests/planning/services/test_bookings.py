"""No resource is ever double-booked: the service check (every database), the exclusion
constraint (PostgreSQL), and twenty concurrent bookings of one slot with exactly one winner."""

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from mammapoli.planning.clock import aware
from mammapoli.planning.errors import BookingConflict
from mammapoli.planning.models import ResourceBooking, Visit, VisitStep
from mammapoli.planning.services import booking as booking_service
from mammapoli.planning.services.bookings import resource_bookings_add
from mammapoli.planning.services.booking import visit_book
from tests.factories import ClinicSessionFactory, PatientFactory, ReferralFactory, VisitFactory
from scheduler import Insertion, ScheduledStep
from tests.planning.conftest import MONDAY, TUESDAY

THREADS = 20


def exam_steps(clinic, count):
    session = ClinicSessionFactory(clinic=clinic, date=TUESDAY)
    pathway = clinic.pathways.get(code="imaging")
    return session, [VisitFactory(session=session, pathway=pathway).steps.get(step__code="exam")
                     for _ in range(count)]


def booking(session, visit_step, resource, start, end):
    return ResourceBooking(session=session, visit_step=visit_step, resource=resource,
                           start=aware(session.date, start), end=aware(session.date, end))


@pytest.mark.django_db
def test_an_overlapping_booking_is_refused_and_a_touching_one_is_not(clinic):
    session, (first, second, third) = exam_steps(clinic, 3)
    surgeon = clinic.resources.get(code="chir-A")
    resource_bookings_add(session=session, rows=[booking(session, first, surgeon, "08:00", "08:15")])
    with pytest.raises(BookingConflict) as refused:
        resource_bookings_add(session=session, rows=[booking(session, second, surgeon, "08:10", "08:25")])
    assert refused.value.message == "chir-A is already booked 08:00–08:15 (%s exam)." % first.visit.code
    resource_bookings_add(session=session, rows=[booking(session, third, surgeon, "08:15", "08:30")])
    assert ResourceBooking.objects.count() == 2


@pytest.mark.django_db
def test_rows_that_overlap_each_other_are_refused_together(clinic):
    session, (first, second) = exam_steps(clinic, 2)
    surgeon = clinic.resources.get(code="chir-A")
    with pytest.raises(BookingConflict):
        resource_bookings_add(session=session, rows=[booking(session, first, surgeon, "08:00", "08:15"),
                                                     booking(session, second, surgeon, "08:05", "08:20")])
    assert ResourceBooking.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_itself_refuses_an_overlap_written_past_the_service(clinic):
    session, (first, second) = exam_steps(clinic, 2)
    surgeon = clinic.resources.get(code="chir-A")
    booking(session, first, surgeon, "08:00", "08:15").save()
    with pytest.raises(IntegrityError, match="resourcebooking_no_overlap"), transaction.atomic():
        booking(session, second, surgeon, "08:14", "08:30").save()
    booking(session, second, surgeon, "08:15", "08:30").save()  # [) ranges: touching is fine


def run_together(work, count=THREADS):
    """Run work(i) in `count` threads released at once; returns each thread's outcome."""
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def run(i):
        try:
            barrier.wait()
            outcomes[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test looks at
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_of_twenty_concurrent_inserts_of_one_slot_the_database_lets_exactly_one_through(clinic):
    session, steps = exam_steps(clinic, THREADS)
    surgeon = clinic.resources.get(code="chir-A")

    def insert(i):
        with transaction.atomic():
            booking(session, steps[i], surgeon, "09:00", "09:15").save()
        return "booked"

    outcomes = run_together(insert)
    assert outcomes.count("booked") == 1
    assert all(isinstance(o, IntegrityError) and "resourcebooking_no_overlap" in str(o)
               for o in outcomes if o != "booked")
    assert ResourceBooking.objects.filter(resource=surgeon).count() == 1


def concurrent_bookings(clinic, planner):
    referrals = [ReferralFactory(clinic=clinic, patient=PatientFactory(), received_on=MONDAY) for _ in range(THREADS)]
    pathway = clinic.pathways.get(code="imaging")

    def book(i):
        try:
            visit_book(user=planner, referral=referrals[i], pathway=pathway, day=TUESDAY, arrival=dt.time(8),
                       today=MONDAY)
        except BookingConflict:
            return "409"
        return "booked"

    return run_together(book)


def assert_one_winner_nothing_else_written(outcomes):
    assert sorted(outcomes, key=str) == ["409"] * (THREADS - 1) + ["booked"], outcomes
    visit = Visit.objects.get()
    assert VisitStep.objects.count() == 4 and VisitStep.objects.filter(visit=visit).count() == 4
    assert ResourceBooking.objects.count() == 8  # four steps, two resources each


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_planners_booking_one_slot_at_once_exactly_one_wins(clinic, planner):
    assert_one_winner_nothing_else_written(concurrent_bookings(clinic, planner))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_with_the_service_search_fooled_the_exclusion_constraint_still_lets_one_win(clinic, planner, monkeypatch):
    """Every booking is told the 08:00 slot is free (as if each had looked before the others
    wrote); the exclusion constraint alone refuses the nineteen others."""
    def stale_search(morning, patient, *, arrival=None):
        return Insertion((ScheduledStep("N", "exam", 480, 495, ("chir-A", "spreek-A")),
                          ScheduledStep("N", "mammo", 495, 510, ("mbb-A", "mammo-A")),
                          ScheduledStep("N", "us", 510, 525, ("rad-A", "echo-A")),
                          ScheduledStep("N", "result", 535, 545, ("chir-A", "spreek-A"))))

    monkeypatch.setattr(booking_service, "fit_into", stale_search)
    assert connection.vendor == "postgresql"  # no service-side overlap check here: only the constraint
    assert_one_winner_nothing_else_written(concurrent_bookings(clinic, planner))

"""Resource bookings of the published plan: never two at once on one resource.

PostgreSQL guarantees it with an exclusion constraint, whatever writes the rows; there a
violation (a booking that raced another) becomes a `BookingConflict`. SQLite has no such
constraint, so here the service checks the same rule before writing; its writers are
serialised (IMMEDIATE transactions), so the check cannot race.
"""

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from mammapoli.planning.clock import hhmm
from mammapoli.planning.errors import BookingConflict
from mammapoli.clinics.models import Resource
from mammapoli.planning.models import AllocationPhase, ClinicSession, ResourceBooking, VisitStep, VisitStepResource

EXCLUSION_VIOLATION = "23P01"


def _describe(booking: ResourceBooking) -> str:
    step = booking.visit_step
    return f"{step.visit.code} {step.step.code}" if step.pk else "?"


def booking_overlaps(*, session: ClinicSession, rows: list[ResourceBooking]) -> list[tuple[ResourceBooking, ResourceBooking]]:
    """Pairs (new row, row it overlaps): against the session's bookings and among `rows`."""
    existing = list(ResourceBooking.objects.filter(session=session, resource_id__in={r.resource_id for r in rows})
                    .select_related("resource", "visit_step__visit", "visit_step__step"))
    pairs = []
    for i, row in enumerate(rows):
        for other in existing + rows[:i]:
            if other.resource_id == row.resource_id and other.start < row.end and row.start < other.end:
                pairs.append((row, other))
    return pairs


def _conflict(pairs) -> BookingConflict:
    row, other = pairs[0]
    message = _("%(resource)s is already booked %(start)s–%(end)s (%(what)s).") % {
        "resource": other.resource.code, "start": hhmm(other.start), "end": hhmm(other.end), "what": _describe(other)}
    return BookingConflict(message, detail={"resource": other.resource.code, "start": hhmm(other.start),
                                            "end": hhmm(other.end)})


def resource_bookings_add(*, session: ClinicSession, rows: list[ResourceBooking]) -> None:
    """Write `rows` in the caller's transaction, or raise `BookingConflict` having written none."""
    if connection.vendor != "postgresql":
        pairs = booking_overlaps(session=session, rows=rows)
        if pairs:
            raise _conflict(pairs)
    try:
        with transaction.atomic():
            ResourceBooking.objects.bulk_create(rows)
    except IntegrityError as exc:
        if getattr(exc.__cause__, "pgcode", None) != EXCLUSION_VIOLATION:
            raise
        pairs = booking_overlaps(session=session, rows=rows)
        raise (_conflict(pairs) if pairs else BookingConflict(_("A resource was booked by someone else meanwhile."))) \
            from exc


def resource_bookings_replace(*, session: ClinicSession, rows: list[ResourceBooking]) -> None:
    """The session's bookings become exactly `rows` (publishing a plan)."""
    ResourceBooking.objects.filter(session=session).delete()
    resource_bookings_add(session=session, rows=rows)


def planned_resources_write(*, session: ClinicSession, steps: list[tuple[VisitStep, list[Resource]]],
                            replace_all: bool = False) -> None:
    """The resources each of `steps` holds on the plan (in the order of its step's needs): a
    planned allocation each, and a resource booking for the step's planned time, in the
    caller's transaction (`BookingConflict`, nothing written, when one is taken).
    `replace_all`: the morning's bookings become exactly these (publishing a plan)."""
    allocations, bookings = [], []
    for visit_step, resources in steps:
        for position, resource in enumerate(resources):
            allocations.append(VisitStepResource(visit_step=visit_step, phase=AllocationPhase.PLANNED,
                                                 position=position, resource=resource))
            bookings.append(ResourceBooking(session=session, visit_step=visit_step, resource=resource,
                                            start=visit_step.planned_start, end=visit_step.planned_end))
    VisitStepResource.objects.bulk_create(allocations)
    write = resource_bookings_replace if replace_all else resource_bookings_add
    write(session=session, rows=bookings)

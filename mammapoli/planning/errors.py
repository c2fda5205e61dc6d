"""Refusals the planning services raise besides `ValidationError` (bad input, 400).

A `Conflict` means the request was fine but the morning changed under it (a stale
proposal, a slot someone else just took): the API answers 409 and nothing was written.
"""


class Conflict(Exception):
    code = "conflict"

    def __init__(self, message: str, *, detail: dict | None = None):
        super().__init__(message)
        self.message = message
        self.detail = detail or {}


class BookingConflict(Conflict):
    """A resource would be held twice at the same time."""

    code = "booking_conflict"


class StaleProposal(Conflict):
    """The bookings changed after the proposal was made."""

    code = "stale_proposal"


class JobNotCancellable(Conflict):
    code = "job_finished"

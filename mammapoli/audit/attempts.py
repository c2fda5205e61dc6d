"""A write and its access-log row, with the outcome it really had.

The row is written after the write ran: allowed, in the write's own transaction, when it
commits; refused, after the rollback, when it raises (so the refusal outlives the rollback
and nothing else of the attempt is left behind).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Outcome
from .services import access_event_record


@dataclass
class WriteAttempt:
    """A write in progress; the service may say what it did in `detail` (it goes into the log row)."""

    access: object
    detail: str = ""
    log: dict = field(default_factory=dict, repr=False)


def refusal_detail(error: Exception) -> str:
    """The log row's detail for a write that raised: the refusal's own (`log_detail`), the
    fields a validation error names, or the kind of error."""
    own = getattr(error, "log_detail", None)
    if isinstance(own, str) and own:
        return own
    if isinstance(error, ValidationError):
        fields = sorted(error.message_dict) if hasattr(error, "error_dict") else []
        return "invalid: " + ", ".join(fields) if fields else "invalid"
    code = getattr(error, "code", None)
    return f"refused: {code}" if isinstance(code, str) and code else f"failed: {type(error).__name__}"


@contextmanager
def write_attempt(access: object, log: dict) -> Iterator[WriteAttempt]:
    """Run the write in a transaction and log one row for it (`log`: the attempt's fields)."""
    attempt = WriteAttempt(access=access, log=log)
    ran = False
    try:
        with transaction.atomic():
            yield attempt
            access_event_record(**_with_detail(log, attempt.detail))
            ran = True
    except Exception as error:
        if not ran:  # past this point the row shares the write's fate (a hook run on commit failed)
            access_event_record(**_with_detail(log, refusal_detail(error)), outcome=Outcome.DENIED)
        raise


def _with_detail(log: dict, detail: str) -> dict:
    return {**log, "detail": " ".join(part for part in (log.get("detail", ""), detail) if part)}

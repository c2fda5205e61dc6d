"""The letter is made by a worker, after the signature is committed: rendering a PDF takes a
second or so, which the surgeon who signs should not wait for, and a letter is a document
that was sent, kept as it was made (not re-rendered on every request)."""

from celery import shared_task
from django.db import transaction

from .services import gp_letter_produce


@shared_task(name="letters.gp_letter_make", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def gp_letter_make(visit_id: int) -> int | None:
    """Make the visit's letter if its signed record has changed. Idempotent. The letter's id."""
    letter = gp_letter_produce(visit_id=int(visit_id))
    return letter.pk if letter is not None else None


def gp_letter_queue(visit_id: int) -> None:
    """After the current transaction commits, have a worker make the visit's letter (robust: a
    broker or renderer failure is logged and never undoes or fails the signature)."""
    transaction.on_commit(lambda: gp_letter_make.delay(visit_id), robust=True)

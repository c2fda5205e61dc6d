"""Reads of the letters. Patient data: through the access helpers (findings roles), logged."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from mammapoli.audit.models import Action, Outcome
from mammapoli.audit.services import access_event_record
from mammapoli.planning.access import visit_for_user
from mammapoli.records.errors import PatientDataNotFound

from .models import GpLetter


def latest_letter_id(visit_id: int) -> int | None:
    return GpLetter.objects.filter(visit_id=visit_id).order_by("-version").values_list("pk", flat=True).first()


def letter_for_user(user: AbstractBaseUser | AnonymousUser, letter_id: int, *, what: str,
                    action: Action = Action.READ) -> GpLetter:
    """A letter, for the roles that read findings in its visit's clinic (logged as `action`)."""
    visit_id = GpLetter.objects.filter(pk=letter_id).values_list("visit_id", flat=True).first()
    if visit_id is None:
        access_event_record(user=user, action=action, what=what, outcome=Outcome.DENIED,
                            detail=f"no such letter {letter_id}")
        raise PatientDataNotFound(letter_id)
    visit_for_user(user, visit_id, findings=True, what=what, action=action)
    return GpLetter.objects.select_related("visit__session__clinic", "visit__patient").get(pk=letter_id)


def visit_letters_for_user(user: AbstractBaseUser | AnonymousUser, visit_id: int, *, what: str,
                           action: Action = Action.READ) -> list[GpLetter]:
    """A visit's letters, newest first."""
    visit_for_user(user, visit_id, findings=True, what=what, action=action)
    return list(GpLetter.objects.filter(visit_id=visit_id).select_related("visit__session__clinic", "visit__patient")
                .order_by("-version"))


def latest_letter(visit_id: int) -> GpLetter | None:
    """The visit's current letter, without its PDF (for a link; the page showing it logs the read)."""
    return GpLetter.objects.filter(visit_id=visit_id).defer("pdf", "content").order_by("-version").first()

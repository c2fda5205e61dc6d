"""Making the letter to the GP. Idempotent: a letter is made once per basis (the versions of
the signed sections), so a task delivered twice, or run again after nothing changed, makes
nothing new."""

import base64
import hashlib
import logging

from django.db import IntegrityError, transaction

from mammapoli.planning.models import Visit
from mammapoli.records.sections import SectionKey

from .content import basis_digest, letter_basis, letter_content, signed_sections
from .models import GpLetter
from .pdf import letter_pdf

logger = logging.getLogger(__name__)


def gp_letter_produce(*, visit_id: int) -> GpLetter | None:
    """The visit's letter for its signed record as it stands: the latest one if it was made
    from exactly these sections, else a new version replacing it. None while the conclusion
    is not signed (or the visit does not exist)."""
    visit = Visit.objects.select_related("session__clinic", "patient", "referral").filter(pk=visit_id).first()
    if visit is None:
        return None
    sections = signed_sections(visit)
    if SectionKey.CONCLUSION not in sections:
        return None
    basis = letter_basis(sections)
    digest = basis_digest(basis)
    made = GpLetter.objects.filter(visit=visit, basis_digest=digest).first()
    if made is not None:
        return made
    content = letter_content(visit, sections)
    pdf, pages = letter_pdf(content)  # outside the transaction: rendering takes a second
    try:
        with transaction.atomic():
            previous = GpLetter.objects.select_for_update().filter(visit=visit).order_by("-version").first()
            letter = GpLetter(visit=visit, version=(previous.version + 1) if previous else 1, replaces=previous,
                              basis=basis, basis_digest=digest, content=content, pdf=pdf, pages=pages,
                              sha1=base64.b64encode(hashlib.sha1(pdf).digest()).decode())
            letter.full_clean()
            letter.save()
    except IntegrityError:
        # Made meanwhile by another worker for the same basis (or it took the next version first).
        made = GpLetter.objects.filter(visit=visit, basis_digest=digest).first()
        if made is None:
            raise
        return made
    logger.info("letter v%s made for visit %s (%s pages)", letter.version, visit.pk, pages)
    return letter

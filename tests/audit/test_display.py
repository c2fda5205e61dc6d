"""The access log's "what" and "detail" in the reader's language (the rows keep the words the
code wrote); anything not recognised is shown as written."""

import pytest
from django.utils import translation

from mammapoli.audit.display import detail_text, what_text


@pytest.mark.parametrize(("what", "dutch"), [
    ("visit", "bezoek"), ("form section imaging", "formulier: Beeldvorming"),
    ("form section pathology history", "geschiedenis van Pathologie"), ("board", "polibord"),
    ("event step_started", "gebeurtenis: stap begonnen"), ("patient search", "patiënt zoeken"),
    ("something new", "something new"),
])
def test_what_in_dutch(what, dutch):
    with translation.override("nl"):
        assert what_text(what) == dutch


@pytest.mark.parametrize(("detail", "dutch"), [
    ("role radiologist does not write clinical", "een radioloog schrijft Klinisch onderzoek niet"),
    ("role planner does not read findings", "een planner leest geen bevindingen"),
    ("not in the clinic team", "niet in het team van de polikliniek"),
    ("edit version 3: complaint, p_score", "wijziging, versie 3: klacht, klinische score (P1–P5)"),
    ("sign version 4", "ondertekend, versie 4"), ("stale version 2, current 3",
                                                  "geopend bij versie 2, maar intussen is versie 3 opgeslagen"),
    ("session=7 date=2026-12-01", "ochtend van di 1 december 2026"),
    ("session=7 role surgeon may not do this", "een chirurg mag dit niet"),
    ("date=2026-12-01..2026-12-08", "di 1 december 2026 tot en met di 8 december 2026"),
    ("query=Jansen", "gezocht op „Jansen”"), ("referral=5 created", "verwijzing 5 ingevoerd"),
    ("invalid: outcome_override", "ongeldig: waarom benigne, terwijl de berekende triple diagnostiek positief of "
                                  "discordant is"),
    ("", ""), ("free text of another kind", "free text of another kind"),
])
def test_detail_in_dutch(detail, dutch):
    with translation.override("nl"):
        assert detail_text(detail) == dutch

"""Every code the FHIR interface uses is documented in one place: docs/fhir.md's table."""

import re
from pathlib import Path

from mammapoli.fhir import codes

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "fhir.md").read_text(encoding="utf-8")


def own_systems() -> set[tuple[str, str]]:
    """(kind, name) of every own(...) / own_coding(...) in the FHIR app's source."""
    found = set()
    for path in (ROOT / "mammapoli" / "fhir").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'own\("(\w+)", f?"([\w-]+)', source))
        found |= {("CodeSystem", name) for name in re.findall(r'own_coding\("([\w-]+)"', source)}
    found |= {("CodeSystem", spec[4]) for spec in codes.SCORE_OBSERVATIONS.values()}
    found |= {("CodeSystem", codes.OUTCOME_SYSTEM_NAME), ("CodeSystem", codes.CONCORDANCE_OBSERVATION[0]),
              ("CodeSystem", codes.SERVICE_TRIPLE_ASSESSMENT[0]), ("CodeSystem", codes.REPORT_CODE[0])}
    return found


def test_every_own_system_is_in_the_table():
    systems = own_systems()
    assert {"pathway", "observation", "visit"} <= {name for _kind, name in systems}
    missing = [f"{kind}/{name}" for kind, name in sorted(systems)
               if f"{kind}/{name}" not in DOC and f"`{name}`" not in DOC]
    assert missing == []
    assert codes.SUSPICION_EXTENSION in DOC


def test_every_standard_code_is_in_the_table():
    standard = [*codes.COMPLAINT_SNOMED, codes.BIOPSY_OF_BREAST, codes.BIRADS_OBSERVABLE_SNOMED[0],
                *(code for code, _display in codes.BIRADS_SNOMED.values()), codes.CONSULT_NOTE_LOINC[0],
                *(code for code, _display in codes.PARTICIPATION_BY_CATEGORY.values())]
    assert [code for code in standard if code not in DOC] == []


def test_every_value_of_the_clinics_own_code_systems_is_in_the_table():
    from mammapoli.records.content import Outcome
    from mammapoli.records.models import Complaint

    values = [*Complaint.values, *Outcome.values, *codes.CONCORDANCE_VALUES, *codes.SUSPICION_CODES,
              *(spec[0] for spec in codes.SCORE_OBSERVATIONS.values()), codes.CONCORDANCE_OBSERVATION[0]]
    assert [value for value in values if value not in DOC] == []

"""Dutch and English: compiled, switchable, and the compiled catalogues match the sources."""

import ast
import gettext
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "mammapoli" / "locale"


def po_entries(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a .po file (enough of the format for our catalogues)."""
    entries, current, field = {}, {}, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#~"):
            continue
        if line.startswith(("msgid ", "msgstr ", "msgctxt ", "msgid_plural ")):
            field, _, rest = line.partition(" ")
            current[field] = ast.literal_eval(rest)
        elif line.startswith('"') and field:
            current[field] += ast.literal_eval(line)
        elif not line.strip():
            if current.get("msgid") and "msgid_plural" not in current and "msgctxt" not in current:
                entries[current["msgid"]] = current.get("msgstr", "")
            current, field = {}, None
    return entries


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_compiled_catalogue_matches_its_source(language):
    source = po_entries(LOCALE / language / "LC_MESSAGES" / "django.po")
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert len(source) > 100
    for msgid, msgstr in source.items():
        if msgstr:
            assert compiled.gettext(msgid) == msgstr, msgid


def test_every_dutch_string_is_translated():
    missing = [msgid for msgid, msgstr in po_entries(LOCALE / "nl" / "LC_MESSAGES" / "django.po").items() if not msgstr]
    assert missing == []


def test_dutch_is_the_default_and_english_is_one_click_away(client, db):
    with override_settings(LANGUAGE_CODE="nl"):
        page = client.get("/accounts/login/")
        assert "Inloggen" in page.content.decode()
        response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
        assert response.status_code == 302
        assert "Log in" in client.get("/accounts/login/").content.decode()


def test_model_labels_are_translated():
    from mammapoli.planning.models import VisitStatus

    with translation.override("nl"):
        assert str(VisitStatus.NO_SHOW.label) == "niet verschenen"
    with translation.override("en"):
        assert str(VisitStatus.NO_SHOW.label) == "no-show"

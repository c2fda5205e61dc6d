"""The letter as a PDF: WeasyPrint with the fonts shipped in `fonts/`, and no network.

WeasyPrint needs Pango (Debian: libpango-1.0-0 and libpangoft2-1.0-0); it is imported only
here, when a letter is made, so the rest of the application runs without it. Every URL the
HTML or CSS names must be a file in `fonts/`; anything else is refused, not fetched.
"""

from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation

FONTS = Path(__file__).resolve().parent / "fonts"
FONT_FILES = {"normal": FONTS / "DejaVuSans.ttf", "bold": FONTS / "DejaVuSans-Bold.ttf"}


class LetterAssetRefused(Exception):
    """The letter asked for something that is not one of its own files."""


def _fetcher():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class LocalFontsOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith("file://") or Path(url.removeprefix("file://")).resolve().parent != FONTS:
                raise FatalURLFetchingError(f"refused (the letter uses its own files only): {url}")
            return super().fetch(url, headers)

    return LocalFontsOnly()


def letter_html(content: dict) -> str:
    with translation.override(content.get("language", "nl")):
        return render_to_string("letters/gp_letter.html", {"letter": content, "fonts": {
            weight: path.as_uri() for weight, path in FONT_FILES.items()}})


def letter_pdf(content: dict) -> tuple[bytes, int]:
    """(the PDF, its number of pages)."""
    from weasyprint import HTML

    document = HTML(string=letter_html(content), base_url=FONTS.as_uri() + "/", url_fetcher=_fetcher()).render()
    return document.write_pdf(), len(document.pages)

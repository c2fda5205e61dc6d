"""The letter to the GP: made when the conclusion is signed, checked as a picture."""

import subprocess

import pytest
import time_machine

from mammapoli.letters.models import GpLetter, ImmutableLetter
from mammapoli.letters.services import gp_letter_produce
from mammapoli.planning.clock import aware
from mammapoli.records.services import form_addendum_add
from tests.factories import ClinicSessionFactory, ReferralFactory, VisitFactory
from tests.fhir.conftest import CLINICAL, CONCLUSION, IMAGING, fill_form, write_and_sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(clinic):
    referral = ReferralFactory(clinic=clinic, referring_gp="Huisartsenpraktijk De Linde")
    return VisitFactory(session=ClinicSessionFactory(clinic=clinic), patient=referral.patient, referral=referral)


def signed(visit, django_capture_on_commit_callbacks, *, surgeon, radiologist, pathologist):
    with django_capture_on_commit_callbacks(execute=True):
        fill_form(visit, surgeon=surgeon, radiologist=radiologist, pathologist=pathologist)
    return GpLetter.objects.get(visit=visit)


def test_signing_the_conclusion_makes_the_letter_once(visit, surgeon, radiologist, pathologist,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        fill_form(visit, surgeon=surgeon, radiologist=radiologist, pathologist=pathologist, conclusion=False)
    assert len(callbacks) == 0 and not GpLetter.objects.exists()  # no conclusion signed: no letter
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with time_machine.travel(aware(visit.session.date, "13:00"), tick=False):
            write_and_sign(surgeon, visit, "conclusion", CONCLUSION)
    assert len(callbacks) == 1
    letter = GpLetter.objects.get(visit=visit)
    assert (letter.version, letter.replaces, letter.basis) == (1, None, {
        "clinical": 2, "conclusion": 2, "imaging": 2, "pathology": 2})
    assert bytes(letter.pdf).startswith(b"%PDF") and letter.pages == 1
    assert gp_letter_produce(visit_id=visit.pk) == letter  # idempotent: nothing changed, nothing new
    with pytest.raises(ImmutableLetter):
        letter.save()


def test_an_addendum_after_the_letter_makes_a_new_version_that_replaces_it(
        visit, surgeon, radiologist, pathologist, django_capture_on_commit_callbacks):
    first = signed(visit, django_capture_on_commit_callbacks, surgeon=surgeon, radiologist=radiologist,
                   pathologist=pathologist)
    imaging = visit.form.sections.get(key="imaging")
    with django_capture_on_commit_callbacks(execute=True):
        form_addendum_add(user=radiologist, visit_id=visit.pk, section="imaging", reason="Second reading",
                          changes={"birads": 4}, expected_version=imaging.version)
    second = GpLetter.objects.get(visit=visit, version=2)
    assert second.replaces == first and second.basis["imaging"] == 3
    assert "BI-RADS 4" in " ".join(second.content["components"][1]["scores"])


def test_the_letter_says_it_in_plain_dutch(visit, surgeon, radiologist, pathologist,
                                          django_capture_on_commit_callbacks):
    content = signed(visit, django_capture_on_commit_callbacks, surgeon=surgeon, radiologist=radiologist,
                     pathologist=pathologist).content
    assert content["language"] == "nl" and content["to"] == "Huisartsenpraktijk De Linde"
    assert [c["scores"] for c in content["components"]] == [
        ["P4 verdacht"], ["BI-RADS 5 sterk verdacht voor maligniteit", "M5 maligne", "U5 maligne"],
        ["B5b maligne, invasief"]]
    name = surgeon.get_full_name()
    assert content["told"] == f"{name} heeft de patiënte de uitslag verteld op 1 december 2026 om 11:20."
    assert content["signed"] == f"Ondertekend door {name}, chirurg, op 1 december 2026 om 13:00."
    assert content["plan"] == "multidisciplinair overleg (MDO)"
    assert content["assessment"] == "Triple diagnostiek: positief, concordant."


def test_a_letter_before_the_pathology_is_signed_says_it_follows(visit, surgeon, radiologist,
                                                                 django_capture_on_commit_callbacks):
    write_and_sign(surgeon, visit, "clinical", CLINICAL)
    write_and_sign(radiologist, visit, "imaging", IMAGING)
    with django_capture_on_commit_callbacks(execute=True):
        write_and_sign(surgeon, visit, "conclusion", CONCLUSION)
    content = GpLetter.objects.get(visit=visit).content
    assert content["components"][2]["scores"] == []
    assert "volgt" in content["components"][2]["text"]
    assert "niet vastgelegd" in content["told"]


@pytest.mark.pdf
def test_the_letter_as_a_picture(visit, surgeon, radiologist, pathologist, django_capture_on_commit_callbacks,
                                 tmp_path):
    letter = signed(visit, django_capture_on_commit_callbacks, surgeon=surgeon, radiologist=radiologist,
                    pathologist=pathologist)
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(bytes(letter.pdf))
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == letter.pages == 1
    assert pages[0].read_bytes().startswith(b"\x89PNG")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    for score in ("P4 verdacht", "BI-RADS 5", "M5 maligne", "U5 maligne", "B5b maligne, invasief",
                  "positief, concordant", "Huisartsenpraktijk De Linde", surgeon.get_full_name()):
        assert score in text, score
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    embedded = [line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]]
    assert sorted(embedded) == ["Letter-Sans", "Letter-Sans-Bold"]  # only the shipped fonts, none of the system


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/tracker.png", "file:///etc/passwd",
                                 "file:///usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "data:text/css,p{}"])
def test_the_renderer_fetches_nothing_but_its_own_fonts(url):
    from weasyprint.urls import FatalURLFetchingError

    from mammapoli.letters.pdf import FONT_FILES, _fetcher

    with pytest.raises(FatalURLFetchingError):
        _fetcher().fetch(url)
    assert _fetcher().fetch(FONT_FILES["normal"].as_uri()) is not None

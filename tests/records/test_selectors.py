"""The form's selectors read and write nothing but the access log: the form is made when the
visit is booked (planning's services), so reading it is a pure read."""

import datetime as dt

import pytest

from mammapoli.audit.models import AccessEvent
from mammapoli.records.content import section_defaults
from mammapoli.records.models import FormSection, VisitForm
from mammapoli.records.selectors import form_for_user, section_for_user
from mammapoli.records.services import form_section_update
from tests.factories import ClinicSessionFactory, VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(clinic):
    """A visit made by hand (as in the admin), not booked through the services: no form yet."""
    return VisitFactory(session=ClinicSessionFactory(clinic=clinic, date=dt.date(2026, 12, 1)),
                        pathway=clinic.pathways.get(code="imaging"))


def test_reading_a_form_nobody_wrote_on_writes_nothing_but_the_look(visit, surgeon):
    view = form_for_user(surgeon, visit.pk)
    assert view.form is None and not VisitForm.objects.exists() and not FormSection.objects.exists()
    assert {key: (s.section.version, s.section.content) for key, s in view.sections.items()} == {
        key: (0, section_defaults(key)) for key in ("clinical", "imaging", "pathology", "conclusion")}
    assert AccessEvent.objects.filter(visit_id=visit.pk, what="form").count() == 1


def test_the_first_write_stores_the_form_and_the_next_read_shows_it(visit, surgeon, radiologist):
    _access, before = section_for_user(radiologist, visit.pk, "imaging")
    assert before.writable and before.section.version == 0
    form_section_update(user=radiologist, visit_id=visit.pk, section="imaging", changes={"report": "normal"},
                        expected_version=0)
    _access, after = section_for_user(surgeon, visit.pk, "imaging")
    assert (after.section.version, after.section.content["report"], after.writable) == (1, "normal", False)
    assert VisitForm.objects.filter(visit=visit).count() == 1

"""The letter task on a real broker: signing the conclusion queues it on commit; a worker makes the letter once."""

import pytest

from mammapoli.letters.models import GpLetter
from mammapoli.letters.tasks import gp_letter_make
from tests.factories import ClinicSessionFactory, VisitFactory
from tests.fhir.conftest import fill_form
from tests.planning.test_tasks_broker import finished_tasks, wait_for, worker  # noqa: F401 - fixtures


def test_the_task_acknowledges_late():
    assert (gp_letter_make.acks_late, gp_letter_make.reject_on_worker_lost) == (True, True)


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_a_worker_makes_the_letter_after_the_signature_commits(clinic, surgeon, radiologist, pathologist, worker,
                                                                finished_tasks):
    visit = VisitFactory(session=ClinicSessionFactory(clinic=clinic))
    fill_form(visit, surgeon=surgeon, radiologist=radiologist, pathologist=pathologist)
    assert wait_for(lambda: GpLetter.objects.filter(visit=visit).exists())
    letter = GpLetter.objects.get(visit=visit)
    again = gp_letter_make.delay(visit.pk)  # delivered again: nothing new
    assert wait_for(lambda: again.id in finished_tasks)
    assert finished_tasks[again.id] == letter.pk and GpLetter.objects.filter(visit=visit).count() == 1

"""Simultaneous saves, for real: two threads, two database connections, one barrier (PostgreSQL).

Two saves of one section with the same ETag: exactly one wins, the other gets 412, the
version goes up by one and one history row is added. Saves to two different sections at
the same moment both succeed.
"""

import datetime as dt
import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from mammapoli.audit.models import AccessEvent
from mammapoli.records.models import FormSection, SectionVersion
from tests.factories import ClinicSessionFactory, VisitFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def visit(clinic):
    return VisitFactory(session=ClinicSessionFactory(clinic=clinic, date=dt.date(2026, 12, 1)),
                        pathway=clinic.pathways.get(code="imaging"))


def at_once(requests: list) -> list:
    """Run each (user, section, body, etag) PATCH in its own thread, released together."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(index, user, section, body, etag):
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait(timeout=10)
            response = client.patch(f"/api/visits/{visit_id}/form/{section}/", body, format="json",
                                    HTTP_IF_MATCH=etag)
            results[index] = (response.status_code, response.json())
        except Exception as error:  # reported below, never swallowed
            results[index] = error
        finally:
            connection.close()

    visit_id = requests[0][0]
    threads = [threading.Thread(target=run, args=(i, *request[1:])) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a save hung"
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results


def current_etag(user, visit, section) -> str:
    client = APIClient()
    client.force_authenticate(user)
    return client.get(f"/api/visits/{visit.pk}/form/{section}/")["ETag"]


def test_two_saves_of_one_section_with_the_same_etag_exactly_one_wins(visit, surgeon):
    etag = current_etag(surgeon, visit, "clinical")
    assert etag == 'W/"0"'
    results = at_once([(visit.pk, surgeon, "clinical", {"p_score": 4, "history": "eerste"}, etag),
                       (visit.pk, surgeon, "clinical", {"p_score": 2, "history": "tweede"}, etag)])
    statuses = sorted(status for status, _body in results)
    assert statuses == [200, 412]
    winner = next(body for status, body in results if status == 200)
    loser = next(body for status, body in results if status == 412)
    section = FormSection.objects.get(form__visit=visit, key="clinical")
    assert section.version == 1
    assert SectionVersion.objects.filter(section=section).count() == 1
    assert section.content["history"] == winner["content"]["history"]
    # The loser is told what won, so nothing is lost: its own text is still in its hands.
    assert (loser["version"], loser["content"]["history"]) == (1, winner["content"]["history"])
    writes = list(AccessEvent.objects.filter(action="write").values_list("outcome", "detail"))
    assert sorted(outcome for outcome, _detail in writes) == ["allowed", "denied"]
    assert ("denied", "stale version 0, current 1") in writes


def test_saves_to_two_sections_at_the_same_moment_both_succeed(visit, surgeon, radiologist):
    clinical, imaging = current_etag(surgeon, visit, "clinical"), current_etag(radiologist, visit, "imaging")
    results = at_once([(visit.pk, surgeon, "clinical", {"p_score": 3}, clinical),
                       (visit.pk, radiologist, "imaging", {"birads": 4}, imaging)])
    assert [status for status, _body in results] == [200, 200]
    versions = dict(FormSection.objects.filter(form__visit=visit).values_list("key", "version"))
    assert (versions["clinical"], versions["imaging"]) == (1, 1)
    assert SectionVersion.objects.count() == 2


def test_the_first_access_of_two_at_once_creates_one_form(visit, surgeon, radiologist):
    """Neither has opened the form before: both create it, the database keeps one."""
    results = at_once([(visit.pk, surgeon, "clinical", {"p_score": 3}, 'W/"0"'),
                       (visit.pk, radiologist, "imaging", {"birads": 4}, 'W/"0"')])
    assert [status for status, _body in results] == [200, 200]
    assert FormSection.objects.filter(form__visit=visit).count() == 4

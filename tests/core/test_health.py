"""Liveness and readiness for the hospital's monitoring: no login, no access-log rows, and
each check reported as ok or unavailable without its reasons."""

import pytest
from django.urls import reverse

from mammapoli.audit.models import AccessEvent
from tests.processes import app_sending_to, free_port

pytestmark = pytest.mark.django_db


def test_liveness_answers_without_a_login_and_logs_nothing(client):
    response = client.get(reverse("health-live"))
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert "no-cache" in response["Cache-Control"]
    assert AccessEvent.objects.count() == 0


def test_without_a_broker_ready_means_the_database_answers(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get(reverse("health-ready"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "tasks": "in process"}}
    assert AccessEvent.objects.count() == 0


def test_a_broker_that_does_not_answer_makes_the_site_not_ready_without_saying_where_it_is(client, settings):
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    settings.CELERY_BROKER_URL = url
    with app_sending_to(url):
        response = client.get(reverse("health-ready"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable",
                               "checks": {"database": "ok", "broker": "unavailable", "workers": "unavailable"}}
    assert "127.0.0.1" not in response.content.decode()
    assert AccessEvent.objects.count() == 0


def test_a_database_that_does_not_answer_makes_the_site_not_ready(client, settings, monkeypatch):
    from health_check.checks import Database
    from health_check.exceptions import ServiceUnavailable

    def down(self):
        raise ServiceUnavailable("connection to server at 10.0.0.5 failed")

    monkeypatch.setattr(Database, "run", down)
    settings.CELERY_BROKER_URL = ""
    response = client.get(reverse("health-ready"))
    assert (response.status_code, response.json()["checks"]["database"]) == (503, "unavailable")
    assert "10.0.0.5" not in response.content.decode()

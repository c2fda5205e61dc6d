"""Liveness and readiness for the hospital's monitoring, with django-health-check's checks.

GET /health/        the web process answers (nothing else is asked): 200
GET /health/ready/  the database answers, the broker answers, and at least one Celery worker
                    answers a ping and consumes the jobs' queue: 200, else 503

Neither needs a login and neither touches patient data, so neither writes to the access
log. The answer names each check and says "ok" or "unavailable"; the reasons (host names,
driver messages) go to the server's log only, not to whoever asks.
"""

import asyncio
import dataclasses
import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET
from health_check.base import HealthCheck
from health_check.checks import Database
from health_check.contrib.celery import Ping
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from mammapoli.celery import app as celery_app

#: Seconds each check may take (the ping waits this long for the workers to answer).
CHECK_SECONDS = 2


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection (any kombu transport)."""

    timeout: dt.timedelta = dataclasses.field(default=dt.timedelta(seconds=CHECK_SECONDS), repr=False)

    def run(self) -> None:
        try:
            with celery_app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, interval_start=0, timeout=self.timeout.total_seconds())
        except Exception as exc:  # noqa: BLE001 - whatever the transport raises, the broker is not there
            raise ServiceUnavailable("the broker does not answer") from exc


def _checks() -> dict[str, HealthCheck]:
    checks: dict[str, HealthCheck] = {"database": Database()}
    if settings.CELERY_BROKER_URL:  # without one, tasks run in the web process: nothing more to ask
        checks["broker"] = Broker()
        checks["workers"] = Ping(app=celery_app, timeout=dt.timedelta(seconds=CHECK_SECONDS))
    return checks


class ReadinessView(HealthCheckView):
    async def get(self, request: HttpRequest, *args, **kwargs) -> JsonResponse:
        checks = _checks()
        with self.get_executor() as executor:
            results = await asyncio.gather(*(check.get_result(executor) for check in checks.values()))
        states = {name: "unavailable" if result.error else "ok" for name, result in zip(checks, results)}
        if not settings.CELERY_BROKER_URL:
            states["tasks"] = "in process"
        ready = "unavailable" not in states.values()
        return JsonResponse({"status": "ok" if ready else "unavailable", "checks": states},
                            status=200 if ready else 503)


readiness = login_not_required(ReadinessView.as_view())


@login_not_required
@require_GET
def liveness(request: HttpRequest) -> JsonResponse:
    response = JsonResponse({"status": "ok"})
    add_never_cache_headers(response)
    return response

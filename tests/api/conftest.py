import datetime as dt

import pytest

from tests.api_clients import api_as
from tests.factories import ClinicSessionFactory, VisitFactory
from tests.planning.conftest import pathways, plan_now, small_morning  # noqa: F401 - shared fixtures


@pytest.fixture(name="api_as")
def api_as_fixture():
    return api_as



@pytest.fixture
def visit(clinic):
    """P01 on the imaging pathway, on Tuesday 1 December 2026 (made by hand: no form written yet)."""
    return VisitFactory(session=ClinicSessionFactory(clinic=clinic, date=dt.date(2026, 12, 1)),
                        pathway=clinic.pathways.get(code="imaging"), code="P01")

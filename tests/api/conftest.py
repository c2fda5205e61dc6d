import pytest
from rest_framework.test import APIClient

from tests.planning.conftest import pathways, plan_now, small_morning  # noqa: F401 - shared fixtures


@pytest.fixture
def api_as():
    def client_for(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client
    return client_for

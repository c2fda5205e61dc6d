"""Tests: the base settings with a fast password hasher. The database and broker still come
from the environment, so `.ci/run` tests against PostgreSQL and Redis with the same code."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tasks run in-process in tests; the broker tests switch this off and start a real worker
# on CELERY_BROKER_URL (see tests/planning/test_tasks_broker.py).
CELERY_TASK_ALWAYS_EAGER = True

# Assertions read in English; tests/web/test_i18n.py checks the Dutch default separately.
LANGUAGE_CODE = "en"

# Short solves keep the suite fast; every test fixes its seed.
SCHEDULER_TIME_LIMIT = 2
SCHEDULER_REPLAN_TIME_LIMIT = 1
SCHEDULER_WORKERS = 2

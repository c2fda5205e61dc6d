# The two set-up commands of the README: `make demo` and `make test`.
# Both create .venv with the pinned requirements on first use.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000
# Two pytest-xdist workers (each with its own test database): the suite in about half the time.
# The broker tests share one xdist group: they run one after another, on one Celery queue.
PYTEST_WORKERS ?= 2

.PHONY: install demo test serve

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

# The demo runs like production: a Celery worker plans the mornings, here on a broker that
# needs no server (a folder of messages, .broker/); the worker stops with the server.
DEMO_BROKER ?= filesystem://

demo: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	$(PY) manage.py plan_morning demo today --publish
	CELERY_BROKER_URL=$(DEMO_BROKER) $(VENV)/bin/celery -A mammapoli worker --pool=solo --loglevel=warning \
		--without-gossip --without-mingle & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	CELERY_BROKER_URL=$(DEMO_BROKER) $(PY) manage.py runserver $(HOST)

test: install
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

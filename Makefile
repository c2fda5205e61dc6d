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

demo: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	$(PY) manage.py plan_morning demo today --publish
	$(PY) manage.py runserver $(HOST)

test: install
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# Two commands matter on a fresh clone: `make run` and `make test`.
# Both create the virtual environment and install what they need first.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in the emails `make run` writes point at the server it starts.
PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)
PYTEST_ARGS ?=
# Without DJANGO_SETTINGS_MODULE, manage.py and Celery load the production
# settings (they refuse the published dev key); these targets are for a
# developer's machine and say so.
DEV_SETTINGS := DJANGO_SETTINGS_MODULE=nps_project.settings.dev

.DEFAULT_GOAL := help
.PHONY: help install run test lint format worker beat bench soak drills clean

help:
	@echo "make run     - the product on http://$(HOST):$(PORT)/ (SQLite, demo data, logins printed)"
	@echo "make test    - the test suite (PostgreSQL / Redis / Chromium tests run when reachable)"
	@echo "make lint    - ruff, import contracts (lint-imports), mypy; models match their migrations"
	@echo "              (the same checks run before each commit after .venv/bin/pre-commit install)"
	@echo "make worker  - a Celery worker for all queues (needs CELERY_BROKER_URL)"
	@echo "make beat    - Celery beat, the periodic sweeper and schedulers"
	@echo "make bench   - benchmarks against local PostgreSQL, Redis and RabbitMQ (bench/results/)"
	@echo "make soak    - 1,000,000 answers over 30 minutes: flat worker memory, no backlog growth"
	@echo "              (bench/results/soak.md; SOAK_ARGS='--duration 90 --rate 50' for a short run)"
	@echo "make drills  - fault drills: workers killed, Redis and SMTP down (bench/results/)"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: install
	@mkdir -p var
	$(DEV_SETTINGS) $(PY) manage.py migrate --noinput
	$(DEV_SETTINGS) PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) $(PY) manage.py seed_demo
	@echo
	@echo "  The product:  http://$(HOST):$(PORT)/admin/"
	@echo "  Emails sent:  var/mail/ (one .eml file per message)"
	@echo "  Periodic jobs (sweeper, escalation, reminders, waves) run in the server process."
	@echo
	$(DEV_SETTINGS) PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) $(PY) manage.py run_demo $(HOST):$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@# The architecture: import-linter's contracts in pyproject.toml, by name.
	$(VENV)/bin/lint-imports
	@# Types, checked with the django-stubs plugin (settings named in pyproject.toml).
	DATABASE_URL=sqlite://:memory: $(VENV)/bin/mypy
	@# Models that differ from their migrations fail here. It compares code with
	@# code: an in-memory database stands in for whichever DATABASE_URL is set.
	$(DEV_SETTINGS) DATABASE_URL=sqlite://:memory: $(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

worker: install
	$(DEV_SETTINGS) $(VENV)/bin/celery -A nps_project worker -Q routing,email,default --concurrency 2 --loglevel INFO

beat: install
	$(DEV_SETTINGS) $(VENV)/bin/celery -A nps_project beat --loglevel INFO --schedule var/celerybeat-schedule

bench: install
	$(PY) -m bench
	$(PY) -m bench.reporting --reuse

soak: install
	$(PY) -m bench.soak $(SOAK_ARGS)

drills: install
	$(PY) -m bench.drills

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .import_linter_cache

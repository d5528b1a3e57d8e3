# papertrade — `make run` starts the platform, `make test` runs every test. See README.md.
SHELL := /bin/bash
PYTHON_BIN ?= $(shell command -v python3.11 || ls -d $$HOME/.pyenv/versions/3.11*/bin/python3.11 2>/dev/null | tail -1 || echo python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
REQS := requirements/base.txt requirements/dev.txt requirements/clients.txt clients/python/pyproject.toml $(wildcard requirements/strategies*.txt)
HOST ?= 127.0.0.1
PORT ?= 8000
# The services the tests use (PostgreSQL and Redis on their standard local ports).
TEST_DATABASE_URL ?= postgres://papertrade@127.0.0.1:5432/papertrade
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1

.PHONY: help install services frontend migrate seed run test lint test-py test-embedded test-frontend bench clean mcp

help:
	@echo "make run    - set up and start the whole platform on http://$(HOST):$(PORT) with demo data"
	@echo "make test   - set up and run every test (lint, Python on PostgreSQL+Redis and embedded, SPA)"
	@echo "make bench  - run the benchmarks"
	@echo "make mcp    - the MCP server for AI agents on stdio, as the user of \`.venv/bin/papertrade login\`"

$(VENV)/.installed: $(REQS)
	@test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements/dev.txt
	@if [ -f requirements/strategies.txt ]; then $(PIP) install --quiet -r requirements/strategies.txt; fi
	@if [ -f requirements/strategies-nodeps.txt ]; then $(PIP) install --quiet --no-deps -r requirements/strategies-nodeps.txt; fi
	@touch $@

install: $(VENV)/.installed

services:
	@scripts/ensure_services.sh

frontend:
	@if [ -f frontend/package.json ]; then \
		cd frontend && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund; } && npm run build; \
	fi

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: install frontend seed
	$(PY) scripts/run_platform.py --host $(HOST) --port $(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test-py: install services
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(VENV)/bin/pytest -q

test-embedded: install
	PAPERTRADE_TEST_EMBEDDED=1 $(VENV)/bin/pytest -q -m "not services"

# vitest, then Playwright in Debian's Chromium against a daphne it starts on a fresh embedded database.
test-frontend: install frontend
	@if [ -f frontend/package.json ]; then scripts/ensure_chromium.sh && cd frontend && npm test; fi

test: lint test-py test-embedded test-frontend

bench: install services
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m bench

# The MCP server (clients/python/src/papertrade/mcp_server.py) speaks MCP on stdin/stdout and the
# REST API with the token that `papertrade login` stored (or PAPERTRADE_URL / PAPERTRADE_TOKEN).
# stdout is the MCP channel: the set-up's own output goes to stderr.
mcp:
	@$(MAKE) -s install >&2
	@exec $(VENV)/bin/papertrade mcp

clean:
	rm -rf $(VENV) var staticfiles frontend/node_modules frontend/dist

# --- Processes one by one, for bare machines (the Procfile and deploy/entrypoint.sh run the same
# commands). Set DATABASE_URL and REDIS_URL, run `make migrate` once, then start each process,
# on one machine or several; docs/deployment.md has the layout. WORKER_ARGS adds Celery options
# (e.g. WORKER_ARGS="-n ingestion2@%h --concurrency=8" for a second worker on the same host).
WORKER_ARGS ?=
.PHONY: web worker worker-ingestion worker-training beat feed

web: install
	$(PY) -m config.serve --host $(HOST) --port $(PORT)

worker: install
	$(VENV)/bin/celery -A config worker -Q default,ingestion,training -l INFO $(WORKER_ARGS)

worker-ingestion: install
	$(VENV)/bin/celery -A config worker -Q ingestion -n ingestion@%h -l INFO $(WORKER_ARGS)

worker-training: install
	$(VENV)/bin/celery -A config worker -Q training -n training@%h -l INFO --concurrency=1 $(WORKER_ARGS)

beat: install
	$(VENV)/bin/celery -A config beat -l INFO --scheduler django_celery_beat.schedulers:DatabaseScheduler

feed: install
	$(PY) manage.py run_feed

# Pipewright: `make run` starts everything on embedded defaults; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
export PIPEWRIGHT_DATA_DIR ?= $(CURDIR)/var
FRONTEND_SOURCES := $(shell find frontend/src frontend/index.html frontend/vite.config.ts frontend/tsconfig*.json -type f 2>/dev/null)
# Without REDIS_URL, `make run` starts a private Redis of its own.
PROCESSES := $(if $(REDIS_URL),web worker beat,redis web worker beat)

.PHONY: run test test-long pytest install frontend browser lint typecheck clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

frontend/dist/.vite/manifest.json: frontend/node_modules/.installed $(FRONTEND_SOURCES)
	cd frontend && npm run build --silent

frontend: frontend/dist/.vite/manifest.json

run: install frontend
	@mkdir -p "$(PIPEWRIGHT_DATA_DIR)"
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py load_library
	@$(PY) manage.py ensure_admin
	@echo
	@echo "  Pipewright is starting at http://$(HOST):$(PORT)/"
	@echo "  Log in at http://$(HOST):$(PORT)/accounts/login/ (admin account above; Ctrl-C stops everything)"
	@echo "  Data dir: $(PIPEWRIGHT_DATA_DIR)"
	@echo
	PIPEWRIGHT_PORT=$(PORT) PIPEWRIGHT_HOST=$(HOST) $(VENV)/bin/honcho start -f Procfile $(PROCESSES)

# Browser tests drive Debian's Chromium (Playwright's own download cannot work here).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Browser tests need Chromium: sudo apt-get install chromium" >&2; exit 1; fi; }

test: install frontend browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	cd frontend && npm test --silent
	$(PY) -m pytest

pytest: install frontend browser
	$(PY) -m pytest

# The long variants of the fault and fuzz suites (bench/faults.py prints their figures).
test-long: install frontend browser
	$(PY) -m pytest --long tests/faults tests/security/test_api_fuzz.py

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck:
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist

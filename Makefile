# Two commands on a fresh machine: `make run` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test lint format bench bench-import bench-spam install install-test chromium idp-deps clean

$(VENV)/.run: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.test: pyproject.toml $(VENV)/.run
	$(PY) -m pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.run
install-test: $(VENV)/.test

## Install, migrate an SQLite database under instance/, create the demo site, serve on :5000.
run: export WIDGET_PUBLIC_URL ?= http://$(HOST):$(PORT)
run: export WIDGET_DEMO ?= 1
run: install
	$(VENV)/bin/widget db upgrade
	$(VENV)/bin/widget demo
	@echo "Demo blog article: http://$(HOST):$(PORT)/demo/  (or http://localhost:$(PORT)/demo/ for a cross-site embed)"
	$(VENV)/bin/widget run --host $(HOST) --port $(PORT)

## Debian's Chromium for the browser tests (never Playwright's own download).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

## The end-to-end tests' OpenID provider (Node's oidc-provider), from the committed lockfile.
IDP_DIR := tests/e2e/idp
$(IDP_DIR)/node_modules/.installed: $(IDP_DIR)/package-lock.json $(IDP_DIR)/package.json
	npm ci --prefix $(IDP_DIR) --no-audit --no-fund
	touch $@

idp-deps: $(IDP_DIR)/node_modules/.installed

## Install everything the tests need and run the whole suite.
test: install-test chromium idp-deps
	$(VENV)/bin/pytest -q

## ruff (lint and format) and mypy --strict on widget/ (pyproject.toml says how).
lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## Isso, the comment server the benchmark compares with, in its own venv (with our gunicorn's version).
ISSO_VENV := bench/.work/isso
$(ISSO_VENV)/.installed: $(VENV)/.run
	test -x $(ISSO_VENV)/bin/python || python3 -m venv $(ISSO_VENV)
	$(ISSO_VENV)/bin/pip install -q isso==0.14.0 \
	  gunicorn==$$($(PY) -c 'from importlib.metadata import version; print(version("gunicorn"))')
	touch $@

## Ours against Isso and a bare Flask app (wrk, Chromium); writes bench/RESULTS.md. About 7 to 9 minutes.
bench: install-test chromium $(ISSO_VENV)/.installed
	@command -v wrk >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk; }
	$(PY) bench/run.py
	$(PY) bench/imports.py
	$(PY) bench/spam.py

## Importing generated WordPress exports of 10,000 and 50,000 comments; writes bench/IMPORT.md. About a minute.
bench-import: install-test
	$(PY) bench/imports.py

## The spam filter on held-out data, its speed and a busy site's model size; writes bench/SPAM.md
## and the spam section of bench/RESULTS.md (after bench/run.py, which rewrites the rest). About a minute.
bench-spam: install-test
	$(PY) bench/spam.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache bench/.work

# Every target that needs the environment depends on it, so each works on a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The default lives in one file, read by the harness and the generator too.
KEYCLOAK_VERSION ?= $(shell cat spec/keycloak/default-version)
export KEYCLOAK_VERSION

.PHONY: setup chromium redis example-flask example-starlette example-fastapi example-django test test-smoke test-admin-smoke admin-coverage test-unit test-integration lint generate spec spec-admin spec-diff keycloak-fetch \
        keycloak-up keycloak-down demo bench docs dist pre-commit wheel-test clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=25.1"
	$(PY) -m pip install --quiet --group dev -e ".[flask,starlette,fastapi,django,redis]"
	touch $(STAMP)

setup: $(STAMP) keycloak-fetch chromium redis

# The browser tests drive the system Chromium (Debian's package); as root we install it.
chromium:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "browser tests need Chromium: sudo apt-get install chromium"; fi; }

# The shared session store's tests run Debian's redis-server (started by the test harness on a
# free loopback port, never as a system service); as root we install it.
redis:
	@command -v redis-server >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null; \
	  else echo "Redis tests need redis-server: sudo apt-get install redis-server"; fi; }

keycloak-fetch: $(STAMP)
	$(PY) -m harness fetch

test: setup
	$(PY) -m pytest

test-smoke: setup
	$(PY) -m pytest tests/integration/test_smoke.py

# The admin smoke (create and delete a user, a client, a group) the CI version matrix runs on
# each Keycloak version; admin-coverage: the admin tests, then which operations ran live.
test-admin-smoke: setup
	$(PY) -m pytest -m admin_smoke tests/integration/admin

admin-coverage: setup
	$(PY) -m pytest tests/integration/admin
	$(PY) -m tests.integration.admin.coverage

test-unit: $(STAMP)
	$(PY) -m pytest -m "not integration and not browser"

# .pre-commit-config.yaml runs these same three commands (tests/unit/test_precommit.py).
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m tools.typecheck

pre-commit: $(STAMP)
	$(VENV)/bin/pre-commit run --all-files

generate: $(STAMP)
	$(PY) -m generator generate $(if $(filter command line environment,$(origin KEYCLOAK_VERSION)),--keycloak-version $(KEYCLOAK_VERSION))

# The discovery documents come from a live server; the admin OpenAPI document from Maven alone.
spec: setup spec-admin
	$(PY) -m generator capture --keycloak-version $(KEYCLOAK_VERSION)

spec-admin: $(STAMP)
	$(PY) -m generator capture-admin --keycloak-version $(KEYCLOAK_VERSION)

spec-diff: $(STAMP)
	$(PY) -m generator spec-diff $(FROM) $(TO)

keycloak-up: setup
	$(PY) -m harness up

keycloak-down: $(STAMP)
	$(PY) -m harness down

demo: setup
	$(PY) -m examples.demo

# One process by default; WORKERS=4 serves it with gunicorn (Flask, Django; WORKER_CLASS=sync|
# gthread, PRELOAD=1) or uvicorn (Starlette, FastAPI) and the Redis session store (REDIS_URL=
# redis://... or a redis-server the harness starts). PORT=8000 by default (the realm's
# back-channel logout URL for the examples). Django: DJANGO_SESSIONS=db|cache keeps the sessions
# in Django's session framework (its SQLite database, or its Redis cache) instead.
WORKERS ?=
WORKER_CLASS ?= sync
PRELOAD ?=
REDIS_URL ?=
DJANGO_SESSIONS ?=
EXAMPLE_RUN = $(if $(WORKERS),WORKERS=$(WORKERS) WORKER_CLASS=$(WORKER_CLASS) PRELOAD=$(PRELOAD) \
	$(if $(DJANGO_SESSIONS),DJANGO_EXAMPLE_SESSION_STORE=$(DJANGO_SESSIONS)) $(if $(REDIS_URL),KEYCLOAK_REDIS_URL=$(REDIS_URL)) $(PY) -m examples.serve $(1),$(PY) -m examples.$(1)_app)

example-flask: setup
	$(call EXAMPLE_RUN,flask)

example-starlette: setup
	$(call EXAMPLE_RUN,starlette)

example-fastapi: setup
	$(call EXAMPLE_RUN,fastapi)

example-django: setup
	$(call EXAMPLE_RUN,django)

bench: setup
	$(PY) -m pip install --quiet --group bench
	$(PY) -m benchmarks

# Material for MkDocs prints a notice about MkDocs 2 on every build; the build stays strict.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict

# sdist and wheel (built from the sdist) into dist/; tests/unit/test_wheel.py builds the same way.
dist: $(STAMP)
	rm -rf dist
	$(PY) -m build --outdir dist .

wheel-test: $(STAMP)
	$(PY) -m pytest tests/unit/test_wheel.py

clean:
	rm -rf $(VENV) build dist site .pytest_cache .mypy_cache .ruff_cache

# Every target that needs the environment depends on it, so each works on a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
KEYCLOAK_VERSION ?= 26.7.3
export KEYCLOAK_VERSION

.PHONY: setup chromium example-flask example-starlette example-fastapi example-django test test-smoke test-admin-smoke admin-coverage test-unit test-integration lint generate spec spec-admin spec-diff keycloak-fetch \
        keycloak-up keycloak-down demo bench docs wheel-test clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=25.1"
	$(PY) -m pip install --quiet --group dev -e ".[flask,starlette,fastapi,django]"
	touch $(STAMP)

setup: $(STAMP) keycloak-fetch chromium

# The browser tests drive the system Chromium (Debian's package); as root we install it.
chromium:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "browser tests need Chromium: sudo apt-get install chromium"; fi; }

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

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m tools.typecheck

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

example-flask: setup
	$(PY) -m examples.flask_app

example-starlette: setup
	$(PY) -m examples.starlette_app

example-fastapi: setup
	$(PY) -m examples.fastapi_app

example-django: setup
	$(PY) -m examples.django_app

bench: setup
	$(PY) -m pip install --quiet --group bench
	$(PY) -m benchmarks

docs: $(STAMP)
	$(PY) -m mkdocs build --strict

wheel-test: $(STAMP)
	$(PY) -m pytest tests/unit/test_wheel.py

clean:
	rm -rf $(VENV) build dist site .pytest_cache .mypy_cache .ruff_cache

# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CHROMIUM := /usr/bin/chromium
LINT_PATHS := server signaling policy tests bench

.PHONY: setup lock run test lint format bench browser screenshots clean

LOCK := requirements.lock

# Installs exactly what the lock names, hash-checked; the project itself goes in editable, with
# no dependencies of its own and the locked build backend (no unpinned download anywhere).
$(STAMP): $(LOCK) pyproject.toml
	@echo "setup: creating $(VENV) and installing the locked packages (about a minute the first time)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --progress-bar on --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

setup: $(STAMP)

## Refresh the lock from the ranges in pyproject.toml: the only way package versions change.
lock: setup
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
	  --upgrade --quiet --custom-compile-command "make lock" -o $(LOCK)
	$(BIN)/pip install --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

## Start the server on http://127.0.0.1:8080 with the demo organisations (SQLite, in-process bus).
## Plain HTTP on this machine only: cookies without Secure, passkeys for http://localhost:8080.
run: export HOPCHIBO_SERVER_INSECURE_COOKIES ?= true
run: export HOPCHIBO_SERVER_PUBLIC_ORIGIN ?= http://localhost:8080
run: export HOPCHIBO_SERVER_ALLOWED_ORIGINS ?= http://127.0.0.1:8080
run: export HOPCHIBO_SECURITY_RP_ID ?= localhost
run: setup
	$(BIN)/hopchibo db upgrade
	$(BIN)/hopchibo demo
	$(BIN)/hopchibo serve

## Debian's Chromium for the browser tests (never a downloaded browser).
browser:
	@test -x $(CHROMIUM) || { echo "installing Debian chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@test -x $(CHROMIUM) || { echo "ERROR: $(CHROMIUM) is missing and could not be installed" >&2; exit 1; }

lint: setup
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format $(LINT_PATHS)
	$(BIN)/ruff check --fix $(LINT_PATHS)

## The whole suite: lint, then every test (PostgreSQL and Redis too when their URLs are set).
test: setup browser lint
	$(BIN)/pytest

## Refresh the screenshots in docs/screenshots from the browser tests (tests write them to a
## temporary folder otherwise, so `make test` leaves the tree clean).
screenshots: setup browser
	HOPCHIBO_SCREENSHOT_DIR=$(CURDIR)/docs/screenshots $(BIN)/pytest -q tests/e2e tests/records/test_officer_browser.py

bench: setup
	@command -v janus >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq janus >/dev/null; }
	$(BIN)/python bench/gate.py
	$(BIN)/python bench/crypto.py
	$(BIN)/python -m bench.relay

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache

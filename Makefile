# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The tests that reason about calendar dates, run again with the system clock a year ahead and a
# year back (libfaketime; the monotonic clock stays real so timeouts keep their length).
DATE_TESTS := tests/policy tests/server/app tests/server/conduct tests/server/records
DATE_SHIFTS := +365d -365d
# not about dates, and its server process does not start under libfaketime
DATE_NOT := --ignore=tests/server/app/test_schemathesis.py
LINT_PATHS := server signaling policy tests bench

.PHONY: setup lock run test test-dates lint lint-js node format bench tools browser faketime screenshots clean

LOCK := requirements.lock
BOOTSTRAP_LOCK := requirements-bootstrap.lock

# Installs exactly what the lock names, hash-checked: pip brings the locked uv, uv syncs the venv
# to the lock (seconds rather than a minute), then the project goes in editable with no
# dependencies of its own and the locked build backend (no unpinned download anywhere).
$(STAMP): $(LOCK) $(BOOTSTRAP_LOCK) pyproject.toml
	@echo "setup: creating $(VENV) from $(LOCK) (hash-checked)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r $(BOOTSTRAP_LOCK)
	$(BIN)/uv pip sync --python $(BIN)/python --require-hashes $(LOCK)
	$(BIN)/uv pip install --python $(BIN)/python --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

setup: $(STAMP)

## Refresh the lock from the ranges in pyproject.toml: the only way package versions change.
lock: setup
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
	  --upgrade --quiet --custom-compile-command "make lock" -o $(LOCK)
	grep -o '^uv==[^ ]*' $(LOCK) | $(BIN)/uv pip compile - --generate-hashes --python-version 3.11 \
	  --quiet --no-header -o $(BOOTSTRAP_LOCK)
	rm -f $(STAMP)
	$(MAKE) --no-print-directory setup

## Start the server on http://127.0.0.1:8080 with the demo organisations (SQLite, in-process bus).
## Plain HTTP on this machine only: cookies without Secure, passkeys for http://localhost:8080.
run: export HOPCHIBO_SERVER_INSECURE_COOKIES ?= true
run: export HOPCHIBO_SERVER_PUBLIC_ORIGIN ?= http://localhost:8080
run: export HOPCHIBO_SERVER_ALLOWED_ORIGINS ?= http://127.0.0.1:8080
run: export HOPCHIBO_SECURITY_RP_ID ?= localhost
run: setup
	$(BIN)/hopchibo demo
	$(BIN)/hopchibo serve

## Debian's packages the tests drive for real: Chromium and Firefox ESR (never a downloaded
## browser), libfaketime (the date-shift check), coturn (the TURN test) and nginx (the fail-over
## test runs deploy/nginx/hopchibo.conf in front of two server processes).
DEBIAN_TOOLS := /usr/bin/chromium:chromium /usr/bin/firefox-esr:firefox-esr \
  /usr/bin/faketime:faketime /usr/bin/turnserver:coturn /usr/sbin/nginx:nginx
tools:
	@missing=""; for pair in $(DEBIAN_TOOLS); do \
	  test -x "$${pair%%:*}" || missing="$$missing $${pair##*:}"; done; \
	if [ -n "$$missing" ]; then echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi; \
	for pair in $(DEBIAN_TOOLS); do test -x "$${pair%%:*}" || \
	  { echo "ERROR: $${pair%%:*} is missing and could not be installed" >&2; exit 1; }; done

browser faketime: tools

# The browser client's tooling from the npm registry, exactly as package-lock.json names it
# (eslint for `make lint`, axe-core for the browser tests); `npm ci` again when the lock changes.
NODE_STAMP := node_modules/.ci-stamp

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "ERROR: npm is missing (Debian: apt-get install nodejs npm)" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

node: $(NODE_STAMP)

## eslint over the web client (browser ES modules, eslint.config.js).
lint-js: node
	npx --no-install eslint web_client/js eslint.config.js

lint: setup lint-js
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/mypy
	$(BIN)/python -m tests.layering

format: setup
	$(BIN)/ruff format $(LINT_PATHS)
	$(BIN)/ruff check --fix $(LINT_PATHS)

## The whole suite: lint, every test (PostgreSQL and Redis too when their URLs are set), then
## the date-sensitive tests again a year ahead and a year back.
test: setup node tools lint
	$(BIN)/pytest
	$(MAKE) --no-print-directory test-dates

## No test may depend on today's date: the date-sensitive tests pass with the clock shifted.
test-dates: setup tools
	@for shift in $(DATE_SHIFTS); do \
	  echo "date-shift check: system clock $$shift"; \
	  FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "$$shift" \
	    $(BIN)/pytest -q -p no:cacheprovider -m "not browser" $(DATE_NOT) $(DATE_TESTS) || exit 1; \
	done

## Refresh the screenshots in docs/screenshots from the browser tests (tests write them to a
## temporary folder otherwise, so `make test` leaves the tree clean).
screenshots: setup node tools
	HOPCHIBO_SCREENSHOT_DIR=$(CURDIR)/docs/screenshots $(BIN)/pytest -q tests/web_client tests/server/records/test_officer_browser.py

bench: setup
	@command -v janus >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq janus >/dev/null; }
	$(BIN)/python bench/gate.py
	$(BIN)/python bench/crypto.py
	$(BIN)/python -m bench.relay

clean:
	rm -rf $(VENV) node_modules var .mypy_cache .ruff_cache .pytest_cache

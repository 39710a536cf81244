# WageGuard: `make run` serves the app with demo data; `make test` runs lint and every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The demo data set describes the situation on this day.
DEMO_DAY ?= 2026-11-30
# Monitors runs at the ends of the months before it, so the overview has trends to show.
DEMO_HISTORY_MONTHS ?= 5

.PHONY: run serve-demo test test-later test-lowest lint install demo bench clean pdf-packages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The demo's e-mail goes to a local SMTP sink that keeps every message as a file.
MAIL_DIR := var/mail
SINK_PORT ?= 8025
# `make run PORT=8001` serves on another port. Run again while the app is up, it says so
# (exit status 0) instead of loading the demo a second time and failing on a taken port.
PORT ?= 8000

run: $(STAMP) pdf-packages
	@$(BIN)/wageguard port-check --port $(PORT) && $(MAKE) --no-print-directory serve-demo \
	  || test $$? = 3

serve-demo:
	$(BIN)/wageguard migrate
	$(BIN)/wageguard demo --as-of $(DEMO_DAY)
	$(BIN)/wageguard monitors run --as-of $(DEMO_DAY) --months-before $(DEMO_HISTORY_MONTHS)
	$(BIN)/wageguard demo-casework --as-of $(DEMO_DAY)
	@mkdir -p $(MAIL_DIR)
	$(BIN)/python -m service.notifications.sink --port $(SINK_PORT) --dir $(MAIL_DIR) & \
	  echo "demo e-mail is delivered to a local sink: read it in $(MAIL_DIR)/"; \
	  WAGEGUARD_MAIL_SENDER_ENABLED=true WAGEGUARD_SMTP_PORT=$(SINK_PORT) \
	  WAGEGUARD_MAIL_BASE_URL=http://127.0.0.1:$(PORT) \
	  $(BIN)/wageguard serve --host 127.0.0.1 --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check service monitors tests bench
	$(BIN)/ruff format --check service monitors tests bench
	$(BIN)/mypy

# Debian's chromium for the browser tests (Playwright drives it; no browser download),
# with CJK fonts so screenshots of the Chinese pages are readable.
CHROMIUM := /usr/bin/chromium
BROWSER_PACKAGES := chromium fonts-noto-cjk
$(CHROMIUM):
	apt-get install -y -q $(BROWSER_PACKAGES) \
	  || (apt-get update -q && apt-get install -y -q $(BROWSER_PACKAGES))

# axe-core, the accessibility engine the browser tests inject into every page (from npm, into
# var/node; the tests fail with this advice when it is missing).
AXE := var/node/node_modules/axe-core/axe.min.js
$(AXE):
	command -v npm >/dev/null || apt-get install -y -q npm || (apt-get update -q && apt-get install -y -q npm)
	npm install --prefix var/node --no-audit --no-fund axe-core@4.14.1

# The printable reports (WeasyPrint): Pango lays out the text; HarfBuzz's subsetter embeds the
# CJK font in about a second (without it fontTools takes a minute per PDF); Noto CJK is the font.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk
pdf-packages:
	@dpkg -s $(PDF_PACKAGES) >/dev/null 2>&1 || apt-get install -y -q $(PDF_PACKAGES) \
	  || (apt-get update -q && apt-get install -y -q $(PDF_PACKAGES))

# Two passes: the tests spread over the cores (pytest-xdist; each worker copies its own
# databases), then, alone, the tests that time themselves or flood a server. CI (.ci/run)
# then runs a subset against the lowest versions pyproject.toml allows (test-lowest, below).
# One worker more than the cores: a worker spends part of its time waiting on PostgreSQL,
# chromium or a child process (on 2 cores, back to back: 2 workers 628 s, 3 workers 539 s).
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
test: $(STAMP) $(CHROMIUM) $(AXE) pdf-packages lint
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist worksteal -m "not serial" --durations=30 \
	  --junitxml=var/test-times.xml
	$(BIN)/pytest -q -m serial

# The parallel pass as if run DAYS_AHEAD days later (tests/days_ahead.py): finds the tests that
# would fail on a later day. The test process's clocks only; not part of `make test`.
DAYS_AHEAD ?= 10
test-later: $(STAMP) $(CHROMIUM) $(AXE) pdf-packages
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist worksteal -m "not serial" --days-ahead $(DAYS_AHEAD)

# The same tests against the lowest versions pyproject.toml allows, so its lower bounds stay
# true; CI runs it after `make test` (it checks the versions, not the code again). A second
# venv, made anew each time, resolved by uv with --resolution lowest-direct (from PyPI; uv's
# cache makes a second run quick). A subset that touches every dependency in
# a few minutes: everything but the browser tests on SQLite, the migrations on PostgreSQL too
# (psycopg, alembic), and one browser file (playwright). The timed tests (serial) are left to
# `make test`: they measure the machine, not the versions.
LOWEST := .venv-lowest
LOWEST_TESTS := -m "not serial" -k "(not postgresql or migration) and (not browser or test_browser_basics)"

test-lowest: $(STAMP) $(CHROMIUM) $(AXE) pdf-packages
	$(BIN)/pip install --quiet 'uv>=0.5'
	rm -rf $(LOWEST)
	$(BIN)/python -m uv venv --quiet --python $(PYTHON) $(LOWEST)
	$(BIN)/python -m uv pip install --quiet --python $(LOWEST)/bin/python \
	  --resolution lowest-direct -e '.[test]'
	$(LOWEST)/bin/pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist worksteal $(LOWEST_TESTS)

bench: $(STAMP)
	$(BIN)/python bench/import_bench.py

clean:
	rm -rf var/wageguard.db* var/demo $(LOWEST)

# WageGuard: `make run` serves the app with demo data; `make test` runs lint and every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The demo data set describes the situation on this day.
DEMO_DAY ?= 2026-11-30

.PHONY: run test lint install demo bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The demo's e-mail goes to a local SMTP sink that keeps every message as a file.
MAIL_DIR := var/mail
SINK_PORT := 8025

run: $(STAMP)
	$(BIN)/wageguard migrate
	$(BIN)/wageguard demo --as-of $(DEMO_DAY)
	$(BIN)/wageguard monitors run --as-of $(DEMO_DAY)
	@mkdir -p $(MAIL_DIR)
	$(BIN)/python -m service.notifications.sink --port $(SINK_PORT) --dir $(MAIL_DIR) & \
	  echo "demo e-mail is delivered to a local sink: read it in $(MAIL_DIR)/"; \
	  WAGEGUARD_MAIL_SENDER_ENABLED=true WAGEGUARD_SMTP_PORT=$(SINK_PORT) \
	  $(BIN)/wageguard serve --host 127.0.0.1 --port 8000

lint: $(STAMP)
	$(BIN)/ruff check service monitors tests bench
	$(BIN)/ruff format --check service monitors tests bench

# Debian's chromium for the browser tests (Playwright drives it; no browser download),
# with CJK fonts so screenshots of the Chinese pages are readable.
CHROMIUM := /usr/bin/chromium
BROWSER_PACKAGES := chromium fonts-noto-cjk
$(CHROMIUM):
	apt-get install -y -q $(BROWSER_PACKAGES) \
	  || (apt-get update -q && apt-get install -y -q $(BROWSER_PACKAGES))

test: $(STAMP) $(CHROMIUM) lint
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python bench/import_bench.py

clean:
	rm -rf var/wageguard.db* var/demo

# Worklog: `make run` sets everything up and serves the app; `make test` runs the whole suite.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

HOST ?= 127.0.0.1
PORT ?= 8000
# `make serve`'s gunicorn for the open tabs' state checks, which the proxy sends there.
STATE_CHECK_PORT ?= $(shell echo $$(( $(PORT) + 1 )))
# uv from PATH, or installed into the selected Python (see .python-version) on first use.
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
PY := $(UV) run --locked python
WORKERS ?= $(shell echo $$(( $$(nproc) * 2 + 1 )))

.PHONY: help
help:
	@echo "make run     install, migrate SQLite, load demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test    install what the tests need (incl. Chromium) and run the whole suite"
	@echo "make serve   production server: gunicorn on PORT, its state checks' on PORT+1 (needs SECRET_KEY, DEBUG=0)"
	@echo "make bench   benchmarks on PostgreSQL (see README, Performance)"
	@echo "make fuzz    the JSON API under a schema fuzzer, ten minutes (see README, Fuzzing the API)"
	@echo "make lint    ruff, and a check that no migration is missing"

.PHONY: uv
uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

.PHONY: install
install: uv
	$(UV) sync --locked
	npm install --no-audit --no-fund --loglevel=error
	npm run --silent build

.PHONY: run
run: install
	DEBUG=1 $(PY) manage.py migrate --no-input
	DEBUG=1 $(PY) manage.py load_demo_data
	DEBUG=1 $(PY) manage.py purge_idempotency_keys --schedule
	DEBUG=1 $(PY) manage.py check_forgotten_timers --schedule
	DEBUG=1 $(PY) manage.py send_week_reminders --schedule
	@echo ""
	@echo "  Worklog is running at http://$(HOST):$(PORT)/  (stop with Ctrl-C)"
	@echo ""
	@DEBUG=1 .venv/bin/python manage.py db_worker --no-reload --interval 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null || true' EXIT INT TERM; \
	DEBUG=1 .venv/bin/python manage.py runserver $(HOST):$(PORT)

# Finds a Chromium for the browser tests: $$CHROMIUM_PATH, Debian's chromium (installed when
# missing and we are root), or a browser Playwright installed earlier.
.PHONY: browser
browser:
	@if [ -n "$${CHROMIUM_PATH:-}" ] && [ -x "$${CHROMIUM_PATH}" ]; then exit 0; fi; \
	if command -v chromium >/dev/null 2>&1; then exit 0; fi; \
	if ls $${HOME}/.cache/ms-playwright/chromium-*/chrome-linux*/chrome >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		exit 0; \
	fi; \
	echo "No Chromium found for the browser tests. Install Debian's 'chromium' package, or set" >&2; \
	echo "CHROMIUM_PATH to a Chromium or Chrome binary, then run 'make test' again." >&2; \
	exit 1

# Debian's PgBouncer, for the test that the app works behind it in transaction mode (installed
# when missing and we are root; otherwise that test is skipped and says why).
.PHONY: pgbouncer
pgbouncer:
	@if command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ]; then exit 0; fi; \
	if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's pgbouncer for the connection-pooling tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null; \
	fi

.PHONY: test
test: install browser pgbouncer
	$(UV) run --locked pytest -n auto $(PYTEST_ARGS)

.PHONY: lint
lint: uv
	$(UV) run --locked ruff check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

# Benchmarks on the local PostgreSQL (BENCH_DATABASE_URL names a database it drops and creates).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/worklog_bench
.PHONY: bench
bench: install
	$(UV) run --locked python -m bench.run --database-url $(BENCH_DATABASE_URL) $(BENCH_ARGS)

# The API schema fuzzer on the local PostgreSQL (FUZZ_DATABASE_URL names a database it drops and
# creates); the server listens on 127.0.0.1 only.
FUZZ_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/worklog_fuzz
FUZZ_SECONDS ?= 600
.PHONY: fuzz
fuzz: install
	$(UV) run --locked python -m fuzz.run --database-url $(FUZZ_DATABASE_URL) --seconds $(FUZZ_SECONDS) $(FUZZ_ARGS)

.PHONY: serve
serve: install
	$(PY) manage.py collectstatic --no-input -v0
	$(PY) manage.py migrate --no-input
	$(PY) manage.py purge_idempotency_keys --schedule
	$(PY) manage.py check_forgotten_timers --schedule
	$(PY) manage.py send_week_reminders --schedule
	@# The workers add up their metrics in a directory of their own (see README, Scaling). The
	@# state checks' gunicorn answers GET /timer/state/ for the proxy in front (README, The
	@# proxy in front); it logs no access, as every open tab asks twice a minute. When either
	@# gunicorn ends, everything ends: a proxy would otherwise send its requests to nothing.
	@export PROMETHEUS_MULTIPROC_DIR=$${PROMETHEUS_MULTIPROC_DIR:-$$(mktemp -d)}; \
	.venv/bin/python manage.py db_worker --no-reload & worker=$$!; \
	.venv/bin/gunicorn config.wsgi:application --config config/gunicorn_state_checks.conf.py \
		--bind $(HOST):$(STATE_CHECK_PORT) --error-logfile - & checks=$$!; \
	.venv/bin/gunicorn config.wsgi:application --config config/gunicorn.conf.py \
		--bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile - --error-logfile - & app=$$!; \
	trap 'kill $$worker $$checks $$app 2>/dev/null || true' EXIT INT TERM; \
	wait -n $$checks $$app

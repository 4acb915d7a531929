# Lianxin — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Django 6 needs Python >= 3.12: a python3.13/3.12 on PATH, else pyenv's; uv must not download one.
PYTHON ?= $(shell for v in 3.13 3.12; do p=$$(command -v python$$v 2>/dev/null) && $$p -c 'import sys' 2>/dev/null && { echo $$p; exit; }; done; \
	r=$$(pyenv root 2>/dev/null || echo $$HOME/.pyenv); for v in 3.13 3.12; do p=$$(ls -d $$r/versions/$$v*/bin/python3 2>/dev/null | sort -V | tail -1); [ -n "$$p" ] && { echo $$p; exit; }; done)
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
UV := $(shell command -v uv 2>/dev/null || echo $$HOME/.local/bin/uv)
PY := .venv/bin/python
BENCH ?=
PYTEST_ARGS ?=

.PHONY: help check-python uv install assets browser-deps db-deps run seed test test-sqlite test-pg bench lint worker

help:
	@echo "make run    — install, migrate, load the demo district, serve http://127.0.0.1:8000"
	@echo "make test   — the whole suite on SQLite, then the database-sensitive half on PostgreSQL"
	@echo "make bench  — benchmarks on PostgreSQL (BENCH=name for one)"
	@echo "make worker — the background task worker (manage.py db_worker)"

check-python:
	@if [ -z "$(PYTHON)" ]; then echo "需要 Python 3.12 或 3.13（Django 6 要求）：未在 PATH 或 pyenv 中找到" >&2; exit 1; fi

uv: check-python
	@command -v uv >/dev/null 2>&1 || [ -x "$(UV)" ] || python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv

install: uv
	@$$(command -v uv || echo $(UV)) sync --frozen --quiet
	@$(MAKE) --no-print-directory assets

# Front-end packages (htmx, ECharts) come from npm, pinned in package-lock.json, copied into build/static.
assets:
	@if [ ! -f build/static/vendor/.stamp ] || [ package-lock.json -nt build/static/vendor/.stamp ]; then \
	  npm ci --no-audit --no-fund --loglevel=error && \
	  mkdir -p build/static/vendor && \
	  cp node_modules/htmx.org/dist/htmx.min.js build/static/vendor/htmx.min.js && \
	  cp node_modules/echarts/dist/echarts.min.js build/static/vendor/echarts.min.js && \
	  touch build/static/vendor/.stamp; fi

# Debian chromium + CJK fonts for the browser tests; never a browser download.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi 'noto.*cjk'; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; fi

# PostgreSQL server binaries for the PostgreSQL half of the tests and the benchmarks.
db-deps:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; fi

var/local.env:
	@$(PYTHON) scripts/local_env.py var/local.env

run: install var/local.env
	@$(PYTHON) scripts/local_env.py var/local.env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py seed_demo --if-empty
	$(PY) scripts/run_local.py --insecure 127.0.0.1:8000

worker: install var/local.env
	$(PY) manage.py db_worker

test: install browser-deps db-deps
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-pg

# The suite runs on every core (pytest-xdist, one worker per core, each with its own test database, media
# directory and browser). Tests are dealt out one by one (--dist load): --dist loadfile would seed the demo crawls
# once per module, but it runs an item once per node id, and the API fuzz test's 46 operation items share one.
# JOBS=1 runs it in a single process.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
XDIST = $(if $(filter 1,$(JOBS)),,-n $(JOBS) --dist load)

test-sqlite:
	$(PY) -m pytest -q $(XDIST) -m "not pgonly" $(PYTEST_ARGS)

test-pg:
	$(PY) scripts/with_postgres.py -- $(PY) -m pytest -q $(XDIST) -m "pg or pgonly" $(PYTEST_ARGS)

bench: install db-deps
	$(PY) scripts/with_postgres.py -- $(PY) -m benchmarks $(BENCH)

lint: install
	.venv/bin/ruff check lianxin benchmarks scripts

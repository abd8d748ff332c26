# The two commands a new user needs: `make run` and `make test`. Everything installs itself.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION ?= 0.13.9
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export UV_COMPILE_BYTECODE := 1
export UV_LINK_MODE := copy

.PHONY: help install browser run ui docs audit test lint format bench quality chaos snapshot report export clean

help:
	@echo "make run       install, then run the pipeline through Dagster on the offline snapshot"
	@echo "make ui        the Dagster UI on http://127.0.0.1:3000 (PORT=3001 for another port)"
	@echo "make docs      dbt docs and the Data Docs of the published warehouse on http://127.0.0.1:8580"
	@echo "make audit     publication-completeness and FOI reconciliation audit (data/audit/)"
	@echo "make test      install, then run the whole offline test suite"
	@echo "make lint      ruff (lint + format check) and sqlfluff"
	@echo "make bench     benchmark scripts (figures printed, not asserted)"
	@echo "make chaos     the heavier fault cases (kill -9, concurrent runs, faults, bad files): a tally"
	@echo "make quality   precision/recall of recipient, area and theme rules on labelled samples"
	@echo "make snapshot  serve the offline judiciary.uk replica for a person to browse"
	@echo "make report    HTML report for NHS mental health trusts (reports/mental-health-trusts.html)"
	@echo "make export    every mart to Parquet and CSV with a data dictionary (export/)"

# uv itself comes from PyPI; the lock file pins everything else.
$(STAMP): pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv==$(UV_VERSION)"
	$(PYTHON) -m uv sync --frozen --extra dev --compile-bytecode
	@touch $(STAMP)

install: $(STAMP)

# Browser tests (Dagster UI, Data Docs, the analyst report) drive Debian's headless Chromium.
# Installed when missing and possible; without it those tests skip and say why.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "chromium could not be installed: browser tests will be skipped"; \
	  else echo "chromium not found and cannot be installed here: browser tests will be skipped"; fi; }

# make run V=1: every Dagster event (DEBUG) instead of INFO.
run: install
	$(BIN)/pfdw run $(if $(V),-v)

# make ui PORT=3001: another port.
ui: install
	$(BIN)/pfdw ui --port $(or $(PORT),3000)

# make docs PORT=8600: another port.
docs: install
	$(BIN)/pfdw docs --port $(or $(PORT),8580)

audit: install
	$(BIN)/pfdw audit run

# Two pytest-xdist workers (TEST_WORKERS=0 runs in one process); tests/conftest.py sends whole
# test files to a worker, and the files of the shared Dagster runs to the same one.
TEST_WORKERS ?= 2
test: install browser
	$(BIN)/python -m pytest $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS))

# sqlfluff's dbt templater compiles the project, which needs a warehouse file it can open.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PFDW_WAREHOUSE_PATH="$$(mktemp -d)/lint.duckdb" $(BIN)/sqlfluff lint dbt_project

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/pfdw bench

chaos: install
	$(BIN)/pfdw bench chaos

quality: install
	$(BIN)/pfdw quality

snapshot: install
	$(BIN)/pfdw snapshot serve --port 8765

report: install
	$(BIN)/pfdw report --org-type mental_health_trust --out reports/mental-health-trusts.html

export: install
	$(BIN)/pfdw export --out export

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache dbt_project/target dbt_project/logs

# The two README commands are `make demo` and `make test`; the rest are for developers.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DAGSTER_DISABLE_TELEMETRY := 1
export BANKPROFILE_DATA_DIR ?= $(CURDIR)/data

# make demo CUSTOMERS=... MONTHS=...; make bench CUSTOMERS=... (defaults differ per target)
SEED ?= 42

.PHONY: venv demo test ui lint bench clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: venv
	$(BIN)/bankprofile generate --customers $(or $(CUSTOMERS),10000) --months $(or $(MONTHS),24) --seed $(SEED)
	$(BIN)/bankprofile build

test: venv
	$(BIN)/pytest

ui: venv
	$(BIN)/bankprofile ui

bench: venv
	$(BIN)/python -m orchestration.benchmark --customers $(or $(CUSTOMERS),100000) --months $(or $(MONTHS),12) --seed $(SEED)

lint: venv
	$(BIN)/ruff check orchestration tests
	$(BIN)/ruff format --check orchestration tests

clean:
	rm -rf $(VENV) data dbt_project/target dbt_project/logs

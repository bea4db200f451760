# The two README commands are `make demo` and `make test`; the rest are for developers.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DAGSTER_DISABLE_TELEMETRY := 1
export BANKPROFILE_DATA_DIR ?= $(CURDIR)/data

# make demo CUSTOMERS=... MONTHS=...; make bench CUSTOMERS=... [BENCH_ARGS=--skip-floor]
SEED ?= 42

# make berka-report [BERKA=folder of the Berka files] [BERKA_DATA=data dir to build it in]
BERKA ?= $(CURDIR)/../shared/realdata/berka
BERKA_DATA ?= $(CURDIR)/data/berka

.PHONY: venv demo test ui lint bench berka-report clean

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
	$(BIN)/python -m orchestration.benchmark --customers $(or $(CUSTOMERS),100000) --months $(or $(MONTHS),12) --seed $(SEED) $(BENCH_ARGS)

# Every figure of docs/real-data-berka.md: ingest, build, then measure (report.md in the out dir).
berka-report: venv
	BANKPROFILE_DATA_DIR=$(BERKA_DATA) $(BIN)/bankprofile ingest berka --from $(BERKA)
	BANKPROFILE_DATA_DIR=$(BERKA_DATA) $(BIN)/bankprofile build
	$(BIN)/python -m orchestration.berka_report --from $(BERKA) --data-dir $(BERKA_DATA) \
		--out $(BERKA_DATA)/report

lint: venv
	$(BIN)/ruff check orchestration tests
	$(BIN)/ruff format --check orchestration tests

clean:
	rm -rf $(VENV) data dbt_project/target dbt_project/logs

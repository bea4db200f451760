"""The contract in Python, the dbt sources and the dbt vars must name the same things."""

from __future__ import annotations

import yaml

from orchestration.contract import LOAD_COLUMNS, TABLES, table
from orchestration.settings import DBT_PROJECT_DIR, duckdb_config, duckdb_threads

SOURCES_YML = DBT_PROJECT_DIR / "models/staging/core_banking/_core_banking__sources.yml"


def test_every_contract_table_is_a_dbt_source_with_the_same_columns():
    sources = yaml.safe_load(SOURCES_YML.read_text())["sources"][0]["tables"]
    declared = {source["name"]: [c["name"] for c in source["columns"]] for source in sources}
    expected = {t.name: t.column_names + [c.name for c in LOAD_COLUMNS] for t in TABLES}
    assert declared == expected


def test_dbt_var_lists_every_table_with_its_key():
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    keys = {name: list(key) for name, key in project["vars"]["core_banking_tables"].items()}
    assert keys == {t.name: list(t.key) for t in TABLES}


def test_every_table_has_a_base_and_a_staging_model():
    models = DBT_PROJECT_DIR / "models/staging/core_banking"
    for t in TABLES:
        assert (models / f"stg_core_banking__{t.name}.sql").exists(), t.name
        assert (models / "base" / f"base_core_banking__{t.name}.sql").exists(), t.name


def test_unknown_table_is_a_clear_error():
    try:
        table("customer")
    except KeyError as error:
        assert "customers" in str(error)
    else:
        raise AssertionError("an unknown table name must raise")


def test_python_and_dbt_connections_use_the_same_duckdb_settings():
    # the benchmark's floor is only a floor if it runs the models on dbt's engine settings
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())
    dbt_settings = profile["bankprofile"]["outputs"]["duckdb"]["config_options"]
    python_settings = duckdb_config()
    assert set(dbt_settings) == set(python_settings)
    for name, value in dbt_settings.items():
        if name == "memory_limit":  # both read BANKPROFILE_DUCKDB_MEMORY_LIMIT
            continue
        assert str(python_settings[name]).lower() == str(value).lower(), name


def test_dbt_shares_the_cores_among_the_models_it_builds_at_once(monkeypatch):
    # the steps' own values reach DuckDB: tests/test_pipeline_simulated.py reads the build's logs
    monkeypatch.delenv("BANKPROFILE_DUCKDB_THREADS", raising=False)
    for cores, dbt_threads, expected in [(2, 2, 1), (16, 2, 8), (2, 4, 1), (8, 1, 8)]:
        monkeypatch.setattr("os.cpu_count", lambda cores=cores: cores)
        monkeypatch.setenv("BANKPROFILE_DBT_THREADS", str(dbt_threads))
        assert duckdb_threads() == expected, (cores, dbt_threads)
        assert duckdb_threads(models_at_once=1) == cores  # the scored step's models
    monkeypatch.setenv("BANKPROFILE_DUCKDB_THREADS", "3")  # set by hand: kept
    assert duckdb_threads() == duckdb_threads(models_at_once=1) == 3

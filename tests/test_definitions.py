"""The Dagster graph a user sees in `make ui`: one Definitions, lineage landing -> BI."""

from __future__ import annotations

import importlib.metadata
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import dagster_dbt.core.resource
import duckdb
from dagster._core.storage.sql import create_engine
from dagster_dbt import DbtCliResource
from packaging import version

import orchestration.event_log
from orchestration.assets.dbt import BuildConfig, dbt_build, environment, is_transient
from orchestration.contract import TABLES
from orchestration.definitions import defs
from orchestration.event_log import SqliteEventLogStorageKeepingEngines
from orchestration.resources import WAREHOUSE_POOL, dbt_cli
from orchestration.settings import dagster_yaml_for


def asset_graph():
    return defs.resolve_asset_graph()


def test_lineage_runs_from_landing_through_raw_and_staging_to_publishing():
    graph = asset_graph()
    for table in TABLES:
        raw = dg.AssetKey(["raw", table.name])
        assert dg.AssetKey(["landing", table.name]) in graph.get(raw).parent_keys
        base = dg.AssetKey(["staging", f"base_core_banking__{table.name}"])
        assert raw in graph.get(base).parent_keys
    published = graph.get(dg.AssetKey(["published", "bi_database"]))
    assert dg.AssetKey(["staging", "stg_core_banking__reconciliation"]) in published.parent_keys


def test_assets_are_grouped_by_layer():
    groups = {node.key: node.group_name for node in asset_graph().asset_nodes}
    assert groups[dg.AssetKey(["landing", "customers"])] == "landing"
    assert groups[dg.AssetKey(["raw", "customers"])] == "raw"
    assert groups[dg.AssetKey(["staging", "stg_core_banking__customers"])] == "staging"
    assert groups[dg.AssetKey(["reference", "code_values"])] == "reference"
    assert groups[dg.AssetKey(["published", "bi_database"])] == "publishing"


def test_dbt_tests_are_asset_checks():
    checks = {key.name for key in asset_graph().asset_check_keys}
    assert "unique_stg_core_banking__customers_customer_id" in checks
    assert "assert_raw_rows_reconcile" in checks


def test_the_nightly_job_builds_everything_but_the_simulator_on_a_schedule():
    job = defs.resolve_job_def("build_all")
    selected = job.asset_layer.executable_asset_keys
    assert dg.AssetKey(["raw", "transactions"]) in selected
    assert dg.AssetKey(["published", "bi_database"]) in selected
    assert dg.AssetKey(["landing", "transactions"]) not in selected
    schedule = defs.resolve_schedule_def("nightly_build")
    assert schedule.job_name == "build_all"


def test_every_asset_that_writes_the_warehouse_shares_one_pool():
    writers = [
        node
        for node in asset_graph().asset_nodes
        if node.is_materializable and node.group_name != "landing"
    ]
    assert writers
    for node in writers:
        assert node.pools == {WAREHOUSE_POOL}, node.key


def test_only_a_locked_warehouse_makes_a_dbt_step_try_again(tmp_path):
    # The real message DuckDB gives a second process while this one writes the file.
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)):
        opened = subprocess.run(
            [sys.executable, "-c", f"import duckdb; duckdb.connect({str(warehouse)!r})"],
            capture_output=True,
            text=True,
        )
    assert opened.returncode != 0
    assert is_transient(RuntimeError(opened.stderr)), opened.stderr
    assert not is_transient(RuntimeError("Failure in test not_null_customer_360_customer_id"))
    assert not is_transient(RuntimeError("Runtime Error in model customer_features"))


def test_a_dbt_step_starts_dbt_once_and_never_asks_pypi(monkeypatch):
    # dagster-dbt would first start dbt for `dbt --version` (which asks pypi.org for the
    # newest release) and build a dbt adapter no asset reads; the resource skips both
    def no_dbt_version(command, *args, **kwargs):
        raise AssertionError(f"dbt started only for its version: {command}")

    monkeypatch.setattr(dagster_dbt.core.resource, "check_output", no_dbt_version)
    dbt = dbt_cli()
    assert dbt._cli_version == version.parse(importlib.metadata.version("dbt-core"))
    assert dbt._initialize_dbt_core_adapter(["build"]) is None
    assert Path(dbt.dbt_executable) == Path(sys.executable).with_name("dbt")
    # a dagster-dbt that renames either fails here rather than starting dbt twice again
    assert {"_cli_version", "_initialize_dbt_core_adapter"} <= set(vars(DbtCliResource))


class _FakeDbt:
    """Stands in for DbtCliResource: notes the DuckDB threads dbt would start with."""

    def __init__(self) -> None:
        self.duckdb_threads: list[str | None] = []

    def cli(self, args, context, target_path, raise_on_error):
        self.duckdb_threads.append(os.environ.get("BANKPROFILE_DUCKDB_THREADS"))
        return self

    def stream(self):
        return iter(())

    def get_error(self):
        return None


def test_each_dbt_step_runs_dbt_with_its_own_duckdb_threads(monkeypatch, tmp_path):
    # dagster-dbt starts dbt with a copy of os.environ: the setting must be there when the
    # step calls dbt, and the process's own environment as it was afterwards
    monkeypatch.setenv("BANKPROFILE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("BANKPROFILE_DUCKDB_THREADS", raising=False)
    monkeypatch.setenv("BANKPROFILE_DBT_THREADS", "2")
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    context = SimpleNamespace(op_def=SimpleNamespace(name="a_dbt_step"))
    dbt = _FakeDbt()
    list(dbt_build(context, dbt, BuildConfig()))  # the first step: two models at once
    list(dbt_build(context, dbt, BuildConfig(), models_at_once=1))  # the scored step
    assert dbt.duckdb_threads == ["1", "2"]
    assert "BANKPROFILE_DUCKDB_THREADS" not in os.environ
    monkeypatch.setenv("BANKPROFILE_DUCKDB_THREADS", "3")  # set by hand: every step keeps it
    list(dbt_build(context, dbt, BuildConfig(), models_at_once=1))
    assert dbt.duckdb_threads[-1] == "3"
    with environment(BANKPROFILE_DUCKDB_THREADS="2"):
        pass
    assert os.environ["BANKPROFILE_DUCKDB_THREADS"] == "3"


def test_the_event_log_builds_one_engine_per_database(monkeypatch, tmp_path):
    # Dagster's own SQLite event log builds an engine for every event it writes and every
    # table it looks up; the instance's dagster.yaml names the storage that keeps them
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(dagster_yaml_for(home))
    engines: list[str] = []

    def counted(conn_string, **kwargs):
        engines.append(conn_string.rsplit("/", 1)[-1])
        return create_engine(conn_string, **kwargs)

    monkeypatch.setattr(orchestration.event_log, "create_engine", counted)

    @dg.asset(check_specs=[dg.AssetCheckSpec("positive", asset="numbers")])
    def numbers():
        yield dg.Output([1, 2])
        yield dg.AssetCheckResult(passed=True)

    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert isinstance(instance.event_log_storage, SqliteEventLogStorageKeepingEngines)
        run_ids = []
        for _ in range(2):
            result = dg.materialize([numbers], instance=instance)
            assert result.success
            assert instance.all_logs(result.run_id)  # the run's events are stored
            run_ids.append(result.run_id)
        checks = instance.event_log_storage.get_asset_check_execution_history(
            dg.AssetCheckKey(dg.AssetKey("numbers"), "positive"), limit=5
        )
    # two runs, each dozens of events and an asset check: one engine per run database and
    # one for the index, which also answers the table look-ups
    assert sorted(engines) == sorted(["index.db", *(f"{run_id}.db" for run_id in run_ids)])
    assert [check.status.value for check in checks] == ["SUCCEEDED", "SUCCEEDED"]


def test_the_event_log_is_readable_while_open_and_in_its_file_once_closed(tmp_path):
    # the storage keeps its connections open and syncs at checkpoints only: disposing of the
    # instance checkpoints a run's file, which the Dagster UI watches for changes, and another
    # reader (the UI) sees every event of a run while the connections are open
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(dagster_yaml_for(home))
    runs = home / "history" / "runs"

    @dg.asset
    def numbers():
        return [1, 2]

    with dg.DagsterInstance.from_config(str(home)) as instance:
        run_id = dg.materialize([numbers], instance=instance).run_id
        written = len(instance.all_logs(run_id))
    # immutable: the database file alone, as if no write-ahead log were beside it
    with closing(sqlite3.connect(f"file:{runs / run_id}.db?immutable=1", uri=True)) as con:
        assert con.execute("select count(*) from event_logs").fetchone()[0] == written
    assert written > 10

    with dg.DagsterInstance.from_config(str(home)) as instance:
        run_id = dg.materialize([numbers], instance=instance).run_id
        reader = SqliteEventLogStorageKeepingEngines(str(runs))
        assert len(reader.get_records_for_run(run_id).records) == len(instance.all_logs(run_id))
        reader.dispose()

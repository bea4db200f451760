"""dbt models as Dagster assets, grouped by folder; dbt tests become asset checks."""

import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.resources import WAREHOUSE_POOL, dbt_project
from orchestration.settings import data_paths, duckdb_threads

# dbt sources written by Python assets (the fitted scorecard, the propensity models): their
# asset key is [source_name, table], the key the Python asset materializes.
PYTHON_MODEL_SOURCES = ("risk_model", "marketing_model")


class BuildConfig(dg.Config):
    full_refresh: bool = False  # rebuild incremental models from all of raw
    dbt_vars: str = ""  # YAML/JSON passed to --vars, e.g. '{as_of_date: 2026-06-30}'


class BankProfileTranslator(DagsterDbtTranslator):
    """Sources are assets the Python side writes; models group by their folder."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            # raw tables come from the loader; the fitted scorecard from the Python asset
            if dbt_resource_props["source_name"] in PYTHON_MODEL_SOURCES:
                source = dbt_resource_props["source_name"]
                return dg.AssetKey([source, dbt_resource_props["name"]])
            return dg.AssetKey(["raw", dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "seed":
            return "reference"
        if resource_type == "source":
            return "raw"
        fqn = dbt_resource_props["fqn"]  # [project, folder, subfolder, ..., model]
        if len(fqn) > 3 and fqn[1] == "marts":
            return fqn[2]
        return fqn[1] if len(fqn) > 2 else "default"


# Models that read a Python asset's output (and everything after them) run in a second dbt
# invocation, after the scorecard and propensity assets; the rest, seeds included, in one
# before. Two dbt_assets keep that to two dbt runs (one subsettable dbt_assets would be cut
# into a step per layer around the Python assets).
AFTER_PYTHON_MODELS = " ".join(f"source:{source}+" for source in PYTHON_MODEL_SOURCES)
DBT_ASSET_OPTIONS = dict(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=BankProfileTranslator(),
    pool=WAREHOUSE_POOL,
)
# Only a locked warehouse file is worth another try (another writer outside the pool, e.g. a
# notebook): a failing test or model fails the same way again, and a blanket retry policy
# restarted dbt while the failed one still held the lock, hiding the real error.
TRANSIENT_DBT_ERRORS = ("Could not set lock", "Conflicting lock")
LOCK_RETRIES, LOCK_RETRY_SECONDS = 2, 10


def is_transient(error: Exception) -> bool:
    return any(marker in str(error) for marker in TRANSIENT_DBT_ERRORS)


PARTIAL_PARSE_FILE = "partial_parse.msgpack"
# dagster-dbt sets DBT_LOG_FORMAT=json for the output it reads, and dbt applies it to its log
# file too: every debug event as JSON with its node's metadata, 30 MB for a build of the
# hand-made test set. The file keeps dbt's usual format for it, the same lines (the SQL
# included) in 2 MB, for people to read, and takes about 1 s less of the first step's CPU.
LOG_FILE_FORMAT = "debug"


def start_from_the_newest_parse(target_path: Path) -> None:
    """Give a dbt step the newest parse of the project that any step left in this data dir.

    dbt parses the whole project again (16-18 s here, against 7-8 s from a saved parse) when
    its target holds no parse made with the same profile and vars: each step in a new data
    dir, each step of a build given other --vars. The two steps of a build share both, so the
    second starts from the parse the first just left. dbt checks the copy as its own (files,
    profile, vars, environment) and parses again whatever changed since, or all of it."""
    parses = sorted(target_path.parent.glob(f"*/{PARTIAL_PARSE_FILE}"), key=os.path.getmtime)
    if parses and parses[-1].parent != target_path:
        target_path.mkdir(parents=True, exist_ok=True)
        shutil.copy2(parses[-1], target_path / PARTIAL_PARSE_FILE)


@contextmanager
def environment(**values: str) -> Iterator[None]:
    """os.environ with `values` set, restored after: dagster-dbt starts dbt with a copy of it."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def dbt_build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    config: BuildConfig,
    models_at_once: int | None = None,
):
    """`dbt build` of the asset's selection; DuckDB gets the cores shared out among the
    `models_at_once` (default: dbt's threads) unless BANKPROFILE_DUCKDB_THREADS says."""
    # dbt's run artifacts go with the data they describe, one folder per step, reused from
    # run to run (dagster-dbt's default is a new folder under dbt_project/target each time)
    target_path = data_paths().root / "dbt_target" / context.op_def.name
    start_from_the_newest_parse(target_path)
    # dbt's unit tests check the SQL on fixed inputs, seeds included: they cannot change
    # from night to night, so CI runs them (tests/test_pipeline_simulated.py), not the build
    args = ["build", "--exclude-resource-type", "unit_test"]
    if config.full_refresh:
        args.append("--full-refresh")
    if config.dbt_vars:
        args += ["--vars", config.dbt_vars]
    with environment(
        BANKPROFILE_DUCKDB_THREADS=str(duckdb_threads(models_at_once)),
        DBT_LOG_FORMAT_FILE=LOG_FILE_FORMAT,
    ):
        invocation = dbt.cli(args, context=context, target_path=target_path, raise_on_error=False)
    yield from invocation.stream()
    error = invocation.get_error()
    if error is None:
        return
    if is_transient(error):
        raise dg.RetryRequested(
            max_retries=LOCK_RETRIES, seconds_to_wait=LOCK_RETRY_SECONDS
        ) from error
    raise error


@dbt_assets(exclude=AFTER_PYTHON_MODELS, **DBT_ASSET_OPTIONS)
def bankprofile_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, config: BuildConfig
):
    yield from dbt_build(context, dbt, config)


@dbt_assets(select=AFTER_PYTHON_MODELS, **DBT_ASSET_OPTIONS)
def bankprofile_dbt_scored_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, config: BuildConfig
):
    # These models mostly wait for one another (scores, then decisions, then offers, then
    # the 360 view), so DuckDB gets every core, as one model alone would: at a million
    # customers this step took 51 and 54 s against 60 and 64 s with the cores shared out.
    yield from dbt_build(context, dbt, config, models_at_once=1)

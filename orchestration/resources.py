"""Dagster resources: where the data lives, and the dbt CLI."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from orchestration.settings import (
    DBT_PROJECT_DIR,
    SCRIPTS_DIR,
    SEEDS_DIR,
    DataPaths,
    data_paths,
    prepare_environment,
)

# The warehouse file has exactly one writer: every asset that writes it joins this pool,
# and the instance (dagster.yaml written by settings.prepare_environment) limits it to one.
WAREHOUSE_POOL = "duckdb_warehouse"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def manifest_is_stale(project: DbtProject) -> bool:
    """True when the manifest is missing or older than a dbt or seed file."""
    manifest = Path(project.manifest_path)
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [*DBT_PROJECT_DIR.rglob("*.sql"), *DBT_PROJECT_DIR.rglob("*.yml")]
    sources += [*SEEDS_DIR.glob("*.csv"), *SEEDS_DIR.glob("*.yml"), *DBT_PROJECT_DIR.rglob("*.md")]
    target = DBT_PROJECT_DIR / "target"
    return any(path.stat().st_mtime > built for path in sources if target not in path.parents)


def prepare_manifest(project: DbtProject) -> None:
    """Parse the dbt project when its manifest is missing or out of date."""
    if manifest_is_stale(project):
        project.preparer.prepare(project)


prepare_environment(data_paths())
prepare_manifest(dbt_project)


class DataDirResource(dg.ConfigurableResource):
    """The data directory (landing, truth, warehouse, published)."""

    data_dir: str

    @property
    def paths(self) -> DataPaths:
        return DataPaths(Path(self.data_dir))


class DbtCli(DbtCliResource):
    """dagster-dbt's dbt CLI resource, less two start-up steps no asset here needs.

    DbtCliResource.cli (dagster-dbt 0.29) first starts dbt one more time for `dbt --version`
    (once per build; it also asks pypi.org for the newest release), and before every dbt
    command builds a dbt adapter in this process (profile, project and every macro loaded)
    that only fetch_column_metadata and fetch_row_counts read; no asset here calls either
    (without the adapter they add no metadata: an asset that wants them needs it back).
    They held a build's first dbt step 6-9 s and its second 1.2-1.6 s before dbt started
    (docs/benchmarks-history.md).
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        # the executable is the dbt-core installed with this package (dbt_cli below)
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


def dbt_cli() -> DbtCli:
    # the dbt beside this Python (a venv's, active or not) is the dbt-core this package pins,
    # even when PATH has another; without one (e.g. a user-wide install), dbt on PATH
    beside = SCRIPTS_DIR / "dbt"
    return DbtCli(project_dir=dbt_project, dbt_executable=str(beside) if beside.exists() else "dbt")


def default_resources() -> dict[str, object]:
    return {"data": DataDirResource(data_dir=str(data_paths().root)), "dbt": dbt_cli()}

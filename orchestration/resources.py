"""Dagster resources: where the data lives, and the dbt CLI."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject

from orchestration.settings import (
    DBT_PROJECT_DIR,
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


def dbt_cli() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project)


def default_resources() -> dict[str, object]:
    return {"data": DataDirResource(data_dir=str(data_paths().root)), "dbt": dbt_cli()}

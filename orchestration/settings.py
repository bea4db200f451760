"""Where things live. Every path is built from the repository root or an environment
variable, never from the working directory, so dbt, Dagster and the CLI agree."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SEEDS_DIR = REPO_ROOT / "seeds"
# Where a venv keeps the console scripts installed with this package (dbt, dagster,
# bankprofile): beside its Python, whether or not the venv is active.
SCRIPTS_DIR = Path(sys.executable).parent

# Turn off usage tracking: the network here is closed, and a bank's would be too.
QUIET_ENVIRONMENT = {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DAGSTER_DISABLE_TELEMETRY": "1",
}

# The event log is Dagster's default (SQLite files under history/runs) written through
# orchestration.event_log, which keeps one engine per file; dagster_yaml_for fills in {runs}.
DAGSTER_YAML = """\
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
event_log_storage:
  module: orchestration.event_log
  class: SqliteEventLogStorageKeepingEngines
  config:
    base_dir: {runs}
"""


@dataclass(frozen=True)
class DataPaths:
    """The data directory and everything under it."""

    root: Path

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def truth(self) -> Path:
        return self.root / "truth"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def published(self) -> Path:
        return self.root / "published"

    @property
    def bi_database(self) -> Path:
        return self.published / "bi.duckdb"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"


def duckdb_config() -> dict[str, str]:
    """Settings for the Python side's own DuckDB connections (the dbt profile sets dbt's)."""
    return {
        "memory_limit": os.environ.get("BANKPROFILE_DUCKDB_MEMORY_LIMIT", "3GB"),
        # as in the dbt profile: bulk loads and copies need not keep row order (raw rows
        # carry their file and row number), which makes them faster and leaner
        "preserve_insertion_order": "false",
        # as in the dbt profile, so the benchmark's floor runs the models on the same engine
        "disabled_optimizers": "common_subplan",
    }


def dbt_threads() -> int:
    """Models dbt builds at once (BANKPROFILE_DBT_THREADS; the profile reads it too)."""
    return int(os.environ.get("BANKPROFILE_DBT_THREADS", "2"))


def duckdb_threads(models_at_once: int | None = None) -> int:
    """DuckDB threads for a dbt run: BANKPROFILE_DUCKDB_THREADS if set, else the cores shared
    out among the models it builds at once (dbt's threads unless said otherwise)."""
    if "BANKPROFILE_DUCKDB_THREADS" in os.environ:
        return int(os.environ["BANKPROFILE_DUCKDB_THREADS"])
    return max(1, (os.cpu_count() or 1) // (models_at_once or dbt_threads()))


def data_paths() -> DataPaths:
    """The data directory from BANKPROFILE_DATA_DIR (default ./data), made absolute."""
    root = Path(os.environ.get("BANKPROFILE_DATA_DIR", REPO_ROOT / "data")).resolve()
    return DataPaths(root)


def dagster_yaml_for(dagster_home: Path) -> str:
    """The dagster.yaml of a Dagster home, its event log under history/runs as by default."""
    runs = dagster_home.resolve() / "history" / "runs"
    return DAGSTER_YAML.format(runs=json.dumps(str(runs)))  # a JSON string is a YAML one


def prepare_environment(paths: DataPaths) -> None:
    """Export what dbt and Dagster read from the environment, before either starts."""
    for name, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    os.environ["BANKPROFILE_DATA_DIR"] = str(paths.root)
    # dbt is a console script next to this Python; find it even when the venv is not active.
    scripts = str(SCRIPTS_DIR)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")
    if "DAGSTER_HOME" not in os.environ:
        paths.dagster_home.mkdir(parents=True, exist_ok=True)
        dagster_yaml = paths.dagster_home / "dagster.yaml"
        if not dagster_yaml.exists():
            dagster_yaml.write_text(dagster_yaml_for(paths.dagster_home))
        os.environ["DAGSTER_HOME"] = str(paths.dagster_home)

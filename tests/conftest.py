"""Shared helpers: run the real CLI against a data directory of its own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock

from orchestration.settings import DBT_PROJECT_DIR

REPO_ROOT = Path(__file__).resolve().parent.parent
BANKPROFILE = Path(sys.executable).parent / "bankprofile"
DBT = Path(sys.executable).parent / "dbt"

# The files that build, slowest first (seconds of one worker, 2026-11-30, 22:40 run). The
# two pytest-xdist workers take whole files in collection order; by xdist's default order,
# the most tests first, test_operations started at least 200 s into a 12-minute run and
# ended it.
SLOWEST_FILES = (
    "test_operations.py",  # 517: three nights, a full refresh, a failed build and more
    "test_pipeline_simulated.py",  # 211: builds the session's bank, and a copy again
    "test_segmentation.py",  # 131
    "test_berka.py",  # 93
    "test_customer_marts.py",  # 75
    "test_pipeline_handmade.py",  # 68
    "test_marketing.py",  # 124, 92 of them waiting for the session's bank
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the slowest files first, the others after them in their usual order."""

    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return SLOWEST_FILES.index(name) if name in SLOWEST_FILES else len(SLOWEST_FILES)

    items.sort(key=rank)  # stable: each file's tests keep their order


def cli_environment(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DAGSTER_HOME", None)  # each data dir gets its own Dagster instance
    env.update(
        BANKPROFILE_DATA_DIR=str(data_dir),
        DO_NOT_TRACK="1",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DAGSTER_DISABLE_TELEMETRY="1",
    )
    return env


def run_bankprofile(
    data_dir: Path, *args: str, expect: int | None = 0
) -> subprocess.CompletedProcess[str]:
    """Run `bankprofile ARGS` like a user would; fail with its output if the status differs
    from `expect` (None: any status, for the caller to judge)."""
    result = subprocess.run(
        [str(BANKPROFILE), *args],
        cwd=REPO_ROOT,
        env=cli_environment(data_dir),
        capture_output=True,
        text=True,
        timeout=900,
    )
    if expect is not None and result.returncode != expect:
        pytest.fail(
            f"`bankprofile {' '.join(args)}` exited {result.returncode}, expected {expect}\n"
            f"--- stdout (tail)\n{result.stdout[-4000:]}\n"
            f"--- stderr (tail)\n{result.stderr[-4000:]}"
        )
    return result


def run_dbt(data_dir: Path, target_dir: Path, *args: str, expect_success: bool = True) -> str:
    """Run `dbt ARGS` in the project against a data directory; its output."""
    result = subprocess.run(
        [str(DBT), *args, "--profiles-dir", ".", "--target-path", str(target_dir)],
        cwd=DBT_PROJECT_DIR,
        env=cli_environment(data_dir),
        capture_output=True,
        text=True,
        timeout=900,
    )
    if expect_success and result.returncode != 0:
        pytest.fail(
            f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
        )
    return result.stdout + result.stderr


BANK_CUSTOMERS = 2_000
BANK_BUILT = ".built"  # written once the bank's build has succeeded


@pytest.fixture(scope="session")
def bank(tmp_path_factory) -> Path:
    """One small simulated bank built once through the real Dagster job (generate, then
    `bankprofile build`), shared by every test that only reads it: tests that change it
    change a copy. Under pytest-xdist the first worker to ask builds it and the others wait
    for it (each worker building its own cost one more build of the suite's few minutes)."""
    if "PYTEST_XDIST_WORKER" not in os.environ:  # one process: nobody to share with
        return build_bank(tmp_path_factory.mktemp("bank"))
    shared = tmp_path_factory.getbasetemp().parent  # the workers' common folder
    data_dir = shared / "bank"
    with FileLock(shared / "bank.lock"):
        if not (data_dir / BANK_BUILT).exists():
            shutil.rmtree(data_dir, ignore_errors=True)  # a build that failed half-way
            build_bank(data_dir)
    return data_dir


def build_bank(data_dir: Path) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    run_bankprofile(
        data_dir,
        "generate",
        "--customers",
        str(BANK_CUSTOMERS),
        "--months",
        "24",
        "--seed",
        "11",
        "--corrupt-rate",
        "0.01",
    )
    run_bankprofile(data_dir, "build")
    (data_dir / BANK_BUILT).touch()
    return data_dir


def copy_of_bank(bank: Path, destination: Path, *folders: str) -> Path:
    """The warehouse of a built bank and the named folders beside it (landing, truth,
    published), copied for a test to change; the bank itself stays as it was built."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy2(bank / "warehouse.duckdb", destination / "warehouse.duckdb")
    for folder in folders:
        shutil.copytree(bank / folder, destination / folder, symlinks=True)
    return destination

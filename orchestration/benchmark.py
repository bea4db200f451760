"""`make bench`: how fast, how much memory, and how close to the engine's own limit.

Stages, each a child process measured from outside (wall time, CPU time of the whole
process tree, peak RSS of the whole tree sampled every 0.1 s):

    generate      the simulator at the given size
    build         the nightly Dagster job (load raw, dbt build with tests, publish)
    incremental   one more extract day delivered, then the same job again, with what it
                  changed in the per-customer models (orchestration/overnight.py)
    floor         every model's compiled SQL run in dependency order in one DuckDB
                  connection on a copy of the raw data: no dbt, no Dagster

The ratio build / floor is what orchestration costs. Results are printed and appended to
docs/benchmarks.md (a table per run) with the Dagster steps and the ten slowest dbt models
of the full build and of the one more day, and a speed probe of the machine taken before
and after (speed_probe): the figures of two runs compare only when their probes do. The
newest run of each size is kept in docs/benchmarks.json, plotted in docs/benchmarks.png
and tabled at the top of docs/benchmarks.md (summary), with the commit it measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import psutil

from orchestration import overnight
from orchestration.settings import (
    DBT_PROJECT_DIR,
    REPO_ROOT,
    SCRIPTS_DIR,
    dbt_threads,
    duckdb_config,
    duckdb_threads,
)

# the day the incremental stage delivers; the full build's data end the day before
NIGHT = date(2026, 9, 30)


@dataclass
class StageResult:
    stage: str
    wall_seconds: float
    cpu_seconds: float
    peak_rss_bytes: int
    rows: int = 0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.wall_seconds if self.wall_seconds else 0.0


def measure(stage: str, command: list[str], env: dict[str, str], rows: int = 0) -> StageResult:
    """Run a command and watch its process tree until it ends."""
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    watched = psutil.Process(child.pid)
    peak = [0]

    def sample() -> None:
        while child.poll() is None:
            try:
                members = [watched, *watched.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            rss = 0
            for member in members:
                try:
                    rss += member.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
            peak[0] = max(peak[0], rss)
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = child.communicate()
    sampler.join()
    wall = time.perf_counter() - started
    if child.returncode != 0:
        raise RuntimeError(f"{stage} failed ({child.returncode}):\n{output[-3000:]}")
    # CPU of the child and every descendant it waited for, as the OS accounts it
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (children_after.ru_utime - children_before.ru_utime) + (
        children_after.ru_stime - children_before.ru_stime
    )
    return StageResult(stage, wall, cpu, peak[0], rows)


def _dbt_results(target_dir: Path, since: float, kind: str) -> list[tuple[str, float]]:
    """(name, execution seconds) of every `kind` node ("model", "test") in the results of
    every dbt invocation that wrote them after `since` (a build runs dbt more than once:
    before and after the Python assets)."""
    timed = []
    for run_results in target_dir.rglob("run_results.json"):
        if run_results.stat().st_mtime < since:
            continue
        for result in json.loads(run_results.read_text())["results"]:
            if result["unique_id"].startswith(f"{kind}."):
                timed.append((result["unique_id"].split(".")[-1], result["execution_time"]))
    return timed


def slowest_models(target_dir: Path, since: float, count: int = 10) -> list[tuple[str, float]]:
    """The slowest models of the builds since `since`."""
    timed = _dbt_results(target_dir, since, "model")
    return sorted(timed, key=lambda item: item[1], reverse=True)[:count]


def dbt_test_time(target_dir: Path, since: float) -> tuple[int, float]:
    """How many dbt data tests the builds since `since` ran, and their summed execution time."""
    tests = _dbt_results(target_dir, since, "test")
    return len(tests), sum(seconds for _, seconds in tests)


def build_steps(dagster_home: Path) -> list[tuple[str, float]]:
    """Wall seconds of each step of the newest Dagster run: where a build's time goes."""
    import dagster as dg  # only here: a second or two of import the stages need not pay

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        newest = instance.get_runs(limit=1)[0]
        return [
            (step.step_key, step.end_time - step.start_time)
            for step in instance.get_run_step_stats(newest.run_id)
            if step.start_time is not None and step.end_time is not None
        ]


def run_floor(data_dir: Path, env: dict[str, str]) -> StageResult:
    """Compile with dbt, then run every seed load and model SQL in order in one connection."""
    target = Path(tempfile.mkdtemp(prefix="bench-target-"))
    subprocess.run(
        [
            str(SCRIPTS_DIR / "dbt"),
            "compile",
            "--full-refresh",  # incremental models as first built
            "--profiles-dir",
            ".",
            "--target-path",
            str(target),
        ],
        cwd=DBT_PROJECT_DIR,
        env=env,
        check=True,
        capture_output=True,
    )
    manifest = json.loads((target / "manifest.json").read_text())
    # A fresh database with only what dbt reads but does not build (raw, seeds, the Python
    # assets' tables), named warehouse.duckdb like the real one: compiled SQL names it.
    floor_dir = data_dir / "floor"
    shutil.rmtree(floor_dir, ignore_errors=True)
    floor_dir.mkdir()
    con = duckdb.connect(str(floor_dir / "warehouse.duckdb"), config=duckdb_config())
    con.execute(f"attach '{data_dir / 'warehouse.duckdb'}' as built (read_only)")
    inputs = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = 'built' "
        "and schema_name in ('raw', 'reference', 'risk_model', 'marketing_model') "
        "union all select schema_name, view_name from duckdb_views() "
        "where database_name = 'built' and schema_name in ('risk_model', 'marketing_model')"
    ).fetchall()
    for schema, name in inputs:
        con.execute(f'create schema if not exists "{schema}"')
        con.execute(f'create table "{schema}"."{name}" as select * from built."{schema}"."{name}"')
    con.execute("detach built")
    nodes = manifest["nodes"]
    order = _topological([n for n in nodes.values() if n["resource_type"] == "model"], nodes)

    started = time.perf_counter()
    cpu_before = psutil.Process().cpu_times()
    for node in order:
        relation = f'"{node["schema"]}"."{node["alias"]}"'
        kind = "view" if node["config"]["materialized"] == "view" else "table"
        con.execute(f'create schema if not exists "{node["schema"]}"')
        con.execute(f"create or replace {kind} {relation} as {node['compiled_code']}")
    con.close()
    wall = time.perf_counter() - started
    cpu_after = psutil.Process().cpu_times()
    cpu = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
    shutil.rmtree(target, ignore_errors=True)
    shutil.rmtree(floor_dir, ignore_errors=True)
    # this process's peak RSS: the floor is by far its largest user of memory
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return StageResult("floor (models only)", wall, cpu, peak)


def _topological(models: list[dict], nodes: dict) -> list[dict]:
    by_id = {model["unique_id"]: model for model in models}
    done: set[str] = set()
    ordered: list[dict] = []

    def visit(unique_id: str) -> None:
        if unique_id in done or unique_id not in by_id:
            return
        done.add(unique_id)
        for parent in by_id[unique_id]["depends_on"]["nodes"]:
            visit(parent)
        ordered.append(by_id[unique_id])

    for unique_id in sorted(by_id):
        visit(unique_id)
    return ordered


def _count_rows(data_dir: Path, table: str) -> int:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(f"select count(*) from raw.{table}").fetchone()[0]


def disk_usage(path: Path) -> int:
    """Bytes of the files under a path (or of the file itself)."""
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def run(customers: int, months: int, seed: int, data_dir: Path, floor: bool = True) -> dict:
    env = dict(os.environ, BANKPROFILE_DATA_DIR=str(data_dir))
    env.pop("DAGSTER_HOME", None)
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    stages: list[StageResult] = []
    probes = [speed_probe(directory=data_dir)]
    bankprofile = str(SCRIPTS_DIR / "bankprofile")
    # After a dbt file changes, the first run parses the project again (about 10 s): a
    # one-off after an upgrade, not part of the nightly build, so it happens before timing.
    prepare = [sys.executable, "-c", "import orchestration.resources"]
    subprocess.run(prepare, env=env, check=True, capture_output=True)

    generate = [bankprofile, "generate", "--customers", str(customers), "--months", str(months)]
    generate += ["--seed", str(seed), "--end-date", str(NIGHT - timedelta(days=1))]
    stages.append(measure("generate", generate, env))
    build_started = time.time()
    build = measure("build (full)", [bankprofile, "build"], env)
    transactions = _count_rows(data_dir, "transactions")
    stages[0].rows = transactions
    build.rows = transactions
    stages.append(build)
    slowest = slowest_models(data_dir / "dbt_target", since=build_started)
    tests = dbt_test_time(data_dir / "dbt_target", since=build_started)
    steps = build_steps(data_dir / "dagster_home")
    disk = {
        name: disk_usage(data_dir / name)
        for name in ("landing", "warehouse.duckdb", "published")
        if (data_dir / name).exists()
    }

    # One more day: simulate through NIGHT and deliver only that day's files.
    next_day = data_dir.parent / f"{data_dir.name}-next"
    next_env = dict(env, BANKPROFILE_DATA_DIR=str(next_day))
    shutil.rmtree(next_day, ignore_errors=True)
    subprocess.run(
        [
            bankprofile,
            "generate",
            "--customers",
            str(customers),
            "--months",
            str(months),
            "--seed",
            str(seed),
            "--end-date",
            str(NIGHT),
        ],
        env=next_env,
        check=True,
        capture_output=True,
    )
    for table_dir in (next_day / "landing").iterdir():
        day = table_dir / str(NIGHT)
        if day.is_dir():
            shutil.copytree(day, data_dir / "landing" / table_dir.name / day.name)
    shutil.rmtree(next_day, ignore_errors=True)
    before_night = data_dir / "before-night"
    overnight.snapshot(data_dir / "warehouse.duckdb", before_night)
    night_started = time.time()
    incremental = measure("build (one more day)", [bankprofile, "build"], env)
    incremental.rows = _count_rows(data_dir, "transactions") - transactions
    stages.append(incremental)
    night_slowest = slowest_models(data_dir / "dbt_target", since=night_started)
    night_tests = dbt_test_time(data_dir / "dbt_target", since=night_started)
    night_steps = build_steps(data_dir / "dagster_home")
    changes = overnight.compare(data_dir / "warehouse.duckdb", before_night)
    reach = overnight.reachable(data_dir / "warehouse.duckdb", NIGHT)
    shutil.rmtree(before_night)
    full = stages[1]
    ratio = None
    if floor:  # the floor builds every model again in a second database: twice the disk
        stages.append(run_floor(data_dir, env))
        ratio = full.wall_seconds / stages[3].wall_seconds
    probes.append(speed_probe(directory=data_dir))
    return {
        "customers": customers,
        "months": months,
        "transactions": transactions,
        "stages": stages,
        "slowest_models": slowest,
        "build_steps": steps,
        "dbt_tests": tests,
        "night_slowest_models": night_slowest,
        "night_build_steps": night_steps,
        "night_dbt_tests": night_tests,
        "disk_bytes": disk,
        "orchestration_ratio": ratio,
        "incremental_share": incremental.wall_seconds / full.wall_seconds,
        "speed_probes": probes,
        "overnight_changes": changes,
        "overnight_reach": reach,
    }


def speed_probe(repeats: int = 3, directory: Path | None = None) -> dict[str, float]:
    """Seconds for fixed workloads, the median of `repeats`: a DuckDB query (hash and sum
    100 M integers, one thread), a Python loop (10 M additions) and, given a `directory`,
    writing 256 MiB there and syncing it to disk. The same code on the same machine takes
    the same time, so a run whose probe is slower than another's ran on a slower machine (a
    busy host), whatever the code did. The disk has a probe of its own: at 23:03 on
    2026-11-30 the one-core probes were at most 1.5 times slower than before the 06:15
    restart, and the million-customer build's base models, which spill to disk, ran 2.6-2.9
    times slower than at 04:45."""
    con = duckdb.connect()
    con.execute("set threads = 1")

    def query() -> None:
        con.execute("select sum(hash(i)) from range(100000000) as numbers(i)").fetchall()

    def loop() -> None:
        total = 0
        for number in range(10_000_000):
            total += number

    probe = {
        "duckdb_seconds": _median_seconds(query, repeats),
        "python_seconds": _median_seconds(loop, repeats),
    }
    con.close()
    if directory is not None:
        probe["disk_seconds"] = _median_seconds(lambda: _write_and_sync(directory), repeats)
    return probe


DISK_PROBE_BLOCK, DISK_PROBE_BLOCKS = 8 * 2**20, 32  # 256 MiB


def _write_and_sync(directory: Path) -> None:
    block = os.urandom(DISK_PROBE_BLOCK)  # incompressible, whatever the file system does
    path = directory / ".disk_probe"
    try:
        with path.open("wb") as handle:
            for _ in range(DISK_PROBE_BLOCKS):
                handle.write(block)
            handle.flush()
            os.fsync(handle.fileno())
    finally:
        path.unlink(missing_ok=True)


def _median_seconds(work: Callable[[], None], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def machine() -> str:
    memory = psutil.virtual_memory().total / 2**30
    return (
        f"{platform.machine()}, {psutil.cpu_count()} cores, {memory:.0f} GiB RAM, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}"
    )


def commit() -> str:
    """The checkout's commit, marked when the code or seeds differ from it."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True)
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD")
    if not head:  # not a git checkout
        return "unknown"
    code = ("dbt_project", "orchestration", "seeds")
    changed = git("status", "--porcelain", "--untracked-files=no", "--", *code)
    return f"{head} with changes" if changed else head


SUMMARY_START, SUMMARY_END = "<!-- summary: start -->", "<!-- summary: end -->"


def summary(history: list[dict]) -> str:
    """The newest run of each size as one table, from the JSON history."""
    lines = [
        "| customers | transactions | measured (UTC) | code | probe before: DuckDB / Python / "
        "disk s | generate s | transaction rows/s | full build s | peak RSS GiB | one more "
        "day s | day / full | floor s | full / floor |",
        "| ---: | ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for entry in history:
        stages = entry["stages"]
        generate, full = stages["generate"], stages["build (full)"]
        day = stages["build (one more day)"]
        probe = (entry.get("speed_probes") or [{}])[0]
        probe_text = " / ".join(
            f"{probe[key]:.2f}" if key in probe else "-"
            for key in ("duckdb_seconds", "python_seconds", "disk_seconds")
        )
        floor = stages.get("floor (models only)")
        floor_text = (
            f"{floor['wall_seconds']:,.1f} | {entry['orchestration_ratio']:.2f}"
            if floor is not None
            else "not run | -"
        )
        lines.append(
            f"| {entry['customers']:,} | {entry['transactions']:,} "
            f"| {entry['measured_at'][:16].replace('T', ' ')} | {entry.get('commit', '-')} "
            f"| {probe_text} | {generate['wall_seconds']:,.1f} "
            f"| {entry['transactions'] / generate['wall_seconds']:,.0f} "
            f"| {full['wall_seconds']:,.1f} | {full['peak_rss_bytes'] / 2**30:.2f} "
            f"| {day['wall_seconds']:,.1f} | {entry['incremental_share']:.0%} | {floor_text} |"
        )
    return "\n".join(lines)


def replace_summary(report: str, table: str) -> str:
    """The report with the text between the summary markers replaced by `table`."""
    start, end = report.find(SUMMARY_START), report.find(SUMMARY_END)
    if start < 0 or end < start:
        return report
    return report[: start + len(SUMMARY_START)] + "\n" + table + "\n" + report[end:]


def _slowest_table(build: str, models: list[tuple[str, float]]) -> list[str]:
    return [
        f"Ten slowest dbt models in the {build}:",
        "",
        "| model | seconds |",
        "| --- | ---: |",
        *[f"| {name} | {seconds:.1f} |" for name, seconds in models],
        "",
    ]


def render(result: dict) -> str:
    tests, test_time = result["dbt_tests"]
    night_tests, night_test_time = result["night_dbt_tests"]
    night_steps = dict(result["night_build_steps"])
    lines = [
        f"### {result['customers']:,} customers, {result['months']} months "
        f"({result['transactions']:,} transactions) — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {machine()}; DuckDB memory limit "
        f"{os.environ.get('BANKPROFILE_DUCKDB_MEMORY_LIMIT', '3GB')} per connection, "
        f"dbt threads {dbt_threads()}, DuckDB threads {duckdb_threads()} in the first dbt step "
        f"and {duckdb_threads(models_at_once=1)} in the scored one",
        "",
        "Machine speed probe (one core, median of 3; the same on an equally fast machine; "
        "disk: 256 MiB written and synced in the data directory): "
        + "; ".join(
            f"{when}: DuckDB {probe['duckdb_seconds']:.2f} s, "
            f"Python {probe['python_seconds']:.2f} s, disk {probe['disk_seconds']:.2f} s"
            for when, probe in zip(("before", "after"), result["speed_probes"], strict=True)
        )
        + ".",
        "",
        "| stage | wall s | CPU s | peak RSS GiB | transaction rows/s |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for stage in result["stages"]:
        lines.append(
            f"| {stage.stage} | {stage.wall_seconds:,.1f} | {stage.cpu_seconds:,.1f} | "
            f"{stage.peak_rss_bytes / 2**30:.2f} | {stage.rows_per_second:,.0f} |"
        )
    lines += [
        "",
        (
            f"Orchestration ratio (full build / floor): **{result['orchestration_ratio']:.2f}**; "
            if result["orchestration_ratio"] is not None
            else "Floor not run (`--skip-floor`), so no orchestration ratio; "
        )
        + f"one incremental day / full build: **{result['incremental_share']:.0%}**.",
        "",
        "Disk after the full build: "
        + ", ".join(f"{name} {size / 2**30:.2f} GiB" for name, size in result["disk_bytes"].items())
        + ".",
        "",
        "Where the time goes (Dagster steps, wall seconds; the dbt steps include "
        f"{tests} data tests, {test_time:,.1f} s summed over threads, in the full build and "
        f"{night_tests}, {night_test_time:,.1f} s, in the one more day):",
        "",
        "| step | full build | one more day |",
        "| --- | ---: | ---: |",
        *[
            f"| {name} | {seconds:,.1f} | "
            + (f"{night_steps[name]:,.1f} |" if name in night_steps else "not run |")
            for name, seconds in result["build_steps"]
        ],
        "",
        *_slowest_table("full build", result["slowest_models"]),
        *_slowest_table("one more day", result["night_slowest_models"]),
        *overnight.render(result["overnight_changes"], result["overnight_reach"]),
        "",
    ]
    return "\n".join(lines)


def record(result: dict, results_file: Path) -> list[dict]:
    """Append this run to the JSON history (one entry per size: the newest replaces it)."""
    history = json.loads(results_file.read_text()) if results_file.exists() else []
    entry = {
        "customers": result["customers"],
        "months": result["months"],
        "transactions": result["transactions"],
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "commit": commit(),
        "speed_probes": result["speed_probes"],
        "orchestration_ratio": result["orchestration_ratio"],
        "incremental_share": result["incremental_share"],
        "overnight_changed": {
            change.relation: change.changed / change.customers if change.customers else None
            for change in result["overnight_changes"]
        },
        "overnight_reach": result["overnight_reach"],
        "disk_bytes": result["disk_bytes"],
        "stages": {
            stage.stage: {
                "wall_seconds": stage.wall_seconds,
                "cpu_seconds": stage.cpu_seconds,
                "peak_rss_bytes": stage.peak_rss_bytes,
            }
            for stage in result["stages"]
        },
    }
    history = [old for old in history if old["customers"] != entry["customers"]] + [entry]
    history.sort(key=lambda item: item["customers"])
    results_file.write_text(json.dumps(history, indent=2))
    return history


def plot(history: list[dict], image: Path) -> None:
    """Wall time of each stage against the number of transactions, log-log."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(7, 4.5))
    # every stage any size ran: the largest size usually runs without the floor
    stages = list(dict.fromkeys(stage for entry in history for stage in entry["stages"]))
    for stage in stages:
        points = [
            (h["transactions"], h["stages"][stage]["wall_seconds"])
            for h in history
            if stage in h["stages"]
        ]
        axis.plot(*zip(*points, strict=True), marker="o", label=stage)
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("transactions (12 months of history)")
    axis.set_ylabel("wall time, seconds")
    axis.set_title(f"bankprofile benchmark — {history[-1]['machine'].split(', Python')[0]}")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend()
    figure.tight_layout()
    figure.savefig(image, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data-dir", type=Path, default=REPO_ROOT / "data" / "bench")
    parser.add_argument(
        "--skip-floor",
        action="store_true",
        help="leave out the floor stage (it needs as much disk again as the warehouse)",
    )
    parser.add_argument("--report", type=Path, default=REPO_ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    result = run(
        args.customers, args.months, args.seed, args.data_dir.resolve(), floor=not args.skip_floor
    )
    text = render(result)
    print(text)
    if not args.report.exists():
        args.report.write_text(
            f"# Benchmarks\n\nWritten by `make bench`.\n\n{SUMMARY_START}\n{SUMMARY_END}\n\n"
            "## Runs\n"
        )
    history = record(result, args.report.with_suffix(".json"))
    report = replace_summary(args.report.read_text(), summary(history))
    args.report.write_text(report + "\n" + text + "\n")  # a blank line after the section before
    plot(history, args.report.with_suffix(".png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""docs/benchmarks.md: the summary table `make bench` rewrites after each run, and the
section it appends for the run."""

from __future__ import annotations

import json
import os

from orchestration.benchmark import (
    SUMMARY_END,
    SUMMARY_START,
    StageResult,
    dbt_test_time,
    render,
    replace_summary,
    slowest_models,
    summary,
)


def _entry(customers: int, floor_seconds: float | None) -> dict:
    stages = {
        "generate": {"wall_seconds": 10.0, "cpu_seconds": 9.0, "peak_rss_bytes": 2**30},
        "build (full)": {"wall_seconds": 200.0, "cpu_seconds": 300.0, "peak_rss_bytes": 3 * 2**30},
        "build (one more day)": {"wall_seconds": 50.0, "cpu_seconds": 60.0, "peak_rss_bytes": 0},
    }
    if floor_seconds is not None:
        stages["floor (models only)"] = {
            "wall_seconds": floor_seconds,
            "cpu_seconds": floor_seconds,
            "peak_rss_bytes": 0,
        }
    return {
        "customers": customers,
        "transactions": customers * 115,
        "measured_at": "2026-12-01T01:02:03+00:00",
        "commit": "abc1234",
        "speed_probes": [{"duckdb_seconds": 0.3, "python_seconds": 0.25, "disk_seconds": 0.4}],
        "orchestration_ratio": 200.0 / floor_seconds if floor_seconds else None,
        "incremental_share": 0.25,
        "stages": stages,
    }


def test_summary_has_a_row_per_size_with_its_figures():
    table = summary([_entry(10_000, 160.0), _entry(1_000_000, None)]).splitlines()
    assert len(table) == 4  # header, rule, two sizes
    small, large = table[2], table[3]
    assert small.startswith("| 10,000 | 1,150,000 | 2026-12-01 01:02 | abc1234 |")
    assert "| 0.30 / 0.25 / 0.40 |" in small
    assert "| 115,000 |" in small  # transactions per second of generation
    assert small.endswith("| 200.0 | 3.00 | 50.0 | 25% | 160.0 | 1.25 |")
    assert large.endswith("| 25% | not run | - |")


def test_a_run_before_the_probes_shows_none():
    entry = _entry(100_000, 100.0)
    del entry["speed_probes"], entry["commit"]
    row = summary([entry]).splitlines()[2]
    assert "| - | - / - / - |" in row


def test_replace_summary_keeps_the_rest_of_the_report():
    before, after = "# Benchmarks\n\nintro\n\n", "\n\n## Runs\nrun 1\n"
    report = f"{before}{SUMMARY_START}\nold table\n{SUMMARY_END}{after}"
    replaced = replace_summary(report, "new table")
    assert replaced == f"{before}{SUMMARY_START}\nnew table\n{SUMMARY_END}{after}"
    assert replace_summary("no markers here\n", "new table") == "no markers here\n"


def test_render_shows_the_steps_and_slowest_models_of_both_builds():
    stage = StageResult("build (full)", 200.0, 300.0, 3 * 2**30, rows=1_000)
    night = StageResult("build (one more day)", 50.0, 60.0, 2**30, rows=10)
    probe = {"duckdb_seconds": 0.3, "python_seconds": 0.25, "disk_seconds": 0.4}
    text = render(
        {
            "customers": 1_000,
            "months": 12,
            "transactions": 115_000,
            "stages": [stage, night],
            "speed_probes": [probe, probe],
            "orchestration_ratio": None,
            "incremental_share": 0.25,
            "disk_bytes": {"warehouse.duckdb": 2**30},
            "dbt_tests": (285, 24.3),
            "night_dbt_tests": (285, 9.1),
            "build_steps": [
                ("raw_core_banking", 26.8),
                ("bankprofile_dbt_models", 106.1),
                ("published__bi_database", 6.3),
            ],
            "night_build_steps": [("raw_core_banking", 0.8), ("bankprofile_dbt_models", 37.4)],
            "slowest_models": [("base_core_banking__transactions", 32.7)],
            "night_slowest_models": [("int_risk_features_computed", 7.6)],
            "overnight_changes": [],
            "overnight_reach": {
                "customers": 100,
                "booked_on_the_day": 19,
                "month_offset_moved": 82,
                "either": 85,
            },
        }
    )
    assert "| raw_core_banking | 26.8 | 0.8 |" in text
    assert "| bankprofile_dbt_models | 106.1 | 37.4 |" in text
    assert "| published__bi_database | 6.3 | not run |" in text
    assert "285 data tests, 24.3 s summed over threads, in the full build and 285, 9.1 s" in text
    full, night = text.split("Ten slowest dbt models in the one more day:")
    assert "| base_core_banking__transactions | 32.7 |" in full
    assert "| int_risk_features_computed | 7.6 |" in night
    assert "85 (85%) are in reach" in night


def test_slowest_models_and_test_time_read_only_the_invocations_since_the_start(tmp_path):
    def write(folder: str, results: list[tuple[str, float]], mtime: float) -> None:
        path = tmp_path / folder / "run_results.json"
        path.parent.mkdir()
        rows = [{"unique_id": uid, "execution_time": seconds} for uid, seconds in results]
        path.write_text(json.dumps({"results": rows}))
        os.utime(path, (mtime, mtime))

    write("before", [("model.bankprofile.old_model", 99.0)], mtime=1_000)
    write("models", [("model.bankprofile.a", 1.0), ("test.bankprofile.t1", 0.5)], mtime=2_000)
    write("scored", [("model.bankprofile.b", 3.0), ("test.bankprofile.t2", 0.25)], mtime=2_000)
    assert slowest_models(tmp_path, since=1_500, count=1) == [("b", 3.0)]
    assert slowest_models(tmp_path, since=1_500) == [("b", 3.0), ("a", 1.0)]
    assert dbt_test_time(tmp_path, since=1_500) == (2, 0.75)

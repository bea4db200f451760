"""`bankprofile`: the command line of the customer profiling system.

    bankprofile generate --customers N --months M --seed S [--corrupt-rate R]
    bankprofile build [--full-refresh] [--from DAY --to DAY]   the nightly Dagster job
    bankprofile summary               row counts per layer, quarantine, where BI reads
    bankprofile customer ID [--lang zh|en] [--json]   the 360 view of one customer
    bankprofile scorecard fit|apply   fit or apply a credit scorecard on a CSV/Parquet file
    bankprofile ingest berka --from DIR [--out DATA_DIR]   map the Berka files into landing/
    bankprofile campaign export ID --out FILE   a campaign's contact list, holdout excluded
    bankprofile ui                    dagster dev with the lineage graph

The data directory is $BANKPROFILE_DATA_DIR (default ./data).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime

from orchestration.berka import add_commands as add_berka_commands
from orchestration.campaigns import add_commands as add_campaign_commands
from orchestration.scorecard.cli import add_commands as add_scorecard_commands
from orchestration.settings import (
    REPO_ROOT,
    SCRIPTS_DIR,
    DataPaths,
    data_paths,
    prepare_environment,
)


class UserError(Exception):
    """A mistake the user can fix; printed as one sentence, exit status 2."""


def cmd_generate(args: argparse.Namespace, paths: DataPaths) -> int:
    from orchestration.simulator import SimulationConfig, generate

    if args.customers < 1:
        raise UserError("--customers must be at least 1.")
    if args.months < 1:
        raise UserError("--months must be at least 1.")
    if not 0 <= args.corrupt_rate < 0.5:
        raise UserError("--corrupt-rate must be between 0 and 0.5.")
    config = SimulationConfig(
        customers=args.customers,
        months=args.months,
        seed=args.seed,
        corrupt_rate=args.corrupt_rate,
        end_date=date.fromisoformat(args.end_date),
    )
    paths.root.mkdir(parents=True, exist_ok=True)
    summary = generate(config, paths.root)
    total = sum(summary.rows_by_table.values())
    print(
        f"Generated {total:,} rows in {summary.files_written:,} files "
        f"({summary.seconds:.1f}s) under {paths.landing}"
    )
    for table, rows in summary.rows_by_table.items():
        print(f"  {table:<24}{rows:>14,}")
    if summary.corrupted_by_kind:
        injected = ", ".join(f"{kind} {n}" for kind, n in sorted(summary.corrupted_by_kind.items()))
        print(f"Injected bad rows: {injected}")
    return 0


def cmd_build(args: argparse.Namespace, paths: DataPaths) -> int:
    from dagster import DagsterInstance

    if not paths.landing.is_dir():
        raise UserError(
            f"No landing data at {paths.landing}; run `bankprofile generate` first "
            "or point BANKPROFILE_DATA_DIR at a data directory."
        )
    from orchestration.definitions import defs
    from orchestration.sensors import ALERT_WEBHOOK_ENV, record_failure

    started = time.perf_counter()
    job = defs.resolve_job_def("build_all")
    log_level = "INFO" if args.verbose else "WARNING"
    run_config = {
        "loggers": {"console": {"config": {"log_level": log_level}}},
        "ops": {
            "raw_core_banking": {
                "config": {
                    "reload_all": args.full_refresh,
                    "from_day": args.from_day or "",
                    "to_day": args.to_day or "",
                }
            },
            **{
                op: {"config": {"full_refresh": args.full_refresh, "dbt_vars": args.vars}}
                for op in ("bankprofile_dbt_models", "bankprofile_dbt_scored_models")
            },
        },
    }
    log_path = paths.root / "logs" / f"build-{time.strftime('%Y%m%dT%H%M%S')}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with DagsterInstance.get() as instance, log_path.open("w") as log:
        # dbt's own progress lines go to the log file unless --verbose.
        target = sys.stdout if args.verbose else log
        with contextlib.redirect_stdout(target):
            result = job.execute_in_process(
                run_config=run_config, instance=instance, raise_on_error=False
            )
    seconds = time.perf_counter() - started
    if not result.success:
        failed = [event.step_key for event in result.all_events if event.is_step_failure]
        record_failure(
            paths.root / "logs" / "failures.jsonl",
            {
                "failed_at": datetime.now(UTC).isoformat(),
                "job": "build_all",
                "run_id": result.run_id,
                "steps": failed,
                "log": str(log_path),
            },
            os.environ.get(ALERT_WEBHOOK_ENV),
        )
        print(
            f"Build failed in step(s) {', '.join(failed) or '?'} after {seconds:.0f}s; "
            f"the published BI database was left as it was. Details: {log_path} "
            "and `bankprofile ui`.",
            file=sys.stderr,
        )
        return 1
    print(f"Build succeeded in {seconds:.0f}s (Dagster run {result.run_id}).")
    print_summary(paths)
    return 0


def cmd_summary(args: argparse.Namespace, paths: DataPaths) -> int:
    print_summary(paths)
    return 0


def print_summary(paths: DataPaths) -> None:
    from orchestration.reporting import layer_summary

    if not paths.bi_database.exists():
        raise UserError(f"Nothing published yet at {paths.bi_database}; run `bankprofile build`.")
    print(layer_summary(paths))


def cmd_customer(args: argparse.Namespace, paths: DataPaths) -> int:
    from orchestration.customer_view import CustomerNotFound, as_json, as_text, fetch_customer

    if not paths.bi_database.exists():
        raise UserError(f"Nothing published yet at {paths.bi_database}; run `bankprofile build`.")
    try:
        record = fetch_customer(paths.bi_database, args.customer_id)
    except CustomerNotFound:
        print(
            f"bankprofile: no customer '{args.customer_id}' in the published 360 view.",
            file=sys.stderr,
        )
        return 1
    print(as_json(record) if args.json else as_text(record, lang=args.lang))
    return 0


def cmd_ui(args: argparse.Namespace, paths: DataPaths) -> int:
    env = dict(os.environ, DAGSTER_DBT_PARSE_PROJECT_ON_LOAD="1")
    dagster = SCRIPTS_DIR / "dagster"
    command = [str(dagster), "dev", "-m", "orchestration.definitions", "-p", str(args.port)]
    return subprocess.call(command, cwd=REPO_ROOT, env=env)


def _extract_day(text: str) -> str:
    """A YYYY-MM-DD extract day, checked, as text (extract folders are named so)."""
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a YYYY-MM-DD day") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bankprofile", description="Bank customer profiling system (客户画像系统)."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="simulate the core-banking extracts")
    generate.add_argument("--customers", type=int, default=10_000)
    generate.add_argument("--months", type=int, default=24)
    generate.add_argument("--seed", type=int, default=42)
    generate.add_argument("--corrupt-rate", type=float, default=0.0)
    generate.add_argument("--end-date", default="2026-09-30", help="last booked day")
    generate.set_defaults(handler=cmd_generate)

    build = commands.add_parser("build", help="load, build, test and publish (Dagster job)")
    build.add_argument(
        "--full-refresh",
        action="store_true",
        help="drop raw, reload every landing file and rebuild every model from scratch",
    )
    build.add_argument(
        "--from", dest="from_day", type=_extract_day, help="backfill: first extract day to load"
    )
    build.add_argument(
        "--to", dest="to_day", type=_extract_day, help="backfill: last extract day to load"
    )
    build.add_argument(
        "--vars", default="", help="dbt vars as YAML, e.g. '{as_of_date: 2026-06-30}'"
    )
    build.add_argument("--verbose", action="store_true", help="show every Dagster and dbt event")
    build.set_defaults(handler=cmd_build)

    summary = commands.add_parser("summary", help="row counts of the last published build")
    summary.set_defaults(handler=cmd_summary)

    customer = commands.add_parser("customer", help="one customer's 360 view (published copy)")
    customer.add_argument("customer_id")
    customer.add_argument("--lang", choices=["zh", "en"], default="zh")
    customer.add_argument("--json", action="store_true", help="machine-readable output")
    customer.set_defaults(handler=cmd_customer)

    add_scorecard_commands(commands)
    add_berka_commands(commands)
    add_campaign_commands(commands)

    ui = commands.add_parser("ui", help="open the Dagster UI (dagster dev)")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(handler=cmd_ui)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    paths = data_paths()
    prepare_environment(paths)
    try:
        return args.handler(args, paths)
    except UserError as error:
        print(f"bankprofile: {error}", file=sys.stderr)
        return 2
    except ValueError as error:  # e.g. a malformed --end-date
        print(f"bankprofile: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

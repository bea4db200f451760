"""Nightly operations: incremental equals full refresh, idempotence, nothing lost,
failures leave BI untouched, and one run per new extract day."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from decimal import Decimal

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.contract import TABLES
from orchestration.sensors import landed_days, new_extract_day_sensor, record_failure
from orchestration.volume import delivery_report
from tests.conftest import run_bankprofile, run_dbt

pytestmark = pytest.mark.e2e

# Relations compared between the incremental and the full-refresh build: every staging,
# intermediate (the incremental daily aggregates included) and mart relation. _loaded_at is
# when a row was loaded, which a reload changes; _built_at when a run last wrote it.
COMPARED_SCHEMAS = ("staging", "intermediate", "customer", "segmentation", "risk", "marketing")


def relations(con, schemas: tuple[str, ...] = COMPARED_SCHEMAS) -> list[tuple[str, str]]:
    listed = ", ".join(f"'{schema}'" for schema in schemas)
    return con.execute(
        "select schema_name, table_name from duckdb_tables() "
        f"where schema_name in ({listed}) "
        "union all select schema_name, view_name from duckdb_views() "
        f"where schema_name in ({listed}) and not internal order by 1, 2"
    ).fetchall()


def comparable_columns(con, schema: str, name: str) -> str:
    columns = con.execute(
        "select column_name from duckdb_columns() where schema_name = ? and table_name = ? "
        "and column_name not in ('_loaded_at', '_built_at') order by column_index",
        [schema, name],
    ).fetchall()
    return ", ".join(f'"{column}"' for (column,) in columns)


def differences(left, right, schemas: tuple[str, ...] = COMPARED_SCHEMAS) -> dict[str, int]:
    """Rows in one warehouse and not the other (except all, both ways), per relation."""
    con = duckdb.connect()
    con.execute(f"attach '{left}' as l (read_only)")
    con.execute(f"attach '{right}' as r (read_only)")
    con.execute("use l")
    found = {}
    for schema, name in relations(con, schemas):
        columns = comparable_columns(con, schema, name)
        diff = con.execute(
            f'select count(*) from ((select {columns} from l."{schema}"."{name}" '
            f'except all select {columns} from r."{schema}"."{name}") union all '
            f'(select {columns} from r."{schema}"."{name}" '
            f'except all select {columns} from l."{schema}"."{name}"))'
        ).fetchone()[0]
        if diff:
            found[f"{schema}.{name}"] = diff
    con.close()
    return found


def table_fingerprints(path) -> dict[str, tuple[int, int]]:
    with duckdb.connect(str(path), read_only=True) as con:
        prints = {}
        for schema, name in relations(con):
            columns = comparable_columns(con, schema, name)
            prints[f"{schema}.{name}"] = con.execute(
                f'select count(*), coalesce(sum(hash({columns})), 0) from "{schema}"."{name}"'
            ).fetchone()
        return prints


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A simulated bank with bad rows, late rows, duplicates and updated rows."""
    data_dir = tmp_path_factory.mktemp("source")
    run_bankprofile(
        data_dir,
        "generate",
        "--customers",
        "250",
        "--months",
        "4",
        "--seed",
        "5",
        "--corrupt-rate",
        "0.02",
    )
    return data_dir


def deliver(source_dir, target_dir, days) -> None:
    for table_dir in (source_dir / "landing").iterdir():
        for day in days:
            folder = table_dir / day
            if folder.is_dir():
                shutil.copytree(folder, target_dir / "landing" / table_dir.name / day)


@pytest.fixture(scope="module")
def replayed(source, tmp_path_factory):
    """Deliver the days in three nights, building after each; keep a copy of the result."""
    data_dir = tmp_path_factory.mktemp("replay")
    days = landed_days(source / "landing")
    nights = [days[: len(days) - 4], days[-4:-1], days[-1:]]
    for night in nights:
        deliver(source, data_dir, night)
        run_bankprofile(data_dir, "build")
    incremental = data_dir / "incremental.duckdb"
    shutil.copy(data_dir / "warehouse.duckdb", incremental)
    return data_dir, incremental


def copy_replay(incremental, work) -> date:
    """The replayed warehouse and its landing files, copied to `work` for a test to change;
    returns the newest booked day."""
    shutil.copytree(incremental.parent / "landing", work / "landing")
    shutil.copy(incremental, work / "warehouse.duckdb")
    with duckdb.connect(str(work / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(
            "select max(cast(booked_at as date)) from staging.stg_core_banking__transactions"
        ).fetchone()[0]


def test_incremental_nights_equal_a_full_refresh(replayed):
    data_dir, incremental = replayed
    run_bankprofile(data_dir, "build", "--full-refresh")
    full = data_dir / "warehouse.duckdb"
    with duckdb.connect(str(full), read_only=True) as con:
        compared = relations(con)
    assert len(compared) > 30
    assert differences(incremental, full) == {}


# End-of-day balances per account and booking day: the incremental aggregate, and the same
# computed again from staging.
AGGREGATE_DAY_ENDS = """
    select account_id, balance_date, end_of_day_balance_amount, transaction_count
    from intermediate.int_account_balances_aggregated_daily
"""
STAGING_DAY_ENDS = """
    select account_id, balance_date, end_of_day_balance_amount, transaction_count
    from (
        select account_id, cast(booked_at as date) as balance_date,
            balance_after as end_of_day_balance_amount,
            count(*) over (partition by account_id, cast(booked_at as date)) as transaction_count,
            row_number() over (
                partition by account_id, cast(booked_at as date)
                order by booked_at desc, transaction_id desc
            ) as position_from_day_end
        from staging.stg_core_banking__transactions
        where balance_after is not null
    )
    where position_from_day_end = 1
"""


def test_a_row_three_weeks_late_updates_its_booking_day(replayed, tmp_path):
    """A transaction booked weeks ago but delivered in the newest extract is added to its
    old booking day by the next incremental run (no lookback window to tune): it becomes
    that day's last transaction, so it sets the day's end-of-day balance, and every day
    still equals the aggregate computed again from staging."""
    _, incremental = replayed
    work = tmp_path / "late"
    last_day = copy_replay(incremental, work)
    with duckdb.connect(str(work / "warehouse.duckdb"), read_only=True) as con:
        # the raw text row of a staged transaction booked three weeks before the newest day
        old = con.sql(
            "select r.* exclude (_source_file, _row_number, _extract_date, _loaded_at) "
            "from raw.transactions as r "
            "inner join staging.base_core_banking__transactions as b "
            "on r._source_file = b._source_file and r._row_number = b._row_number "
            "where b._record_status = 'staged' and r.balance_after is not null "
            "and cast(try_cast(r.booked_at as timestamp) as date) <= ? "
            "order by r.booked_at desc, r.transaction_id limit 1",
            params=[last_day - timedelta(days=21)],
        ).to_arrow_table()
        account_id = old["account_id"][0].as_py()
        booked_day = old["booked_at"][0].as_py()[:10]
        transactions_before = con.execute(
            "select transaction_count from intermediate.int_account_balances_aggregated_daily "
            "where account_id = ? and balance_date = ?",
            [account_id, booked_day],
        ).fetchall()[0][0]
    late = old
    for column, value in {
        "transaction_id": "T999999999999",
        "booked_at": f"{booked_day} 23:59:59",
        "updated_at": f"{booked_day} 23:59:59",
        "balance_after": "4242.42",
    }.items():
        late = late.set_column(late.schema.get_field_index(column), column, pa.array([value]))
    newest_extract = sorted((work / "landing" / "transactions").iterdir())[-1]
    pq.write_table(late, newest_extract / "part-late.parquet")

    run_bankprofile(work, "build")

    with duckdb.connect(str(work / "warehouse.duckdb"), read_only=True) as con:
        day_end = con.execute(
            "select end_of_day_balance_amount, transaction_count "
            "from intermediate.int_account_balances_aggregated_daily "
            "where account_id = ? and balance_date = ?",
            [account_id, booked_day],
        ).fetchone()
        mismatched = con.execute(
            f"select count(*) from (({AGGREGATE_DAY_ENDS} except all {STAGING_DAY_ENDS}) "
            f"union all ({STAGING_DAY_ENDS} except all {AGGREGATE_DAY_ENDS}))"
        ).fetchone()[0]
    # delivered at least three weeks after its booking day
    assert date.fromisoformat(newest_extract.name) - date.fromisoformat(booked_day) >= timedelta(21)
    assert day_end == (Decimal("4242.42"), transactions_before + 1)
    assert mismatched == 0


def test_a_run_pinned_to_an_earlier_day_then_a_normal_night(replayed, tmp_path):
    """A rebuild as of an earlier day (--vars as_of_date, in an earlier month) leaves the
    incremental enriched transactions with exactly the history up to that day, and the
    incremental daily and monthly customer balances equal to a full rebuild as of that day;
    the next normal run takes the later days back in and equals the full refresh again."""
    _, incremental = replayed
    work = tmp_path / "pinned"
    pinned = copy_replay(incremental, work) - timedelta(days=40)
    target_dir = tmp_path / "dbt_target"
    enriched = "int_transactions_enriched"
    balances = ["int_balances_aggregated_daily", "int_balances_aggregated_monthly"]
    models = [enriched, "int_account_balances_aggregated_daily", *balances]
    as_of_pinned = f"{{as_of_date: {pinned}}}"

    run_dbt(work, target_dir, "run", "-s", *models, "--vars", as_of_pinned)
    with duckdb.connect(str(work / "warehouse.duckdb"), read_only=True) as con:
        held, latest = con.execute(
            f"select count(*), max(booked_date) from intermediate.{enriched}"
        ).fetchone()
        staged_by_pinned = con.execute(
            "select count(*) from staging.stg_core_banking__transactions as t "
            "inner join staging.stg_core_banking__accounts as a on t.account_id = a.account_id "
            "where cast(t.booked_at as date) <= ?",
            [pinned],
        ).fetchone()[0]
    assert (held, latest) == (staged_by_pinned, pinned)
    rebuilt = tmp_path / "rebuilt"
    rebuilt.mkdir()
    shutil.copy(work / "warehouse.duckdb", rebuilt / "warehouse.duckdb")
    run_dbt(rebuilt, target_dir, "run", "-s", *balances, "--full-refresh", "--vars", as_of_pinned)
    pinned_balances = differences(work / "warehouse.duckdb", rebuilt / "warehouse.duckdb")
    assert pinned_balances == {}

    run_dbt(work, target_dir, "run", "-s", *models)
    assert differences(work / "warehouse.duckdb", incremental, ("intermediate",)) == {}


def test_nothing_is_lost_at_two_percent_bad_rows(replayed):
    data_dir, _ = replayed
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        balance = con.execute(
            "select table_name, raw_rows, staged_rows + quarantined_rows + exact_duplicate_rows "
            "+ superseded_rows, quarantined_rows from staging.stg_core_banking__reconciliation"
        ).fetchall()
        unexplained = con.execute(
            "select count(*) from staging.stg_core_banking__quarantine "
            "where quarantine_reason is null"
        ).fetchone()[0]
    assert {name for name, *_ in balance} == {t.name for t in TABLES}
    assert all(raw == accounted for _, raw, accounted, _ in balance)
    assert sum(bad for *_, bad in balance) > 0
    assert unexplained == 0


def test_a_failed_build_changes_nothing_and_the_same_day_again_is_identical(replayed):
    """A build that fails mid-way (a bad as-of date stops the customer marts) leaves the
    published version readable; running the same day again then publishes, and leaves
    every table exactly as it was (row counts and content hashes)."""
    data_dir, _ = replayed
    published = data_dir / "published"
    version = json.loads((published / "manifest.json").read_text())["version"]
    before = table_fingerprints(data_dir / "warehouse.duckdb")

    result = run_bankprofile(data_dir, "build", "--vars", "{as_of_date: not-a-date}", expect=1)
    assert "left as it was" in result.stderr
    assert json.loads((published / "manifest.json").read_text())["version"] == version
    with duckdb.connect(str(published / "bi.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from customer.customer_360").fetchone()[0] > 0
    failures = (data_dir / "logs" / "failures.jsonl").read_text().splitlines()
    assert json.loads(failures[-1])["steps"]

    run_bankprofile(data_dir, "build")
    assert json.loads((published / "manifest.json").read_text())["version"] != version
    assert table_fingerprints(data_dir / "warehouse.duckdb") == before


def load_log(deliveries: dict[str, list[tuple[str, int]]]):
    """An in-memory raw._load_log with (day, rows) deliveries per table."""
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute(
        "create table raw._load_log (table_name varchar, source_file varchar, file_bytes bigint,"
        " file_mtime_ns bigint, file_md5 varchar, row_count bigint, loaded_at timestamp)"
    )
    for table, days in deliveries.items():
        for day, rows in days:
            con.execute(
                "insert into raw._load_log values (?, ?, 0, 0, '', ?, now())",
                [table, f"{table}/{day}/part-0000.parquet", rows],
            )
    return con


def test_delivery_checks_see_a_late_table_and_a_thin_day():
    days = [f"2026-09-{day:02d}" for day in range(1, 31)]
    normal = [(day, 1000 + 10 * (i % 5)) for i, day in enumerate(days)]
    con = load_log(
        {
            "transactions": normal[:-1] + [(days[-1], 300)],  # a thin last day
            "digital_events": normal[:-2],  # two days behind
            "customers": normal,
            "campaigns": [(days[3], 2), (days[17], 1)],  # now and then: never "late"
        }
    )
    thin = delivery_report(con, "transactions")
    assert thin.is_anomalous and not thin.is_late
    behind = delivery_report(con, "digital_events")
    assert behind.is_late and behind.days_behind == 2
    assert not delivery_report(con, "customers").is_late
    assert not delivery_report(con, "customers").is_anomalous
    rare = delivery_report(con, "campaigns")
    assert not rare.is_daily and not rare.is_late


def test_delivery_checks_pass_on_the_replayed_bank(replayed):
    data_dir, _ = replayed
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        transactions = delivery_report(con, "transactions")
    assert transactions.is_daily and not transactions.is_late


def test_the_sensor_requests_exactly_one_run_per_new_day(tmp_path, monkeypatch):
    monkeypatch.setenv("BANKPROFILE_DATA_DIR", str(tmp_path))
    for day in ("2026-09-28", "2026-09-29"):
        (tmp_path / "landing" / "transactions" / day).mkdir(parents=True)
    (tmp_path / "landing" / "customers" / "2026-09-29").mkdir(parents=True)

    context = dg.build_sensor_context()
    first = list(new_extract_day_sensor(context))
    assert [request.run_key for request in first] == ["extract-2026-09-28", "extract-2026-09-29"]
    assert list(new_extract_day_sensor(dg.build_sensor_context(cursor=context.cursor))) == []

    (tmp_path / "landing" / "accounts" / "2026-09-30").mkdir(parents=True)
    later = list(new_extract_day_sensor(dg.build_sensor_context(cursor=context.cursor)))
    assert [request.run_key for request in later] == ["extract-2026-09-30"]


def test_a_failure_record_reaches_the_log(tmp_path):
    log = tmp_path / "logs" / "failures.jsonl"
    record_failure(log, {"run_id": "r1", "steps": ["raw_core_banking"]}, webhook=None)
    record_failure(log, {"run_id": "r2", "steps": []}, webhook=None)
    assert [json.loads(line)["run_id"] for line in log.read_text().splitlines()] == ["r1", "r2"]

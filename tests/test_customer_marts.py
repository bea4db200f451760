"""Customer profile marts on a small simulated bank: income detection, grain, point in time.

Reads a module copy of the session's bank (2,000 customers, built once through the real
`bankprofile build`, as of its last booked day), checks the marts against the simulator's
truth file, then delivers a later extract into the copy and builds it again as of the same day.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import BANK_CUSTOMERS, copy_of_bank, run_bankprofile

pytestmark = pytest.mark.e2e

AS_OF_DATE = "2026-09-30"  # the simulator's default last booked day, the bank's as-of day
LATE_EXTRACT_DAY = "2026-10-20"  # a later extract, with rows booked after AS_OF_DATE
MIN_INCOME_ACCURACY = 0.95


def build(data_dir: Path) -> None:
    """The real nightly job (load, dbt build with tests, scorecard, publish) as of AS_OF_DATE."""
    run_bankprofile(data_dir, "build", "--vars", f"{{as_of_date: '{AS_OF_DATE}'}}")


def read(data_dir: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        return con.sql(sql).df()
    finally:
        con.close()


def append_late_transactions(data_dir: Path) -> int:
    """A later extract: copies of recent staged rows re-booked after AS_OF_DATE, with new ids
    (staged ones: the bank's extracts also hold rows its build quarantined)."""
    landing = data_dir / "landing" / "transactions"
    newest = sorted(landing.glob("*/*.parquet"))[-1]
    staged = set(
        read(
            data_dir,
            "select _row_number from staging.base_core_banking__transactions "
            "where _record_status = 'staged' "
            f"and _source_file = 'transactions/{newest.parent.name}/{newest.name}'",
        )["_row_number"]
    )
    recent = [
        row for number, row in enumerate(pq.read_table(newest).to_pylist()) if number in staged
    ]
    rows = []
    for number, row in enumerate(recent):
        rows.append(
            {
                **row,
                "transaction_id": f"T9{number:011d}",
                "booked_at": f"{LATE_EXTRACT_DAY} 10:00:00",
                "updated_at": f"{LATE_EXTRACT_DAY} 10:00:00",
                "amount": "-1234.00",
                "mcc": "5812",
                "counterparty_type": "merchant",
            }
        )
    folder = landing / LATE_EXTRACT_DAY
    folder.mkdir()
    schema = pa.schema([(name, pa.string()) for name in recent[0]])
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), folder / "part-0000.parquet")
    return len(rows)


@pytest.fixture(scope="module")
def built(bank, tmp_path_factory):
    data_dir = copy_of_bank(bank, tmp_path_factory.mktemp("customer_marts"), "landing", "truth")
    latest = read(
        data_dir,
        "select strftime(max(booked_at), '%Y-%m-%d') as day "
        "from staging.stg_core_banking__transactions",
    )["day"][0]
    assert latest == AS_OF_DATE  # the bank's build was as of this day
    features_before = read(data_dir, "select * from customer.customer_features")
    late_rows = append_late_transactions(data_dir)
    build(data_dir)
    return data_dir, features_before, late_rows


def test_income_source_agrees_with_truth(built):
    data_dir, _, _ = built
    truth = pd.read_parquet(data_dir / "truth" / "customers.parquet")[
        ["customer_id", "income_source"]
    ]
    detected = read(data_dir, "select customer_id, income_source from customer.customer_features")
    joined = detected.merge(truth, on="customer_id", suffixes=("_detected", "_true"))
    assert len(joined) == len(detected)
    accuracy = (joined["income_source_detected"] == joined["income_source_true"]).mean()
    assert accuracy >= MIN_INCOME_ACCURACY, f"income source accuracy {accuracy:.3f}"


@pytest.mark.parametrize("mart", ["customer_features", "customer_360"])
def test_one_row_per_staged_customer(built, mart):
    data_dir, _, _ = built
    staged = read(
        data_dir,
        "select customer_id from staging.stg_core_banking__customers "
        f"where cast(created_at as date) <= date '{AS_OF_DATE}'",
    )
    rows = read(data_dir, f"select customer_id from customer.{mart}")
    assert rows["customer_id"].is_unique
    assert set(rows["customer_id"]) == set(staged["customer_id"])
    assert len(rows) == BANK_CUSTOMERS


def test_transactions_after_as_of_date_change_no_feature(built):
    data_dir, before, late_rows = built
    staged_late = read(
        data_dir,
        "select count(*) as n from staging.stg_core_banking__transactions "
        f"where booked_at > timestamp '{AS_OF_DATE} 23:59:59'",
    )["n"][0]
    assert staged_late == late_rows  # the late rows did reach staging
    after = read(data_dir, "select * from customer.customer_features")
    key = ["customer_id"]
    pd.testing.assert_frame_equal(
        before.sort_values(key).reset_index(drop=True),
        after.sort_values(key).reset_index(drop=True),
    )


def test_customer_360_has_no_clear_pii_columns(built):
    data_dir, _, _ = built
    columns = read(data_dir, "select * from customer.customer_360 limit 0").columns
    for clear in ("full_name", "id_number", "mobile_phone", "email", "address"):
        assert clear not in columns
    assert {"full_name_masked", "id_number_masked", "mobile_phone_masked"} <= set(columns)

"""orchestration/overnight.py: what one more day changed, as `make bench` reports it."""

from __future__ import annotations

from datetime import date

import duckdb

from orchestration import overnight

MODELS = [("customer.customer_features", None)]


def _warehouse(path, rows):
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists customer")
        con.execute(
            "create or replace table customer.customer_features "
            "(customer_id varchar, as_of_date date, income decimal(18, 2), segment varchar)"
        )
        con.executemany("insert into customer.customer_features values (?, ?, ?, ?)", rows)


def test_compare_counts_changed_new_and_gone_customers_not_the_as_of_day(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    _warehouse(
        warehouse,
        [
            ("C1", date(2026, 9, 29), 100, "a"),
            ("C2", date(2026, 9, 29), 200, "b"),
            ("C3", date(2026, 9, 29), 300, None),
        ],
    )
    overnight.snapshot(warehouse, tmp_path / "before", MODELS)
    _warehouse(
        warehouse,
        [
            ("C1", date(2026, 9, 30), 150, "a"),  # income changed
            ("C2", date(2026, 9, 30), 200, "b"),  # only the as-of day moved
            ("C4", date(2026, 9, 30), 400, None),  # new; C3 is gone
        ],
    )
    (change,) = overnight.compare(warehouse, tmp_path / "before", MODELS)
    assert (change.customers, change.changed) == (3, 3)
    assert change.columns == [("income", 3)]  # C1, and the missing side of C3 and C4
    nobody = {"customers": 0, "booked_on_the_day": 0, "month_offset_moved": 0, "either": 0}
    table = "\n".join(overnight.render([change], nobody))
    assert "| customer_features | 3 | 3 (100%) | income 100% |" in table


def test_reachable_follows_whole_month_offsets(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema intermediate")
        con.execute(
            "create table intermediate.int_transactions_enriched "
            "(customer_id varchar, booked_date date)"
        )
        con.executemany(
            "insert into intermediate.int_transactions_enriched values (?, ?)",
            [
                ("C1", date(2026, 9, 30)),  # booked on the night's day
                ("C2", date(2026, 8, 30)),  # a whole month old on 09-30, not on 09-29
                ("C3", date(2026, 8, 31)),  # less than a month old on both days
                ("C4", date(2025, 9, 15)),  # twelve months old on both days
                ("C5", date(2025, 8, 30)),  # more than 13 months old: not counted
            ],
        )
    reach = overnight.reachable(warehouse, date(2026, 9, 30))
    assert reach == {
        "customers": 4,
        "booked_on_the_day": 1,
        "month_offset_moved": 1,
        "either": 2,
    }

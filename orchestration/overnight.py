"""What one more day changes in the per-customer models, for `make bench`.

The nightly build rebuilds every per-customer model whole (docs/benchmarks.md, "What
dominates now"). Rebuilding only the customers a night can change pays only if few can
change. Two figures say how many:

    changed   the customers whose row differs after the night (values, not the as-of
              day), per model, and the columns that differ most often: snapshot() before
              the night, compare() after it;
    reachable the customers a sound change detector on transactions alone would have to
              redo: a transaction booked on the new day, or one whose whole-month offset
              from the as-of day (macro whole_months_between, the unit of every 3, 6 and
              12-month window) moved overnight: reachable().
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import duckdb

# (relation, the rows of the current as-of day where a model holds other days too)
Models = list[tuple[str, str | None]]
PER_CUSTOMER_MODELS: Models = [
    ("customer.customer_features", None),
    ("intermediate.int_income_detected", None),
    ("intermediate.int_customers_signals_computed", None),
    (
        "intermediate.int_risk_features_computed",
        "as_of_date = (select max(as_of_date) from intermediate.int_risk_features_computed)",
    ),
    ("segmentation.customer_segments", None),
    ("marketing.customer_intents", None),
    ("risk.risk_scores", None),
]
# the key, and the columns that move every night whatever the customer did
NOT_COMPARED = {"customer_id", "as_of_date", "model_id", "_built_at"}


@dataclass
class ModelChanges:
    relation: str
    customers: int
    changed: int
    columns: list[tuple[str, int]]  # (column, customers whose value differs), most first


def _current_rows(relation: str, where: str | None) -> str:
    return f"select * from {relation}" + (f" where {where}" if where else "")


def _compared_columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    columns = [row[0] for row in con.execute(f"describe {relation}").fetchall()]
    return [column for column in columns if column not in NOT_COMPARED]


def snapshot(warehouse: Path, directory: Path, models: Models = PER_CUSTOMER_MODELS) -> None:
    """Each per-customer model's current rows as a Parquet file in `directory`."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for relation, where in models:
            target = directory / f"{relation}.parquet"
            con.execute(f"copy ({_current_rows(relation, where)}) to '{target}' (format parquet)")


def compare(
    warehouse: Path, directory: Path, models: Models = PER_CUSTOMER_MODELS
) -> list[ModelChanges]:
    """Per model of the snapshot in `directory`: the customers whose row is new, gone or
    different now, and how many differ in each column."""
    changes = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for relation, where in models:
            columns = _compared_columns(con, relation)
            quoted = ", ".join(f'"{column}"' for column in columns)
            before = f"read_parquet('{directory / f'{relation}.parquet'}')"
            after = f"({_current_rows(relation, where)})"
            differs = [f'after."{column}" is distinct from before."{column}"' for column in columns]
            customers, changed, *per_column = con.execute(
                f"""
                select
                    count(after.customer_id),
                    count(*) filter (
                        where after.customer_id is null or before.customer_id is null
                            or {" or ".join(differs)}
                    ),
                    {", ".join(f"count(*) filter (where {test})" for test in differs)}
                from {after} as after
                full join (select customer_id, {quoted} from {before}) as before
                    on after.customer_id = before.customer_id
                """
            ).fetchone()
            ranked = sorted(
                (
                    (column, count)
                    for column, count in zip(columns, per_column, strict=True)
                    if count
                ),
                key=lambda item: -item[1],
            )
            changes.append(ModelChanges(relation, customers, changed, ranked))
    return changes


def _whole_months_between(start: str, end: str) -> str:
    """macros/customer_profile.sql whole_months_between, in DuckDB's SQL."""
    borrow = f"case when day({end}) < day({start}) then 1 else 0 end"
    return f"(date_diff('month', {start}, {end}) - {borrow})"


def reachable(warehouse: Path, as_of: date) -> dict[str, int]:
    """Customers with transactions in the 13 months up to `as_of`, and how many of them the
    night that moves the as-of day to `as_of` reaches through one: booked on `as_of`, or
    booked before it with a whole-month offset that moved overnight."""
    night, before = f"date '{as_of}'", f"date '{as_of - timedelta(days=1)}'"
    offset_now = _whole_months_between("booked_date", night)
    offset_before = _whole_months_between("booked_date", before)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        customers, booked, offset_moved, either = con.execute(
            f"""
            with flagged as (
                select
                    customer_id,
                    bool_or(booked_date = {night}) as booked_on_the_day,
                    bool_or(booked_date < {night} and {offset_now} <> {offset_before})
                        as offset_moved
                from intermediate.int_transactions_enriched
                where booked_date > {night} - interval 13 month and booked_date <= {night}
                group by customer_id
            )
            select
                count(*),
                count(*) filter (where booked_on_the_day),
                count(*) filter (where offset_moved),
                count(*) filter (where booked_on_the_day or offset_moved)
            from flagged
            """
        ).fetchone()
    return {
        "customers": customers,
        "booked_on_the_day": booked,
        "month_offset_moved": offset_moved,
        "either": either,
    }


def _percent(count: int, total: int) -> str:
    """A whole percentage, and "<1%" rather than "0%" for a count that is not 0."""
    if not total:
        return "-"
    return "<1%" if 0 < count < total / 200 else f"{count / total:.0%}"


def render(changes: list[ModelChanges], reach: dict[str, int], top: int = 4) -> list[str]:
    """Markdown lines: the reach of one night, then a row per model."""
    share = partial(_percent, total=reach["customers"])
    lines = [
        f"What one more day changed, of the {reach['customers']:,} customers with transactions "
        f"in 13 months: {reach['booked_on_the_day']:,} ({share(reach['booked_on_the_day'])}) "
        f"booked one that day; {reach['month_offset_moved']:,} "
        f"({share(reach['month_offset_moved'])}) have one whose month offset from the as-of "
        f"day moved, so {reach['either']:,} ({share(reach['either'])}) are in reach of the "
        "night through transactions alone. Customers whose row changed:",
        "",
        "| model | customers | changed | columns changed most often |",
        "| --- | ---: | ---: | --- |",
    ]
    for change in changes:
        columns = ", ".join(
            f"{column} {_percent(count, change.customers)}"
            for column, count in change.columns[:top]
        )
        lines.append(
            f"| {change.relation.split('.')[-1]} | {change.customers:,} | "
            f"{change.changed:,} ({_percent(change.changed, change.customers)}) | {columns} |"
        )
    return lines

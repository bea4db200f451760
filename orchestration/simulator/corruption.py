"""Injected bad rows: extra rows with exactly one defect each, logged for the tests.

Clean rows are never changed or dropped. A bad row starts as a copy of a clean row and
gets a fresh key from a reserved range (ids starting with 9), so it collides with nothing
and nothing refers to it; duplicates keep their original's key by design.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .common import sort_order
from .config import SECONDS_PER_DAY
from .frame import NULL, Frame, to_arrow
from .writer import BadRows

KINDS = (
    "null_key",
    "duplicate_key",
    "exact_duplicate",
    "bad_date",
    "bad_amount",
    "impossible_age",
    "orphan_key",
    "future_date",
    "unknown_code",
)
EXPECTED_OUTCOME = {
    "null_key": "missing_key",
    "duplicate_key": "duplicate_key",
    "exact_duplicate": "exact_duplicate",
    "bad_date": "invalid_date",
    "bad_amount": "invalid_amount",
    "impossible_age": "impossible_age",
    "orphan_key": "orphan_key",
    "future_date": "future_date",
    "unknown_code": "unknown_code",
}
BAD_DATES = ("2025-13-45", "N/A", "2025-02-30", "00-00-0000", "unknown")
BAD_TIMESTAMPS = ("2025-13-45 10:00:00", "N/A", "2025-02-30 25:61:00", "unknown")
BAD_AMOUNTS = ("12,3a", "abc", "1.2.3", "--5", "N/A", "¥100")


@dataclass(frozen=True)
class Defects:
    """Where each kind of defect goes in one table (None: the kind does not apply)."""

    key: str  # numeric key column that gets fresh ids (or is nulled)
    key_width: int
    dates: tuple[str, ...]
    amounts: tuple[str, ...]
    event: str | None  # date/timestamp column moved past the extract day for future_date
    code: tuple[str, str] | None  # (column, a value not in its code list)
    fk: tuple[str, int] | None  # (foreign key column, id width)
    mutate: str  # column given a different valid value for duplicate_key
    composite_key: tuple[str, ...] = ()


DEFECTS: dict[str, Defects] = {
    "customers": Defects(
        "customer_id",
        8,
        ("birth_date", "created_at"),
        ("declared_monthly_income",),
        "created_at",
        ("occupation", "astronaut"),
        None,
        "declared_monthly_income",
    ),
    "accounts": Defects(
        "account_id",
        10,
        ("opened_date",),
        ("credit_limit",),
        "opened_date",
        ("account_type", "crypto_wallet"),
        ("customer_id", 8),
        "status",
    ),
    "transactions": Defects(
        "transaction_id",
        12,
        ("booked_at",),
        ("amount", "balance_after"),
        "booked_at",
        ("channel", "fax"),
        ("account_id", 10),
        "amount",
    ),
    "wealth_orders": Defects(
        "order_id",
        10,
        ("ordered_at",),
        ("amount",),
        "ordered_at",
        ("order_type", "switch"),
        ("account_id", 10),
        "amount",
    ),
    "holdings": Defects(
        "customer_id",
        8,
        ("snapshot_date",),
        ("market_value",),
        "snapshot_date",
        None,
        ("customer_id", 8),
        "market_value",
        ("customer_id", "product_code", "snapshot_date"),
    ),
    "loans": Defects(
        "loan_id",
        10,
        ("originated_date", "maturity_date"),
        ("principal_amount",),
        "originated_date",
        ("loan_type", "payday"),
        ("customer_id", 8),
        "principal_amount",
    ),
    "loan_repayments": Defects(
        "repayment_id",
        12,
        ("due_date",),
        ("amount_due",),
        "paid_date",
        None,
        ("loan_id", 10),
        "amount_due",
    ),
    "credit_bureau_reports": Defects(
        "report_id",
        10,
        ("report_date",),
        ("external_debt_amount",),
        "report_date",
        None,
        ("customer_id", 8),
        "external_debt_amount",
    ),
    "digital_events": Defects(
        "event_id",
        12,
        ("event_at",),
        (),
        "event_at",
        ("channel", "fax"),
        ("customer_id", 8),
        "channel",
    ),
    "service_interactions": Defects(
        "interaction_id",
        10,
        ("interaction_at",),
        (),
        "interaction_at",
        ("channel", "fax"),
        ("customer_id", 8),
        "is_resolved",
    ),
    "campaigns": Defects(
        "campaign_id",
        4,
        ("start_date", "end_date"),
        ("holdout_share",),
        None,
        ("channel", "carrier_pigeon"),
        None,
        "campaign_name",
    ),
    "campaign_contacts": Defects(
        "contact_id",
        10,
        ("contacted_at",),
        (),
        "contacted_at",
        None,
        ("campaign_id", 4),
        "responded",
    ),
}


def applicable_kinds(table: str) -> list[str]:
    spec = DEFECTS[table]
    kinds = ["null_key", "duplicate_key", "exact_duplicate", "bad_date"]
    if spec.amounts:
        kinds.append("bad_amount")
    if table == "customers":
        kinds.append("impossible_age")
    if spec.fk:
        kinds.append("orphan_key")
    if spec.event:
        kinds.append("future_date")
    if spec.code:
        kinds.append("unknown_code")
    return kinds


def fresh_ids(width: int, chunk: int, count: int) -> np.ndarray:
    """Keys no clean row has: 9 followed by width-1 digits, a block per chunk."""
    stride = 10 ** max(width - 3, 1)
    return 9 * 10 ** (width - 1) + chunk * stride + np.arange(count)


def orphan_ids(width: int, chunk: int, count: int) -> np.ndarray:
    """Foreign keys that exist nowhere: 95... (fresh keys stay below 95...)."""
    stride = 10 ** max(width - 3, 1)
    span = 5 * 10 ** (width - 2)
    return 95 * 10 ** (width - 2) + (chunk * stride + np.arange(count)) % span


def latest_versions(frame: Frame, key: str) -> np.ndarray:
    """Positions of rows that are the latest version of their key."""
    order = sort_order(frame.data[key], frame.updated_at)
    keys = frame.data[key][order]
    last = np.r_[keys[1:] != keys[:-1], True]
    return np.sort(order[last])


def _replace(table: pa.Table, column: str, values: pa.Array) -> pa.Table:
    return table.set_column(table.column_names.index(column), column, values)


def _pick_text(rng: np.random.Generator, options: tuple[str, ...], n: int) -> pa.Array:
    return pa.array(options, pa.string()).take(pa.array(rng.integers(0, len(options), n)))


def _mutate(rng: np.random.Generator, frame: Frame, column: str) -> None:
    """Give `column` a different but valid value (in place)."""
    values = frame.data[column]
    col = frame.cols[column]
    n = len(frame)
    if col.kind == "dec":
        frame.data[column] = np.where(values == NULL, 100, values + rng.integers(1, 100, n) * 100)
    elif col.kind == "bool":
        frame.data[column] = 1 - np.maximum(values, 0)
    elif col.kind == "code" and frame.table == "digital_events":
        mobile, online = col.labels.index("mobile_app"), col.labels.index("online")
        frame.data[column] = np.where(values == mobile, online, mobile)
    elif col.kind == "code":
        frame.data[column] = (values + 1) % len(col.labels)
    elif col.kind == "str":
        frame.data[column] = pc.binary_join_element_wise(values, "(更新)", "")
    else:
        raise ValueError(f"Cannot mutate column '{column}' of kind '{col.kind}'.")


def _record_keys(table: pa.Table, spec: Defects) -> pa.Array:
    if spec.composite_key:
        parts = [table.column(name).combine_chunks() for name in spec.composite_key]
        return pc.binary_join_element_wise(*parts, "|")
    return table.column(spec.key).combine_chunks()


def make_bad_rows(
    rng: np.random.Generator,
    frame: Frame,
    rate: float,
    chunk: int,
    end_day: int,
    free_customers: np.ndarray | None = None,
) -> BadRows | None:
    """About rate x len(frame) bad rows, spread evenly over the kinds that apply."""
    if rate <= 0 or len(frame) == 0:
        return None
    spec = DEFECTS[frame.table]
    kinds = applicable_kinds(frame.table)
    total = int(np.ceil(rate * len(frame)))
    counts = rng.multinomial(total, np.full(len(kinds), 1 / len(kinds)))
    latest = latest_versions(frame, spec.key) if not spec.composite_key else np.arange(len(frame))
    fresh_total = int(
        sum(
            c
            for k, c in zip(kinds, counts, strict=True)
            if k not in ("null_key", "duplicate_key", "exact_duplicate")
        )
    )
    if spec.composite_key:
        free = free_customers if free_customers is not None else np.zeros(0, np.int64)
        fresh_pool = rng.permutation(free)[:fresh_total]
    else:
        fresh_pool = fresh_ids(spec.key_width, chunk, fresh_total)
    used_fresh = 0
    tables, days, kind_names = [], [], []
    for kind, count in zip(kinds, counts, strict=True):
        pool = latest if kind == "duplicate_key" else np.arange(len(frame))
        if kind not in ("null_key", "duplicate_key", "exact_duplicate"):
            count = min(count, len(fresh_pool) - used_fresh)
        if count <= 0:
            continue
        rows = frame.take(pool[rng.integers(0, len(pool), count)]).copy_arrays()
        if kind not in ("null_key", "duplicate_key", "exact_duplicate"):
            rows.data[spec.key] = fresh_pool[used_fresh : used_fresh + count]
            used_fresh += count
        text = _apply(rng, kind, rows, spec, chunk, end_day)
        tables.append(text)
        days.append(rows.extract_day)
        kind_names.append(np.full(count, kind))
    if not tables:
        return None
    table = pa.concat_tables(tables).combine_chunks()
    return BadRows(
        table, np.concatenate(days), np.concatenate(kind_names), _record_keys(table, spec)
    )


def _apply(
    rng: np.random.Generator, kind: str, rows: Frame, spec: Defects, chunk: int, end_day: int
) -> pa.Table:
    """Give the copied rows their one defect and render them as landing text."""
    n = len(rows)
    if kind == "null_key":
        rows.data[spec.key] = np.full(n, NULL)
    elif kind == "duplicate_key":
        _mutate(rng, rows, spec.mutate)
    elif kind == "exact_duplicate":
        later = rng.random(n) < 0.3
        rows.extract_day = np.where(
            later, np.minimum(rows.extract_day + rng.integers(1, 4, n), end_day), rows.extract_day
        )
    elif kind == "impossible_age":
        too_old = rng.random(n) < 0.7
        rows.data["birth_date"] = np.where(
            too_old,
            rows.extract_day - rng.integers(121 * 366, 150 * 365, n),
            rows.extract_day + rng.integers(1, 3_650, n),
        )
    elif kind == "orphan_key":
        column, width = spec.fk
        rows.data[column] = orphan_ids(width, chunk, n)
    elif kind == "future_date":
        future_day = rows.extract_day + rng.integers(1, 61, n)
        if rows.cols[spec.event].kind == "ts":
            moved = future_day * SECONDS_PER_DAY + rng.integers(0, SECONDS_PER_DAY, n)
        else:
            moved = future_day
        rows.data[spec.event] = moved
        rows.data["updated_at"] = np.maximum(
            rows.data["updated_at"], future_day * SECONDS_PER_DAY + 3_600
        )
    table = to_arrow(rows)
    if kind == "bad_date":
        column = spec.dates[rng.integers(0, len(spec.dates))]
        options = BAD_TIMESTAMPS if rows.cols[column].kind == "ts" else BAD_DATES
        table = _replace(table, column, _pick_text(rng, options, n))
    elif kind == "bad_amount":
        column = spec.amounts[rng.integers(0, len(spec.amounts))]
        table = _replace(table, column, _pick_text(rng, BAD_AMOUNTS, n))
    elif kind == "unknown_code":
        column, value = spec.code
        table = _replace(table, column, pa.array([value] * n, pa.string()))
    return table

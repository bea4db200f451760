"""Daily-partitioned Parquet output: landing/<table>/<YYYY-MM-DD>/part-<NNNN>.parquet.

Rows of a day file are in updated_at order; injected bad rows for that file follow the
clean rows. The writer setup is fixed, so the same data gives byte-identical files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .common import sort_order
from .frame import Frame, to_arrow

FORMAT_BATCH_ROWS = 1_000_000
LOW_CARDINALITY = {
    "currency",
    "channel",
    "mcc",
    "counterparty_type",
    "gender",
    "city",
    "city_tier",
    "occupation",
    "employer_type",
    "education",
    "marital_status",
    "kyc_risk_tolerance",
    "account_type",
    "status",
    "product_code",
    "order_type",
    "loan_type",
    "collateral_type",
    "event_type",
    "page",
    "interaction_type",
    "topic",
    "is_resolved",
    "marketing_consent",
    "do_not_contact",
    "is_holdout",
    "responded",
    "campaign_id",
}


@dataclass
class BadRows:
    """Injected rows for one table and part, already rendered as landing text."""

    table: pa.Table
    extract_day: np.ndarray
    kind: np.ndarray  # corruption kind per row
    record_key: pa.Array


@dataclass
class WriteResult:
    rows: int = 0
    files: int = 0
    log: list[pa.Table] = field(default_factory=list)


def day_text(day: int) -> str:
    return str(np.datetime64(int(day), "D"))


def write_parquet(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    dictionary = [name for name in table.column_names if name in LOW_CARDINALITY]
    pq.write_table(
        table,
        path,
        compression="zstd",
        compression_level=1,
        use_dictionary=dictionary,
        write_statistics=False,
        row_group_size=1_048_576,
    )


def write_frame(frame: Frame, bad: BadRows | None, landing: Path, part: int) -> WriteResult:
    result = WriteResult()
    order = sort_order(frame.extract_day, frame.updated_at)
    clean_days = frame.extract_day[order]
    bad_days = bad.extract_day if bad is not None else np.zeros(0, np.int64)
    bad_order = np.argsort(bad_days, kind="stable")
    days = np.union1d(clean_days, bad_days)
    clean_start = np.searchsorted(clean_days, days, side="left")
    clean_end = np.searchsorted(clean_days, days, side="right")
    sorted_bad_days = bad_days[bad_order]
    bad_start = np.searchsorted(sorted_bad_days, days, side="left")
    bad_end = np.searchsorted(sorted_bad_days, days, side="right")

    i = 0
    while i < len(days):
        j = i + 1
        while j < len(days) and clean_end[j] - clean_start[i] <= FORMAT_BATCH_ROWS:
            j += 1
        batch = to_arrow(frame.take(order[clean_start[i] : clean_end[j - 1]]))
        for d in range(i, j):
            offset = clean_start[d] - clean_start[i]
            count = clean_end[d] - clean_start[d]
            pieces = [batch.slice(offset, count)]
            relative = f"{frame.table}/{day_text(days[d])}/part-{part:04d}.parquet"
            if bad is not None and bad_end[d] > bad_start[d]:
                picked = bad_order[bad_start[d] : bad_end[d]]
                pieces.append(bad.table.take(pa.array(picked)))
                n_bad = len(picked)
                result.log.append(
                    pa.table(
                        {
                            "table": pa.array([frame.table] * n_bad, pa.string()),
                            "source_file": pa.array([relative] * n_bad, pa.string()),
                            "row_number": pa.array(count + np.arange(n_bad), pa.int64()),
                            "record_key": bad.record_key.take(pa.array(picked)),
                            "corruption_kind": pa.array(bad.kind[picked].tolist(), pa.string()),
                        }
                    )
                )
            table = pa.concat_tables(pieces) if len(pieces) > 1 else pieces[0]
            write_parquet(table, landing / relative)
            result.rows += table.num_rows
            result.files += 1
        i = j
    return result

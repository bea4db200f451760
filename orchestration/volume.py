"""Delivery checks on raw: is each table's newest extract there, and is its size normal?

Both read raw._load_log (rows per landing file), so they cost nothing however big raw is.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import duckdb

from orchestration.loading import LOAD_LOG

HISTORY_DAYS = 28  # the weeks a day's volume is compared with
ANOMALY_Z = 4.0  # |z| above this, or fewer than half the median rows, is an anomaly
DAILY_SHARE = 0.8  # a table delivering on >= 80% of days is expected every day


@dataclass(frozen=True)
class DeliveryReport:
    table: str
    latest_day: str | None  # newest extract day of this table
    business_day: str | None  # newest extract day of any table
    days_behind: int
    is_daily: bool
    latest_rows: int
    median_rows: float
    z_score: float

    @property
    def is_late(self) -> bool:
        return self.is_daily and self.days_behind > 0

    @property
    def is_anomalous(self) -> bool:
        if self.median_rows == 0:
            return False
        return abs(self.z_score) > ANOMALY_Z or self.latest_rows < self.median_rows / 2


def delivery_report(con: duckdb.DuckDBPyConnection, table: str) -> DeliveryReport:
    daily = con.execute(
        f"select regexp_extract(source_file, '/(\\d{{4}}-\\d{{2}}-\\d{{2}})/', 1) as day, "
        f"sum(row_count) from {LOAD_LOG} where table_name = ? group by 1 order by 1",
        [table],
    ).fetchall()
    business_day = con.execute(
        f"select max(regexp_extract(source_file, '/(\\d{{4}}-\\d{{2}}-\\d{{2}})/', 1)) "
        f"from {LOAD_LOG}"
    ).fetchone()[0]
    if not daily:
        return DeliveryReport(table, None, business_day, 0, False, 0, 0.0, 0.0)
    days = [day for day, _ in daily]
    latest_day, latest_rows = daily[-1]
    span = con.execute(
        "select date_diff('day', cast(? as date), cast(? as date))", [days[0], business_day]
    ).fetchone()[0]
    behind = con.execute(
        "select date_diff('day', cast(? as date), cast(? as date))", [latest_day, business_day]
    ).fetchone()[0]
    window = [rows for _, rows in daily[-HISTORY_DAYS - 1 : -1]]
    median = float(statistics.median(window)) if window else 0.0
    spread = statistics.pstdev(window) if len(window) > 1 else 0.0
    z_score = (latest_rows - statistics.fmean(window)) / spread if spread else 0.0
    is_daily = span > 0 and len(days) / (span + 1) >= DAILY_SHARE
    return DeliveryReport(
        table, latest_day, business_day, behind, is_daily, int(latest_rows), median, z_score
    )

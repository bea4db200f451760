"""Landing -> raw: the loader as one Dagster asset per raw table."""

import dagster as dg
import duckdb

from orchestration.contract import TABLES
from orchestration.loading import drop_raw, load_table
from orchestration.resources import WAREHOUSE_POOL, DataDirResource
from orchestration.settings import duckdb_config
from orchestration.volume import delivery_report


class RawConfig(dg.Config):
    reload_all: bool = False  # drop raw and load every landing file again
    # backfill: load only the extract days in this range (YYYY-MM-DD, inclusive); empty = all
    from_day: str = ""
    to_day: str = ""


RAW_SPECS = [
    dg.AssetSpec(
        key=["raw", table.name],
        deps=[["landing", table.name]],
        description=f"Raw text copy of every landing file of {table.name}, with load metadata.",
        group_name="raw",
        kinds={"duckdb"},
        skippable=True,
    )
    for table in TABLES
]


CHECK_SPECS = [
    spec
    for table in TABLES
    for spec in (
        dg.AssetCheckSpec(
            "extract_is_current",
            asset=["raw", table.name],
            description="A table that delivers daily has the newest extract day.",
        ),
        dg.AssetCheckSpec(
            "volume_is_normal",
            asset=["raw", table.name],
            description="Rows of the newest extract day against the previous four weeks.",
        ),
    )
]


@dg.multi_asset(
    specs=RAW_SPECS,
    check_specs=CHECK_SPECS,
    name="raw_core_banking",
    can_subset=True,
    pool=WAREHOUSE_POOL,
    retry_policy=dg.RetryPolicy(max_retries=2, delay=5),
)
def raw_core_banking(context: dg.AssetExecutionContext, data: DataDirResource, config: RawConfig):
    paths = data.paths
    paths.root.mkdir(parents=True, exist_ok=True)
    selected = {key.path[-1] for key in context.selected_asset_keys}
    con = duckdb.connect(str(paths.warehouse), config=duckdb_config())
    try:
        if config.reload_all:
            context.log.warning("Full refresh: dropping raw and reloading every landing file")
            drop_raw(con)
        for table in TABLES:
            if table.name not in selected:
                continue
            days = (config.from_day or None, config.to_day or None)
            result = load_table(con, paths.landing, table, days)
            context.log.info(
                f"raw.{table.name}: {result.files_loaded} new file(s), "
                f"{result.rows_loaded} rows; {result.files_skipped} already loaded"
            )
            yield dg.MaterializeResult(
                asset_key=["raw", table.name],
                metadata={
                    "files_loaded": result.files_loaded,
                    "rows_loaded": result.rows_loaded,
                    "files_already_loaded": result.files_skipped,
                    "raw_rows": dg.MetadataValue.int(result.raw_rows),
                },
            )
            yield from delivery_checks(con, table.name, context.selected_asset_check_keys)
    finally:
        con.close()


def delivery_checks(con: duckdb.DuckDBPyConnection, table: str, selected) -> list:
    """Late or odd-sized deliveries warn (a late day can still be built); 3+ days late fails."""
    report = delivery_report(con, table)
    results = []
    key = dg.AssetKey(["raw", table])
    if dg.AssetCheckKey(key, "extract_is_current") in selected:
        results.append(
            dg.AssetCheckResult(
                asset_key=key,
                check_name="extract_is_current",
                passed=not report.is_late,
                severity=dg.AssetCheckSeverity.ERROR
                if report.days_behind >= 3
                else dg.AssetCheckSeverity.WARN,
                metadata={
                    "latest_extract_day": report.latest_day or "",
                    "business_day": report.business_day or "",
                    "days_behind": report.days_behind,
                    "delivers_daily": report.is_daily,
                },
            )
        )
    if dg.AssetCheckKey(key, "volume_is_normal") in selected:
        results.append(
            dg.AssetCheckResult(
                asset_key=key,
                check_name="volume_is_normal",
                passed=not report.is_anomalous,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={
                    "latest_rows": report.latest_rows,
                    "median_rows_4w": report.median_rows,
                    "z_score": round(report.z_score, 2),
                },
            )
        )
    return results

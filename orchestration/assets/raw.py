"""Landing -> raw: the loader as one Dagster asset per raw table."""

import dagster as dg
import duckdb

from orchestration.contract import TABLES
from orchestration.loading import drop_raw, load_table
from orchestration.resources import WAREHOUSE_POOL, DataDirResource


class RawConfig(dg.Config):
    reload_all: bool = False  # drop raw and load every landing file again


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


@dg.multi_asset(
    specs=RAW_SPECS,
    name="raw_core_banking",
    can_subset=True,
    pool=WAREHOUSE_POOL,
    retry_policy=dg.RetryPolicy(max_retries=2, delay=5),
)
def raw_core_banking(context: dg.AssetExecutionContext, data: DataDirResource, config: RawConfig):
    paths = data.paths
    paths.root.mkdir(parents=True, exist_ok=True)
    selected = {key.path[-1] for key in context.selected_asset_keys}
    con = duckdb.connect(str(paths.warehouse))
    try:
        if config.reload_all:
            context.log.warning("Full refresh: dropping raw and reloading every landing file")
            drop_raw(con)
        for table in TABLES:
            if table.name not in selected:
                continue
            result = load_table(con, paths.landing, table)
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
    finally:
        con.close()

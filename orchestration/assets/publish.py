"""Warehouse -> published copy for BI tools and the CLI."""

import dagster as dg

from orchestration.assets.dbt import bankprofile_dbt_models, bankprofile_dbt_scored_models
from orchestration.publishing import publish
from orchestration.resources import WAREHOUSE_POOL, DataDirResource


@dg.asset(
    key=["published", "bi_database"],
    group_name="publishing",
    kinds={"duckdb", "parquet"},
    deps=[bankprofile_dbt_models, bankprofile_dbt_scored_models],
    pool=WAREHOUSE_POOL,
    description="Read-only BI database and Parquet files, swapped in atomically after a "
    "build whose tests passed.",
)
def published_bi_database(data: DataDirResource) -> dg.MaterializeResult:
    result = publish(data.paths.warehouse, data.paths.published)
    return dg.MaterializeResult(
        metadata={
            "version": result.version,
            "bi_database": dg.MetadataValue.path(str(result.bi_database)),
            "tables": len(result.row_counts),
            "row_counts": dg.MetadataValue.json(result.row_counts),
        }
    )

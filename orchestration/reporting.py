"""The short report printed after a build: rows per layer, quarantine, where BI reads."""

from __future__ import annotations

import duckdb

from orchestration.publishing import read_manifest
from orchestration.settings import DataPaths

LAYERS = {
    "raw": ("raw",),
    "staging": ("staging",),
    "intermediate": ("intermediate",),
    "marts": ("customer", "segmentation", "risk", "marketing"),
}


def layer_summary(paths: DataPaths) -> str:
    """Counts from the published database and the warehouse, opened read-only."""
    lines = []
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        for layer, schemas in LAYERS.items():
            placeholders = ", ".join("?" for _ in schemas)
            relations = con.execute(
                "select schema_name, table_name from duckdb_tables() "
                f"where schema_name in ({placeholders}) and not starts_with(table_name, '_') "
                "union all select schema_name, view_name from duckdb_views() "
                f"where schema_name in ({placeholders}) and not internal",
                [*schemas, *schemas],
            ).fetchall()
            rows = sum(
                con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
                for schema, name in relations
                if not name.startswith("base_")
                and name not in ("stg_core_banking__quarantine", "stg_core_banking__reconciliation")
            )
            lines.append(f"  {layer:<14}{len(relations):>4} relations {rows:>14,} rows")
        reconciliation = con.execute(
            "select table_name, raw_rows, staged_rows, quarantined_rows, exact_duplicate_rows, "
            "superseded_rows, unaccounted_rows from staging.stg_core_banking__reconciliation "
            "order by table_name"
        ).fetchall()
        reasons = con.execute(
            "select quarantine_reason, count(*) from staging.stg_core_banking__quarantine "
            "group by 1 order by 2 desc"
        ).fetchall()
    finally:
        con.close()

    table_lines = [
        f"  {'table':<24}{'raw':>12}{'staged':>12}{'quarantined':>13}{'duplicates':>12}"
        f"{'superseded':>12}{'unaccounted':>13}"
    ] + [
        f"  {name:<24}{raw:>12,}{staged:>12,}{bad:>13,}{dups:>12,}{old:>12,}{lost:>13,}"
        for name, raw, staged, bad, dups, old, lost in reconciliation
    ]
    manifest = read_manifest(paths.published) or {}
    reason_text = ", ".join(f"{reason} {count:,}" for reason, count in reasons) or "none"
    return "\n".join(
        [
            "Rows per layer (warehouse):",
            *lines,
            "Raw rows, and where each went:",
            *table_lines,
            f"Quarantine reasons: {reason_text}",
            f"BI database (read-only copy): {paths.bi_database}",
            f"Parquet for BI tools:         {paths.published / 'parquet'}",
            f"Published version:            {manifest.get('version', '?')}",
        ]
    )

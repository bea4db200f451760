"""Publish the marts for readers: a read-only BI database and Parquet files.

BI tools, the CLI and notebooks never open the live warehouse (DuckDB allows one writer
and a half-built state must never show). After a build whose tests pass, the published
tables are copied aside and swapped in with a rename:

    published/bi.duckdb          replaced by os.replace, so a reader sees the old file or
                                 the new one, never a mix; an open reader keeps the old one
    published/parquet            a symlink switched to parquet-<version>/ the same way
    published/manifest.json      version, time and row count of every published table
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.settings import duckdb_config

# What readers get: every table of the mart schemas, plus the data-quality tables.
MART_SCHEMAS: tuple[str, ...] = ("customer", "segmentation", "risk", "marketing")
QUALITY_RELATIONS: tuple[tuple[str, str], ...] = (
    ("staging", "stg_core_banking__reconciliation"),
    ("staging", "stg_core_banking__quarantine"),
)
PARQUET_VERSIONS_KEPT = 2


@dataclass(frozen=True)
class PublishResult:
    version: str
    bi_database: Path
    parquet_dir: Path
    row_counts: dict[str, int]


def relations_to_publish(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Mart tables present in the attached warehouse `wh`, then the quality relations."""
    placeholders = ", ".join("?" for _ in MART_SCHEMAS)
    marts = con.execute(
        "select schema_name, table_name from duckdb_tables() "
        f"where database_name = 'wh' and schema_name in ({placeholders}) "
        "order by schema_name, table_name",
        list(MART_SCHEMAS),
    ).fetchall()
    present = {
        (schema, name)
        for schema, name in con.execute(
            "select schema_name, view_name from duckdb_views() where database_name = 'wh' "
            "union all "
            "select schema_name, table_name from duckdb_tables() where database_name = 'wh'"
        ).fetchall()
    }
    return list(marts) + [relation for relation in QUALITY_RELATIONS if relation in present]


def publish(warehouse: Path, published_dir: Path) -> PublishResult:
    """Copy the published relations out of the warehouse and swap them in atomically."""
    if not warehouse.exists():
        raise FileNotFoundError(f"No warehouse at {warehouse}; run `bankprofile build` first.")
    published_dir.mkdir(parents=True, exist_ok=True)
    version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    staging_db = published_dir / f".bi-{version}.duckdb.tmp"
    parquet_dir = published_dir / f"parquet-{version}"
    row_counts: dict[str, int] = {}

    con = duckdb.connect(str(staging_db), config=duckdb_config())
    try:
        con.execute(f"attach '{warehouse}' as wh (read_only)")
        for schema, name in relations_to_publish(con):
            con.execute(f"create schema if not exists {schema}")
            con.execute(f"create table {schema}.{name} as select * from wh.{schema}.{name}")
            (parquet_dir / schema).mkdir(parents=True, exist_ok=True)
            target = parquet_dir / schema / f"{name}.parquet"
            con.execute(f"copy {schema}.{name} to '{target}' (format parquet)")
            row_counts[f"{schema}.{name}"] = con.execute(
                f"select count(*) from {schema}.{name}"
            ).fetchone()[0]
        con.execute("detach wh")
        con.execute("checkpoint")
    finally:
        con.close()

    manifest = {
        "version": version,
        "published_at": datetime.now(UTC).isoformat(),
        "row_counts": row_counts,
    }
    _swap_in(published_dir, staging_db, parquet_dir, manifest)
    return PublishResult(
        version=version,
        bi_database=published_dir / "bi.duckdb",
        parquet_dir=published_dir / "parquet",
        row_counts=row_counts,
    )


def _swap_in(published_dir: Path, staging_db: Path, parquet_dir: Path, manifest: dict) -> None:
    os.replace(staging_db, published_dir / "bi.duckdb")
    link_tmp = published_dir / f".parquet-{manifest['version']}.link"
    link_tmp.symlink_to(parquet_dir.name)
    os.replace(link_tmp, published_dir / "parquet")
    manifest_tmp = published_dir / ".manifest.json.tmp"
    manifest_tmp.write_text(json.dumps(manifest, indent=2))
    os.replace(manifest_tmp, published_dir / "manifest.json")
    old_versions = sorted(published_dir.glob("parquet-*"))[:-PARQUET_VERSIONS_KEPT]
    for old in old_versions:
        shutil.rmtree(old, ignore_errors=True)


def read_manifest(published_dir: Path) -> dict | None:
    path = published_dir / "manifest.json"
    return json.loads(path.read_text()) if path.exists() else None

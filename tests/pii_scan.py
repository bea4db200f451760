"""Look for clear PII in every relation a reader or a later model can see."""

from __future__ import annotations

import duckdb

ID_NUMBER = r"(^|[^0-9A-Za-z.])[1-9][0-9]{16}[0-9X]($|[^0-9A-Za-z])"
PHONE = r"(^|[^0-9A-Za-z])1[3-9][0-9]{9}($|[^0-9A-Za-z])"
EMAIL = r"(^|[^*A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\."
SKIPPED_SCHEMAS = ("raw", "reference", "information_schema", "pg_catalog")


def clear_pii_findings(con: duckdb.DuckDBPyConnection, clear_names: list[str]) -> list[str]:
    """'schema.relation.column: what' for every text column holding a clear identifier."""
    names_pattern = "|".join(sorted({name for name in clear_names if name}))
    columns = con.execute(
        "select schema_name, table_name, column_name from duckdb_columns() "
        "where data_type = 'VARCHAR' and not internal "
        f"and schema_name not in {SKIPPED_SCHEMAS} and database_name = current_database()"
    ).fetchall()
    checks = {"id number": ID_NUMBER, "phone": PHONE, "email": EMAIL}
    if names_pattern:
        checks["name"] = names_pattern
    findings = []
    for schema, relation, column in columns:
        for what, pattern in checks.items():
            hit = con.execute(
                f'select "{column}" from "{schema}"."{relation}" '
                f'where regexp_matches("{column}", ?) limit 1',
                [pattern],
            ).fetchone()
            if hit:
                findings.append(f"{schema}.{relation}.{column}: {what} ({hit[0]!r})")
    return findings

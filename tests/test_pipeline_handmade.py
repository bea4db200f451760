"""The real Dagster job on a hand-written landing set whose every bad row is known."""

from __future__ import annotations

import duckdb
import pytest

from tests.conftest import run_bankprofile
from tests.fixtures import handmade
from tests.pii_scan import clear_pii_findings

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("handmade")
    handmade.write_landing(data_dir / "landing")
    result = run_bankprofile(data_dir, "build")
    return data_dir, result.stdout


def test_build_prints_the_summary(built):
    _, stdout = built
    assert "Build succeeded" in stdout
    assert "Quarantine reasons:" in stdout
    assert "bi.duckdb" in stdout


def test_every_bad_row_is_quarantined_with_its_reason(built):
    data_dir, _ = built
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select table_name, record_key, quarantine_reason "
            "from staging.stg_core_banking__quarantine"
        ).fetchall()
    assert set(rows) == handmade.EXPECTED_QUARANTINE
    assert len(rows) == len(handmade.EXPECTED_QUARANTINE)


def test_counts_reconcile_for_every_table(built):
    data_dir, _ = built
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        balance = {
            name: (staged, duplicates, superseded, lost)
            for name, staged, duplicates, superseded, lost in con.execute(
                "select table_name, staged_rows, exact_duplicate_rows, superseded_rows, "
                "unaccounted_rows from staging.stg_core_banking__reconciliation"
            ).fetchall()
        }
    assert len(balance) == 12
    assert all(lost == 0 for *_, lost in balance.values())
    for name, expected in handmade.EXPECTED_BALANCE.items():
        assert balance[name][:3] == expected, name


def test_latest_version_wins(built):
    data_dir, _ = built
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        address = con.execute(
            "select address_masked from staging.stg_core_banking__customers "
            "where customer_id = 'C00000001'"
        ).fetchone()[0]
    assert address == "上海市浦东新****"


def test_pii_is_hashed_and_masked_and_nowhere_in_clear(built):
    data_dir, _ = built
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        masked = con.execute(
            "select full_name_masked, id_number_masked, mobile_phone_masked, email_masked, "
            "length(id_number_hash) from staging.stg_core_banking__customers "
            "where customer_id = 'C00000002'"
        ).fetchone()
        assert masked == ("张**", "110***********001X", "138****1234", "z***@example.cn", 64)
        assert clear_pii_findings(con, [handmade.CLEAR_NAME]) == []


def test_the_pii_scan_finds_clear_values():
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.leak as select * from (values "
        f"('{handmade.CLEAR_ID_NUMBER}'), ('call {handmade.CLEAR_PHONE}'), "
        f"('{handmade.CLEAR_EMAIL}'), ('客户{handmade.CLEAR_NAME}'), "
        "('张**'), ('138****1234'), ('z***@example.cn'), ('110***********001X')) as t(value)"
    )
    findings = clear_pii_findings(con, [handmade.CLEAR_NAME])
    assert sorted(finding.split(" (")[0] for finding in findings) == [
        "marts.leak.value: email",
        "marts.leak.value: id number",
        "marts.leak.value: name",
        "marts.leak.value: phone",
    ]


def test_published_database_opens_read_only(built):
    data_dir, _ = built
    with duckdb.connect(str(data_dir / "published" / "bi.duckdb"), read_only=True) as con:
        tables = {
            name for (name,) in con.execute("select table_name from duckdb_tables()").fetchall()
        }
    assert {"stg_core_banking__reconciliation", "stg_core_banking__quarantine"} <= tables

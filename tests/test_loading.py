"""Landing -> raw: once per file, refusing what cannot be trusted."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.contract import TABLES, TABLES_BY_NAME
from orchestration.loading import LandingError, load_table
from tests.fixtures.handmade import ROWS, write_landing


@pytest.fixture()
def landing(tmp_path):
    write_landing(tmp_path / "landing")
    return tmp_path / "landing"


@pytest.fixture()
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    yield connection
    connection.close()


def raw_rows(con, name):
    return con.execute(f"select count(*) from raw.{name}").fetchone()[0]


def test_loads_every_row_with_its_origin(landing, con):
    result = load_table(con, landing, TABLES_BY_NAME["customers"])
    written = sum(len(rows) for rows in ROWS["customers"].values())
    assert result.rows_loaded == written == raw_rows(con, "customers")
    origins = con.execute(
        "select _source_file, _row_number, cast(_extract_date as varchar) from raw.customers "
        "order by 1, 2"
    ).fetchall()
    assert origins[0] == ("customers/2025-01-01/part-0000.parquet", 0, "2025-01-01")
    assert origins[-1] == ("customers/2025-01-02/part-0000.parquet", 1, "2025-01-02")


def test_loading_the_same_files_twice_adds_nothing(landing, con):
    for t in TABLES:
        load_table(con, landing, t)
    before = {t.name: raw_rows(con, t.name) for t in TABLES}
    again = [load_table(con, landing, t) for t in TABLES]
    assert all(result.rows_loaded == 0 and result.files_loaded == 0 for result in again)
    assert {t.name: raw_rows(con, t.name) for t in TABLES} == before


def test_a_new_day_loads_only_the_new_file(landing, con):
    load_table(con, landing, TABLES_BY_NAME["accounts"])
    day = landing / "accounts" / "2025-01-03"
    day.mkdir()
    columns = TABLES_BY_NAME["accounts"].column_names
    pq.write_table(pa.table({c: pa.array(["x"], pa.string()) for c in columns}), day / "p.parquet")
    result = load_table(con, landing, TABLES_BY_NAME["accounts"])
    assert (result.files_loaded, result.rows_loaded, result.files_skipped) == (1, 1, 1)


def test_missing_landing_folder_names_it(tmp_path, con):
    with pytest.raises(LandingError, match="No landing folder for table 'loans'"):
        load_table(con, tmp_path / "landing", TABLES_BY_NAME["loans"])


def test_file_missing_a_contract_column_is_refused_and_nothing_loads(landing, con):
    day = landing / "campaigns" / "2025-01-05"
    day.mkdir()
    pq.write_table(pa.table({"campaign_id": pa.array(["K9"], pa.string())}), day / "p.parquet")
    with pytest.raises(LandingError, match="lacks column.*campaign_name"):
        load_table(con, landing, TABLES_BY_NAME["campaigns"])
    assert raw_rows(con, "campaigns") == 0


def test_a_file_changed_after_loading_is_an_error(landing, con):
    load_table(con, landing, TABLES_BY_NAME["loans"])
    path = landing / "loans" / "2025-01-01" / "part-0000.parquet"
    extra = pq.read_table(path)
    pq.write_table(pa.concat_tables([extra, extra]), path)
    with pytest.raises(LandingError, match="changed after it was loaded"):
        load_table(con, landing, TABLES_BY_NAME["loans"])


def test_a_backfill_loads_only_its_extract_days_and_later_runs_the_rest(landing, con):
    customers = TABLES_BY_NAME["customers"]
    backfill = load_table(con, landing, customers, days=("2025-01-02", "2025-01-02"))
    assert (backfill.files_loaded, backfill.rows_loaded) == (
        1,
        len(ROWS["customers"]["2025-01-02"]),
    )
    rest = load_table(con, landing, customers)
    assert (rest.files_loaded, rest.files_skipped) == (1, 1)
    assert rest.raw_rows == sum(len(rows) for rows in ROWS["customers"].values())


def test_a_file_that_is_not_parquet_is_refused_by_name_and_nothing_loads(landing, con):
    day = landing / "campaigns" / "2025-01-05"
    day.mkdir()
    (day / "p.parquet").write_bytes(b"a truncated upload")
    with pytest.raises(LandingError, match="2025-01-05/p.parquet is not readable Parquet"):
        load_table(con, landing, TABLES_BY_NAME["campaigns"])
    assert raw_rows(con, "campaigns") == 0


def test_the_load_log_has_one_row_per_file_with_its_rows(landing, con):
    load_table(con, landing, TABLES_BY_NAME["customers"])
    logged = con.execute(
        "select source_file, row_count, file_bytes > 0, length(file_md5) from raw._load_log "
        "where table_name = 'customers' order by source_file"
    ).fetchall()
    assert logged == [
        (f"customers/{day}/part-0000.parquet", len(rows), True, 32)
        for day, rows in sorted(ROWS["customers"].items())
    ]

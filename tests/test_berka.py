"""The real-data path: the Berka files (PKDD'99, a Czech bank) through `bankprofile ingest
berka` and the same `bankprofile build` as the simulated bank (docs/real-data-berka.md).

The end-to-end tests need the shared copy at REPO_ROOT/../shared/realdata/berka and skip,
saying so, where it is absent; the decoding tests need nothing.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from orchestration.berka import ROW_FILES, decode_birth_numbers
from orchestration.contract import TABLES
from tests.conftest import REPO_ROOT, run_bankprofile

BERKA_DIR = REPO_ROOT.parent / "shared" / "realdata" / "berka"
needs_berka = pytest.mark.skipif(
    not (BERKA_DIR / "client.csv").is_file(),
    reason=f"the Berka files are not at {BERKA_DIR} (shared read-only copy of PKDD'99)",
)


@pytest.mark.parametrize(
    ("birth_number", "gender", "born"),
    [
        ("706213", "F", "1970-12-13"),  # month 62 = December, a woman
        ("450204", "M", "1945-02-04"),
        ("605101", "F", "1960-01-01"),  # month 51 = January
        ("111231", "M", "1911-12-31"),
        ("875927", "F", "1987-09-27"),
    ],
)
def test_birth_number_decodes_gender_and_birth_date(birth_number, gender, born):
    assert decode_birth_numbers([birth_number]) == [(gender, born)]


@pytest.mark.parametrize("birth_number", ["451301", "455001", "450230", "4502", "45o204"])
def test_undecodable_birth_number_is_kept_as_text_for_quarantine(birth_number):
    # staging casts birth_date and quarantines the row as invalid_date: nothing is dropped
    [(_, born)] = decode_birth_numbers([birth_number])
    assert born == birth_number


@pytest.fixture(scope="module")
def berka(tmp_path_factory) -> Path:
    """The Berka files ingested and built once, through the real command line."""
    if not (BERKA_DIR / "client.csv").is_file():
        pytest.skip(f"the Berka files are not at {BERKA_DIR}")
    data_dir = tmp_path_factory.mktemp("berka")
    run_bankprofile(data_dir, "ingest", "berka", "--from", str(BERKA_DIR))
    build = run_bankprofile(data_dir, "build", expect=None)
    (data_dir / "build-status.txt").write_text(
        f"{build.returncode}\n{build.stdout[-4000:]}\n{build.stderr[-4000:]}"
    )
    return data_dir


def require_full_build(data_dir: Path) -> None:
    """The whole job succeeded (Berka cannot fit a scorecard of its own: no instalments and
    no bureau reports, so the reference scorecard is installed, and says so)."""
    status, _, output = (data_dir / "build-status.txt").read_text().partition("\n")
    if status != "0":
        pytest.fail(f"`bankprofile build` on Berka failed:\n{output}")


def berka_rows_in(data_dir: Path) -> dict[str, int]:
    """Berka rows read per contract table, from the ingest's manifest."""
    manifest = json.loads((data_dir / "ingest" / "berka.json").read_text())
    rows: dict[str, int] = {table.name: 0 for table in TABLES}
    for berka_file, table in ROW_FILES.items():
        rows[table] += manifest["rows_in"][berka_file]
    return rows


@needs_berka
def test_build_publishes_every_mart(berka):
    require_full_build(berka)
    with duckdb.connect(str(berka / "published" / "bi.duckdb"), read_only=True) as con:
        customers_360 = con.execute("select count(*) from customer.customer_360").fetchone()[0]
        scored = con.execute("select count(*) from risk.risk_scores").fetchone()[0]
    assert customers_360 == 5_369
    assert scored == 5_369


@needs_berka
def test_landing_files_follow_the_contract(berka):
    for table in TABLES:
        [part] = sorted((berka / "landing" / table.name).glob("*/part-*.parquet"))
        schema = pq.read_schema(part)
        assert schema.names == table.column_names, table.name
        assert {str(field.type) for field in schema} == {"string"}, table.name


@needs_berka
def test_every_berka_row_is_staged_or_quarantined(berka):
    expected = berka_rows_in(berka)
    assert expected["customers"] == 5_369 and expected["transactions"] == 30_200
    with duckdb.connect(str(berka / "warehouse.duckdb"), read_only=True) as con:
        balance = {
            row[0]: row[1:]
            for row in con.execute(
                "select table_name, raw_rows, staged_rows, quarantined_rows, "
                "exact_duplicate_rows, superseded_rows, unaccounted_rows "
                "from staging.stg_core_banking__reconciliation"
            ).fetchall()
        }
    for table, rows_in in expected.items():
        raw, staged, quarantined, duplicates, superseded, unaccounted = balance[table]
        assert raw == rows_in, table
        assert staged + quarantined + duplicates + superseded == raw, table
        assert unaccounted == 0, table


@needs_berka
def test_profiles_are_as_of_the_last_booked_day_with_ages_from_birth_numbers(berka):
    with duckdb.connect(str(berka / "warehouse.duckdb"), read_only=True) as con:
        as_of, customers, ages_off = con.execute(
            f"""
            with client as (
                select 'C' || lpad(cast(client_id as varchar), 8, '0') as customer_id,
                    lpad(cast(birth_number as varchar), 6, '0') as birth_number
                from read_csv('{BERKA_DIR / "client.csv"}', delim = ';', header = true,
                    all_varchar = true)
            )
            select any_value(f.as_of_date), count(*),
                count(*) filter (where f.age_years <> date_sub('year',
                    make_date(1900 + cast(substr(c.birth_number, 1, 2) as integer),
                        cast(substr(c.birth_number, 3, 2) as integer) % 50,
                        cast(substr(c.birth_number, 5, 2) as integer)),
                    f.as_of_date))
            from customer.customer_features as f
            inner join client as c on f.customer_id = c.customer_id
            """
        ).fetchone()
    assert as_of == date(1998, 12, 5)  # the latest day in trans_test.csv, not a constant
    assert customers == 5_369
    assert ages_off == 0


@needs_berka
def test_amounts_stay_in_czech_crowns(berka):
    with duckdb.connect(str(berka / "warehouse.duckdb"), read_only=True) as con:
        currencies = con.execute(
            "select distinct currency from staging.stg_core_banking__accounts union "
            "select distinct currency from staging.stg_core_banking__transactions"
        ).fetchall()
    assert currencies == [("CZK",)]


@needs_berka
def test_gender_never_reaches_the_scorecard(berka):
    require_full_build(berka)
    with duckdb.connect(str(berka / "warehouse.duckdb"), read_only=True) as con:
        features = {
            row[0]
            for row in con.execute("select distinct feature from risk_model.scorecard").fetchall()
        }
        training_columns = {
            row[0] for row in con.execute("describe risk.risk_training_set").fetchall()
        }
        staged_genders = con.execute(
            "select count(*) from staging.stg_core_banking__customers where gender in ('M', 'F')"
        ).fetchone()[0]
    assert staged_genders == 5_369  # decoded and kept for service ...
    assert features and "gender" not in features  # ... never a credit input
    assert "gender" not in training_columns

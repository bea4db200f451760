"""The real-data path: the Berka files (PKDD'99, a Czech bank) through `bankprofile ingest
berka` and the same `bankprofile build` as the simulated bank (docs/real-data-berka.md).

The end-to-end tests need the shared copy at REPO_ROOT/../shared/realdata/berka and skip,
saying so, where it is absent; the decoding tests need nothing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from orchestration.berka import (
    ROW_FILES,
    decode_birth_numbers,
    development_sample_sql,
    loan_history_sql,
    read_berka_files,
    scoring_sample_sql,
)
from orchestration.contract import TABLES
from tests.conftest import REPO_ROOT, cli_environment, run_bankprofile

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


# ---- the scorecard samples, the loan_test grades and the report (docs/real-data-berka.md) ----


@pytest.fixture(scope="module")
def berka_report(berka, tmp_path_factory) -> Path:
    """`python -m orchestration.berka_report` on the built Berka data dir, run once."""
    require_full_build(berka)
    out = tmp_path_factory.mktemp("berka_report")
    result = subprocess.run(
        [sys.executable, "-m", "orchestration.berka_report", "--from", str(BERKA_DIR),
         "--data-dir", str(berka), "--out", str(out)],
        cwd=REPO_ROOT, env=cli_environment(berka), capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    if result.returncode != 0:
        pytest.fail(f"the Berka report failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    (out / "stdout.md").write_text(result.stdout)
    return out


@needs_berka
def test_report_grades_the_354_loan_test_loans_on_the_master_scale(berka_report):
    grades = pd.read_csv(berka_report / "loan_test_grades.csv")
    loan_test = pd.read_csv(BERKA_DIR / "loan_test.csv", sep=";")
    assert len(grades) == 354 and grades["loan_id"].is_unique
    assert set(grades["loan_id"]) == {f"L{i:010d}" for i in loan_test["loan_id"]}
    assert grades["grade"].notna().all() and set(grades["grade"]) <= set("ABCDE")
    scale = pd.read_csv(REPO_ROOT / "seeds" / "risk_master_scale.csv").set_index("grade")
    lower = grades["grade"].map(scale["min_pd"])
    upper = grades["grade"].map(scale["max_pd"])
    assert ((grades["pd"] >= lower) & (grades["pd"] < upper)).all()
    printed = (berka_report / "stdout.md").read_text()
    for heading in (
        "### Counts in and out",
        "### Segments",
        "### Scorecard on loan_train (cross-validated)",
        "### Grades of the loan_test loans",
        "### Grades against account behaviour before the loan day",
    ):
        assert heading in printed
    assert "40,953 Berka rows in, 40,953 landing rows out" in printed
    assert "for 5,369 of 5,369 customers" in printed  # ages agree with the birth numbers


@needs_berka
def test_gender_never_reaches_the_berka_scorecard(berka_report):
    sample = pd.read_csv(berka_report / "loan_train_sample.csv")
    assert set(sample["gender"]) == {"M", "F"}  # offered to the tool ...
    model = json.loads((berka_report / "scorecard" / "model.json").read_text())
    assert model["features"] and "gender" not in model["features"]  # ... and refused
    assert model["metrics"]["left_out_columns"]["gender"] == "protected attribute"
    folds = model["metrics"]["cross_validation"]["per_fold"]
    assert len(folds) == 5 and not any("gender" in fold["features"] for fold in folds)


def _yymmdd(day: date) -> str:
    return day.strftime("%y%m%d")


def _append(path: Path, *lines: str) -> None:
    text = path.read_text()
    path.write_text(text + ("" if text.endswith("\n") else "\n") + "\n".join(lines) + "\n")


def _samples(source: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    con = duckdb.connect()
    read_berka_files(con, source)
    frames = tuple(
        con.sql(sql).df()
        for sql in (development_sample_sql(), scoring_sample_sql(), loan_history_sql())
    )
    con.close()
    return frames  # type: ignore[return-value]


def _month_end(day: date) -> bool:
    return (day + timedelta(days=1)).month != day.month


def _age_on(birth_number: str, day: date) -> int:
    month = int(birth_number[2:4]) % 50
    born = date(1900 + int(birth_number[:2]), month, int(birth_number[4:6]))
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@needs_berka
def test_loan_features_use_nothing_dated_after_the_loan_day(tmp_path):
    """Plant, in a copy of the files, cards issued on or after a loan's day and transactions
    on and after it: none may change that loan's features or history, while a card or a
    transaction from the day before counts. Ages and tenures are those on the loan day, not
    on the snapshot day."""
    source = tmp_path / "berka"
    shutil.copytree(BERKA_DIR, source)
    for name in ("card_train.csv", "card_test.csv", "trans_test.csv"):
        (source / name).chmod(0o644)
    disp = pd.read_csv(BERKA_DIR / "disp.csv", sep=";")
    owners = disp[disp["type"] == "OWNER"].set_index("account_id")["disp_id"]
    cards = pd.concat(
        pd.read_csv(BERKA_DIR / f, sep=";") for f in ("card_train.csv", "card_test.csv")
    )
    carded = set(disp[disp["disp_id"].isin(cards["disp_id"])]["account_id"])

    def loans_without_card(file: str) -> pd.DataFrame:
        loans = pd.read_csv(BERKA_DIR / file, sep=";", dtype={"date": str})
        loans = loans[~loans["account_id"].isin(carded)].head(3).copy()
        loans["day"] = [datetime.strptime("19" + d, "%Y%m%d").date() for d in loans["date"]]
        return loans

    planted: dict[str, str] = {}  # loan_id -> the card type it must show
    card_rows = []
    for file in ("loan_train.csv", "loan_test.csv"):
        later, same, earlier = loans_without_card(file).itertuples()
        for number, (loan, issued, expected) in enumerate(
            [(later, later.day + timedelta(days=1), "none"), (same, same.day, "none"),
             (earlier, earlier.day - timedelta(days=1), "gold")]
        ):  # fmt: skip
            card_id = 90_000 + 10 * len(planted) + number
            card_rows.append(f"{card_id};{owners[loan.account_id]};gold;{_yymmdd(issued)}")
            planted[f"L{loan.loan_id:010d}"] = expected
    _append(source / "card_test.csv", *card_rows)
    before = _samples(source)[2].set_index("loan_id")
    test_loans = loans_without_card("loan_test.csv")
    trans_rows = [
        f"{99_000_000 + 10 * i + d};{loan.account_id};{_yymmdd(loan.day + timedelta(days=d))};"
        "withdrawal;;99999.00;-99999.00;sanction interest if negative balance;;"
        for i, loan in enumerate(test_loans.itertuples())
        for d in (-1, 0, 1)  # only the day before is before the loan day
    ]
    _append(source / "trans_test.csv", *trans_rows)
    development, scoring, history = _samples(source)

    card_type = pd.concat([development, scoring]).set_index("loan_id")["card_type"]
    assert {loan: card_type[loan] for loan in planted} == planted
    history = history.set_index("loan_id")
    moved = [f"L{loan_id:010d}" for loan_id in test_loans["loan_id"]]
    assert (history.loc[moved, "min_balance_amount"] == -99_999).all()
    assert (
        history.loc[moved, "sanction_interest_count"]
        == before.loc[moved, "sanction_interest_count"] + 1
    ).all()
    assert (history.loc[moved, "transactions"] == before.loc[moved, "transactions"] + 1).all()
    pd.testing.assert_frame_equal(history.drop(index=moved), before.drop(index=moved))

    clients = pd.read_csv(BERKA_DIR / "client.csv", sep=";", dtype={"birth_number": str})
    births = clients.set_index(clients["client_id"].map(lambda i: f"C{i:08d}"))["birth_number"]
    accounts = pd.read_csv(BERKA_DIR / "account.csv", sep=";", dtype={"creation_date": str})
    for sample, file in ((development, "loan_train.csv"), (scoring, "loan_test.csv")):
        loans = pd.read_csv(BERKA_DIR / file, sep=";", dtype={"date": str})
        assert len(sample) == len(loans)
        day = sample["originated_date"].map(date.fromisoformat)
        expected_age = [
            _age_on(births[c], d) for c, d in zip(sample["customer_id"], day, strict=True)
        ]
        assert sample["age_years"].tolist() == expected_age
        at_snapshot = [_age_on(births[c], date(1998, 12, 8)) for c in sample["customer_id"]]
        assert (sample["age_years"] < at_snapshot).mean() > 0.3  # not the snapshot's ages
        opened = loans.merge(accounts, on="account_id", validate="one_to_one")
        opened = opened.set_index(opened["loan_id"].map(lambda i: f"L{i:010d}"))["creation_date"]
        opened_day = (
            sample["loan_id"]
            .map(opened)
            .map(lambda d: datetime.strptime("19" + d, "%Y%m%d").date())
        )
        # whole months; a month ending on its last day is whole (as DuckDB's date_sub)
        months = [
            (d.year - o.year) * 12 + d.month - o.month - (d.day < o.day and not _month_end(d))
            for o, d in zip(opened_day, day, strict=True)
        ]
        assert sample["tenure_months"].tolist() == months
        assert (sample["tenure_months"] >= 0).all()

"""The real Dagster job on the session's simulated bank with injected bad rows."""

from __future__ import annotations

import json
import subprocess
import time
from datetime import UTC, datetime

import duckdb
import pandas as pd
import pytest

from orchestration.contract import TABLES
from orchestration.settings import duckdb_threads
from tests.conftest import (
    BANK_CUSTOMERS,
    BANKPROFILE,
    REPO_ROOT,
    cli_environment,
    copy_of_bank,
    run_bankprofile,
    run_dbt,
)
from tests.pii_scan import clear_pii_findings

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def built(bank):
    """The session's bank (2,000 customers, 1% bad rows), with the summary of a build."""
    result = run_bankprofile(bank, "summary")
    return bank, result.stdout


def warehouse(data_dir):
    """Open read-only, and close after use: an open reader would block the next writer."""
    return duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)


def test_build_reports_every_layer_and_the_bi_database(built):
    data_dir, stdout = built
    for expected in ("raw", "staging", "marts", "Quarantine reasons:"):
        assert expected in stdout
    assert str(data_dir / "published" / "bi.duckdb") in stdout


def test_every_injected_bad_row_is_quarantined_with_the_right_reason(built):
    data_dir, _ = built
    with warehouse(data_dir) as con:
        log = pd.read_parquet(data_dir / "truth" / "corruption_log.parquet")
        assert len(log) > 0
        bad = log[log["expected_outcome"] != "exact_duplicate"]
        quarantined = con.execute(
            "select table_name, _source_file, _row_number, quarantine_reason "
            "from staging.stg_core_banking__quarantine"
        ).df()
        merged = bad.merge(
            quarantined,
            left_on=["table", "source_file", "row_number"],
            right_on=["table_name", "_source_file", "_row_number"],
            how="left",
        )
        missing = merged[merged["quarantine_reason"].isna()]
        assert missing.empty, f"injected rows not quarantined:\n{missing.head(10)}"
        wrong = merged[merged["quarantine_reason"] != merged["expected_outcome"]]
        assert wrong.empty, f"quarantined for the wrong reason:\n{wrong.head(10)}"
        # and clean rows are never refused: the quarantine holds exactly the injected rows
        assert len(quarantined) == len(bad)


def test_exact_duplicates_are_counted_and_every_table_reconciles(built):
    data_dir, _ = built
    with warehouse(data_dir) as con:
        log = pd.read_parquet(data_dir / "truth" / "corruption_log.parquet")
        injected = log[log["expected_outcome"] == "exact_duplicate"].groupby("table").size()
        balance = (
            con.execute(
                "select table_name, raw_rows, staged_rows, quarantined_rows, exact_duplicate_rows, "
                "superseded_rows, unaccounted_rows from staging.stg_core_banking__reconciliation"
            )
            .df()
            .set_index("table_name")
        )
        assert set(balance.index) == {t.name for t in TABLES}
        assert (balance["unaccounted_rows"] == 0).all()
        assert (
            balance["raw_rows"]
            == balance["staged_rows"]
            + balance["quarantined_rows"]
            + balance["exact_duplicate_rows"]
            + balance["superseded_rows"]
        ).all()
        for table, count in injected.items():
            assert balance.loc[table, "exact_duplicate_rows"] == count, table


def test_every_simulated_customer_is_staged_once(built):
    data_dir, _ = built
    with warehouse(data_dir) as con:
        truth = pd.read_parquet(data_dir / "truth" / "customers.parquet")
        staged = con.execute("select customer_id from staging.stg_core_banking__customers").df()
        assert len(truth) == BANK_CUSTOMERS
        assert set(staged["customer_id"]) == set(truth["customer_id"])
        assert staged["customer_id"].is_unique


def test_each_dbt_step_gets_its_duckdb_threads_and_the_second_starts_from_the_first_parse(built):
    # the threads are set by an on-run-start hook (macros/duckdb_threads.sql), not the
    # profile: the scored step reuses the first step's parse instead of parsing it all again
    data_dir, _ = built
    logs = {
        step: (data_dir / "dbt_target" / step / "dbt.log").read_text()
        for step in ("bankprofile_dbt_models", "bankprofile_dbt_scored_models")
    }
    assert f"set threads = {duckdb_threads()}" in logs["bankprofile_dbt_models"]
    scored = logs["bankprofile_dbt_scored_models"]
    assert f"set threads = {duckdb_threads(models_at_once=1)}" in scored
    assert "Partial parsing enabled" in scored
    assert "Unable to do partial parsing" not in scored


def test_no_clear_pii_outside_raw(built):
    data_dir, _ = built
    with warehouse(data_dir) as con:
        names = [
            name
            for (name,) in con.execute(
                "select distinct full_name from raw.customers where full_name is not null"
            ).fetchall()
        ]
        assert len(names) > BANK_CUSTOMERS / 2
        assert clear_pii_findings(con, names) == []


def test_customer_lookup_reads_the_published_360_view(built):
    data_dir, _ = built
    with warehouse(data_dir) as con:
        customer_id = con.execute("select min(customer_id) from customer.customer_360").fetchone()[
            0
        ]
        zh = run_bankprofile(data_dir, "customer", customer_id).stdout
        assert customer_id in zh and "收入来源" in zh and "■ 身份" in zh
        en = run_bankprofile(data_dir, "customer", customer_id, "--lang", "en").stdout
        assert "Income source" in en and "收入来源" not in en
        record = json.loads(run_bankprofile(data_dir, "customer", customer_id, "--json").stdout)
        assert record["customer_id"] == customer_id
        assert "full_name" not in record and "*" in record["full_name_masked"]


def test_unknown_customer_is_one_sentence_and_exit_1(built):
    data_dir, _ = built
    result = run_bankprofile(data_dir, "customer", "C99999999", expect=1)
    assert result.stderr.strip().count("\n") == 0
    assert "C99999999" in result.stderr


def test_a_reader_of_the_published_database_is_undisturbed_by_a_new_build(built, tmp_path):
    # the build writes a copy: other test files read the session's bank meanwhile
    data_dir = copy_of_bank(built[0], tmp_path / "bank", "landing", "published")
    published = data_dir / "published" / "bi.duckdb"
    reader = duckdb.connect(str(published), read_only=True)
    before = reader.execute("select count(*) from customer.customer_360").fetchone()[0]
    build = subprocess.Popen(
        [str(BANKPROFILE), "build"],
        cwd=REPO_ROOT,
        env=cli_environment(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    counts = []
    while build.poll() is None:
        counts.append(reader.execute("select count(*) from customer.customer_360").fetchone()[0])
        with duckdb.connect(str(published), read_only=True) as fresh:
            counts.append(fresh.execute("select count(*) from customer.customer_360").fetchone()[0])
        time.sleep(0.2)
    output = build.stdout.read()
    assert build.returncode == 0, output
    assert len(counts) > 5
    assert set(counts) == {before}
    reader.close()


def test_uniqueness_tests_fail_on_a_planted_duplicate(built, tmp_path):
    """A copied row fails dbt's `unique` test and the project's `unique_combination`, once
    each: the grain checks of the marts and aggregates do catch a duplicate. The aggregate's
    copy is stamped as a later run would write it (`_built_at`), since its test reads only
    the keys written after it last passed. A failed test records no pass, so the next run
    finds the copy again."""
    work = copy_of_bank(built[0], tmp_path / "bank")
    later = datetime.now(UTC).replace(tzinfo=None)
    with duckdb.connect(str(work / "warehouse.duckdb")) as con:
        con.execute("insert into customer.customer_360 select * from customer.customer_360 limit 1")
        con.execute(
            "insert into intermediate.int_account_balances_aggregated_daily "
            "select * replace (?::timestamp as _built_at) "
            "from intermediate.int_account_balances_aggregated_daily limit 1",
            [later],
        )
    tests = [
        "unique_customer_360_customer_id",
        "unique_combination_int_account_balances_aggregated_daily_account_id__balance_date___built_at",
    ]
    for _ in range(2):
        output = run_dbt(work, tmp_path / "dbt_target", "test", "-s", *tests, expect_success=False)
        assert output.count("Got 1 result, configured to fail if != 0") == 2, output[-3000:]


def unit_test_results(target) -> dict[str, str]:
    results = json.loads((target / "run_results.json").read_text())["results"]
    return {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}


def test_the_dbt_unit_tests_pass_here_and_not_in_the_build(built, tmp_path):
    """The models' dbt unit tests run on fixed inputs, so CI runs them and the nightly
    build does not."""
    data_dir = built[0]
    target = tmp_path / "dbt_target"
    run_dbt(copy_of_bank(data_dir, tmp_path / "bank"), target, "test", "-s", "test_type:unit")
    unit_tests = set(json.loads((target / "manifest.json").read_text())["unit_tests"])
    assert len(unit_tests) > 5
    assert unit_test_results(target) == {unit_test: "pass" for unit_test in unit_tests}
    build_steps = list((data_dir / "dbt_target").iterdir())
    assert len(build_steps) == 2
    for step in build_steps:
        assert unit_test_results(step) == {}


def test_a_copy_stamped_before_the_last_pass_needs_every_row_checked(built, tmp_path):
    """A row copied outside dbt with its original `_built_at` is older than the test's last
    pass, so the nightly test does not read it; `test_every_row: true` does."""
    work = copy_of_bank(built[0], tmp_path / "bank")
    with duckdb.connect(str(work / "warehouse.duckdb")) as con:
        con.execute(
            "insert into intermediate.int_transactions_enriched "
            "select * from intermediate.int_transactions_enriched limit 1"
        )
    test = "unique_combination_int_transactions_enriched_transaction_id___built_at"
    output = run_dbt(work, tmp_path / "dbt_target", "test", "-s", test)
    assert f"PASS {test}" in output, output[-3000:]
    every_row = ("--vars", "{test_every_row: true}")
    output = run_dbt(
        work, tmp_path / "dbt_target", "test", "-s", test, *every_row, expect_success=False
    )
    assert "Got 1 result, configured to fail if != 0" in output, output[-3000:]

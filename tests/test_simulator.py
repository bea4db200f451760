"""Tests for the source-system simulator (small sizes; fixed seeds)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration import contract
from orchestration.simulator import SimulationConfig, generate
from orchestration.simulator.common import categorical, categorical_by_row, sort_order
from orchestration.simulator.people import is_valid_id_number
from orchestration.simulator.personas import PERSONA_SHARES, PERSONAS
from orchestration.simulator.reference import load_reference

SMALL = SimulationConfig(customers=300, months=6, seed=7)


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*.parquet"))
    }


def _landing(con: duckdb.DuckDBPyConnection, data_dir: Path) -> None:
    for table in contract.TABLES:
        con.execute(
            f"create or replace view {table.name} as select *, "
            f"regexp_extract(filename, '(\\d{{4}}-\\d{{2}}-\\d{{2}})', 1)::date as _extract_date "
            f"from read_parquet('{data_dir}/landing/{table.name}/*/*.parquet', filename=true)"
        )
    con.execute(
        f"create or replace view truth as select * from '{data_dir}/truth/customers.parquet'"
    )


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, duckdb.DuckDBPyConnection]:
    data_dir = tmp_path_factory.mktemp("clean")
    generate(SMALL, data_dir)
    con = duckdb.connect()
    _landing(con, data_dir)
    return data_dir, con


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    data_dir = tmp_path_factory.mktemp("population")
    generate(SimulationConfig(customers=3_000, months=6, seed=11), data_dir)
    con = duckdb.connect()
    _landing(con, data_dir)
    return con


def test_same_seed_gives_identical_files(tmp_path: Path, clean) -> None:
    data_dir, _ = clean
    generate(SMALL, tmp_path)
    assert _hashes(tmp_path / "landing") == _hashes(data_dir / "landing")
    assert _hashes(tmp_path / "truth") == _hashes(data_dir / "truth")


@pytest.mark.parametrize(
    "spans",
    [
        (3,),  # many ties: equal rows must keep their order
        (40, 10**7),  # both keys and the position in one int64
        (2**30, 2**30),  # one pass per key
        (5, 2**60),  # too wide to pack: np.lexsort
    ],
)
def test_sort_order_is_lexsort(spans: tuple[int, ...]) -> None:
    rng = np.random.default_rng(3)
    keys = [rng.integers(-span, span, 20_000) for span in spans]
    assert np.array_equal(sort_order(*keys), np.lexsort(keys[::-1]))
    assert len(sort_order(np.zeros(0, np.int64))) == 0


def test_categorical_by_row_draws_what_categorical_draws() -> None:
    # The generators use the faster form; the same seed must still give the same data.
    table = np.array([[1.0, 2.0, 0.0, 3.0], [0.0, 0.0, 1.0, 1.0], [0.5, 0.5, 0.5, 0.5]])
    row = np.random.default_rng(1).integers(0, len(table), 50_000)
    expected = categorical(np.random.default_rng(2), table[row])
    assert np.array_equal(categorical_by_row(np.random.default_rng(2), table, row), expected)


def test_different_seed_gives_different_data(tmp_path: Path, clean) -> None:
    data_dir, _ = clean
    generate(SimulationConfig(customers=300, months=6, seed=8), tmp_path)
    first = pq.read_table(data_dir / "truth" / "customers.parquet")
    second = pq.read_table(tmp_path / "truth" / "customers.parquet")
    assert first.column("persona") != second.column("persona")
    assert _hashes(tmp_path / "landing") != _hashes(data_dir / "landing")


def test_every_table_has_contract_columns_as_strings(clean) -> None:
    data_dir, _ = clean
    for table in contract.TABLES:
        files = sorted((data_dir / "landing" / table.name).glob("*/part-*.parquet"))
        assert files, f"no files for {table.name}"
        schema = pq.read_schema(files[0])
        assert schema.names == table.column_names
        assert all(field.type == pa.string() for field in schema)


def test_id_numbers_pass_gb11643_and_match_birth_and_gender(clean) -> None:
    _, con = clean
    rows = con.execute("select id_number, birth_date, gender from customers").fetchall()
    assert rows
    for id_number, birth_date, gender in rows:
        assert is_valid_id_number(id_number), id_number
        assert id_number[6:14] == birth_date.replace("-", "")
        assert int(id_number[16]) % 2 == (1 if gender == "M" else 0)


def test_clean_keys_unique_per_version_and_foreign_keys_resolve(clean) -> None:
    _, con = clean
    for table in contract.TABLES:
        key = ", ".join(table.key)
        duplicates = con.execute(
            f"select count(*) from (select {key}, updated_at from {table.name} "
            f"group by all having count(*) > 1)"
        ).fetchone()[0]
        assert duplicates == 0, table.name
    references = [
        ("accounts", "customer_id", "customers", "customer_id"),
        ("transactions", "account_id", "accounts", "account_id"),
        ("wealth_orders", "account_id", "accounts", "account_id"),
        ("holdings", "customer_id", "customers", "customer_id"),
        ("loans", "account_id", "accounts", "account_id"),
        ("loan_repayments", "loan_id", "loans", "loan_id"),
        ("credit_bureau_reports", "customer_id", "customers", "customer_id"),
        ("digital_events", "customer_id", "customers", "customer_id"),
        ("service_interactions", "customer_id", "customers", "customer_id"),
        ("campaign_contacts", "campaign_id", "campaigns", "campaign_id"),
        ("campaign_contacts", "customer_id", "customers", "customer_id"),
    ]
    for child, column, parent, parent_column in references:
        orphans = con.execute(
            f"select count(*) from {child} where {column} not in "
            f"(select {parent_column} from {parent})"
        ).fetchone()[0]
        assert orphans == 0, f"{child}.{column}"


def test_clean_codes_are_in_the_seeds(clean) -> None:
    _, con = clean
    ref = load_reference()
    checks = {
        ("transactions", "channel"): ref.codes("channel"),
        ("transactions", "counterparty_type"): ref.codes("counterparty_type"),
        ("customers", "occupation"): ref.codes("occupation"),
        ("accounts", "account_type"): ref.codes("account_type"),
        ("loans", "status"): ref.codes("loan_status"),
        ("digital_events", "page"): ref.codes("page"),
        ("holdings", "product_code"): ref.product_codes,
        ("transactions", "mcc"): tuple(str(code) for code in ref.mcc_codes),
    }
    for (table, column), allowed in checks.items():
        values = {v for (v,) in con.execute(f"select distinct {column} from {table}").fetchall()}
        assert values - {None} <= set(allowed), (table, column, values - set(allowed))


def test_no_event_date_after_its_extract_day_and_all_dates_parse(clean) -> None:
    _, con = clean
    for table in contract.TABLES:
        for column in table.columns:
            if column.type not in ("date", "timestamp") or column.name in (
                "end_date",
                "maturity_date",
            ):
                continue
            bad = con.execute(
                f"select count(*) from {table.name} where {column.name} is not null and "
                f"(try_cast({column.name} as {column.type}) is null or "
                f"try_cast({column.name} as {column.type})::date > _extract_date)"
            ).fetchone()[0]
            assert bad == 0, f"{table.name}.{column.name}"


def test_amounts_have_two_decimals(clean) -> None:
    _, con = clean
    bad = con.execute(
        "select count(*) from transactions where not regexp_full_match(amount, '-?\\d+\\.\\d{2}')"
    ).fetchone()[0]
    assert bad == 0


def test_persona_shares_within_tolerance(population) -> None:
    shares = dict(
        population.execute(
            "select persona, count(*) / sum(count(*)) over () from truth group by 1"
        ).fetchall()
    )
    for persona, expected in zip(PERSONAS, PERSONA_SHARES, strict=True):
        assert abs(shares[persona] - expected) < 0.025, persona


def test_persona_behaviour(population) -> None:
    features = population.execute("""
        with tx as (
            select t.*, a.customer_id from transactions t join accounts a using (account_id)
        )
        select truth.customer_id, truth.persona, truth.income_source,
            count(*) filter (where counterparty_type = 'pension_fund') as pensions,
            count(distinct counterparty_id) filter (
                where counterparty_type = 'business' and amount::decimal > 0) as clients,
            count(*) filter (where counterparty_type = 'employer') as salaries,
            count(distinct counterparty_id) filter (where counterparty_type = 'employer')
                as employers,
            count(*) filter (where channel in ('atm', 'branch')) as cash
        from truth left join tx using (customer_id)
        group by all
    """).df()
    retirees = features[features.persona == "retiree"]
    assert (retirees.pensions >= 3).mean() > 0.9
    owners = features[features.persona == "business_owner"]
    assert (owners.clients >= 10).mean() > 0.9
    salaried = features[features.income_source == "salary"]
    assert (salaried.salaries >= 3).mean() > 0.9
    assert (salaried.employers <= 1).all()
    others = features[features.persona != "retiree"]
    assert retirees.cash.mean() > 2 * others.cash.mean()
    assert (features[features.persona == "student"].salaries == 0).all()


def test_default_rate_is_calibrated(population) -> None:
    rate, pd = population.execute(
        "select avg(default_next_12m::int), avg(pd_12m) from truth"
    ).fetchone()
    assert 0.025 <= pd <= 0.07
    assert 0.015 <= rate <= 0.08


def test_corruption_log_matches_files(tmp_path: Path) -> None:
    summary = generate(
        SimulationConfig(customers=300, months=6, seed=3, corrupt_rate=0.01), tmp_path
    )
    log = pq.read_table(tmp_path / "truth" / "corruption_log.parquet").to_pylist()
    counts = json.loads((tmp_path / "truth" / "corruption_summary.json").read_text())["by_table"]
    assert len(log) == sum(sum(kinds.values()) for kinds in counts.values())
    assert len(log) == sum(summary.corrupted_by_kind.values())
    assert set(counts) == {table.name for table in contract.TABLES}
    landing = tmp_path / "landing"
    cache: dict[str, list[dict]] = {}
    for entry in log:
        rows = cache.setdefault(
            entry["source_file"], pq.read_table(landing / entry["source_file"]).to_pylist()
        )
        row = rows[entry["row_number"]]
        spec = contract.table(entry["table"])
        kind = entry["corruption_kind"]
        earlier = rows[: entry["row_number"]]
        if kind == "null_key":
            assert any(row[k] is None for k in spec.key)
        elif kind == "duplicate_key":
            same = [
                r
                for r in earlier
                if all(r[k] == row[k] for k in spec.key) and r["updated_at"] == row["updated_at"]
            ]
            assert same and all(r != row for r in same)
        elif kind == "exact_duplicate":
            if row not in earlier:  # a copy that arrived in a later day's file
                table_dir, _, part = entry["source_file"].split("/")
                earlier_files = sorted(
                    p
                    for p in (landing / table_dir).glob(f"*/{part}")
                    if str(p.relative_to(landing)) < entry["source_file"]
                )
                assert any(row in pq.read_table(p).to_pylist() for p in earlier_files)
        elif kind == "bad_amount":
            assert any(v in ("12,3a", "abc", "1.2.3", "--5", "N/A", "¥100") for v in row.values())
        elif kind == "bad_date":
            assert any(
                isinstance(v, str)
                and ("13-45" in v or v in ("N/A", "unknown") or "02-30" in v or v.startswith("00-"))
                for v in row.values()
            )
        elif kind == "unknown_code":
            assert {
                "fax",
                "astronaut",
                "crypto_wallet",
                "switch",
                "payday",
                "carrier_pigeon",
            } & set(row.values())
        elif kind == "future_date":
            folder = entry["source_file"].split("/")[1]
            assert (
                max(
                    v[:10]
                    for k, v in row.items()
                    if v and k != "updated_at" and len(v) >= 10 and v[4] == "-"
                )
                > folder
            )
        elif kind == "impossible_age":
            folder_year = int(entry["source_file"].split("/")[1][:4])
            age = folder_year - int(row["birth_date"][:4])
            assert age < 0 or age > 120
        elif kind == "orphan_key":
            assert any(isinstance(v, str) and v[1:3] == "95" for v in row.values())
        key = row[spec.key[0]] if len(spec.key) == 1 else "|".join(row[k] or "" for k in spec.key)
        if kind != "null_key":
            assert key == entry["record_key"]


def test_zero_rate_injects_nothing(clean) -> None:
    data_dir, _ = clean
    assert pq.read_table(data_dir / "truth" / "corruption_log.parquet").num_rows == 0

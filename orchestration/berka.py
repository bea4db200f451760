"""`bankprofile ingest berka`: map the Berka files (PKDD'99, a real Czech bank, 1993-1998)
into the raw landing contract, so the same Dagster job builds every mart on real data.

    bankprofile ingest berka --from DIR [--out DATA_DIR]     (default out: $BANKPROFILE_DATA_DIR)
        [--development-sample CSV] [--scoring-sample CSV]
    python -m orchestration.berka --from DIR [--out DATA_DIR]

The figures of docs/real-data-berka.md: `python -m orchestration.berka_report` (make berka-report).

What maps, what does not, and why: docs/real-data-berka.md. In short:

    client.csv + disp.csv (owners) + district.csv  -> customers
    account.csv                                    -> accounts (current, CZK)
    card_train.csv + card_test.csv                 -> accounts (credit_card, limit unknown)
    trans_test.csv                                 -> transactions (signed CZK amounts)
    loan_train.csv + loan_test.csv                 -> loans (consumer)
    every other contract table                     -> one empty extract file

Berka is one snapshot, so everything lands in ONE initial-load extract folder, dated the
latest day any Berka file mentions (the snapshot day; 1998-12-08 for the PKDD'99 copy).
Rows keep their own dates (booked_at, opened_date, created_at ...).

Nothing is dropped here: a Berka row that does not map (a date that does not parse, an
account without owner, an unknown transaction type, a reference to a missing row) is
still written, with the offending value left as text or empty, so that staging
quarantines it with its reason (invalid_date, missing_value, invalid_amount, orphan_key).
Hence Berka rows in = raw rows = staged + quarantined + duplicates + superseded, per table.
The counts of this run go to <out>/ingest/berka.json.

All the mapping is DuckDB SQL over the CSV files (no per-row Python).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.contract import TABLES, Table

SOURCE = "berka"
# Berka amounts are Czech crowns (data set README); every account and transaction says so.
SOURCE_CURRENCY = "CZK"

# city_tier from the district's inhabitants (district.csv; districts are 43k to 1.2M people).
# Tier 1: the capital (Prague, 1.2M); tier 2: the two other cities that are districts of
# their own above 300k (Brno, Ostrava); tier 3: districts of 150k-300k (regional centres:
# Karvina, Olomouc, Zlin, Plzen ...); tier 4: the rest.
CITY_TIER_MIN_INHABITANTS: tuple[tuple[int, int], ...] = (
    (1, 1_000_000),
    (2, 300_000),
    (3, 150_000),
)

# Constant defaults for what the contract needs and Berka does not record (never per customer).
# marketing_consent: no consent on record means no consent (the lawful default for marketing).
# do_not_contact: no request on record; service contact stays possible, marketing is
# already blocked by marketing_consent = false.
MARKETING_CONSENT = "false"
DO_NOT_CONTACT = "false"
ACCOUNT_STATUS = "active"  # Berka records no closures
LOAN_TYPE = "consumer"  # Berka does not say what a loan was for

# Berka file -> contract table it feeds (disp.csv and district.csv are lookups, not rows).
ROW_FILES: dict[str, str] = {
    "client.csv": "customers",
    "account.csv": "accounts",
    "card_train.csv": "accounts",
    "card_test.csv": "accounts",
    "trans_test.csv": "transactions",
    "loan_train.csv": "loans",
    "loan_test.csv": "loans",
}
LOOKUP_FILES: tuple[str, ...] = ("disp.csv", "district.csv")

# ---- decoding, as SQL expressions over text columns ------------------------------------
# A Berka date is YYMMDD in 19YY (card 'issued' may carry a time after a blank).


def berka_date(column: str) -> str:
    """ISO date text of a YYMMDD value; the original text when it does not parse, so that
    staging quarantines the row as invalid_date; empty stays empty."""
    digits = f"substr(trim({column}), 1, 6)"
    parsed = f"try_strptime('19' || {digits}, '%Y%m%d')"
    return (
        f"case when nullif(trim({column}), '') is null then null "
        f"when length(split_part(trim({column}), ' ', 1)) = 6 and {parsed} is not null "
        f"then strftime({parsed}, '%Y-%m-%d') else trim({column}) end"
    )


def birth_gender(column: str) -> str:
    """M for YYMMDD, F for YYMM+50DD; null when the month is neither 01-12 nor 51-62."""
    month = f"try_cast(substr(trim({column}), 3, 2) as integer)"
    return (
        f"case when length(trim({column})) <> 6 then null "
        f"when {month} between 1 and 12 then 'M' "
        f"when {month} between 51 and 62 then 'F' end"
    )


def birth_date(column: str) -> str:
    """ISO birth date of a birth_number (women's month minus 50, years 19xx); the original
    text when it does not decode, so that staging quarantines the row as invalid_date."""
    month = f"try_cast(substr(trim({column}), 3, 2) as integer)"
    real_month = f"(case when {month} > 50 then {month} - 50 else {month} end)"
    iso = (
        f"'19' || substr(trim({column}), 1, 2)"
        f" || '-' || lpad(cast({real_month} as varchar), 2, '0')"
        f" || '-' || substr(trim({column}), 5, 2)"
    )
    return (
        f"case when nullif(trim({column}), '') is null then null "
        f"when {birth_gender(column)} is not null and try_cast({iso} as date) is not null "
        f"then {iso} else trim({column}) end"
    )


def padded_id(prefix: str, column: str, width: int) -> str:
    """prefix + zero-padded number; empty stays empty (missing_key in staging)."""
    return (
        f"case when nullif(trim({column}), '') is null then null "
        f"else '{prefix}' || lpad(trim({column}), {width}, '0') end"
    )


def customer_id(column: str) -> str:
    return padded_id("C", column, 8)


def account_id(column: str) -> str:
    return padded_id("A", column, 10)


def card_account_id(column: str) -> str:
    # 'A9' + 9 digits: never equal to a Berka account number padded to 10 digits (< 10^9).
    return padded_id("A9", column, 9)


def decode_birth_numbers(values: list[str]) -> list[tuple[str | None, str | None]]:
    """(gender, birth date text) for each birth_number, with the SQL the mapping uses."""
    con = duckdb.connect()
    rows = con.execute(
        f"select {birth_gender('v')}, {birth_date('v')} "
        "from (select unnest(?) as v, generate_subscripts(?, 1) as i) order by i",
        [values, values],
    ).fetchall()
    con.close()
    return [(gender, born) for gender, born in rows]


# ---- reading the files --------------------------------------------------------------------


class BerkaInputError(ValueError):
    """A Berka input the user can fix (missing folder, file or column); one sentence."""


def read_berka_files(con: duckdb.DuckDBPyConnection, source_dir: Path) -> dict[str, int]:
    """Load every Berka CSV as text into a table named after the file; returns the rows of
    each. Headers are trimmed and lower-cased; blank and '?' values become null."""
    if not source_dir.is_dir():
        raise BerkaInputError(f"Berka folder {source_dir} does not exist.")
    counts: dict[str, int] = {}
    for name in [*ROW_FILES, *LOOKUP_FILES]:
        path = source_dir / name
        if not path.is_file():
            raise BerkaInputError(f"Berka file {path} is missing; expected the PKDD'99 layout.")
        reader = f"read_csv('{_quoted(path)}', delim = ';', header = true, all_varchar = true)"
        try:
            names = [row[0] for row in con.execute(f"describe select * from {reader}").fetchall()]
        except duckdb.Error as error:
            raise BerkaInputError(f"Berka file {path} is not readable CSV: {error}") from None
        columns = [
            f"nullif(nullif(trim(\"{column}\"), ''), '?') as \"{column.strip().lower()}\""
            for column in names
        ]
        table = path.stem
        con.execute(f"create or replace table {table} as select {', '.join(columns)} from {reader}")
        counts[name] = con.execute(f"select count(*) from {table}").fetchall()[0][0]
    _require_columns(con, source_dir)
    return counts


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "client": ("client_id", "birth_number", "district_id"),
    "account": ("account_id", "district_id", "creation_date"),
    "disp": ("disp_id", "client_id", "account_id", "type"),
    "district": ("code", "name", "no. of inhabitants"),
    "card_train": ("card_id", "disp_id", "type", "issued"),
    "card_test": ("card_id", "disp_id", "type", "issued"),
    "trans_test": (
        "trans_id",
        "account_id",
        "date",
        "type",
        "operation",
        "amount",
        "balance",
        "k_symbol",
        "bank",
        "account",
    ),
    "loan_train": ("loan_id", "account_id", "date", "amount", "duration", "status"),
    "loan_test": ("loan_id", "account_id", "date", "amount", "duration", "status"),
}


def _require_columns(con: duckdb.DuckDBPyConnection, source_dir: Path) -> None:
    for table, required in REQUIRED_COLUMNS.items():
        present = {row[0] for row in con.execute(f"describe {table}").fetchall()}
        missing = [column for column in required if column not in present]
        if missing:
            raise BerkaInputError(
                f"Berka file {source_dir / (table + '.csv')} lacks column(s) {', '.join(missing)}."
            )


# ---- the mapping --------------------------------------------------------------------------


def snapshot_day(con: duckdb.DuckDBPyConnection) -> str:
    """The latest day any Berka date mentions: the extract day of the initial load."""
    dates = " union all ".join(
        f"select try_strptime('19' || substr({column}, 1, 6), '%Y%m%d') as d from {table}"
        for table, column in (
            ("account", "creation_date"),
            ("card_train", "issued"),
            ("card_test", "issued"),
            ("trans_test", "date"),
            ("loan_train", "date"),
            ("loan_test", "date"),
        )
    )
    day = con.execute(f"select strftime(max(d), '%Y-%m-%d') from ({dates})").fetchall()[0][0]
    if day is None:
        raise BerkaInputError("No Berka file has a single readable date (YYMMDD).")
    return day


def owners_sql() -> str:
    """The owning client of each Berka account (only owners may borrow)."""
    return (
        "select account_id, min(client_id) as client_id "
        "from disp where type = 'OWNER' group by account_id"
    )


def customers_sql() -> str:
    # created_at: the earliest opening of any account the client owns or may use
    created = (
        "select disp.client_id, "
        "min(try_strptime('19' || substr(account.creation_date, 1, 6), '%Y%m%d')) as first_day "
        "from disp inner join account on disp.account_id = account.account_id "
        "group by disp.client_id"
    )
    tiers = " ".join(
        f"when try_cast(district.\"no. of inhabitants\" as bigint) >= {minimum} then '{tier}'"
        for tier, minimum in CITY_TIER_MIN_INHABITANTS
    )
    last_tier = len(CITY_TIER_MIN_INHABITANTS) + 1
    return f"""
        with created as ({created})
        select
            {customer_id("client.client_id")} as customer_id,
            null as full_name,
            {birth_gender("client.birth_number")} as gender,
            {birth_date("client.birth_number")} as birth_date,
            null as id_number,
            null as mobile_phone,
            null as email,
            null as address,
            district.name as city,
            case when district."no. of inhabitants" is null then null {tiers}
                else '{last_tier}' end as city_tier,
            null as occupation,
            null as employer_type,
            null as employer_id,
            null as employment_start_date,
            null as education,
            null as marital_status,
            null as declared_monthly_income,
            null as kyc_risk_tolerance,
            '{MARKETING_CONSENT}' as marketing_consent,
            '{DO_NOT_CONTACT}' as do_not_contact,
            strftime(created.first_day, '%Y-%m-%d %H:%M:%S') as created_at,
            strftime(created.first_day, '%Y-%m-%d %H:%M:%S') as updated_at
        from client
        left join district on client.district_id = district.code
        left join created on client.client_id = created.client_id
        order by try_cast(client.client_id as bigint), client.client_id
    """


def accounts_sql() -> str:
    def cards(table: str) -> str:
        return f"""
            select
                {card_account_id(f"{table}.card_id")} as account_id,
                {customer_id("disp.client_id")} as customer_id,
                'credit_card' as account_type,
                '{SOURCE_CURRENCY}' as currency,
                {berka_date(f"{table}.issued")} as opened_date,
                null as closed_date,
                null as credit_limit,
                '{ACCOUNT_STATUS}' as status,
                {berka_date(f"{table}.issued")} || ' 00:00:00' as updated_at,
                2 as _file_order, try_cast({table}.card_id as bigint) as _order
            from {table}
            left join disp on {table}.disp_id = disp.disp_id
        """

    return f"""
        with owners as ({owners_sql()})
        select * exclude (_file_order, _order) from (
            select
                {account_id("account.account_id")} as account_id,
                {customer_id("owners.client_id")} as customer_id,
                'current' as account_type,
                '{SOURCE_CURRENCY}' as currency,
                {berka_date("account.creation_date")} as opened_date,
                null as closed_date,
                null as credit_limit,
                '{ACCOUNT_STATUS}' as status,
                {berka_date("account.creation_date")} || ' 00:00:00' as updated_at,
                1 as _file_order, try_cast(account.account_id as bigint) as _order
            from account
            left join owners on account.account_id = owners.account_id
            union all {cards("card_train")}
            union all {cards("card_test")}
        )
        order by _file_order, _order
    """


# k_symbol (purpose) first, then operation, then type: see docs/real-data-berka.md.
def transactions_sql() -> str:
    k_symbol = "lower(trans_test.k_symbol)"
    operation = "lower(trans_test.operation)"
    kind = "lower(trans_test.type)"
    sign = (
        f"case when {kind} = 'credit' then 1 "
        f"when {kind} in ('withdrawal', 'withdrawal in cash') then -1 end"
    )
    amount = (
        f"case when trans_test.amount is null then null "
        f"when {sign} is null or try_cast(trans_test.amount as decimal(18, 2)) is null "
        # not mappable: kept as text that does not cast, so staging says invalid_amount
        f"then coalesce({kind}, 'no type') || ': ' || trans_test.amount "
        f"else cast(cast({sign} * try_cast(trans_test.amount as decimal(18, 2))"
        " as decimal(18, 2)) as varchar) end"
    )
    internal = (
        "('interest credited', 'payment for statement', "
        "'sanction interest if negative balance', 'loan payment')"
    )
    channel = (
        f"case when {k_symbol} in {internal} then 'system' "
        f"when {operation} = 'credit card withdrawal' then 'atm' "
        f"when {operation} in ('credit in cash', 'withdrawal in cash') "
        f"or {kind} = 'withdrawal in cash' then 'branch' end"
    )
    counterparty_type = (
        f"case when {k_symbol} in {internal} then 'internal' "
        f"when {k_symbol} = 'old-age pension' then 'pension_fund' "
        f"when {k_symbol} in ('household', 'insurrance payment', 'insurance payment') "
        "then 'merchant' end"
    )
    booked = berka_date("trans_test.date")
    booked_at = (
        f"case when {booked} like '____-__-__' then {booked} || ' 12:00:00' else {booked} end"
    )
    return f"""
        select
            {padded_id("T", "trans_test.trans_id", 12)} as transaction_id,
            {account_id("trans_test.account_id")} as account_id,
            {booked_at} as booked_at,
            {amount} as amount,
            '{SOURCE_CURRENCY}' as currency,
            {channel} as channel,
            null as mcc,
            {counterparty_type} as counterparty_type,
            case when trans_test.bank is not null and trans_test.account is not null
                then trans_test.bank || ':' || trans_test.account end as counterparty_id,
            case when try_cast(trans_test.balance as decimal(18, 2)) is null
                then trans_test.balance
                else cast(cast(trans_test.balance as decimal(18, 2)) as varchar)
            end as balance_after,
            {booked_at} as updated_at
        from trans_test
        order by try_cast(trans_test.trans_id as bigint), trans_test.trans_id
    """


def loans_sql(day: str) -> str:
    def loans(table: str, labelled: bool) -> str:
        originated = berka_date(f"{table}.date")
        maturity = (
            f"strftime(try_cast({originated} as date)"
            f" + to_months(try_cast({table}.duration as integer)), '%Y-%m-%d')"
        )
        # Berka's label, as of the snapshot: 1 = repaid or running fine, -1 = unpaid or in debt.
        status = (
            f"case when {table}.status = '-1' then 'defaulted' "
            f"when {table}.status = '1' and try_cast({maturity} as date) <= date '{day}' "
            "then 'closed' "
            f"when {table}.status = '1' then 'active' else {table}.status end"
            if labelled
            else "'active'"  # loan_test: outcome not published
        )
        return f"""
            select
                {padded_id("L", f"{table}.loan_id", 10)} as loan_id,
                {customer_id("owners.client_id")} as customer_id,
                {account_id(f"{table}.account_id")} as account_id,
                '{LOAN_TYPE}' as loan_type,
                {table}.amount as principal_amount,
                null as interest_rate,
                {table}.duration as term_months,
                {originated} as originated_date,
                {maturity} as maturity_date,
                null as collateral_type,
                {status} as status,
                '{day} 00:00:00' as updated_at,
                {1 if labelled else 2} as _file_order, try_cast({table}.loan_id as bigint) as _order
            from {table}
            left join owners on {table}.account_id = owners.account_id
        """

    return f"""
        with owners as ({owners_sql()})
        select * exclude (_file_order, _order) from (
            {loans("loan_train", True)} union all {loans("loan_test", False)}
        )
        order by _file_order, _order
    """


# ---- writing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class IngestSummary:
    out_dir: Path
    extract_day: str
    rows_in: dict[str, int]  # Berka file -> rows read
    rows_out: dict[str, int]  # contract table -> rows written
    files_written: int
    files_unchanged: int


def as_text_table(con: duckdb.DuckDBPyConnection, query: str, table: Table) -> pa.Table:
    """The query's result as the contract's columns, in order, every one Arrow string."""
    arrow = con.sql(query).to_arrow_table()
    arrays = [arrow.column(name).cast(pa.string()) for name in table.column_names]
    return pa.table(arrays, schema=pa.schema([(n, pa.string()) for n in table.column_names]))


def empty_table(table: Table) -> pa.Table:
    return pa.table(
        [pa.array([], pa.string()) for _ in table.column_names],
        schema=pa.schema([(name, pa.string()) for name in table.column_names]),
    )


def write_extract(frame: pa.Table, path: Path) -> bool:
    """Write one landing file; True when written, False when an identical file is there.
    A delivered file never changes: a different file already at the path is an error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".parquet.tmp")
    pq.write_table(frame, temporary, compression="zstd")
    if path.exists():
        same = path.read_bytes() == temporary.read_bytes()
        temporary.unlink()
        if same:
            return False
        raise BerkaInputError(
            f"Landing file {path} exists with different content; a delivered file never "
            "changes, so ingest into an empty data directory (--out)."
        )
    os.replace(temporary, path)
    return True


def ingest(source_dir: Path, out_dir: Path) -> IngestSummary:
    """Map the Berka files in source_dir into out_dir/landing (one initial-load extract)."""
    con = duckdb.connect()
    rows_in = read_berka_files(con, source_dir)
    day = snapshot_day(con)
    mapped = {
        "customers": customers_sql(),
        "accounts": accounts_sql(),
        "transactions": transactions_sql(),
        "loans": loans_sql(day),
    }
    rows_out: dict[str, int] = {}
    written = unchanged = 0
    for table in TABLES:
        frame = (
            as_text_table(con, mapped[table.name], table)
            if table.name in mapped
            else empty_table(table)
        )
        rows_out[table.name] = frame.num_rows
        path = out_dir / "landing" / table.name / day / "part-0000.parquet"
        if write_extract(frame, path):
            written += 1
        else:
            unchanged += 1
    con.close()
    summary = IngestSummary(out_dir, day, rows_in, rows_out, written, unchanged)
    _check_rows_balance(summary)
    _write_manifest(summary, source_dir)
    return summary


def _check_rows_balance(summary: IngestSummary) -> None:
    """Every Berka row of a row file became exactly one landing row."""
    expected: dict[str, int] = {}
    for name, table in ROW_FILES.items():
        expected[table] = expected.get(table, 0) + summary.rows_in[name]
    for table, rows in expected.items():
        if summary.rows_out[table] != rows:  # a join fanned out or lost rows: a mapping bug
            raise RuntimeError(
                f"Berka mapping wrote {summary.rows_out[table]} {table} rows for {rows} input rows."
            )


def _write_manifest(summary: IngestSummary, source_dir: Path) -> None:
    manifest = {
        "source": SOURCE,
        "source_dir": str(source_dir.resolve()),
        "extract_day": summary.extract_day,
        "currency": SOURCE_CURRENCY,
        "rows_in": summary.rows_in,
        "row_files": ROW_FILES,
        "rows_out": summary.rows_out,
    }
    path = summary.out_dir / "ingest" / "berka.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, indent=2) + "\n")


# ---- the scorecard samples: loans with what the bank knew on the loan day ---------------------

# A card counts for a loan only when issued before the loan day; of several, the highest.
CARD_RANK: dict[str, int] = {"junior": 1, "classic": 2, "gold": 3}
SANCTION_INTEREST = "sanction interest if negative balance"  # penalty on an overdrawn account


def loan_sample_sql(loan_table: str) -> str:
    """One row per loan of `loan_table` (loan_train or loan_test) with the static features
    the bank knew on the loan day, as of that day: age and account tenure at the loan day,
    a card only if issued before it, the disposition and district figures (static: Berka
    dates neither), and the loan's amount, term and instalment. loan_train also gets
    bad = 1 for status -1 (0 for 1); loan_test has no outcome. Gender is included on
    purpose: the scorecard tool must refuse it (a protected attribute)."""
    if loan_table not in ("loan_train", "loan_test"):
        raise ValueError(f"loan_table must be loan_train or loan_test, not {loan_table}")
    loan_day = f"cast(try_strptime('19' || {loan_table}.date, '%Y%m%d') as date)"
    opened = "cast(try_strptime('19' || account.creation_date, '%Y%m%d') as date)"
    issued = "cast(try_strptime('19' || substr(cards.issued, 1, 6), '%Y%m%d') as date)"
    rank = " ".join(f"when '{card}' then {value}" for card, value in CARD_RANK.items())
    bad = (
        f",\n            case {loan_table}.status when '-1' then 1 when '1' then 0 end as bad"
        if loan_table == "loan_train"
        else ""
    )
    return f"""
        with owners as ({owners_sql()}),
        cards as (select * from card_train union all select * from card_test),
        disponents as (
            select account_id, count(*) as disponents from disp where type = 'DISPONENT'
            group by account_id
        ),
        card_by_loan as (
            select {loan_table}.loan_id,
                arg_max(cards.type, case cards.type {rank} else 0 end) as card_type
            from {loan_table}
            inner join disp on {loan_table}.account_id = disp.account_id
            inner join cards on disp.disp_id = cards.disp_id
            where {issued} < {loan_day}
            group by {loan_table}.loan_id
        )
        select
            {padded_id("L", f"{loan_table}.loan_id", 10)} as loan_id,
            {customer_id("owners.client_id")} as customer_id,
            strftime({loan_day}, '%Y-%m-%d') as originated_date,
            {birth_gender("client.birth_number")} as gender,
            date_sub('year', try_cast({birth_date("client.birth_number")} as date), {loan_day})
                as age_years,
            date_sub('month', {opened}, {loan_day}) as tenure_months,
            account.frequency as statement_frequency,
            coalesce(disponents.disponents, 0) > 0 as has_disponent,
            coalesce(card_by_loan.card_type, 'none') as card_type,
            try_cast(district."no. of inhabitants" as bigint) as district_inhabitants,
            try_cast(district."ratio of urban inhabitants" as double) as district_urban_pct,
            try_cast(district."average salary" as double) as district_avg_salary_amount,
            try_cast(district."unemploymant rate '96" as double) as district_unemployment_pct,
            try_cast(district."no. of enterpreneurs per 1000 inhabitants" as double)
                as district_entrepreneurs_per_1000,
            try_cast({loan_table}.amount as double) as loan_amount,
            try_cast({loan_table}.duration as integer) as term_months,
            try_cast({loan_table}.payments as double) as instalment_amount,
            try_cast({loan_table}.payments as double)
                / nullif(try_cast(district."average salary" as double), 0)
                as instalment_to_district_salary_ratio{bad}
        from {loan_table}
        left join owners on {loan_table}.account_id = owners.account_id
        left join client on owners.client_id = client.client_id
        left join account on {loan_table}.account_id = account.account_id
        left join district on client.district_id = district.code
        left join disponents on {loan_table}.account_id = disponents.account_id
        left join card_by_loan on {loan_table}.loan_id = card_by_loan.loan_id
        order by originated_date, loan_id
    """


def development_sample_sql() -> str:
    """The labelled loans (loan_train.csv) with their features as of the loan day, and bad."""
    return loan_sample_sql("loan_train")


def scoring_sample_sql() -> str:
    """The unlabelled loans (loan_test.csv) with the same features as of the loan day."""
    return loan_sample_sql("loan_test")


def loan_history_sql() -> str:
    """Account behaviour of each loan_test loan from trans_test.csv strictly before the loan
    day (no outcome; for checking grades against): months of history, transactions, lowest
    and mean balance, and the sanction-interest charges of an overdrawn account."""
    loan_day = "cast(try_strptime('19' || loan_test.date, '%Y%m%d') as date)"
    booked = "cast(try_strptime('19' || trans_test.date, '%Y%m%d') as date)"
    return f"""
        select
            {padded_id("L", "loan_test.loan_id", 10)} as loan_id,
            date_sub('month', min({booked}), any_value({loan_day})) as history_months,
            count(trans_test.trans_id) as transactions,
            min(try_cast(trans_test.balance as double)) as min_balance_amount,
            avg(try_cast(trans_test.balance as double)) as avg_balance_amount,
            count(*) filter (where trans_test.k_symbol = '{SANCTION_INTEREST}')
                as sanction_interest_count
        from loan_test
        left join trans_test
            on loan_test.account_id = trans_test.account_id and {booked} < {loan_day}
        group by loan_test.loan_id
        order by loan_id
    """


def _write_query(source_dir: Path, query: str, path: Path) -> int:
    con = duckdb.connect()
    read_berka_files(con, source_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"copy ({query}) to '{_quoted(path)}' (header, delimiter ',')")
    rows = con.execute(f"select count(*) from read_csv('{_quoted(path)}')").fetchall()[0][0]
    con.close()
    return rows


def write_development_sample(source_dir: Path, path: Path) -> int:
    """Write the labelled loans' development sample as CSV; returns its rows."""
    return _write_query(source_dir, development_sample_sql(), path)


def write_scoring_sample(source_dir: Path, path: Path) -> int:
    """Write the unlabelled loans' sample (same features, no target) as CSV; returns its rows."""
    return _write_query(source_dir, scoring_sample_sql(), path)


# ---- command line -------------------------------------------------------------------------


def run_ingest(args: argparse.Namespace, paths: object = None) -> int:
    """Handler of `bankprofile ingest berka`, signature (args, paths) like every command."""
    if args.out is not None:
        out_dir = Path(args.out).resolve()
    elif paths is not None:
        out_dir = paths.root  # type: ignore[attr-defined]
    else:
        from orchestration.settings import data_paths

        out_dir = data_paths().root
    try:
        summary = ingest(Path(args.source), out_dir)
        sample_path = getattr(args, "development_sample", None)
        sample_rows = write_development_sample(Path(args.source), sample_path) if sample_path else 0
        scoring_path = getattr(args, "scoring_sample", None)
        scoring_rows = write_scoring_sample(Path(args.source), scoring_path) if scoring_path else 0
    except BerkaInputError as error:
        print(f"bankprofile: {error}", file=sys.stderr)
        return 2
    total_in = sum(summary.rows_in[name] for name in ROW_FILES)
    total_out = sum(summary.rows_out.values())
    print(
        f"Mapped {total_in:,} Berka rows into {total_out:,} landing rows, extract day "
        f"{summary.extract_day}, under {out_dir / 'landing'} ({summary.files_written} files "
        f"written, {summary.files_unchanged} unchanged)."
    )
    for table, rows in summary.rows_out.items():
        print(f"  {table:<24}{rows:>10,}")
    if sample_rows:
        print(
            f"Wrote the development sample of {sample_rows} labelled loans to {sample_path} "
            "(target column: bad)."
        )
    if scoring_rows:
        print(
            f"Wrote the scoring sample of {scoring_rows} unlabelled loans to {scoring_path} "
            "(features as of each loan's day)."
        )
    print(f"Next: BANKPROFILE_DATA_DIR={out_dir} bankprofile build")
    return 0


def _add_berka(commands: argparse._SubParsersAction) -> None:
    berka = commands.add_parser(
        "berka", help="map the Berka (PKDD'99 Czech bank) CSV files into the landing contract"
    )
    berka.add_argument(
        "--from", dest="source", required=True, type=Path, help="folder with the Berka CSV files"
    )
    berka.add_argument(
        "--out", default=None, type=Path, help="data directory (default $BANKPROFILE_DATA_DIR)"
    )
    _add_sample_option(berka)
    berka.set_defaults(handler=run_ingest)


def _add_sample_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--development-sample",
        default=None,
        type=Path,
        metavar="CSV",
        help="also write the labelled loans' scorecard sample (static features, target bad)",
    )
    parser.add_argument(
        "--scoring-sample",
        default=None,
        type=Path,
        metavar="CSV",
        help="also write loan_test's loans with the same features, as of each loan's day",
    )


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register `ingest berka` on the `bankprofile` command line."""
    ingest_parser = subparsers.add_parser(
        "ingest", help="map a real data set into the landing contract (berka)"
    )
    _add_berka(ingest_parser.add_subparsers(dest="ingest_source", required=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.berka", description="Map the Berka files into landing/."
    )
    parser.add_argument("--from", dest="source", required=True, type=Path)
    parser.add_argument("--out", default=None, type=Path)
    _add_sample_option(parser)
    return run_ingest(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())

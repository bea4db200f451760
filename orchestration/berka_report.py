"""`make berka-report`: every figure of docs/real-data-berka.md, measured again.

    python -m orchestration.berka_report --from DIR --out DIR [--data-dir DATA_DIR]
        [--cv-folds 5] [--seed 0]

--from      the Berka files (PKDD'99 layout)
--data-dir  a data directory where `bankprofile ingest berka` and `bankprofile build` ran
            (read-only: its ingest/berka.json and published/bi.duckdb); without it, only the
            figures that need no build are measured (ingest counts, scorecard, grades)
--out       where the samples, the scorecard and report.md are written

It prints Markdown, section by section, and writes the same text to <out>/report.md:

1. counts in and out: Berka rows read per file, landing rows per table, and (built) raw /
   staged / quarantined / duplicates / superseded per table with the quarantine reasons; the
   snapshot day, the transactions per mapped channel and counterparty type, the co-users;
2. (built) segments, value tiers and lifecycle stages of customer_360, and the agreement of
   its ages with the birth numbers;
3. the Berka scorecard: `scorecard fit --cv-folds K` on the 328 labelled loans of
   loan_train.csv with their features as of the loan day (orchestration.berka);
4. the 354 loans of loan_test.csv, with the same features as of each loan's day, scored
   with that scorecard (the code of `scorecard apply`) and graded A-E on the master scale
   of the pipeline (seeds/risk_master_scale.csv);
5. the grades against the accounts' behaviour in trans_test.csv before each loan day, the
   only check there is without outcomes.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from orchestration.berka import (
    ROW_FILES,
    BerkaInputError,
    birth_date,
    customer_id,
    development_sample_sql,
    ingest,
    loan_history_sql,
    read_berka_files,
    scoring_sample_sql,
    snapshot_day,
    transactions_sql,
)
from orchestration.contract import TABLES
from orchestration.scorecard import FittedScorecard, ScorecardInputError, cross_validate, fit
from orchestration.scorecard.cli import scored_rows
from orchestration.scorecard.files import read_table
from orchestration.scorecard.report import cross_validation_table
from orchestration.settings import SEEDS_DIR

TARGET = "bad"
# Not a feature: the loan day is the time of the row, not something about the borrower.
EXCLUDE = ("originated_date",)
CV_FOLDS = 5
CV_REPEATS = 5  # the cross-validation again with the next seeds: how much the estimate moves
MASTER_SCALE = SEEDS_DIR / "risk_master_scale.csv"


def md_table(headers: Sequence[str], rows: Sequence[Sequence[object]], numeric: str = "") -> str:
    """A Markdown table; columns whose letter in `numeric` is 'r' are right-aligned."""
    align = [("---:" if numeric[i : i + 1] == "r" else "---") for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        return f"{float(value):,.3f}"
    return str(value)


def _pct(share: float) -> str:
    return "—" if np.isnan(share) else f"{share:.1%}"


# ---- 1. counts in and out ------------------------------------------------------------------


def _files_by_table() -> dict[str, list[str]]:
    files: dict[str, list[str]] = {}
    for name, table in ROW_FILES.items():
        files.setdefault(table, []).append(name)
    return files


def counts_section(source_dir: Path, data_dir: Path | None) -> str:
    """Berka rows per file and landing rows per table; with a built data dir, where each raw
    row went (the staging reconciliation) and the quarantine reasons."""
    if data_dir is None:
        with tempfile.TemporaryDirectory() as scratch:
            summary = ingest(source_dir, Path(scratch))
        rows_in, rows_out, balance, reasons = summary.rows_in, summary.rows_out, None, None
    else:
        manifest = json.loads((data_dir / "ingest" / "berka.json").read_text())
        rows_in, rows_out = manifest["rows_in"], manifest["rows_out"]
        with duckdb.connect(str(data_dir / "published" / "bi.duckdb"), read_only=True) as con:
            balance = {
                row[0]: row[1:]
                for row in con.execute(
                    "select table_name, raw_rows, staged_rows, quarantined_rows, "
                    "exact_duplicate_rows, superseded_rows, unaccounted_rows "
                    "from staging.stg_core_banking__reconciliation"
                ).fetchall()
            }
            reasons = con.execute(
                "select quarantine_reason, count(*) from staging.stg_core_banking__quarantine "
                "group by 1 order by 2 desc, 1"
            ).fetchall()
    files = _files_by_table()
    headers = ["Berka file", "rows", "contract table", "landing rows"]
    if balance is not None:
        headers += ["raw", "staged", "quarantined", "duplicates", "superseded", "unaccounted"]
    rows = []
    for table, names in files.items():
        row: list[object] = [
            " + ".join(names),
            " + ".join(f"{rows_in[name]:,}" for name in names),
            table,
            rows_out[table],
        ]
        if balance is not None:
            row += list(balance[table])
        rows.append(row)
    others = [t.name for t in TABLES if t.name not in files]
    other_row: list[object] = ["(none)", "—", f"the {len(others)} other tables"]
    other_row.append(sum(rows_out[t] for t in others))
    if balance is not None:
        other_row += [sum(balance[t][i] for t in others) for i in range(6)]
    rows.append(other_row)
    total_in = sum(rows_in[name] for name in ROW_FILES)
    text = [
        "### Counts in and out",
        "",
        md_table(headers, rows, "-r-rrrrrrr"),
        "",
        f"{total_in:,} Berka rows in, {sum(rows_out.values()):,} landing rows out; "
        f"lookups read: disp.csv {rows_in['disp.csv']:,}, district.csv "
        f"{rows_in['district.csv']:,}.",
    ]
    if balance is not None:
        raw = sum(value[0] for value in balance.values())
        staged = sum(value[1] for value in balance.values())
        reason_text = ", ".join(f"{reason} {count:,}" for reason, count in reasons) or "none"
        text.append(f"Raw rows {raw:,}, staged {staged:,}; quarantine reasons: {reason_text}.")
    return "\n".join(text)


def mapping_section(source_dir: Path) -> str:
    """The snapshot day, the mapped transactions by channel and counterparty type, and the
    Berka rows the contract has no place for (co-users), from the mapping's own SQL."""
    con = duckdb.connect()
    read_berka_files(con, source_dir)
    day = snapshot_day(con)
    days = con.execute(
        "select count(distinct substr(d, 1, 6)) from (select date as d from trans_test "
        "union all select creation_date from account union all select issued from card_train "
        "union all select issued from card_test union all select date from loan_train "
        "union all select date from loan_test)"
    ).fetchone()[0]
    rows = con.execute(
        f"""
        select coalesce(channel, 'null'), coalesce(counterparty_type, 'null'), count(*)
        from ({transactions_sql()})
        group by all
        order by 3 desc
        """
    ).fetchall()
    collections, disponents, cards, owner_cards = con.execute(
        """
        select
            (select count(*) from trans_test where operation = 'collection from another bank'),
            (select count(*) from disp where type = 'DISPONENT'),
            (select count(*) from (select * from card_train union all select * from card_test)),
            (select count(*) from (select * from card_train union all select * from card_test)
                as cards inner join disp on cards.disp_id = disp.disp_id
                where disp.type = 'OWNER')
        """
    ).fetchone()
    con.close()
    return "\n".join(
        [
            "### Mapping",
            "",
            f"Snapshot (extract) day: {day}; the rows are dated on {days:,} different days. "
            "Transactions by mapped channel and counterparty type:",
            "",
            md_table(["channel", "counterparty_type", "rows"], rows, "--r"),
            "",
            f"'collection from another bank' credits (no employer named): {collections:,}. "
            f"DISPONENT dispositions (co-users, no contract column): {disponents:,}. Cards: "
            f"{cards:,}, of which held by the account's owner: {owner_cards:,}.",
        ]
    )


# ---- 2. segments and ages (built data dir) ---------------------------------------------------


def profile_section(source_dir: Path, data_dir: Path) -> str:
    """Segment, value tier and lifecycle stage counts of customer_360, its age bands, and how
    many of its ages differ from the age decoded from the birth number on the as-of day."""
    con = duckdb.connect()
    read_berka_files(con, source_dir)
    bi = str(data_dir / "published" / "bi.duckdb").replace("'", "''")
    con.execute(f"attach '{bi}' as bi (read_only)")
    as_of = con.execute("select max(as_of_date) from bi.customer.customer_360").fetchone()[0]
    rows = con.execute(
        """
        select dimension, value, count(*) as customers from (
            select 1 as position, 'segment' as dimension, segment_code as value
            from bi.customer.customer_360
            union all select 2, 'value tier', value_tier from bi.customer.customer_360
            union all select 3, 'lifecycle stage', lifecycle_stage from bi.customer.customer_360
        )
        group by position, dimension, value
        order by position, customers desc, value
        """
    ).fetchall()
    bands = con.execute(
        "select age_band, count(*) from bi.customer.customer_360 group by 1 "
        "order by try_cast(split_part(replace(age_band, 'under_', '0_'), '_', 1) as integer)"
    ).fetchall()
    customers, agree = con.execute(
        f"""
        select count(*),
            count(*) filter (where c360.age_years = date_sub('year',
                try_cast({birth_date("client.birth_number")} as date), c360.as_of_date))
        from bi.customer.customer_360 as c360
        inner join client on c360.customer_id = {customer_id("client.client_id")}
        """
    ).fetchone()
    con.close()
    return "\n".join(
        [
            f"### Segments (as of {as_of})",
            "",
            md_table(["dimension", "value", "customers"], rows, "--r"),
            "",
            "### Ages",
            "",
            f"`customer_360.age_years` equals the age decoded from the birth number on "
            f"{as_of} for {agree:,} of {customers:,} customers. Age bands: "
            + ", ".join(f"{band} {count:,}" for band, count in bands)
            + ".",
        ]
    )


# ---- 3. the scorecard on loan_train ----------------------------------------------------------


def berka_samples(source_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(loan_train with features as of the loan day and bad, loan_test with the same
    features as of each loan's day, loan_test's account behaviour before its loan day)."""
    con = duckdb.connect()
    read_berka_files(con, source_dir)
    development = con.sql(development_sample_sql()).df()
    scoring = con.sql(scoring_sample_sql()).df()
    history = con.sql(loan_history_sql()).df()
    con.close()
    return development, scoring, history


def fit_berka_scorecard(development: pd.DataFrame, folds: int, seed: int) -> FittedScorecard:
    """What `bankprofile scorecard fit --target bad --exclude originated_date --cv-folds K
    --seed S` fits on the development sample (ids are left out by the tool itself)."""
    return fit(development, TARGET, exclude=EXCLUDE, cv_folds=folds, seed=seed)


def scorecard_section(
    model: FittedScorecard, development: pd.DataFrame, repeats: list[dict[str, object]]
) -> str:
    metrics = model.metrics
    cv = metrics["cross_validation"]
    hold_out = metrics["validation"]
    left_out = metrics["left_out_columns"]
    bads = int(development[TARGET].sum())
    selected = [row for row in metrics["information_value"] if row["status"] == "selected"]
    all_auc = [fold["auc"] for r in repeats for fold in r["per_fold"]]
    all_ks = [fold["ks"] for r in repeats for fold in r["per_fold"]]
    return "\n".join(
        [
            "### Scorecard on loan_train (cross-validated)",
            "",
            f"{len(development)} labelled loans, {bads} bad ({bads / len(development):.1%}). "
            f"Stratified {cv['folds']}-fold cross-validation, seed {cv['seed']}: each fold's "
            "scorecard is fitted on the other folds and measured on the fold left out.",
            "",
            cross_validation_table(cv),
            "",
            f"**Cross-validated AUC {cv['auc_mean']:.3f} ± {cv['auc_sd']:.3f}, "
            f"KS {cv['ks_mean']:.3f} ± {cv['ks_sd']:.3f}** (mean ± sample sd over the "
            f"{cv['folds']} folds; {cv['failed_folds']} fold(s) found no model).",
            "",
            f"The same cross-validation repeated over {len(repeats)} random splits into "
            f"{cv['folds']} folds (seeds {repeats[0]['seed']}-{repeats[-1]['seed']}): mean AUC "
            "per split "
            + ", ".join(f"{r['auc_mean']:.3f}" for r in repeats)
            + "; mean KS "
            + ", ".join(f"{r['ks_mean']:.3f}" for r in repeats)
            + f". Over all {sum(r['folds'] for r in repeats)} folds: AUC "
            f"{np.mean(all_auc):.3f} ± {np.std(all_auc, ddof=1):.3f}, KS "
            f"{np.mean(all_ks):.3f} ± {np.std(all_ks, ddof=1):.3f}.",
            "",
            f"Final scorecard `{model.model_id}` (the tool's usual fit: bins and coefficients "
            f"on a stratified {1 - metrics['split']['validation_share']:.0%} of the loans, "
            f"seed {metrics['split']['seed']}; hold-out of {hold_out['rows']} loans: AUC "
            f"{hold_out['auc']:.3f}, KS {hold_out['ks']:.3f}). Features: "
            + ", ".join(f"{row['feature']} (IV {row['iv']:.3f})" for row in selected)
            + ". Left out: "
            + ", ".join(f"{column} ({reason})" for column, reason in left_out.items())
            + ".",
        ]
    )


# ---- 4. loan_test graded on the master scale -------------------------------------------------


@dataclass(frozen=True)
class Grade:
    grade: str
    min_pd: float
    max_pd: float


def master_scale(path: Path = MASTER_SCALE) -> list[Grade]:
    """The pipeline's master scale: grade, min_pd (inclusive), max_pd (exclusive)."""
    scale = pd.read_csv(path)
    return [Grade(str(r.grade), float(r.min_pd), float(r.max_pd)) for r in scale.itertuples()]


def grade_of(pd_: pd.Series, scale: list[Grade]) -> pd.Series:
    """The grade whose [min_pd, max_pd) holds the PD: the rule of risk_scores.sql."""
    grades = pd.Series(pd.NA, index=pd_.index, dtype="string")
    for grade in scale:
        grades[(pd_ >= grade.min_pd) & (pd_ < grade.max_pd)] = grade.grade
    return grades


def grade_loans(model: FittedScorecard, sample: pd.DataFrame, scale: list[Grade]) -> pd.DataFrame:
    """loan_id, customer_id, originated_date, model_id, score, pd, reason codes, grade."""
    scored = scored_rows(model, sample)
    scored.insert(2, "originated_date", sample["originated_date"].to_numpy())
    scored["grade"] = grade_of(scored["pd"], scale).to_numpy()
    return scored


def grades_section(graded: pd.DataFrame, train_graded: pd.DataFrame, scale: list[Grade]) -> str:
    rows = []
    for grade in scale:
        test = graded[graded["grade"] == grade.grade]
        train = train_graded[train_graded["grade"] == grade.grade]
        rows.append(
            [
                grade.grade,
                f"{grade.min_pd:.1%} – {min(grade.max_pd, 1):.1%}",
                len(test),
                _pct(len(test) / len(graded)),
                _pct(test["pd"].mean()) if len(test) else "—",
                f"{test['score'].min():.0f} – {test['score'].max():.0f}" if len(test) else "—",
                len(train),
                _pct(train[TARGET].mean()) if len(train) else "—",
            ]
        )
    rows.append(
        [
            "all",
            "",
            len(graded),
            "100.0%",
            _pct(graded["pd"].mean()),
            f"{graded['score'].min():.0f} – {graded['score'].max():.0f}",
            len(train_graded),
            _pct(train_graded[TARGET].mean()),
        ]
    )
    first, last = graded["originated_date"].min(), graded["originated_date"].max()
    return "\n".join(
        [
            "### Grades of the loan_test loans",
            "",
            f"{len(graded)} loans of loan_test.csv ({first} to {last}), features as of each "
            "loan's day, scored with the scorecard above and graded on "
            "`seeds/risk_master_scale.csv` (PD from min_pd inclusive to max_pd exclusive). "
            "For comparison, the 328 loan_train loans graded by the same scorecard, with their "
            "observed bad rate (in-sample: most of them fitted it).",
            "",
            md_table(
                [
                    "grade",
                    "PD range",
                    "loan_test loans",
                    "share",
                    "mean PD",
                    "score range",
                    "loan_train loans",
                    "loan_train bad rate",
                ],
                rows,
                "--rrr-rr",
            ),
        ]
    )


# ---- 5. grades against behaviour before the loan day ------------------------------------------


def _count_and_share(flags: pd.Series) -> str:
    return f"{int(flags.sum())} ({_pct(flags.mean())})"


def sanity_section(graded: pd.DataFrame, history: pd.DataFrame, scale: list[Grade]) -> str:
    """Per grade: accounts charged sanction interest, overdrawn, lowest and mean balance,
    months of history, all from trans_test.csv before each loan's day."""
    frame = graded.merge(history, on="loan_id", how="left", validate="one_to_one")
    frame["has_sanction_interest"] = frame["sanction_interest_count"] > 0
    frame["was_overdrawn"] = frame["min_balance_amount"] < 0

    def row(label: str, part: pd.DataFrame) -> list[object]:
        if part.empty:
            return [label, 0, "—", "—", "—", "—", "—", "—"]
        return [
            label,
            len(part),
            _count_and_share(part["has_sanction_interest"]),
            _count_and_share(part["was_overdrawn"]),
            f"{part['min_balance_amount'].median():,.0f}",
            f"{part['avg_balance_amount'].median():,.0f}",
            f"{part['history_months'].median():.0f}",
            f"{part['transactions'].median():.0f}",
        ]

    rows = [row(grade.grade, frame[frame["grade"] == grade.grade]) for grade in scale]
    rows.append(row("all", frame))
    flagged = frame["has_sanction_interest"]
    auc = roc_auc_score(flagged, frame["pd"]) if 0 < flagged.sum() < len(frame) else float("nan")
    rho = frame["pd"].corr(frame["min_balance_amount"], method="spearman")
    rho_avg = frame["pd"].corr(frame["avg_balance_amount"], method="spearman")
    return "\n".join(
        [
            "### Grades against account behaviour before the loan day (no outcomes)",
            "",
            "From trans_test.csv, transactions strictly before each loan's day (none of them "
            "is used by the scorecard). Medians per grade; CZK.",
            "",
            md_table(
                [
                    "grade",
                    "loans",
                    "charged sanction interest",
                    "balance ever below 0",
                    "lowest balance",
                    "mean balance",
                    "months of history",
                    "transactions",
                ],
                rows,
                "-rrrrrrr",
            ),
            "",
            f"Rank agreement over the {len(frame)} loans: AUC of the PD for 'charged sanction "
            f"interest' {auc:.3f} ({int(flagged.sum())} accounts); Spearman correlation of the "
            f"PD with the lowest balance {rho:.3f}, with the mean balance {rho_avg:.3f} "
            "(a PD that tracked this behaviour would give an AUC above 0.5 and negative "
            "correlations).",
        ]
    )


# ---- the whole report ------------------------------------------------------------------------


def build_report(
    source_dir: Path, out_dir: Path, data_dir: Path | None, folds: int, seed: int
) -> tuple[str, pd.DataFrame]:
    """Measure every figure, write the samples, scorecard, grades and report.md to out_dir;
    return the Markdown and the graded loan_test loans."""
    if data_dir is not None:
        for needed in (data_dir / "ingest" / "berka.json", data_dir / "published" / "bi.duckdb"):
            if not needed.is_file():
                raise BerkaInputError(
                    f"{needed} is missing; run `bankprofile ingest berka` and `bankprofile "
                    f"build` into {data_dir} first, or leave out --data-dir."
                )
    samples = berka_samples(source_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # Through the CSV files, as `bankprofile scorecard fit|apply` would read them.
    names = ("loan_train_sample.csv", "loan_test_sample.csv", "loan_test_history.csv")
    for frame, name in zip(samples, names, strict=True):
        frame.to_csv(out_dir / name, index=False)
    development, scoring, history = (read_table(out_dir / name) for name in names)
    model = fit_berka_scorecard(development, folds, seed)
    repeats = [
        cross_validate(development, TARGET, folds, exclude=EXCLUDE, seed=seed + i).to_metrics()
        for i in range(CV_REPEATS)
    ]
    model.save(out_dir / "scorecard")
    scale = master_scale()
    graded = grade_loans(model, scoring, scale)
    graded.to_csv(out_dir / "loan_test_grades.csv", index=False)
    train_graded = grade_loans(model, development, scale)
    train_graded[TARGET] = development[TARGET].to_numpy()
    sections = [
        f"## Berka report: {source_dir}",
        counts_section(source_dir, data_dir),
        mapping_section(source_dir),
    ]
    if data_dir is not None:
        sections.append(profile_section(source_dir, data_dir))
    sections += [
        scorecard_section(model, development, repeats),
        grades_section(graded, train_graded, scale),
        sanity_section(graded, history, scale),
    ]
    markdown = "\n\n".join(sections) + "\n"
    (out_dir / "report.md").write_text(markdown, encoding="utf-8")
    return markdown, graded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.berka_report",
        description="Measure every figure of docs/real-data-berka.md.",
    )
    parser.add_argument("--from", dest="source", required=True, type=Path, help="Berka files")
    parser.add_argument("--out", required=True, type=Path, help="folder for the report")
    parser.add_argument(
        "--data-dir", default=None, type=Path, help="a data dir where Berka was ingested and built"
    )
    parser.add_argument("--cv-folds", type=int, default=CV_FOLDS)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        markdown, _ = build_report(
            args.source.resolve(),
            args.out.resolve(),
            None if args.data_dir is None else args.data_dir.resolve(),
            args.cv_folds,
            args.seed,
        )
    except (BerkaInputError, ScorecardInputError) as error:
        print(f"berka_report: {error}", file=sys.stderr)
        return 2
    print(markdown)
    print(f"Written to {args.out / 'report.md'} with the samples, scorecard/ and grades.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

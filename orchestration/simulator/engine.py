"""generate(): runs every domain module chunk by chunk and writes landing and truth."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from orchestration import contract

from .campaigns import contacts_frame, make_campaigns
from .config import SimulationConfig, SimulationSummary, Window, make_window
from .corruption import EXPECTED_OUTCOME, KINDS, make_bad_rows
from .credit import LOAN_TYPES, bureau_frame, make_loans
from .engagement import digital_events_frame, service_frame
from .frame import NULL, Frame
from .master import account_book, accounts_frame, customers_frame
from .personas import INCOME_SOURCES, PERSONAS, Population, ability_index, make_population, pd_from
from .reference import Reference, load_reference
from .transactions import make_transactions
from .wealth import make_wealth, market_returns
from .writer import WriteResult, write_frame, write_parquet

CHUNK_SIZE = 50_000  # customers per chunk: ~4 GiB peak memory at any scale
# Independent random streams per chunk, so a module's draws never shift another's.
STREAMS = {
    "population": 1,
    "customers": 2,
    "loans": 3,
    "bureau": 4,
    "transactions": 5,
    "wealth": 6,
    "digital": 7,
    "service": 8,
    "contacts": 9,
    "default": 10,
    "corruption": 11,
}


def _rng(config: SimulationConfig, chunk: int, stream: str) -> np.random.Generator:
    return np.random.default_rng([config.seed, chunk, STREAMS[stream]])


def _chunk_frames(
    config: SimulationConfig,
    ref: Reference,
    window: Window,
    chunk: int,
    first: int,
    size: int,
    campaigns: Frame,
    returns: np.ndarray,
) -> tuple[list[Frame], dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray]:
    pop = make_population(
        _rng(config, chunk, "population"), ref, window, first, size, config.customers
    )
    book = account_book(pop)
    loans = make_loans(_rng(config, chunk, "loans"), ref, pop, book, window, chunk)
    orders, holdings = make_wealth(
        _rng(config, chunk, "wealth"), ref, pop, book, window, returns, chunk
    )
    frames = [
        customers_frame(_rng(config, chunk, "customers"), ref, pop, window),
        accounts_frame(ref, pop, book, window),
        make_transactions(
            _rng(config, chunk, "transactions"), ref, pop, book, loans, window, chunk
        ),
        orders,
        holdings,
        loans.loans,
        loans.repayments,
        bureau_frame(_rng(config, chunk, "bureau"), pop, window, chunk, loans),
        digital_events_frame(_rng(config, chunk, "digital"), ref, pop, window, chunk),
        service_frame(_rng(config, chunk, "service"), ref, pop, window, chunk),
        contacts_frame(_rng(config, chunk, "contacts"), ref, pop, campaigns, window, chunk),
    ]
    if chunk == 0:
        frames.append(campaigns)
    truth = _customer_truth(config, chunk, pop, loans.dti_now)
    free = pop.customer_num[~np.isin(pop.customer_num, holdings.data["customer_id"])]
    return frames, truth, loans.truth, free


def _customer_truth(
    config: SimulationConfig, chunk: int, pop: Population, dti_now: np.ndarray
) -> dict[str, np.ndarray]:
    ability = ability_index(pop, dti_now)
    pd = pd_from(ability, pop.willingness)
    default = _rng(config, chunk, "default").random(len(pop)) < pd
    return {
        "customer_num": pop.customer_num,
        "persona": pop.persona,
        "income_source": pop.income_source,
        "monthly_income": pop.income,
        "intends_home_purchase": pop.intends_home,
        "wealth_affinity": pop.wealth_affinity,
        "pd_12m": pd,
        "default_next_12m": default,
        "ability": ability,
        "willingness": pop.willingness,
        "age": pop.age,
        "onboarded_in_window": pop.onboarded_in_window,
        "created_at": pop.created_sec,
        "debt_to_income": dti_now,
        "external_debt": pop.external_debt,
    }


def _truth_table(parts: list[dict[str, np.ndarray]]) -> pa.Table:
    data = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    ids = pa.array(data["customer_num"]).cast(pa.string())
    return pa.table(
        {
            "customer_id": pa.compute.binary_join_element_wise("C", ids, ""),
            "persona": pa.array(np.array(PERSONAS)[data["persona"]]),
            "income_source": pa.array(np.array(INCOME_SOURCES)[data["income_source"]]),
            "monthly_income": pa.array(data["monthly_income"], pa.float64()),
            "intends_home_purchase": pa.array(data["intends_home_purchase"]),
            "wealth_affinity": pa.array(data["wealth_affinity"]),
            "pd_12m": pa.array(data["pd_12m"], pa.float64()),
            "default_next_12m": pa.array(data["default_next_12m"]),
            "ability": pa.array(data["ability"], pa.float64()),
            "willingness": pa.array(data["willingness"], pa.float64()),
            "age": pa.array(data["age"], pa.int32()),
            "onboarded_in_window": pa.array(data["onboarded_in_window"]),
            "created_at": pa.array(data["created_at"], pa.timestamp("s")),
            "debt_to_income": pa.array(data["debt_to_income"], pa.float64()),
            "external_debt": pa.array(data["external_debt"], pa.float64()),
        }
    )


def _loan_truth_table(parts: list[dict[str, np.ndarray]]) -> pa.Table:
    data = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    default_day = data["default_day"]
    return pa.table(
        {
            "loan_id": pa.compute.binary_join_element_wise(
                "L", pa.array(data["loan_id"]).cast(pa.string()), ""
            ),
            "customer_id": pa.compute.binary_join_element_wise(
                "C", pa.array(data["customer_num"]).cast(pa.string()), ""
            ),
            "loan_type": pa.array(np.array(LOAN_TYPES)[data["loan_type"]]),
            "originated_date": pa.array(data["originated_day"].astype(np.int32), pa.date32()),
            "pd_at_origination": pa.array(data["pd_at_origination"], pa.float64()),
            "defaulted_within_12m": pa.array(data["defaulted_within_12m"]),
            "default_date": pa.array(
                np.where(default_day == NULL, 0, default_day).astype(np.int32),
                pa.date32(),
                mask=default_day == NULL,
            ),
        }
    )


def generate(config: SimulationConfig, data_dir: Path) -> SimulationSummary:
    """Write landing extracts and truth for `config` under `data_dir` (replacing both)."""
    started = time.perf_counter()
    data_dir = Path(data_dir)
    landing, truth_dir = data_dir / "landing", data_dir / "truth"
    for folder in (landing, truth_dir):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
    ref = load_reference()
    window = make_window(config)
    campaigns = make_campaigns(config.seed, ref, window)
    returns = market_returns(config.seed, ref, window.months)

    rows = {table.name: 0 for table in contract.TABLES}
    files = 0
    logs: list[pa.Table] = []
    truth_parts, loan_parts = [], []
    for chunk, first in enumerate(range(0, config.customers, CHUNK_SIZE)):
        size = min(CHUNK_SIZE, config.customers - first)
        frames, truth, loan_truth, free = _chunk_frames(
            config, ref, window, chunk, first, size, campaigns, returns
        )
        truth_parts.append(truth)
        loan_parts.append(loan_truth)
        for index, frame in enumerate(frames):
            bad = make_bad_rows(
                np.random.default_rng([config.seed, chunk, STREAMS["corruption"], index]),
                frame,
                config.corrupt_rate,
                chunk,
                window.end_day,
                free if frame.table == "holdings" else None,
            )
            result: WriteResult = write_frame(frame, bad, landing, chunk)
            rows[frame.table] += result.rows
            files += result.files
            logs.extend(result.log)
        del frames

    write_parquet(_truth_table(truth_parts), truth_dir / "customers.parquet")
    write_parquet(_loan_truth_table(loan_parts), truth_dir / "loans.parquet")
    log = _corruption_log(logs)
    write_parquet(log, truth_dir / "corruption_log.parquet")
    counts = _corruption_counts(log)
    (truth_dir / "corruption_summary.json").write_text(
        json.dumps(
            {"corrupt_rate": config.corrupt_rate, "by_table": counts}, indent=2, sort_keys=True
        )
        + "\n",
        encoding="utf-8",
    )
    by_kind = {kind: 0 for kind in KINDS}
    for table_counts in counts.values():
        for kind, count in table_counts.items():
            by_kind[kind] += count
    return SimulationSummary(
        rows_by_table=rows,
        files_written=files,
        corrupted_by_kind={kind: count for kind, count in by_kind.items() if count},
        seconds=time.perf_counter() - started,
    )


LOG_SCHEMA = pa.schema(
    [
        ("table", pa.string()),
        ("source_file", pa.string()),
        ("row_number", pa.int64()),
        ("record_key", pa.string()),
        ("corruption_kind", pa.string()),
        ("expected_outcome", pa.string()),
    ]
)


def _corruption_log(parts: list[pa.Table]) -> pa.Table:
    if not parts:
        return LOG_SCHEMA.empty_table()
    log = pa.concat_tables(parts)
    outcome = [EXPECTED_OUTCOME[kind] for kind in log.column("corruption_kind").to_pylist()]
    return log.append_column("expected_outcome", pa.array(outcome, pa.string())).cast(LOG_SCHEMA)


def _corruption_counts(log: pa.Table) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    if log.num_rows == 0:
        return counts
    grouped = log.group_by(["table", "corruption_kind"]).aggregate([("row_number", "count")])
    for row in grouped.to_pylist():
        counts.setdefault(row["table"], {})[row["corruption_kind"]] = row["row_number_count"]
    return {table: dict(sorted(kinds.items())) for table, kinds in sorted(counts.items())}

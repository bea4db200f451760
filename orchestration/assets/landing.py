"""The bank's source systems, simulated: one asset per landing table.

Materializing `simulated_core_banking` writes a fresh set of extracts (and the hidden
truth) with the configured size and seed. The nightly job does not include it: in
production the landing tables are delivered by the core-banking system.
"""

from datetime import date

import dagster as dg

from orchestration.contract import TABLES
from orchestration.resources import DataDirResource

LANDING_SPECS = [
    dg.AssetSpec(
        key=["landing", table.name],
        description=f"Daily Parquet extracts: {table.description}",
        group_name="landing",
        kinds={"parquet"},
    )
    for table in TABLES
]


class SimulationRunConfig(dg.Config):
    customers: int = 10_000
    months: int = 24
    seed: int = 42
    corrupt_rate: float = 0.0
    end_date: str = "2026-09-30"


@dg.multi_asset(specs=LANDING_SPECS, name="simulated_core_banking", group_name="landing")
def simulated_core_banking(
    context: dg.AssetExecutionContext, config: SimulationRunConfig, data: DataDirResource
):
    from orchestration.simulator import SimulationConfig, generate

    summary = generate(
        SimulationConfig(
            customers=config.customers,
            months=config.months,
            seed=config.seed,
            corrupt_rate=config.corrupt_rate,
            end_date=date.fromisoformat(config.end_date),
        ),
        data.paths.root,
    )
    context.log.info(f"Generated {summary.files_written} files in {summary.seconds:.1f}s")
    for table in TABLES:
        yield dg.MaterializeResult(
            asset_key=["landing", table.name],
            metadata={"rows": summary.rows_by_table.get(table.name, 0)},
        )

"""Asset checks outside dbt's own tests.

risk_score_stability_psi: the population stability index of the score and of every
scorecard feature (dbt model risk_score_stability: the customers 12 months ago vs now) warns
above psi_warn_threshold (0.10) and fails above psi_fail_threshold (0.25), both from
seeds/risk_parameters.csv.
"""

from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd

from orchestration.resources import WAREHOUSE_POOL, DataDirResource

STABILITY_ASSET = dg.AssetKey(["risk", "risk_score_stability"])
WARN_PSI = 0.10
FAIL_PSI = 0.25


def read_stability(warehouse: Path) -> tuple[pd.DataFrame, float, float]:
    """PSI per variable and the warn/fail thresholds (seed values, else the defaults)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        stability = con.execute(
            "select variable, variable_kind, psi from risk.risk_score_stability order by psi desc"
        ).df()
        thresholds = dict(
            con.execute(
                "select parameter, value from reference.risk_parameters "
                "where parameter in ('psi_warn_threshold', 'psi_fail_threshold')"
            ).fetchall()
        )
    return (
        stability,
        float(thresholds.get("psi_warn_threshold", WARN_PSI)),
        float(thresholds.get("psi_fail_threshold", FAIL_PSI)),
    )


def stability_check_result(
    stability: pd.DataFrame, warn_psi: float = WARN_PSI, fail_psi: float = FAIL_PSI
) -> dg.AssetCheckResult:
    """Passed when every PSI is at most warn_psi; else WARN, or ERROR above fail_psi."""
    worst = stability.sort_values("psi", ascending=False)
    max_psi = float(worst["psi"].max()) if len(worst) else 0.0
    above_warn = worst[worst["psi"] > warn_psi]
    severity = dg.AssetCheckSeverity.ERROR if max_psi > fail_psi else dg.AssetCheckSeverity.WARN
    metadata = {
        "max_psi": dg.MetadataValue.float(max_psi),
        "worst_variable": str(worst["variable"].iloc[0]) if len(worst) else "",
        "variables_above_warn": dg.MetadataValue.json(above_warn["variable"].tolist()),
        "psi": dg.MetadataValue.md(worst.to_markdown(index=False, floatfmt=".4f")),
        "warn_psi": warn_psi,
        "fail_psi": fail_psi,
    }
    return dg.AssetCheckResult(
        passed=bool(above_warn.empty),
        severity=severity,
        metadata=metadata,
        description=None
        if above_warn.empty
        else f"PSI above {warn_psi:g} for {', '.join(above_warn['variable'])} (max {max_psi:.3f}).",
    )


@dg.asset_check(
    asset=STABILITY_ASSET,
    name="risk_score_stability_psi",
    description="PSI of the score and every scorecard feature, customers 12 months ago vs now: "
    "warn above 0.10, fail above 0.25.",
    pool=WAREHOUSE_POOL,
)
def risk_score_stability_psi(data: DataDirResource) -> dg.AssetCheckResult:
    stability, warn_psi, fail_psi = read_stability(data.paths.warehouse)
    return stability_check_result(stability, warn_psi, fail_psi)

"""How well could any model learnt from the bank's loans rank today's customers?

Issue #5 asks `risk_scores.pd_12m` to rank the simulator's `default_next_12m` at least 95% as
well (AUC) as the simulator's own true `pd_12m`. This study, which reads the simulator's truth
and is therefore only possible on generated data, separates the two things that limit any
scorecard trained in the pipeline:

- **information**: a flexible model (gradient boosting) fitted to the *true* PD logit of the
  current customers from their current features, in sample. Near 1.0 means the features the
  pipeline computes carry what the truth depends on.
- **perfect-label ceiling**: the same model fitted to the *true* PD logit at origination of the
  development loans (`risk_training_set`, features as of origination), then applied to the
  current customers. It has the pipeline's development sample with the noise of the outcome
  removed, so no scorecard trained on those loans (with their 0/1 outcomes) should beat it.
  What keeps it below 1.0 is that the borrowers are not the customer base.

Usage (on a data directory built by `bankprofile build`):

    python -m orchestration.simulator.risk_ceiling [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import roc_auc_score

from orchestration.assets.risk import (
    CANDIDATE_FEATURES,
    read_current_features,
    read_training_set,
)

SEED = 0


@dataclass
class CeilingStudy:
    true_auc: float
    model_auc: float
    information_auc: float
    ceiling_auc: float
    persona_mix: pd.DataFrame  # share of development loans vs current customers per persona

    def ratio(self, auc: float) -> float:
        return auc / self.true_auc


def logit(p: pd.Series) -> np.ndarray:
    p = p.to_numpy(dtype="float64").clip(1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


def feature_matrix(frame: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """Candidates as numbers (unknown kept as NaN) and categories as indicator columns."""
    present = [c for c in CANDIDATE_FEATURES if c in frame.columns]
    numbers = frame[present].apply(pd.to_numeric, errors="coerce").astype("float64")
    numeric = [c for c in present if numbers[c].notna().sum() == frame[c].notna().sum()]
    categorical = [c for c in present if c not in numeric]
    matrix = pd.concat(
        [numbers[numeric], pd.get_dummies(frame[categorical].astype("string"), dtype=float)],
        axis=1,
    )
    return matrix if columns is None else matrix.reindex(columns=columns, fill_value=0.0)


def boosted_logit(features: pd.DataFrame, target: np.ndarray) -> HistGradientBoostingRegressor:
    return HistGradientBoostingRegressor(max_iter=300, random_state=SEED).fit(features, target)


def study(data_dir: Path) -> CeilingStudy:
    warehouse = data_dir / "warehouse.duckdb"
    truth = data_dir / "truth"
    customers = pd.read_parquet(truth / "customers.parquet")
    loans = pd.read_parquet(truth / "loans.parquet")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        scores = con.execute("select customer_id, pd_12m from risk.risk_scores").df()

    current = read_current_features(warehouse).merge(
        customers[["customer_id", "persona", "pd_12m", "default_next_12m"]], on="customer_id"
    )
    current = current.merge(scores, on="customer_id", suffixes=("_true", ""))
    development = read_training_set(warehouse).merge(
        loans[["loan_id", "pd_at_origination"]], on="loan_id"
    )
    development = development.merge(customers[["customer_id", "persona"]], on="customer_id")

    outcome = current["default_next_12m"].to_numpy()
    current_x = feature_matrix(current)
    informed = boosted_logit(current_x, logit(current["pd_12m_true"]))
    development_x = feature_matrix(development)
    ceiling = boosted_logit(development_x, logit(development["pd_at_origination"]))
    mix = pd.DataFrame(
        {
            "development_loans": development["persona"].value_counts(normalize=True),
            "current_customers": current["persona"].value_counts(normalize=True),
        }
    ).fillna(0.0)
    return CeilingStudy(
        true_auc=roc_auc_score(outcome, current["pd_12m_true"]),
        model_auc=roc_auc_score(outcome, current["pd_12m"]),
        information_auc=roc_auc_score(outcome, informed.predict(current_x)),
        ceiling_auc=roc_auc_score(
            outcome, ceiling.predict(feature_matrix(current, list(development_x.columns)))
        ),
        persona_mix=mix.sort_values("current_customers", ascending=False),
    )


def report(result: CeilingStudy) -> str:
    rows = [
        ("simulator's true pd_12m", result.true_auc),
        ("risk_scores.pd_12m (the pipeline's scorecard)", result.model_auc),
        (
            "information: boosting on the true PD of current customers (in sample)",
            result.information_auc,
        ),
        ("ceiling: boosting on the true PD of the development loans", result.ceiling_auc),
    ]
    lines = ["| ranking of default_next_12m | AUC | ratio to true |", "| --- | ---: | ---: |"]
    lines += [f"| {name} | {auc:.3f} | {result.ratio(auc):.3f} |" for name, auc in rows]
    lines += ["", "| persona | share of development loans | share of current customers |"]
    lines += ["| --- | ---: | ---: |"]
    lines += [
        f"| {persona} | {row.development_loans:.1%} | {row.current_customers:.1%} |"
        for persona, row in result.persona_mix.iterrows()
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("BANKPROFILE_DATA_DIR", "data")),
        help="a data directory built by `bankprofile build` (default $BANKPROFILE_DATA_DIR)",
    )
    args = parser.parse_args(argv)
    print(report(study(args.data_dir)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

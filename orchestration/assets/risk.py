"""Scorecard training: risk_training_set (dbt) -> risk_model.* tables -> risk_scores (dbt).

The asset reads the development sample from the warehouse, fits the application scorecard
with `orchestration.scorecard.fit` (validated out of time on the origination date) and
writes, into the warehouse schema `risk_model`:

    scorecard_versions   one row per model_id x feature x bin (every model ever fitted)
    model_versions       one row per model_id: calibration, scaling, metrics (JSON)
    current_model        one row: the model_id risk_scores applies
    scorecard            view: the current model's bins   (dbt source risk_model.scorecard)
    calibration          view: the current model's row    (dbt source risk_model.calibration)

Refitting on the same data gives the same model_id (a hash of data and settings), so a
rerun replaces its own rows and nothing else.
"""

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd

from orchestration.resources import WAREHOUSE_POOL, DataDirResource
from orchestration.scorecard import (
    FittedScorecard,
    PointsScaling,
    ScorecardInputError,
    fit,
    is_protected,
)
from orchestration.scorecard import load as load_scorecard
from orchestration.scorecard.model import to_jsonable
from orchestration.scorecard.validation import (
    band_cuts,
    band_table,
    development_mask,
    fit_calibration,
    predict_pd,
)

TRAINING_SET = "risk.risk_training_set"
TARGET = "is_defaulted_12m"
TIME_COLUMN = "originated_date"
SCHEMA = "risk_model"
SCALING = PointsScaling(base_score=600, base_odds=50, pdo=20)

# The candidates, as in the dbt macro risk_candidate_features() (a test keeps them equal).
CANDIDATE_FEATURES: tuple[str, ...] = (
    "age_years",
    "city_tier",
    "occupation",
    "employer_type",
    "education",
    "employment_tenure_months",
    "tenure_months",
    "declared_monthly_income_amount",
    "income_source",
    "monthly_income_amount",
    "income_stability_cv",
    "deposit_balance_amount",
    "avg_deposit_balance_3m_amount",
    "avg_deposit_balance_12m_amount",
    "deposit_buffer_months",
    "external_debt_amount",
    "monthly_debt_service_amount",
    "debt_service_to_income_ratio",
    "delinquencies_24m",
    "inquiries_6m",
    "bureau_worst_days_past_due_24m",
    "internal_worst_days_past_due_24m",
    "late_instalments_24m",
    "overdraft_days_12m",
    "spend_to_inflow_ratio_12m",
)
# A candidate is left out when its share of unknown values in the development sample exceeds
# the share among the customers the scorecard is applied to by more than this: the extracts hold no
# transactions before the data window, so transaction-based features (detected income,
# balances, overdrafts, spending) are unknown for loans originated before it, yet known for
# every current customer; bins learnt from the few loans with history, plus a missing bin
# no current customer falls into, would not transfer.
MAX_UNKNOWN_SHARE_GAP = 0.2
CURRENT_FEATURES = (
    "select * from intermediate.int_risk_features_computed "
    "where as_of_date = (select max(as_of_date) from intermediate.int_risk_features_computed)"
)
# Never candidates, whatever the training set holds (the library refuses them as well).
PROTECTED_COLUMNS: tuple[str, ...] = ("gender", "marital_status", "ethnicity", "religion")


def read_training_set(warehouse: Path) -> pd.DataFrame:
    """The development sample, read-only from the warehouse."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        try:
            frame = con.execute(f"select * from {TRAINING_SET} order by loan_id").df()
        except duckdb.CatalogException as error:
            raise ValueError(
                f"{warehouse}: there is no table {TRAINING_SET}; build the dbt model "
                "risk_training_set first."
            ) from error
    if frame.empty:
        raise ValueError(f"{warehouse}: {TRAINING_SET} has no rows to train on.")
    return frame


def read_current_features(warehouse: Path) -> pd.DataFrame:
    """The features of the customers the scorecard will score (latest as-of day)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(CURRENT_FEATURES).df()


def unknown_share_gaps(training: pd.DataFrame, current: pd.DataFrame) -> dict[str, float]:
    """Per candidate: share unknown in the development sample minus share unknown now."""
    return {
        column: float(training[column].isna().mean() - current[column].isna().mean())
        for column in CANDIDATE_FEATURES
        if column in training.columns and column in current.columns
    }


def candidate_features(frame: pd.DataFrame, current: pd.DataFrame | None = None) -> list[str]:
    """The candidates present in the frame, never a protected attribute, and (given the
    current population) not those unknown far more often in the development sample: a
    feature that needs history the development sample lacks. (Unknown more often now, e.g.
    no employment, is a difference in the mix of customers and stays a candidate.)"""
    gaps = unknown_share_gaps(frame, current) if current is not None else {}
    return [
        column
        for column in CANDIDATE_FEATURES
        if column in frame.columns
        and column not in PROTECTED_COLUMNS
        and not is_protected(column)
        and gaps.get(column, 0.0) <= MAX_UNKNOWN_SHARE_GAP
    ]


def train_scorecard(frame: pd.DataFrame, current: pd.DataFrame | None = None) -> FittedScorecard:
    """Fit the scorecard, validated out of time on the latest ~30% of originations, on the
    candidates that exist for both the development sample and `current` (when given)."""
    data = frame.copy()
    for column in data.columns:  # DuckDB decimals arrive as Python Decimal objects
        if data[column].dtype == object and column in CANDIDATE_FEATURES:
            converted = pd.to_numeric(data[column], errors="coerce")
            if converted.notna().sum() == data[column].notna().sum():
                data[column] = converted.astype("float64")
    data[TIME_COLUMN] = pd.to_datetime(data[TIME_COLUMN])
    protected = [column for column in data.columns if is_protected(column)]
    model = fit(
        data,
        TARGET,
        features=candidate_features(data, current),
        exclude=sorted({*PROTECTED_COLUMNS, *protected} & set(data.columns)),
        scaling=SCALING,
        time_column=TIME_COLUMN,
    )
    return recalibrate_on_latest_cohort(model, data)


def recalibrate_on_latest_cohort(model: FittedScorecard, data: pd.DataFrame) -> FittedScorecard:
    """The PD calibration refitted on the out-of-time sample, the latest originations.

    The points come from the development sample; the development fit of PD on score is too
    steep out of sample (the score overfits a little), so the PD is calibrated on the cohort
    closest to the population it is applied to. The validation table then shows this
    calibration against the same cohort; the development calibration stays in the metrics.
    """
    y = data[TARGET].to_numpy(dtype="int64")
    dev = development_mask(y, data[TIME_COLUMN])
    score = model.apply(data)["score"].to_numpy()
    calibration = fit_calibration(score[~dev], y[~dev], SCALING.base_score, SCALING.factor)
    calibration["method"] = "logistic, fitted on the out-of-time sample (latest originations)"
    cuts = band_cuts(score[dev])
    bands = band_table(score[~dev], y[~dev], predict_pd(score[~dev], calibration), cuts)
    metrics = {
        **model.metrics,
        "bands": bands.to_dict(orient="records"),
        "development_calibration": model.calibration,
    }
    return replace(model, calibration=to_jsonable(calibration), metrics=to_jsonable(metrics))


def scorecard_rows(model: FittedScorecard, trained_at: datetime) -> pd.DataFrame:
    """The scorecard table with the feature's order (reason-code ties) and the fit time."""
    table = model.table.copy()
    order = {feature: i for i, feature in enumerate(model.features)}
    table["feature_order"] = table["feature"].map(order).astype("int64")
    table["trained_at"] = trained_at
    return table


def model_row(model: FittedScorecard, trained_at: datetime) -> pd.DataFrame:
    metrics = model.metrics
    return pd.DataFrame(
        [
            {
                "model_id": model.model_id,
                "trained_at": trained_at,
                "target": model.target,
                "features": json.dumps(list(model.features)),
                "calibration_intercept": float(model.calibration["intercept"]),
                "calibration_slope": float(model.calibration["slope"]),
                "base_score": model.scaling.base_score,
                "base_odds": model.scaling.base_odds,
                "pdo": model.scaling.pdo,
                "validation_auc": float(metrics["validation"]["auc"]),
                "validation_ks": float(metrics["validation"]["ks"]),
                "validation_gini": float(metrics["validation"]["gini"]),
                "band_cuts": json.dumps(metrics["band_cuts"]),
                "metrics": json.dumps(metrics, ensure_ascii=False),
                "settings": json.dumps(model.settings, ensure_ascii=False),
            }
        ]
    )


def write_scorecard(
    con: duckdb.DuckDBPyConnection, model: FittedScorecard, trained_at: datetime
) -> None:
    """Write the model's versioned rows and point the current views at it, in one transaction."""
    bins = scorecard_rows(model, trained_at)
    row = model_row(model, trained_at)
    con.execute("begin transaction")
    try:
        con.execute(f"create schema if not exists {SCHEMA}")
        for name, frame in (("scorecard_versions", bins), ("model_versions", row)):
            con.register("incoming", frame)
            con.execute(
                f"create table if not exists {SCHEMA}.{name} as select * from incoming limit 0"
            )
            con.execute(f"delete from {SCHEMA}.{name} where model_id = ?", [model.model_id])
            con.execute(f"insert into {SCHEMA}.{name} by name select * from incoming")
            con.unregister("incoming")
        con.execute(
            f"create or replace table {SCHEMA}.current_model as "
            "select ? as model_id, cast(? as timestamp) as trained_at",
            [model.model_id, trained_at],
        )
        con.execute(
            f"create or replace view {SCHEMA}.scorecard as "
            f"select s.* exclude (trained_at) from {SCHEMA}.scorecard_versions as s "
            f"inner join {SCHEMA}.current_model as c on s.model_id = c.model_id"
        )
        con.execute(
            f"create or replace view {SCHEMA}.calibration as "
            f"select m.model_id, m.trained_at, m.calibration_intercept, m.calibration_slope, "
            f"m.base_score, m.base_odds, m.pdo, m.band_cuts "
            f"from {SCHEMA}.model_versions as m "
            f"inner join {SCHEMA}.current_model as c on m.model_id = c.model_id"
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def information_values(model: FittedScorecard) -> pd.DataFrame:
    return pd.DataFrame(model.metrics["information_value"])[["feature", "iv", "status"]]


def band_rows(model: FittedScorecard) -> pd.DataFrame:
    """Validation rows, bads, observed bad rate and mean predicted PD per score band."""
    return pd.DataFrame(model.metrics["bands"])


def model_metadata(model: FittedScorecard, rows: int) -> dict[str, object]:
    validation = model.metrics["validation"]
    development = model.metrics["development"]
    return {
        "model_id": model.model_id,
        "training_rows": rows,
        "features": dg.MetadataValue.json(list(model.features)),
        "validation_auc": dg.MetadataValue.float(float(validation["auc"])),
        "validation_ks": dg.MetadataValue.float(float(validation["ks"])),
        "validation_gini": dg.MetadataValue.float(float(validation["gini"])),
        "development_auc": dg.MetadataValue.float(float(development["auc"])),
        "split": dg.MetadataValue.json(model.metrics["split"]),
        "information_value": dg.MetadataValue.md(
            information_values(model).to_markdown(index=False, floatfmt=".4f")
        ),
        "bad_rate_per_band": dg.MetadataValue.md(
            band_rows(model).to_markdown(index=False, floatfmt=".4f")
        ),
        "calibration": dg.MetadataValue.json(model.calibration),
    }


def fit_and_publish(warehouse: Path, report_dir: Path | None = None) -> tuple[FittedScorecard, int]:
    """Read, fit, write to the warehouse (and the review report to report_dir)."""
    frame = read_training_set(warehouse)
    model = train_scorecard(frame, read_current_features(warehouse))
    trained_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    with duckdb.connect(str(warehouse)) as con:
        write_scorecard(con, model, trained_at)
    if report_dir is not None:
        model.save(report_dir / model.model_id)
    return model, len(frame)


RISK_MODEL_SPECS = [
    dg.AssetSpec(
        key=[SCHEMA, "scorecard"],
        deps=[dg.AssetKey(["risk", "risk_training_set"])],
        description="The current application scorecard: one row per feature x bin "
        "(bounds or categories, WoE, points, reason code), versioned by model_id.",
        group_name="risk",
        kinds={"python", "duckdb"},
    ),
    dg.AssetSpec(
        key=[SCHEMA, "calibration"],
        deps=[dg.AssetKey(["risk", "risk_training_set"])],
        description="PD calibration (pd = 1 / (1 + exp(-(intercept + slope x score)))), "
        "scaling and validation metrics of the current scorecard.",
        group_name="risk",
        kinds={"python", "duckdb"},
    ),
]


# The reference scorecard (fitted on the simulated demo bank, see its report.md) stands in
# where a portfolio has too little history to fit its own: a new bank, a tiny test bank, or
# a source such as Berka without repayment records. It is never used when a fit succeeds.
REFERENCE_MODEL_DIR = Path(__file__).resolve().parent.parent / "scorecard" / "reference_model"


def has_current_model(warehouse: Path) -> bool:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return bool(
            con.execute(
                "select count(*) from duckdb_tables() "
                f"where schema_name = '{SCHEMA}' and table_name = 'current_model'"
            ).fetchone()[0]
        )


def install_reference_model(warehouse: Path) -> FittedScorecard:
    model = load_scorecard(REFERENCE_MODEL_DIR)
    trained_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    with duckdb.connect(str(warehouse)) as con:
        write_scorecard(con, model, trained_at)
    return model


@dg.multi_asset(specs=RISK_MODEL_SPECS, name="risk_scorecard", pool=WAREHOUSE_POOL)
def risk_scorecard(context: dg.AssetExecutionContext, data: DataDirResource):
    """Fit the scorecard on risk_training_set and publish it to the risk_model schema.

    With too little history to fit (no rows, too few, no defaults), the current model
    stays; where there is none yet, the reference scorecard is installed. Either is said in
    the log and the asset metadata, never silently."""
    paths = data.paths
    try:
        model, rows = fit_and_publish(paths.warehouse, paths.root / "risk_model")
        status = "refitted"
    except (ValueError, ScorecardInputError) as error:  # too little data to fit
        if has_current_model(paths.warehouse):
            context.log.warning(f"Scorecard not refitted, the current model stays: {error}")
            yield from (
                dg.MaterializeResult(
                    asset_key=spec.key, metadata={"status": "kept", "why": str(error)}
                )
                for spec in RISK_MODEL_SPECS
            )
            return
        model, rows = install_reference_model(paths.warehouse), 0
        status = f"reference model installed: {error}"
        context.log.warning(f"Scorecard not fitted ({error}); installed the reference model.")
    context.log.info(
        f"Scorecard {model.model_id} ({status}): {len(model.features)} features, "
        f"out-of-time AUC {model.metrics['validation']['auc']:.3f}"
    )
    metadata = {"status": status, **model_metadata(model, rows)}
    yield dg.MaterializeResult(asset_key=[SCHEMA, "scorecard"], metadata=metadata)
    yield dg.MaterializeResult(
        asset_key=[SCHEMA, "calibration"],
        metadata={"model_id": model.model_id, "calibration": metadata["calibration"]},
    )

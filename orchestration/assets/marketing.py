"""Propensity training: int_campaign_contacts_featured (dbt) -> marketing_model.* ->
product_propensities (dbt).

For every product family with enough campaign history, a logistic regression of "responded"
on the marketing signals of the contacted (not held-out) customers, each signal as it stood
the day before the campaign started (the dbt model computes them point in time, so nothing
from the campaign period leaks in). Families without enough history get no model here;
product_propensities falls back to the rules in seeds/marketing_propensity_rules.csv.

Written into the warehouse schema `marketing_model`:

    propensity_model_versions        one row per model_id (family, rows, responders, CV AUC)
    propensity_coefficient_versions  one row per model_id x feature (transform, mean, scale,
                                     coefficient; feature '(intercept)' holds the intercept)
    current_propensity_models        one row per family that has a model: its model_id
    propensity_models                view: the current models
                                     (dbt source marketing_model.propensity_models)
    propensity_coefficients          view: their coefficients
                                     (dbt source marketing_model.propensity_coefficients)

product_propensities applies the coefficients in SQL: logit = intercept + sum(coefficient x
(transform(x) - mean) / scale), a missing value counting as the mean. Refitting on the same
data gives the same model_id (a hash of data and settings), so a rerun replaces its own rows.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from orchestration.resources import WAREHOUSE_POOL, DataDirResource

TRAINING_SET = "intermediate.int_campaign_contacts_featured"
SCHEMA = "marketing_model"
TARGET = "responded"
INTERCEPT = "(intercept)"
# Columns of the training set that are not features (everything else is a signal of the
# dbt macro marketing_signal_columns()).
NON_FEATURES: tuple[str, ...] = (
    "contact_id",
    "campaign_id",
    "customer_id",
    "product_code",
    "product_family",
    "start_date",
    "features_as_of_date",
    "is_holdout",
    "responded",
)
# Heavy-tailed signals enter the model as log(1 + max(x, 0)); product_propensities does the same.
LOG_FEATURES: tuple[str, ...] = (
    "wealth_holdings_amount",
    "idle_balance_months",
    "monthly_inflow_amount",
)
MIN_ROWS = 200  # fewer contacted customers than this: no model, the rules apply
MIN_RESPONDERS = 20
REGULARISATION_C = 1.0
CV_FOLDS = 5
SEED = 0


@dataclass(frozen=True)
class PropensityModel:
    """One fitted family model, in the shape product_propensities applies."""

    model_id: str
    product_family: str
    coefficients: pd.DataFrame  # feature, transform, mean, scale, coefficient
    training_rows: int
    responders: int
    cv_auc: float | None
    campaigns: tuple[str, ...]

    @property
    def response_rate(self) -> float:
        return self.responders / self.training_rows


def read_training_set(warehouse: Path) -> pd.DataFrame:
    """The campaign contacts with their point-in-time signals, read-only."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        try:
            frame = con.execute(f"select * from {TRAINING_SET} order by contact_id").df()
        except duckdb.CatalogException as error:
            raise ValueError(
                f"{warehouse}: there is no table {TRAINING_SET}; build the dbt model "
                "int_campaign_contacts_featured first."
            ) from error
    return frame


def feature_columns(frame: pd.DataFrame) -> list[str]:
    return [column for column in frame.columns if column not in NON_FEATURES]


def transformed(frame: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    """The model's inputs: float signals, log(1 + x) for the heavy-tailed ones."""
    data = frame[features].apply(pd.to_numeric, errors="coerce").astype("float64")
    for column in features:
        if column in LOG_FEATURES:
            data[column] = np.log1p(data[column].clip(lower=0))
    return data


def model_id_for(family: str, frame: pd.DataFrame, features: list[str]) -> str:
    digest = hashlib.sha256()
    digest.update(
        json.dumps({"family": family, "features": features, "C": REGULARISATION_C}).encode()
    )
    digest.update(
        pd.util.hash_pandas_object(
            frame[["contact_id", TARGET, *features]], index=False
        ).values.tobytes()
    )
    return f"prop_{family}_{digest.hexdigest()[:12]}"


def fit_family(family: str, rows: pd.DataFrame, features: list[str]) -> PropensityModel | None:
    """A standardised L2 logistic regression of the response on the signals of the contacted
    customers of one family, or None when the history is too thin to learn from."""
    contacted = rows[~rows["is_holdout"].astype(bool)].reset_index(drop=True)
    target = contacted[TARGET].astype(bool).astype(int).to_numpy()
    if len(contacted) < MIN_ROWS or target.sum() < MIN_RESPONDERS or target.sum() == len(target):
        return None
    raw = transformed(contacted, features)
    mean = raw.mean()
    scale = raw.std(ddof=0).replace(0, 1.0).fillna(1.0)
    x = ((raw - mean) / scale).fillna(0.0).to_numpy()
    model = LogisticRegression(C=REGULARISATION_C, max_iter=2_000)
    folds = min(CV_FOLDS, int(target.sum()), int(len(target) - target.sum()))
    cv_auc = None
    if folds >= 2:
        predicted = cross_val_predict(
            model,
            x,
            target,
            cv=StratifiedKFold(folds, shuffle=True, random_state=SEED),
            method="predict_proba",
        )[:, 1]
        cv_auc = float(roc_auc_score(target, predicted))
    model.fit(x, target)
    coefficients = pd.DataFrame(
        {
            "feature": features,
            "transform": ["log1p" if f in LOG_FEATURES else "identity" for f in features],
            "mean": mean.fillna(0.0).to_numpy(),
            "scale": scale.to_numpy(),
            "coefficient": model.coef_[0],
        }
    )
    intercept = pd.DataFrame(
        [
            {
                "feature": INTERCEPT,
                "transform": "identity",
                "mean": 0.0,
                "scale": 1.0,
                "coefficient": float(model.intercept_[0]),
            }
        ]
    )
    return PropensityModel(
        model_id=model_id_for(family, contacted, features),
        product_family=family,
        coefficients=pd.concat([intercept, coefficients], ignore_index=True),
        training_rows=len(contacted),
        responders=int(target.sum()),
        cv_auc=cv_auc,
        campaigns=tuple(sorted(contacted["campaign_id"].unique())),
    )


def fit_all(frame: pd.DataFrame) -> list[PropensityModel]:
    """One model per product family with enough history, in family order."""
    if frame.empty:
        return []
    features = feature_columns(frame)
    models = []
    for family, rows in frame.groupby("product_family", sort=True):
        model = fit_family(str(family), rows, features)
        if model is not None:
            models.append(model)
    return models


def model_rows(models: list[PropensityModel], trained_at: datetime) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "model_id": m.model_id,
                "product_family": m.product_family,
                "trained_at": trained_at,
                "training_rows": m.training_rows,
                "responders": m.responders,
                "response_rate": m.response_rate,
                "cv_auc": m.cv_auc,
                "campaigns": "|".join(m.campaigns),
            }
            for m in models
        ],
        columns=[
            "model_id",
            "product_family",
            "trained_at",
            "training_rows",
            "responders",
            "response_rate",
            "cv_auc",
            "campaigns",
        ],
    ).astype(
        {
            "training_rows": "int64",
            "responders": "int64",
            "response_rate": "float64",
            "cv_auc": "float64",
            "trained_at": "datetime64[us]",
        }
    )


def coefficient_rows(models: list[PropensityModel]) -> pd.DataFrame:
    frames = [
        m.coefficients.assign(model_id=m.model_id, product_family=m.product_family) for m in models
    ]
    columns = ["model_id", "product_family", "feature", "transform", "mean", "scale", "coefficient"]
    if not frames:
        return pd.DataFrame(
            {
                c: pd.Series(dtype="float64" if c in ("mean", "scale", "coefficient") else "object")
                for c in columns
            }
        )
    return pd.concat(frames, ignore_index=True)[columns]


def write_models(
    con: duckdb.DuckDBPyConnection, models: list[PropensityModel], trained_at: datetime
) -> None:
    """Write the versioned rows and point the current views at these models, in one transaction.
    A family that no longer has enough history loses its current model (the rules apply)."""
    tables = {
        "propensity_model_versions": model_rows(models, trained_at),
        "propensity_coefficient_versions": coefficient_rows(models),
    }
    current = pd.DataFrame(
        {
            "product_family": [m.product_family for m in models],
            "model_id": [m.model_id for m in models],
        },
        dtype="object",
    )
    con.execute("begin transaction")
    try:
        con.execute(f"create schema if not exists {SCHEMA}")
        for name, frame in tables.items():
            con.register("incoming", frame)
            con.execute(
                f"create table if not exists {SCHEMA}.{name} as select * from incoming limit 0"
            )
            con.execute(
                f"delete from {SCHEMA}.{name} where model_id in (select model_id from incoming)"
            )
            con.execute(f"insert into {SCHEMA}.{name} by name select * from incoming")
            con.unregister("incoming")
        con.register("incoming", current)
        con.execute(
            f"create or replace table {SCHEMA}.current_propensity_models as "
            "select cast(product_family as varchar) as product_family, "
            "cast(model_id as varchar) as model_id from incoming"
        )
        con.unregister("incoming")
        con.execute(
            f"create or replace view {SCHEMA}.propensity_models as "
            f"select m.* from {SCHEMA}.propensity_model_versions as m "
            f"inner join {SCHEMA}.current_propensity_models as c on m.model_id = c.model_id"
        )
        con.execute(
            f"create or replace view {SCHEMA}.propensity_coefficients as "
            f"select k.* from {SCHEMA}.propensity_coefficient_versions as k "
            f"inner join {SCHEMA}.current_propensity_models as c on k.model_id = c.model_id"
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def fit_and_publish(warehouse: Path) -> tuple[list[PropensityModel], int]:
    """Read the training set, fit a model per family, write them to the warehouse."""
    frame = read_training_set(warehouse)
    models = fit_all(frame)
    trained_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    with duckdb.connect(str(warehouse)) as con:
        write_models(con, models, trained_at)
    return models, len(frame)


def models_markdown(models: list[PropensityModel]) -> str:
    if not models:
        return "No family has enough campaign history; every propensity is rule-based."
    table = model_rows(models, datetime(2000, 1, 1)).drop(columns=["trained_at"])
    return table.to_markdown(index=False, floatfmt=".3f")


MARKETING_MODEL_SPECS = [
    dg.AssetSpec(
        key=[SCHEMA, "propensity_coefficients"],
        deps=[dg.AssetKey(["intermediate", "int_campaign_contacts_featured"])],
        description="Coefficients of the current propensity model of every product family "
        "with campaign history (logistic regression on point-in-time signals).",
        group_name="marketing",
        kinds={"python", "duckdb"},
    ),
    dg.AssetSpec(
        key=[SCHEMA, "propensity_models"],
        deps=[dg.AssetKey(["intermediate", "int_campaign_contacts_featured"])],
        description="One row per current propensity model: family, training rows, responders, "
        "cross-validated AUC, campaigns it learned from.",
        group_name="marketing",
        kinds={"python", "duckdb"},
    ),
]


@dg.multi_asset(specs=MARKETING_MODEL_SPECS, name="marketing_propensity", pool=WAREHOUSE_POOL)
def marketing_propensity(context: dg.AssetExecutionContext, data: DataDirResource):
    """Fit the per-family propensity models on past campaign responses."""
    models, rows = fit_and_publish(data.paths.warehouse)
    context.log.info(
        f"Propensity models for {', '.join(m.product_family for m in models) or 'no family'} "
        f"from {rows:,} campaign contacts"
    )
    summary = dg.MetadataValue.md(models_markdown(models))
    families = dg.MetadataValue.json([m.product_family for m in models])
    yield dg.MaterializeResult(
        asset_key=[SCHEMA, "propensity_coefficients"],
        metadata={"training_contacts": rows, "families": families, "models": summary},
    )
    yield dg.MaterializeResult(
        asset_key=[SCHEMA, "propensity_models"], metadata={"families": families, "models": summary}
    )

"""Fit a points scorecard (binning -> WoE -> IV selection -> logistic regression -> points ->
PD calibration -> out-of-sample validation) and apply, save and load it."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from orchestration.scorecard.binning import (
    MAX_PVALUE,
    MIN_BIN_SHARE,
    assign_bins,
    bin_statistics,
    feature_kind,
    find_bins,
)
from orchestration.scorecard.errors import ScorecardInputError
from orchestration.scorecard.protected import is_protected
from orchestration.scorecard.validation import (
    band_cuts,
    band_table,
    cv_fold_ids,
    development_mask,
    discrimination,
    fit_calibration,
    population_stability,
    predict_pd,
)

logger = logging.getLogger(__name__)

MIN_ROWS = 50
MAX_CATEGORIES = 50
"""A text column with more distinct values than this is not binned (likely free text or an id)."""
N_REASON_CODES = 4
POINTS_DECIMALS = 2
FORMAT_VERSION = 1

TABLE_COLUMNS = [
    "model_id",
    "feature",
    "feature_type",
    "bin_index",
    "bin_label",
    "lower_bound",
    "upper_bound",
    "categories",
    "is_missing_bin",
    "count",
    "event_count",
    "event_rate",
    "woe",
    "points",
    "is_best_bin",
    "reason_code",
    "max_points_for_feature",
]
REASON_COLUMNS = [f"reason_code_{i}" for i in range(1, N_REASON_CODES + 1)]

_EVENT_WORDS = frozenset({"1", "bad", "default", "defaulted", "yes", "y", "true", "t", "event"})
_NON_EVENT_WORDS = frozenset({"0", "good", "no", "n", "false", "f", "non-default", "nonevent"})


@dataclass(frozen=True)
class PointsScaling:
    """Score = offset + factor * ln(good:bad odds); higher score = lower risk.

    `base_score` points correspond to good:bad odds of `base_odds`, and the odds double
    every `pdo` points: factor = pdo / ln 2, offset = base_score - factor * ln(base_odds).
    """

    base_score: float = 600.0
    base_odds: float = 50.0
    pdo: float = 20.0

    def __post_init__(self) -> None:
        if not (self.pdo > 0 and self.base_odds > 0):
            raise ScorecardInputError("the points scaling needs pdo > 0 and base_odds > 0.")

    @property
    def factor(self) -> float:
        return self.pdo / math.log(2)

    @property
    def offset(self) -> float:
        return self.base_score - self.factor * math.log(self.base_odds)

    def to_dict(self) -> dict[str, float]:
        return {"base_score": self.base_score, "base_odds": self.base_odds, "pdo": self.pdo}


@dataclass(frozen=True)
class FittedScorecard:
    """A fitted scorecard: the bin/points table plus what is needed to score and explain."""

    model_id: str
    target: str
    features: tuple[str, ...]
    table: pd.DataFrame
    intercept: float
    coefficients: dict[str, float]
    scaling: PointsScaling
    calibration: dict[str, object]
    metrics: dict[str, object] = field(default_factory=dict)
    settings: dict[str, object] = field(default_factory=dict)

    def apply(self, data: pd.DataFrame, *, include_points: bool = False) -> pd.DataFrame:
        """Score, PD and up to four reason codes per row (index kept from `data`).

        Reason codes are the features that lost the most points against their best bin,
        largest loss first (ties in feature order); features that lost nothing give none.
        """
        points = points_matrix(self.table, self.features, data)
        return scores_from_points(
            self.table,
            self.features,
            points,
            self.calibration,
            data.index,
            include_points=include_points,
        )

    def report_markdown(self) -> str:
        from orchestration.scorecard.report import render_report

        return render_report(self)

    def save(self, directory: str | Path) -> Path:
        """Write scorecard.parquet, scorecard.csv, model.json and report.md into `directory`."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        self.table.to_parquet(out / "scorecard.parquet", index=False)
        self.table.to_csv(out / "scorecard.csv", index=False)
        model = {
            "format_version": FORMAT_VERSION,
            "model_id": self.model_id,
            "target": self.target,
            "features": list(self.features),
            "intercept": self.intercept,
            "coefficients": self.coefficients,
            "scaling": self.scaling.to_dict(),
            "calibration": self.calibration,
            "metrics": self.metrics,
            "settings": self.settings,
            "convention": "higher score = lower risk; odds are good:bad; "
            "target 1 = bad (event); woe = ln(bad share / good share)",
        }
        (out / "model.json").write_text(
            json.dumps(to_jsonable(model), indent=2, ensure_ascii=False), encoding="utf-8"
        )
        (out / "report.md").write_text(self.report_markdown(), encoding="utf-8")
        return out

    @classmethod
    def load(cls, directory: str | Path) -> FittedScorecard:
        """Read a scorecard written by `save` (the Parquet table if present, else the CSV)."""
        folder = Path(directory)
        model_path = folder / "model.json"
        if not model_path.is_file():
            raise ScorecardInputError(f"there is no scorecard in {folder} (no model.json).")
        try:
            model = json.loads(model_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ScorecardInputError(f"{model_path} is not a readable model.json.") from error
        if (folder / "scorecard.parquet").is_file():
            table = pd.read_parquet(folder / "scorecard.parquet")
        elif (folder / "scorecard.csv").is_file():
            table = pd.read_csv(folder / "scorecard.csv", keep_default_na=True)
        else:
            raise ScorecardInputError(f"{folder} has model.json but no scorecard table.")
        return cls(
            model_id=model["model_id"],
            target=model["target"],
            features=tuple(model["features"]),
            table=normalise_table(table),
            intercept=float(model["intercept"]),
            coefficients={k: float(v) for k, v in model["coefficients"].items()},
            scaling=PointsScaling(**model["scaling"]),
            calibration=model["calibration"],
            metrics=model.get("metrics", {}),
            settings=model.get("settings", {}),
        )


def load(directory: str | Path) -> FittedScorecard:
    """Read a scorecard directory written by `FittedScorecard.save`."""
    return FittedScorecard.load(directory)


def to_jsonable(value: object) -> object:
    """Plain JSON types: numpy scalars to Python, NaN/inf to None, tuples to lists."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def normalise_table(table: pd.DataFrame) -> pd.DataFrame:
    """The scorecard table with its column types fixed (after reading CSV or Parquet)."""
    missing = [column for column in TABLE_COLUMNS if column not in table.columns]
    if missing:
        raise ScorecardInputError(f"the scorecard table has no column '{missing[0]}'.")
    out = table[TABLE_COLUMNS].copy()
    for column in ("bin_index", "count", "event_count"):
        out[column] = out[column].astype("int64")
    for column in (
        "lower_bound",
        "upper_bound",
        "event_rate",
        "woe",
        "points",
        "max_points_for_feature",
    ):
        out[column] = out[column].astype("float64")
    for column in ("is_missing_bin", "is_best_bin"):
        out[column] = out[column].astype(str).str.lower().isin(["true", "1"])
    for column in ("model_id", "feature", "feature_type", "bin_label", "reason_code"):
        out[column] = out[column].astype(object)
    out["categories"] = out["categories"].astype(object).where(out["categories"].notna(), None)
    return out.reset_index(drop=True)


def points_matrix(table: pd.DataFrame, features: Sequence[str], data: pd.DataFrame) -> np.ndarray:
    """Points of each row (rows x features) from the table, by the SQL bin rule."""
    absent = [feature for feature in features if feature not in data.columns]
    if absent:
        raise ScorecardInputError(
            f"the data has no column '{absent[0]}', which the scorecard uses."
        )
    out = np.empty((len(data), len(features)), dtype="float64")
    for j, feature in enumerate(features):
        bins = table[table["feature"] == feature].sort_values("bin_index")
        lookup = np.zeros(int(bins["bin_index"].max()) + 1)
        lookup[bins["bin_index"].to_numpy()] = bins["points"].to_numpy()
        out[:, j] = lookup[assign_bins(data[feature], bins)]
    return out


def scores_from_points(
    table: pd.DataFrame,
    features: Sequence[str],
    points: np.ndarray,
    calibration: dict[str, object],
    index: pd.Index,
    *,
    include_points: bool = False,
) -> pd.DataFrame:
    """score = round(sum of points, 2), pd from the calibration, reason codes 1-4."""
    best = table.groupby("feature")["max_points_for_feature"].first().reindex(list(features))
    codes = table.groupby("feature")["reason_code"].first().reindex(list(features))
    score = np.round(points.sum(axis=1), POINTS_DECIMALS)
    loss = best.to_numpy()[None, :] - points
    order = np.argsort(-loss, axis=1, kind="stable")[:, :N_REASON_CODES]
    top_loss = np.take_along_axis(loss, order, axis=1)
    reasons = codes.to_numpy(dtype=object)[order]
    reasons[top_loss <= 10 ** -(POINTS_DECIMALS + 1)] = None
    out = pd.DataFrame({"score": score, "pd": predict_pd(score, calibration)}, index=index)
    for i, column in enumerate(REASON_COLUMNS):
        out[column] = reasons[:, i] if i < reasons.shape[1] else None
    if include_points:
        for j, feature in enumerate(features):
            out[f"points_{feature}"] = points[:, j]
    return out


def target_vector(data: pd.DataFrame, target: str) -> tuple[np.ndarray, np.ndarray]:
    """(y as 0/1 with 1 = bad, mask of rows with a target); a clear error if unusable."""
    if target not in data.columns:
        shown = ", ".join(map(str, list(data.columns)[:8]))
        more = ", ..." if data.shape[1] > 8 else ""
        raise ScorecardInputError(
            f"there is no target column '{target}' (the columns are {shown}{more})."
        )
    column = data[target]
    keep = column.notna().to_numpy()
    values = column[keep]
    if len(values) < MIN_ROWS:
        raise ScorecardInputError(
            f"only {len(values)} rows have a value in the target column '{target}'; "
            f"a scorecard needs at least {MIN_ROWS}."
        )
    y = _binary_target(values, target)
    if y.sum() == 0 or y.sum() == len(y):
        missing_kind = "events (1 = bad)" if y.sum() == 0 else "non-events (0 = good)"
        raise ScorecardInputError(
            f"the target column '{target}' has no {missing_kind}, so there is nothing to model."
        )
    if (~keep).any():
        logger.info("Dropped %d rows with no value in the target column %r.", (~keep).sum(), target)
    return y, keep


def _binary_target(values: pd.Series, target: str) -> np.ndarray:
    distinct = pd.unique(values)
    if len(distinct) > 2:
        raise ScorecardInputError(
            f"the target column '{target}' has {len(distinct)} distinct values; "
            "it must be binary, 0/1 with 1 = bad."
        )
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        numbers = values.to_numpy(dtype="float64")
        if np.isin(numbers, [0.0, 1.0]).all():
            return numbers.astype("int64")
    else:
        words = values.astype(str).str.strip().str.lower()
        seen = set(words.unique())
        if seen <= _EVENT_WORDS | _NON_EVENT_WORDS and not (
            len(seen) == 2 and (seen <= _EVENT_WORDS or seen <= _NON_EVENT_WORDS)
        ):
            return words.isin(_EVENT_WORDS).to_numpy().astype("int64")
    shown = " and ".join(f"'{v}'" for v in distinct)
    raise ScorecardInputError(
        f"the target column '{target}' holds {shown}; recode it as 0/1 with 1 = bad."
    )


def reason_code(feature: str) -> str:
    """'RC_' + the upper-case feature name with non-word characters as underscores."""
    return "RC_" + re.sub(r"\W+", "_", str(feature)).strip("_").upper()


def select_candidates(
    data: pd.DataFrame,
    target: str,
    features: Sequence[str] | None,
    exclude: Sequence[str],
    time_column: str | None,
) -> tuple[list[str], dict[str, str]]:
    """Candidate features and {column: reason} for every column left out.

    Protected attributes are always left out, even when listed in `features`.
    """
    if features is not None:
        absent = [f for f in features if f not in data.columns]
        if absent:
            raise ScorecardInputError(f"the feature '{absent[0]}' is not a column of the data.")
    explicit = features is not None
    pool = list(dict.fromkeys(features)) if explicit else list(data.columns)
    excluded_names = {str(c).lower() for c in exclude}
    left_out = {
        str(c): "protected attribute" for c in data.columns if is_protected(str(c)) and c != target
    }
    candidates: list[str] = []
    for column in pool:
        reason = _exclusion_reason(
            data[column], str(column), target, time_column, excluded_names, explicit
        )
        if reason is None:
            candidates.append(column)
        elif column != target:
            left_out[str(column)] = reason
    for column, reason in left_out.items():
        logger.info("Column %r is not a scorecard candidate: %s.", column, reason)
    return candidates, left_out


def _exclusion_reason(
    series: pd.Series,
    name: str,
    target: str,
    time_column: str | None,
    excluded_names: set[str],
    explicit: bool,
) -> str | None:
    lowered = name.lower()
    if name == target:
        return "the target"
    if name == time_column:
        return "the time column"
    if is_protected(name):
        return "protected attribute"
    if lowered in excluded_names:
        return "excluded by the caller"
    if not explicit and (lowered == "id" or lowered.endswith("_id")):
        return "an identifier"
    if pd.api.types.is_datetime64_any_dtype(series) or isinstance(
        series.dtype, pd.PeriodDtype | pd.DatetimeTZDtype
    ):
        return "a date/time column"
    distinct = series.nunique(dropna=True)
    if distinct < 2:
        return "fewer than two distinct values"
    if feature_kind(series) == "categorical" and distinct > MAX_CATEGORIES:
        return f"text with {distinct} distinct values (more than {MAX_CATEGORIES})"
    return None


def model_id_for(data: pd.DataFrame, settings: dict[str, object]) -> str:
    """'sc_' + 12 hex digits of a SHA-256 over the data, its column types and the settings."""
    digest = hashlib.sha256()
    digest.update(json.dumps(to_jsonable(settings), sort_keys=True, default=str).encode())
    digest.update(json.dumps([[str(c), str(t)] for c, t in data.dtypes.items()]).encode())
    try:
        hashed = pd.util.hash_pandas_object(data, index=False)
    except TypeError:
        hashed = pd.util.hash_pandas_object(data.astype(str), index=False)
    digest.update(hashed.to_numpy().tobytes())
    return "sc_" + digest.hexdigest()[:12]


@dataclass(frozen=True)
class _BinnedFeature:
    bins: pd.DataFrame  # bin definitions + development statistics
    woe: np.ndarray  # WoE of every row (all rows, development and validation)
    iv: float


def _bin_feature(series: pd.Series, y: np.ndarray, dev: np.ndarray) -> _BinnedFeature:
    bins = find_bins(series[dev], y[dev], feature_kind(series))
    index = assign_bins(series, bins)
    stats = bin_statistics(index[dev], y[dev], len(bins))
    merged = bins.merge(stats, on="bin_index", how="left")
    woe = merged["woe"].to_numpy()[index]
    return _BinnedFeature(bins=merged, woe=woe, iv=float(stats["iv"].sum()))


def _screen_features(
    binned: dict[str, _BinnedFeature],
    dev: np.ndarray,
    min_iv: float,
    max_correlation: float | None,
    max_features: int | None,
) -> tuple[list[str], dict[str, str]]:
    status: dict[str, str] = {}
    chosen: list[str] = []
    for feature in sorted(binned, key=lambda f: -binned[f].iv):
        if binned[feature].iv < min_iv:
            status[feature] = f"IV below {min_iv:g}"
            continue
        if max_correlation is not None and chosen:
            woe = binned[feature].woe[dev]
            corr = [abs(np.corrcoef(woe, binned[c].woe[dev])[0, 1]) for c in chosen]
            worst = int(np.nanargmax(corr)) if not np.all(np.isnan(corr)) else None
            if worst is not None and corr[worst] > max_correlation:
                status[feature] = f"WoE correlated with {chosen[worst]} (|r| = {corr[worst]:.2f})"
                continue
        if max_features is not None and len(chosen) >= max_features:
            status[feature] = f"beyond max_features = {max_features}"
            continue
        chosen.append(feature)
    return chosen, status


def _fit_logistic(
    woe: np.ndarray, y: np.ndarray, features: list[str], status: dict[str, str]
) -> tuple[list[str], float, np.ndarray]:
    """Logistic regression of bad on WoE, dropping a feature with a non-positive coefficient
    (the one with the most negative) and refitting until every coefficient is positive."""
    kept = list(range(len(features)))
    while kept:
        model = LogisticRegression(C=1e6, max_iter=2000).fit(woe[:, kept], y)
        coefs = model.coef_[0]
        worst = int(np.argmin(coefs))
        if coefs[worst] > 0:
            return [features[i] for i in kept], float(model.intercept_[0]), coefs
        dropped = features[kept[worst]]
        status[dropped] = f"non-positive coefficient on WoE ({coefs[worst]:.3f}); refitted"
        logger.info("Dropped %r: coefficient %.3f on WoE is not positive.", dropped, coefs[worst])
        kept.pop(worst)
    return [], 0.0, np.array([])


def _points_table(
    model_id: str,
    binned: dict[str, _BinnedFeature],
    features: list[str],
    intercept: float,
    coefs: np.ndarray,
    scaling: PointsScaling,
) -> pd.DataFrame:
    n = len(features)
    parts = []
    for feature, coef in zip(features, coefs, strict=True):
        bins = binned[feature].bins.copy()
        raw = -(coef * bins["woe"] + intercept / n) * scaling.factor + scaling.offset / n
        bins["points"] = raw.round(POINTS_DECIMALS)
        best = int(bins["points"].to_numpy().argmax())
        bins["is_best_bin"] = np.arange(len(bins)) == best
        bins["max_points_for_feature"] = bins["points"].max()
        bins["reason_code"] = reason_code(feature)
        bins["model_id"] = model_id
        parts.append(bins)
    table = pd.concat(parts, ignore_index=True)
    return normalise_table(table)


def _split_description(
    frame: pd.DataFrame, time_column: str | None, dev: np.ndarray, seed: int
) -> dict[str, object]:
    if time_column is None:
        return {
            "method": "stratified random",
            "validation_share": float((~dev).mean()),
            "seed": seed,
        }
    times = frame[time_column]
    return {
        "method": "out of time",
        "time_column": time_column,
        "development_to": str(times[dev].max()),
        "validation_from": str(times[~dev].min()),
        "validation_to": str(times[~dev].max()),
        "validation_share": float((~dev).mean()),
    }


@dataclass(frozen=True)
class _FitOptions:
    scaling: PointsScaling
    min_iv: float
    max_features: int | None
    max_correlation: float | None


@dataclass(frozen=True)
class _FittedParts:
    """What one run of the fitting steps 4-8 gives, with the PD of every row of the frame."""

    features: list[str]
    intercept: float
    coefficients: np.ndarray
    table: pd.DataFrame
    calibration: dict[str, object]
    binned: dict[str, _BinnedFeature]
    status: dict[str, str]
    score: np.ndarray
    pd: np.ndarray


def _fit_parts(
    frame: pd.DataFrame,
    y: np.ndarray,
    dev: np.ndarray,
    candidates: list[str],
    options: _FitOptions,
    model_id: str,
) -> _FittedParts:
    """Binning, selection, logistic regression, points and calibration on the rows where
    `dev` is True; the score and PD of every row of `frame` (also the rows not in `dev`)."""
    binned = {f: _bin_feature(frame[f], y, dev) for f in candidates}
    chosen, status = _screen_features(
        binned, dev, options.min_iv, options.max_correlation, options.max_features
    )
    if not chosen:
        raise ScorecardInputError(
            f"no candidate feature reaches an information value of {options.min_iv:g} "
            f"({len(candidates)} candidates were binned)."
        )
    woe = np.column_stack([binned[f].woe for f in chosen])
    kept, intercept, coefs = _fit_logistic(woe[dev], y[dev], chosen, status)
    if not kept:
        raise ScorecardInputError("no feature keeps a positive coefficient on its WoE.")
    for feature in kept:
        status[feature] = "selected"
    table = _points_table(model_id, binned, kept, intercept, coefs, options.scaling)
    points = points_matrix(table, kept, frame)
    score = np.round(points.sum(axis=1), POINTS_DECIMALS)
    calibration = fit_calibration(
        score[dev], y[dev], options.scaling.base_score, options.scaling.factor
    )
    return _FittedParts(
        features=kept,
        intercept=intercept,
        coefficients=coefs,
        table=table,
        calibration=calibration,
        binned=binned,
        status=status,
        score=score,
        pd=predict_pd(score, calibration),
    )


@dataclass(frozen=True)
class CrossValidationFold:
    """One fold: the rows it was fitted on and held out (positions among the rows with a
    target), its model (None when the fitting steps found no model) and its metrics."""

    fold: int
    fit_rows: np.ndarray
    held_out_rows: np.ndarray
    model: FittedScorecard | None
    metrics: dict[str, object]


@dataclass(frozen=True)
class CrossValidation:
    folds: list[CrossValidationFold]
    seed: int

    def to_metrics(self) -> dict[str, object]:
        """Per-fold out-of-fold AUC, KS, Gini, features; mean and sample sd of AUC and KS."""
        rows = [fold.metrics for fold in self.folds]
        summary: dict[str, object] = {
            "method": "stratified k-fold",
            "folds": len(self.folds),
            "seed": self.seed,
            "failed_folds": sum(1 for fold in self.folds if fold.model is None),
            "per_fold": rows,
        }
        for metric in ("auc", "ks", "gini"):
            values = np.array([row[metric] for row in rows], dtype="float64")
            summary[f"{metric}_mean"] = float(values.mean())
            summary[f"{metric}_sd"] = float(values.std(ddof=1))
        return to_jsonable(summary)


def _cross_validate(
    frame: pd.DataFrame,
    y: np.ndarray,
    candidates: list[str],
    options: _FitOptions,
    folds: int,
    seed: int,
    model_id: str,
    target: str,
) -> CrossValidation:
    """Stratified K-fold: the same fitting steps on K-1 folds, AUC and KS on the fold left
    out. A fold where the steps find no model (no feature above min_iv, no decreasing
    calibration) scores every held-out row alike: AUC 0.5, KS 0, noted in the fold."""
    fold_of_row = cv_fold_ids(y, folds, seed=seed)
    results = []
    for k in range(folds):
        dev = fold_of_row != k
        held_out = np.flatnonzero(~dev)
        fold_id = f"{model_id}_cv{k + 1}"
        try:
            parts = _fit_parts(frame, y, dev, candidates, options, fold_id)
        except ScorecardInputError as error:
            logger.info("Cross-validation fold %d found no model: %s", k + 1, error)
            metrics = discrimination(y[~dev], np.zeros(len(held_out)))
            metrics.update(fold=k + 1, features=[], note=f"no model: {error}")
            results.append(CrossValidationFold(k + 1, np.flatnonzero(dev), held_out, None, metrics))
            continue
        metrics = discrimination(y[~dev], parts.pd[~dev])
        metrics.update(fold=k + 1, features=list(parts.features), note="")
        model = FittedScorecard(
            model_id=fold_id,
            target=target,
            features=tuple(parts.features),
            table=parts.table,
            intercept=parts.intercept,
            coefficients={
                f: float(c) for f, c in zip(parts.features, parts.coefficients, strict=True)
            },
            scaling=options.scaling,
            calibration=parts.calibration,
        )
        results.append(CrossValidationFold(k + 1, np.flatnonzero(dev), held_out, model, metrics))
    return CrossValidation(folds=results, seed=seed)


def _check_options(
    data: object, time_column: str | None, max_features: int | None, columns: pd.Index
) -> None:
    if not isinstance(data, pd.DataFrame):
        raise ScorecardInputError("the data must be a pandas DataFrame.")
    if time_column is not None and time_column not in columns:
        raise ScorecardInputError(f"there is no time column '{time_column}'.")
    if max_features is not None and max_features < 1:
        raise ScorecardInputError("max_features must be at least 1.")


def cross_validate(
    data: pd.DataFrame,
    target: str,
    folds: int,
    *,
    features: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    scaling: PointsScaling = PointsScaling(),  # noqa: B008 - frozen, so a safe default
    min_iv: float = 0.02,
    max_features: int | None = None,
    max_correlation: float | None = 0.8,
    time_column: str | None = None,
    seed: int = 0,
) -> CrossValidation:
    """Stratified K-fold cross-validation of `fit`'s method on the rows with a target; row
    positions in the result count only those rows. `fit(..., cv_folds=K)` runs this too."""
    _check_options(data, time_column, max_features, data.columns)
    y, keep = target_vector(data, target)
    frame = data.loc[keep]
    candidates, _ = select_candidates(frame, target, features, exclude, time_column)
    options = _FitOptions(scaling, min_iv, max_features, max_correlation)
    return _cross_validate(frame, y, candidates, options, folds, seed, "sc_cv", target)


def fit(
    data: pd.DataFrame,
    target: str,
    *,
    features: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    scaling: PointsScaling = PointsScaling(),  # noqa: B008 - frozen, so a safe default
    min_iv: float = 0.02,
    max_features: int | None = None,
    max_correlation: float | None = 0.8,
    time_column: str | None = None,
    seed: int = 0,
    cv_folds: int | None = None,
) -> FittedScorecard:
    """Fit a points scorecard on a development sample; see the package docstring.

    With `cv_folds` = K, also cross-validate the method (stratified K-fold with `seed` on
    every row with a target; metrics["cross_validation"]). The model itself, and its
    model_id, are the same as without it."""
    _check_options(data, time_column, max_features, data.columns)
    settings: dict[str, object] = {
        "target": target,
        "features": None if features is None else list(features),
        "exclude": list(exclude),
        "scaling": scaling.to_dict(),
        "min_iv": min_iv,
        "max_features": max_features,
        "max_correlation": max_correlation,
        "time_column": time_column,
        "seed": seed,
        "min_bin_share": MIN_BIN_SHARE,
        "max_pvalue": MAX_PVALUE,
    }
    y, keep = target_vector(data, target)
    if cv_folds is not None:
        cv_fold_ids(y, cv_folds, seed=seed)  # a bad K fails before any fitting
    frame = data.loc[keep]
    candidates, left_out = select_candidates(frame, target, features, exclude, time_column)
    options = _FitOptions(scaling, min_iv, max_features, max_correlation)
    dev = development_mask(y, frame[time_column] if time_column else None, seed=seed)
    model_id = model_id_for(frame, settings)
    parts = _fit_parts(frame, y, dev, candidates, options, model_id)
    pd_ = parts.pd
    cuts = band_cuts(parts.score[dev])
    dev_bands = band_table(parts.score[dev], y[dev], pd_[dev], cuts)
    val_bands = band_table(parts.score[~dev], y[~dev], pd_[~dev], cuts)
    validation = discrimination(y[~dev], pd_[~dev])
    validation["psi"] = population_stability(
        dev_bands["share"].to_numpy(), val_bands["share"].to_numpy()
    )
    binned, status = parts.binned, parts.status
    metrics: dict[str, object] = {
        "split": _split_description(frame, time_column, dev, seed),
        "development": discrimination(y[dev], pd_[dev]),
        "validation": validation,
        "band_cuts": cuts.tolist(),
        "bands": val_bands.to_dict(orient="records"),
        "information_value": [
            {"feature": f, "iv": binned[f].iv, "status": status[f]}
            for f in sorted(binned, key=lambda f: -binned[f].iv)
        ],
        "left_out_columns": left_out,
    }
    if cv_folds is not None:
        cv = _cross_validate(frame, y, candidates, options, cv_folds, seed, model_id, target)
        metrics["cross_validation"] = cv.to_metrics()
    return FittedScorecard(
        model_id=model_id,
        target=target,
        features=tuple(parts.features),
        table=parts.table,
        intercept=parts.intercept,
        coefficients={f: float(c) for f, c in zip(parts.features, parts.coefficients, strict=True)},
        scaling=scaling,
        calibration=parts.calibration,
        metrics=to_jsonable(metrics),
        # cv_folds is recorded but not hashed into model_id: it does not change the model
        settings=to_jsonable(settings if cv_folds is None else {**settings, "cv_folds": cv_folds}),
    )

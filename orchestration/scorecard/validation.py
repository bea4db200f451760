"""Development/validation split, discrimination metrics, score bands and PD calibration."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.model_selection import StratifiedKFold, train_test_split

from orchestration.scorecard.errors import ScorecardInputError

VALIDATION_SHARE = 0.3
N_BANDS = 10


def time_values(series: pd.Series) -> np.ndarray:
    """The time column as sortable values (numbers or datetimes); no missing values allowed."""
    name = series.name
    if series.isna().any():
        raise ScorecardInputError(
            f"the time column '{name}' has {int(series.isna().sum())} missing values."
        )
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
        return series.to_numpy()
    try:
        return pd.to_datetime(series, errors="raise").to_numpy()
    except (ValueError, TypeError) as error:
        raise ScorecardInputError(
            f"the time column '{name}' holds values that are neither dates nor numbers, "
            f"such as '{series.iloc[0]}'."
        ) from error


def development_mask(
    y: np.ndarray,
    time: pd.Series | None = None,
    *,
    seed: int = 0,
    validation_share: float = VALIDATION_SHARE,
) -> np.ndarray:
    """True for development rows, False for validation rows.

    With a time column the validation sample is the latest ~30% of rows (out of time: every
    row at or after the cut-off time); otherwise a stratified random 30% drawn with `seed`.
    """
    n = len(y)
    if time is not None:
        t = time_values(time)
        cutoff = np.sort(t, kind="stable")[min(math.ceil((1 - validation_share) * n), n - 1)]
        mask = t < cutoff
        dev_share = float(mask.mean())
        if not 0.5 <= dev_share <= 0.9:
            raise ScorecardInputError(
                f"the time column '{time.name}' cannot split off about the latest "
                f"{validation_share:.0%} of rows for validation because too many rows share "
                f"the same time (development would be {dev_share:.0%}); use a finer column."
            )
    else:
        index = np.arange(n)
        dev_index, _ = train_test_split(
            index, test_size=validation_share, stratify=y, random_state=seed
        )
        mask = np.zeros(n, dtype=bool)
        mask[dev_index] = True
    for name, part in (("development", y[mask]), ("validation", y[~mask])):
        if part.min() == part.max():
            raise ScorecardInputError(
                f"the {name} sample has only {'bad' if part[0] == 1 else 'good'} rows; "
                "the data needs more rows of both outcomes."
            )
    return mask


def cv_fold_ids(y: np.ndarray, folds: int, *, seed: int = 0) -> np.ndarray:
    """The fold (0..folds-1) of every row: stratified K-fold, shuffled with `seed`, so each
    fold holds about 1/K of the bads and of the goods. K must be from 2 to the number of
    bads (and of goods): every fold needs at least one of each to measure AUC on."""
    bads = int(np.sum(y))
    smaller = min(bads, len(y) - bads)
    if folds < 2 or folds > smaller:
        outcome = "bads" if bads <= len(y) - bads else "goods"
        raise ScorecardInputError(
            f"the number of cross-validation folds must be from 2 to the number of "
            f"{outcome} ({smaller}), not {folds}."
        )
    fold_of_row = np.empty(len(y), dtype="int64")
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for k, (_, held_out) in enumerate(splitter.split(np.zeros(len(y)), y)):
        fold_of_row[held_out] = k
    return fold_of_row


def discrimination(y: np.ndarray, pd_: np.ndarray) -> dict[str, float]:
    """AUC, KS (max distance between the bad and good cumulative distributions) and Gini."""
    auc = float(roc_auc_score(y, pd_))
    fpr, tpr, _ = roc_curve(y, pd_)
    return {
        "rows": int(len(y)),
        "events": int(y.sum()),
        "event_rate": float(y.mean()),
        "auc": auc,
        "ks": float(np.max(tpr - fpr)),
        "gini": 2 * auc - 1,
    }


def band_cuts(dev_score: np.ndarray, n_bands: int = N_BANDS) -> np.ndarray:
    """Score cut points of equal-population bands on the development sample."""
    quantiles = np.quantile(dev_score, np.arange(1, n_bands) / n_bands)
    return np.unique(quantiles)


def assign_band(score: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Band 1 is the lowest (riskiest) score; a score equal to a cut goes to the band above."""
    return np.searchsorted(cuts, score, side="right") + 1


def band_table(score: np.ndarray, y: np.ndarray, pd_: np.ndarray, cuts: np.ndarray) -> pd.DataFrame:
    """Observed bad rate against mean predicted PD for each score band of a sample."""
    band = assign_band(score, cuts)
    edges = np.concatenate([[np.nan], cuts, [np.nan]])
    frame = pd.DataFrame({"band": band, "bad": y, "pd": pd_, "score": score})
    grouped = frame.groupby("band").agg(
        rows=("bad", "size"),
        bads=("bad", "sum"),
        observed_bad_rate=("bad", "mean"),
        predicted_pd=("pd", "mean"),
        min_score=("score", "min"),
        max_score=("score", "max"),
    )
    all_bands = pd.Index(np.arange(1, len(cuts) + 2), name="band")
    table = grouped.reindex(all_bands).reset_index()
    table["rows"] = table["rows"].fillna(0).astype("int64")
    table["bads"] = table["bads"].fillna(0).astype("int64")
    table["share"] = table["rows"] / max(len(y), 1)
    table["score_from"] = edges[table["band"] - 1]
    table["score_to"] = edges[table["band"]]
    return table[
        [
            "band",
            "score_from",
            "score_to",
            "rows",
            "share",
            "bads",
            "observed_bad_rate",
            "predicted_pd",
            "min_score",
            "max_score",
        ]
    ]


def population_stability(expected_share: np.ndarray, actual_share: np.ndarray) -> float:
    """PSI between two band distributions (shares floored at 0.0001 to stay finite)."""
    e = np.clip(expected_share, 1e-4, None)
    a = np.clip(actual_share, 1e-4, None)
    return float(np.sum((a - e) * np.log(a / e)))


def fit_calibration(
    score: np.ndarray, y: np.ndarray, base_score: float, factor: float
) -> dict[str, object]:
    """A logistic fit of PD on score: pd = 1 / (1 + exp(-(intercept + slope * score)))."""
    x = ((score - base_score) / factor).reshape(-1, 1)
    model = LogisticRegression(C=1e6, max_iter=1000).fit(x, y)
    raw_slope = float(model.coef_[0, 0])
    slope = raw_slope / factor
    intercept = float(model.intercept_[0]) - raw_slope * base_score / factor
    if slope >= 0:
        raise ScorecardInputError(
            "the fitted score does not rank bads below goods on the development sample, "
            "so no PD calibration decreasing in score exists."
        )
    return {
        "method": "logistic",
        "intercept": intercept,
        "slope": slope,
        "formula": "pd = 1 / (1 + exp(-(intercept + slope * score)))",
    }


def predict_pd(score: np.ndarray, calibration: dict[str, object]) -> np.ndarray:
    """PD from score with a calibration made by `fit_calibration` (decreasing in score)."""
    z = float(calibration["intercept"]) + float(calibration["slope"]) * np.asarray(score)
    return 1.0 / (1.0 + np.exp(-z))

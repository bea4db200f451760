"""Optimal monotonic binning, the SQL-compatible bin rule, weight of evidence and IV.

optbinning only proposes the cut points (numeric) or category groups (categorical); every
row is then put into a bin by `assign_bins`, which is the rule the SQL join uses too, and
the WoE of each bin is computed here from the development counts with this module's sign:

    woe = ln( (bads in bin / all bads) / (goods in bin / all goods) )

so a riskier bin has a larger WoE (optbinning's own binning table uses the opposite sign).
"""

from __future__ import annotations

import json
import warnings
from typing import Literal

import numpy as np
import pandas as pd
from optbinning import OptimalBinning

from orchestration.scorecard.errors import ScorecardInputError

FeatureKind = Literal["numeric", "categorical"]

MIN_BIN_SHARE = 0.05
"""Each bin (other than the missing bin) holds at least this share of the development rows."""

MAX_PREBINS = 20
MAX_PVALUE = 0.05
"""Adjacent bins must differ in event rate at this significance level (else they merge)."""
ZERO_CELL_ADJUSTMENT = 0.5
"""Added to both counts of a bin with no bads or no goods, so its WoE stays finite."""

BIN_COLUMNS = [
    "feature",
    "feature_type",
    "bin_index",
    "bin_label",
    "lower_bound",
    "upper_bound",
    "categories",
    "is_missing_bin",
]


def feature_kind(series: pd.Series) -> FeatureKind:
    """Numbers and booleans (as 0/1) are numeric; strings and categories are categorical."""
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return "numeric"
    return "categorical"


def numeric_values(series: pd.Series) -> np.ndarray:
    """The column as float64, with NaN for missing; text that is not a number is an error."""
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return series.to_numpy(dtype="float64", na_value=np.nan)
    converted = pd.to_numeric(series, errors="coerce")
    bad = converted.isna() & series.notna()
    if bad.any():
        example = series[bad].iloc[0]
        raise ScorecardInputError(
            f"column '{series.name}' should be numeric but holds the value '{example}'."
        )
    return converted.astype("float64").to_numpy(dtype="float64", na_value=np.nan)


def category_values(series: pd.Series) -> np.ndarray:
    """The column as an object array of strings, NaN for missing; 3.0 is written as '3'."""
    out = np.full(len(series), np.nan, dtype=object)
    present = series.notna().to_numpy()
    values = series[present]
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        as_float = values.astype("float64")
        if np.all(np.isfinite(as_float)) and np.all(as_float == np.round(as_float)):
            values = as_float.astype("int64")
    out[present] = values.astype(str).to_numpy(dtype=object)
    return out


def _format_bound(value: float) -> str:
    return f"{value:.6g}"


def _numeric_bins(feature: str, splits: list[float]) -> pd.DataFrame:
    edges: list[float | None] = [None, *splits, None]
    lower = edges[:-1]
    upper = edges[1:]
    labels = [
        f"[{'-inf' if lo is None else _format_bound(lo)}, "
        f"{'inf' if hi is None else _format_bound(hi)})"
        for lo, hi in zip(lower, upper, strict=True)
    ]
    return pd.DataFrame(
        {
            "feature": feature,
            "feature_type": "numeric",
            "bin_index": np.arange(len(labels)),
            "bin_label": labels,
            "lower_bound": np.array(lower, dtype="float64"),
            "upper_bound": np.array(upper, dtype="float64"),
            "categories": None,
            "is_missing_bin": False,
        }
    )


def _categorical_bins(feature: str, groups: list[list[str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "feature": feature,
            "feature_type": "categorical",
            "bin_index": np.arange(len(groups)),
            "bin_label": [", ".join(group) for group in groups],
            "lower_bound": np.nan,
            "upper_bound": np.nan,
            "categories": [json.dumps(group, ensure_ascii=False) for group in groups],
            "is_missing_bin": False,
        }
    )


def _with_missing_bin(bins: pd.DataFrame) -> pd.DataFrame:
    missing = pd.DataFrame(
        {
            "feature": [bins["feature"].iloc[0]],
            "feature_type": [bins["feature_type"].iloc[0]],
            "bin_index": [len(bins)],
            "bin_label": ["Missing"],
            "lower_bound": [np.nan],
            "upper_bound": [np.nan],
            "categories": [None],
            "is_missing_bin": [True],
        }
    )
    out = pd.concat([bins, missing], ignore_index=True)
    out["categories"] = out["categories"].astype(object)
    return out[BIN_COLUMNS]


def _optimal_binning(feature: str, kind: FeatureKind) -> OptimalBinning:
    return OptimalBinning(
        name=feature,
        dtype="numerical" if kind == "numeric" else "categorical",
        monotonic_trend="auto_asc_desc",
        min_bin_size=MIN_BIN_SHARE,
        max_n_prebins=MAX_PREBINS,
        max_pvalue=MAX_PVALUE,
    )


def find_bins(series: pd.Series, y: np.ndarray, kind: FeatureKind) -> pd.DataFrame:
    """Bin definitions for one feature from the development rows, missing bin last."""
    feature = str(series.name)
    binning = _optimal_binning(feature, kind)
    if kind == "numeric":
        x = numeric_values(series)
        x = np.where(np.isfinite(x), x, np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            binning.fit(x, y)
        splits = binning.splits if binning.status in ("OPTIMAL", "FEASIBLE") else []
        return _with_missing_bin(_numeric_bins(feature, [float(s) for s in splits]))
    x = category_values(series)
    seen = sorted({value for value in x if isinstance(value, str)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        binning.fit(x, y)
    groups = (
        [sorted(str(c) for c in group) for group in binning.splits]
        if binning.status in ("OPTIMAL", "FEASIBLE")
        else []
    )
    covered = {c for group in groups for c in group}
    uncovered = [c for c in seen if c not in covered]
    if uncovered:
        groups.append(uncovered)
    return _with_missing_bin(_categorical_bins(feature, groups))


def assign_bins(series: pd.Series, bins: pd.DataFrame) -> np.ndarray:
    """The bin_index of every value under the SQL rule (see the package docstring).

    Numeric: the bin with `(lower_bound is null or value >= lower_bound) and (upper_bound
    is null or value < upper_bound)`; categorical: the bin whose `categories` holds the
    value as text. A value that matches no bin (null, NaN, an unseen category) gets the
    missing bin.
    """
    regular = bins[~bins["is_missing_bin"].astype(bool)]
    missing_index = int(bins.loc[bins["is_missing_bin"].astype(bool), "bin_index"].iloc[0])
    out = np.full(len(series), missing_index, dtype="int64")
    if bins["feature_type"].iloc[0] == "numeric":
        x = numeric_values(series)
        present = ~np.isnan(x)
        for lower, upper, index in regular[["lower_bound", "upper_bound", "bin_index"]].itertuples(
            index=False
        ):
            match = present.copy()
            if not pd.isna(lower):
                match &= x >= lower
            if not pd.isna(upper):
                match &= x < upper
            out[match] = int(index)
        return out
    lookup = {
        category: int(index)
        for categories, index in regular[["categories", "bin_index"]].itertuples(index=False)
        for category in json.loads(categories)
    }
    mapped = pd.Series(category_values(series)).map(lookup)
    return mapped.fillna(missing_index).to_numpy(dtype="int64")


def bin_statistics(bin_index: np.ndarray, y: np.ndarray, n_bins: int) -> pd.DataFrame:
    """count, event_count, event_rate, woe and the bin's IV share, one row per bin_index."""
    count = np.bincount(bin_index, minlength=n_bins).astype("float64")
    events = np.bincount(bin_index, weights=y.astype("float64"), minlength=n_bins)
    goods = count - events
    total_events = max(float(y.sum()), 1.0)
    total_goods = max(float(len(y) - y.sum()), 1.0)
    adjust = np.where((count > 0) & ((events == 0) | (goods == 0)), ZERO_CELL_ADJUSTMENT, 0.0)
    event_share = (events + adjust) / total_events
    good_share = (goods + adjust) / total_goods
    with np.errstate(divide="ignore", invalid="ignore"):
        woe = np.where(count > 0, np.log(event_share / good_share), 0.0)
        event_rate = np.where(count > 0, events / count, np.nan)
    return pd.DataFrame(
        {
            "bin_index": np.arange(n_bins),
            "count": count.astype("int64"),
            "event_count": events.astype("int64"),
            "event_rate": event_rate,
            "woe": woe,
            "iv": np.where(count > 0, (event_share - good_share) * woe, 0.0),
        }
    )

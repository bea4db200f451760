"""Credit scorecards: fit on a development sample, apply in Python or SQL, explain.

Method (`fit`)
--------------
1. Target: binary, 1 = bad (event), 0 = good; rows with no target are dropped.
2. Candidates: every column except the target, the time column, `exclude`, identifiers
   (`id`, `*_id`), dates, constants and text with more than 50 values. Protected attributes
   (`PROTECTED_ATTRIBUTES`, matched on the column name, see `protected.py`) are dropped
   inside `fit` even when listed in `features`.
3. Split: with `time_column`, the latest ~30% of rows by time are the validation sample
   (out of time); otherwise a stratified random 30% drawn with `seed`.
4. Binning on the development rows with optbinning (`monotonic_trend="auto_asc_desc"`,
   bins of at least 5% of rows, adjacent bins' bad rates different at p < 0.05); missing
   values always get their own bin.
   woe = ln(bad share / good share), so riskier bins have larger WoE;
   IV = sum over bins of (bad share - good share) * woe.
5. Selection: IV >= `min_iv`, then (best IV first) drop a feature whose WoE correlates with
   an already kept one above `max_correlation`, and keep at most `max_features`.
6. Logistic regression of bad on the WoE values; every coefficient must be positive (a
   feature with a non-positive coefficient is dropped and the model refitted).
7. Points (higher score = lower risk; odds are good:bad): factor = pdo / ln 2,
   offset = base_score - factor * ln(base_odds); each bin's
   points = -(coef * woe + intercept / n) * factor + offset / n, rounded to 2 decimals;
   score = round(sum of the points of a row's bins, 2).
8. Calibration: a logistic fit of PD on score on the development rows,
   pd = 1 / (1 + exp(-(intercept + slope * score))) with slope < 0 (decreasing in score).
9. Validation on the held-out rows: AUC, KS, Gini, bad rate and mean PD per score band
   (10 equal-population bands cut on development scores), PSI, IV per feature.
10. Optional cross-validation (`cv_folds` = K): stratified K-fold (shuffled with `seed`) on
   every row with a target; steps 4-8 are run on K-1 folds and AUC/KS measured on the fold
   left out (a fold where they find no model ranks nobody: AUC 0.5, KS 0); per fold and
   mean / sample sd. The model of steps 4-9, and its model_id, are unchanged.

The bin rule (identical in `FittedScorecard.apply` and in SQL)
--------------------------------------------------------------
Each feature has bins `bin_index` 0..k-1 plus one bin with `is_missing_bin = true`.

- numeric feature (`feature_type = 'numeric'`, booleans as 0/1): the value is in the bin with
  `(lower_bound is null or value >= lower_bound) and (upper_bound is null or value < upper_bound)`;
  these bins cover the whole number line without overlap.
- categorical feature: the value, as text, is one of the bin's `categories` (a JSON list).
- anything that matches no bin (null, NaN, a category not seen in development) gets the
  missing bin.

In DuckDB, with the inputs unpivoted to (row_id, feature, num_value, cat_value) and NaN
loaded as null:

    select v.row_id, v.feature,
           coalesce(b.points, m.points) as points
    from values_long as v
    left join scorecard as b
        on b.feature = v.feature and not b.is_missing_bin and (
            (b.feature_type = 'numeric' and v.num_value is not null
                and (b.lower_bound is null or v.num_value >= b.lower_bound)
                and (b.upper_bound is null or v.num_value < b.upper_bound))
            or (b.feature_type = 'categorical'
                and list_contains(from_json(b.categories, '["VARCHAR"]'), v.cat_value)))
    inner join scorecard as m on m.feature = v.feature and m.is_missing_bin

Score = round(sum(points), 2) per row; reason codes = the `reason_code` of the features
with the largest `max_points_for_feature - points`, at most four, none where the loss is 0.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from orchestration.scorecard.errors import ScorecardInputError
from orchestration.scorecard.protected import (
    PROTECTED_ATTRIBUTES,
    is_protected,
    protected_columns,
)

if TYPE_CHECKING:
    from orchestration.scorecard.model import (
        REASON_COLUMNS,
        TABLE_COLUMNS,
        CrossValidation,
        CrossValidationFold,
        FittedScorecard,
        PointsScaling,
        cross_validate,
        fit,
        load,
    )
    from orchestration.scorecard.validation import cv_fold_ids, development_mask

# Fitting needs scikit-learn and optbinning, which take seconds to import: these names are
# imported on first use (PEP 562), so `bankprofile` commands that never fit start at once.
_IMPORTED_ON_USE = {
    **dict.fromkeys(
        [
            "REASON_COLUMNS",
            "TABLE_COLUMNS",
            "CrossValidation",
            "CrossValidationFold",
            "FittedScorecard",
            "PointsScaling",
            "cross_validate",
            "fit",
            "load",
        ],
        "model",
    ),
    "cv_fold_ids": "validation",
    "development_mask": "validation",
}


def __getattr__(name: str) -> object:
    if name not in _IMPORTED_ON_USE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_IMPORTED_ON_USE[name]}"), name)


__all__ = [
    "PROTECTED_ATTRIBUTES",
    "REASON_COLUMNS",
    "TABLE_COLUMNS",
    "CrossValidation",
    "CrossValidationFold",
    "FittedScorecard",
    "PointsScaling",
    "ScorecardInputError",
    "cross_validate",
    "cv_fold_ids",
    "development_mask",
    "fit",
    "is_protected",
    "load",
    "protected_columns",
]

"""A Markdown report of a fitted scorecard, for the people who review it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from orchestration.scorecard.model import FittedScorecard


def _number(value: object, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def markdown_table(rows: list[dict[str, object]], columns: list[str], digits: int = 3) -> str:
    """A GitHub-style Markdown table of `rows` restricted to `columns`."""
    head = "| " + " | ".join(columns) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    body = [
        "| " + " | ".join(_number(row.get(c), digits).replace("|", "/") for c in columns) + " |"
        for row in rows
    ]
    return "\n".join([head, rule, *body])


def _metric_rows(metrics: dict[str, object]) -> list[dict[str, object]]:
    return [
        {
            "sample": name,
            **{k: metrics[name][k] for k in ("rows", "events", "event_rate", "auc", "ks", "gini")},
        }
        for name in ("development", "validation")
    ]


def cross_validation_table(cv: dict[str, object]) -> str:
    """Per-fold out-of-fold AUC/KS and the mean ± sd row, as a Markdown table."""
    rows = [
        {**fold, "features": ", ".join(fold["features"]) or fold.get("note", "")}
        for fold in cv["per_fold"]
    ]
    rows.append(
        {
            "fold": "mean ± sd",
            "auc": f"{cv['auc_mean']:.3f} ± {cv['auc_sd']:.3f}",
            "ks": f"{cv['ks_mean']:.3f} ± {cv['ks_sd']:.3f}",
            "gini": f"{cv['gini_mean']:.3f} ± {cv['gini_sd']:.3f}",
        }
    )
    return markdown_table(rows, ["fold", "rows", "events", "auc", "ks", "gini", "features"])


def _cross_validation_lines(cv: dict[str, object] | None) -> list[str]:
    if not cv:
        return []
    failed = cv["failed_folds"]
    return [
        "## Cross-validation",
        "",
        f"Stratified {cv['folds']}-fold on every row with a target (seed {cv['seed']}): each "
        "fold's model is fitted by the same steps on the other folds, and AUC, KS and Gini "
        "are measured on the fold left out. Mean ± sample standard deviation over folds."
        + (f" {failed} fold(s) found no model and count as AUC 0.5, KS 0." if failed else ""),
        "",
        cross_validation_table(cv),
        "",
    ]


def render_report(scorecard: FittedScorecard) -> str:
    """The whole report: settings, validation, bands/calibration, IV, points per bin."""
    m = scorecard.metrics
    s = scorecard.scaling
    split = m["split"]
    split_text = (
        f"out of time on `{split['time_column']}`: development up to {split['development_to']}, "
        f"validation {split['validation_from']} to {split['validation_to']}"
        if split["method"] == "out of time"
        else f"stratified random split, seed {split['seed']}"
    )
    bands = m["bands"]
    observed = [b["observed_bad_rate"] for b in bands if b["observed_bad_rate"] is not None]
    monotone = all(a >= b for a, b in zip(observed, observed[1:], strict=False))
    cal = scorecard.calibration
    table = scorecard.table
    bins_rows = table.to_dict(orient="records")
    left_out = m.get("left_out_columns", {})
    lines = [
        f"# Scorecard {scorecard.model_id}",
        "",
        f"Target `{scorecard.target}` (1 = bad). Features, in order of information value: "
        + ", ".join(f"`{f}`" for f in scorecard.features)
        + ".",
        "",
        "## Scaling and convention",
        "",
        f"Higher score = lower risk. Odds are good:bad. {s.base_score:g} points = odds "
        f"{s.base_odds:g}:1 and every {s.pdo:g} points double the odds "
        f"(factor = pdo / ln 2 = {s.factor:.4f}, offset = {s.offset:.4f}). "
        "Each bin's points = -(coefficient x WoE + intercept / n) x factor + offset / n; "
        "score = sum of the points of the bins a customer falls in.",
        "",
        f"PD calibration ({cal['method']}, development sample): "
        f"pd = 1 / (1 + exp(-({cal['intercept']:.6f} - {abs(cal['slope']):.6f} x score))), "
        "decreasing in score.",
        "",
        "## Out-of-sample validation",
        "",
        f"Split: {split_text}; validation share {split['validation_share']:.0%}.",
        "",
        markdown_table(
            _metric_rows(m), ["sample", "rows", "events", "event_rate", "auc", "ks", "gini"]
        ),
        "",
        f"Population stability (PSI, development vs validation bands): "
        f"{m['validation']['psi']:.4f}.",
        "",
        *_cross_validation_lines(m.get("cross_validation")),
        "## Score bands and calibration (validation sample)",
        "",
        "Equal-population bands cut on the development scores; band 1 is the riskiest. "
        f"Observed bad rate falls band by band: {'yes' if monotone else 'no'}.",
        "",
        markdown_table(
            bands,
            ["band", "score_from", "score_to", "rows", "bads", "observed_bad_rate", "predicted_pd"],
            digits=4,
        ),
        "",
        "## Information value",
        "",
        markdown_table(m["information_value"], ["feature", "iv", "status"], digits=4),
        "",
        "Columns left out before binning: "
        + (", ".join(f"`{c}` ({r})" for c, r in left_out.items()) or "none")
        + ".",
        "",
        "## Points per bin",
        "",
        f"Logistic intercept {scorecard.intercept:.6f}; coefficients "
        + ", ".join(f"`{f}` {c:.4f}" for f, c in scorecard.coefficients.items())
        + ".",
        "",
        markdown_table(
            bins_rows,
            [
                "feature",
                "bin_index",
                "bin_label",
                "count",
                "event_rate",
                "woe",
                "points",
                "reason_code",
            ],
            digits=4,
        ),
        "",
    ]
    return "\n".join(lines)

"""The scorecard library and its `bankprofile scorecard fit|apply` command line.

A synthetic development sample with a known generating model (fixed seed): monotone numeric
risk drivers, a categorical driver, missing values that carry risk, a pure-noise column,
protected attributes correlated with the target, an id and an application month.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score, roc_curve

from orchestration.scorecard import (
    REASON_COLUMNS,
    FittedScorecard,
    PointsScaling,
    cross_validate,
    development_mask,
    fit,
    is_protected,
    load,
)
from orchestration.scorecard.cli import main

SEED = 20240601
ROWS = 5_000
DRIVERS = [
    "utilisation_ratio",
    "months_on_book",
    "income_amount",
    "delinquencies_12m",
    "region",
    "noise",
]
PROTECTED = ["gender", "GENDER_CODE", "Marital_Status"]


def make_sample(rows: int = ROWS, seed: int = SEED) -> tuple[pd.DataFrame, np.ndarray]:
    """(development sample, true PD of every row)."""
    rng = np.random.default_rng(seed)
    utilisation = rng.uniform(0, 1.2, rows)
    months = rng.integers(1, 121, rows)
    income = rng.lognormal(10, 0.5, rows)
    income_missing = rng.uniform(size=rows) < 0.1
    delinquencies = rng.poisson(0.4, rows)
    region = rng.choice(list("ABCDE"), rows)
    region_effect = pd.Series(region).map({"A": -0.6, "B": -0.2, "C": 0.0, "D": 0.3, "E": 0.8})
    log_income = np.where(income_missing, 10.0, np.log(income))
    logit = (
        -3.0
        + 2.2 * utilisation
        - 0.015 * months
        - 1.6 * (log_income - 10)
        + 0.6 * np.minimum(delinquencies, 3)
        + region_effect.to_numpy()
        + 0.7 * income_missing
    )
    true_pd = 1 / (1 + np.exp(-logit))
    bad = (rng.uniform(size=rows) < true_pd).astype(int)
    leaning = 0.5 + 0.35 * (bad - 0.5)
    data = pd.DataFrame(
        {
            "customer_id": np.arange(1, rows + 1),
            "utilisation_ratio": utilisation,
            "months_on_book": months,
            "income_amount": np.where(income_missing, np.nan, income),
            "delinquencies_12m": delinquencies,
            "region": region,
            "noise": rng.normal(size=rows),
            "gender": np.where(rng.uniform(size=rows) < leaning, "F", "M"),
            "GENDER_CODE": np.where(rng.uniform(size=rows) < leaning, 1, 2),
            "Marital_Status": np.where(rng.uniform(size=rows) < leaning, "single", "married"),
            "application_month": pd.to_datetime("2023-01-01")
            + pd.to_timedelta(rng.integers(0, 24, rows) * 31, unit="D"),
            "bad": bad,
        }
    )
    return data, true_pd


def iv_of(column: pd.Series, bad: pd.Series) -> float:
    counts = pd.crosstab(column, bad)
    share = counts / counts.sum()
    return float(((share[1] - share[0]) * np.log(share[1] / share[0])).sum())


def ks_of(y: np.ndarray, risk: np.ndarray) -> float:
    fpr, tpr, _ = roc_curve(y, risk)
    return float(np.max(tpr - fpr))


@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, np.ndarray]:
    return make_sample()


@pytest.fixture(scope="module")
def model(sample: tuple[pd.DataFrame, np.ndarray]) -> FittedScorecard:
    data, _ = sample
    return fit(data, "bad", features=DRIVERS + PROTECTED, seed=1)


def non_missing_woe(model: FittedScorecard, feature: str) -> np.ndarray:
    bins = model.table[(model.table["feature"] == feature) & ~model.table["is_missing_bin"]]
    return bins.sort_values("bin_index")["woe"].to_numpy()


@pytest.mark.parametrize(
    ("column", "protected"),
    [
        ("gender", True),
        ("GENDER_CODE", True),
        ("custGenderCd", True),
        ("Marital_Status", True),
        ("sex", True),
        ("applicant_ethnicity", True),
        ("religion_cd", True),
        ("性别", True),
        ("essex_branch", False),
        ("trace_id", False),
        ("utilisation_ratio", False),
        ("age_years", False),
    ],
)
def test_protected_attributes_are_recognised_by_name(column: str, protected: bool) -> None:
    assert is_protected(column) is protected


def test_protected_attributes_never_reach_the_scorecard(
    sample: tuple[pd.DataFrame, np.ndarray], model: FittedScorecard
) -> None:
    data, _ = sample
    # Not vacuous: each protected column alone separates bads from goods well enough.
    assert all(iv_of(data[c], data["bad"]) > 0.1 for c in PROTECTED)
    assert not set(PROTECTED) & set(model.table["feature"])
    assert not set(PROTECTED) & set(model.features)
    assert all(model.metrics["left_out_columns"][c] == "protected attribute" for c in PROTECTED)
    # Scoring never needs them either.
    assert model.apply(data.drop(columns=PROTECTED))["score"].notna().all()


def test_fit_with_only_protected_features_refuses() -> None:
    data, _ = make_sample(rows=500)
    with pytest.raises(ValueError, match="no candidate feature"):
        fit(data, "bad", features=["gender", "Marital_Status"])


def test_woe_is_monotone_for_monotone_drivers(model: FittedScorecard) -> None:
    assert np.all(np.diff(non_missing_woe(model, "utilisation_ratio")) > 0)
    assert np.all(np.diff(non_missing_woe(model, "months_on_book")) < 0)
    assert np.all(np.diff(non_missing_woe(model, "income_amount")) < 0)
    assert len(non_missing_woe(model, "utilisation_ratio")) >= 3
    income_missing = model.table[
        (model.table["feature"] == "income_amount") & model.table["is_missing_bin"]
    ]
    assert income_missing["count"].iloc[0] > 0  # missing values got a bin of their own


def test_noise_is_screened_out_and_coefficients_are_positive(model: FittedScorecard) -> None:
    assert "noise" not in model.features
    assert {"utilisation_ratio", "months_on_book", "income_amount", "region"} <= set(model.features)
    assert all(c > 0 for c in model.coefficients.values())


def test_out_of_sample_auc_close_to_the_true_model(
    sample: tuple[pd.DataFrame, np.ndarray], model: FittedScorecard
) -> None:
    data, true_pd = sample
    validation = ~development_mask(data["bad"].to_numpy(), seed=1)
    y = data["bad"].to_numpy()[validation]
    true_auc = roc_auc_score(y, true_pd[validation])
    scored = model.apply(data[validation])
    auc = roc_auc_score(y, scored["pd"])
    assert auc == pytest.approx(model.metrics["validation"]["auc"])
    assert auc >= 0.9 * true_auc
    assert model.metrics["validation"]["ks"] >= 0.85 * ks_of(y, true_pd[validation])
    assert model.metrics["validation"]["gini"] == pytest.approx(2 * auc - 1)


def test_out_of_time_validation_uses_the_latest_rows(
    sample: tuple[pd.DataFrame, np.ndarray],
) -> None:
    data, true_pd = sample
    model = fit(data, "bad", time_column="application_month")
    split = model.metrics["split"]
    assert split["method"] == "out of time"
    assert pd.Timestamp(split["validation_from"]) > pd.Timestamp(split["development_to"])
    assert 0.2 <= split["validation_share"] <= 0.4
    late = data["application_month"] >= pd.Timestamp(split["validation_from"])
    true_auc = roc_auc_score(data.loc[late, "bad"], true_pd[late.to_numpy()])
    assert model.metrics["validation"]["rows"] == int(late.sum())
    assert model.metrics["validation"]["auc"] >= 0.9 * true_auc
    assert "customer_id" in model.metrics["left_out_columns"]


def test_pd_calibration_decreases_with_score(
    sample: tuple[pd.DataFrame, np.ndarray], model: FittedScorecard
) -> None:
    data, _ = sample
    scored = model.apply(data).sort_values("score")
    assert scored["pd"].is_monotonic_decreasing
    assert scored["pd"].iloc[0] > scored["pd"].iloc[-1]
    bands = pd.DataFrame(model.metrics["bands"])
    assert bands["predicted_pd"].is_monotonic_decreasing
    assert len(bands) == 10
    # Calibrated in the large on the validation sample, within two points of bad rate.
    observed = (bands["bads"].sum()) / bands["rows"].sum()
    predicted = (bands["predicted_pd"] * bands["rows"]).sum() / bands["rows"].sum()
    assert abs(predicted - observed) < 0.02


def test_points_follow_the_stated_scaling(model: FittedScorecard) -> None:
    scaling = PointsScaling()
    n = len(model.features)
    table = model.table
    coef = table["feature"].map(model.coefficients)
    expected = -(coef * table["woe"] + model.intercept / n) * scaling.factor + scaling.offset / n
    assert np.allclose(table["points"], expected, atol=0.005)
    best = table[table["is_best_bin"]]
    assert list(best["feature"]) == list(model.features)
    assert np.allclose(best["points"], best["max_points_for_feature"])


def test_reason_codes_are_the_largest_point_losses(
    sample: tuple[pd.DataFrame, np.ndarray], model: FittedScorecard
) -> None:
    data, _ = sample
    scored = model.apply(data.head(300), include_points=True)
    best = model.table.groupby("feature")["max_points_for_feature"].first()
    code = model.table.groupby("feature")["reason_code"].first()
    for _, row in scored.iterrows():
        losses = {f: best[f] - row[f"points_{f}"] for f in model.features}
        ranked = sorted((f for f in model.features if losses[f] > 0), key=lambda f: -losses[f])
        expected = [code[f] for f in ranked[:4]]
        got = [c for c in row[REASON_COLUMNS] if isinstance(c, str)]
        assert got == expected
        assert row["score"] == pytest.approx(sum(row[f"points_{f}"] for f in model.features))
    assert scored["reason_code_1"].notna().mean() > 0.9


def test_save_and_load_give_identical_scores(
    sample: tuple[pd.DataFrame, np.ndarray], model: FittedScorecard, tmp_path: Path
) -> None:
    data, _ = sample
    model.save(tmp_path / "model")
    assert {"scorecard.csv", "scorecard.parquet", "model.json", "report.md"} <= {
        p.name for p in (tmp_path / "model").iterdir()
    }
    loaded = load(tmp_path / "model")
    assert loaded.model_id == model.model_id
    pd.testing.assert_frame_equal(loaded.apply(data), model.apply(data))
    (tmp_path / "model" / "scorecard.parquet").unlink()
    from_csv = load(tmp_path / "model")
    pd.testing.assert_frame_equal(from_csv.apply(data), model.apply(data))
    report = (tmp_path / "model" / "report.md").read_text(encoding="utf-8")
    assert f"{model.metrics['validation']['auc']:.3f}" in report
    assert all(f"| {feature} |" in report for feature in model.features)


def test_model_id_is_a_deterministic_hash_of_data_and_settings(
    sample: tuple[pd.DataFrame, np.ndarray], model: FittedScorecard
) -> None:
    data, _ = sample
    assert model.model_id.startswith("sc_") and len(model.model_id) == 15
    assert fit(data, "bad", features=DRIVERS + PROTECTED, seed=1).model_id == model.model_id
    assert fit(data, "bad", features=DRIVERS, seed=1).model_id != model.model_id


def test_sql_join_on_the_table_gives_the_python_scores(
    sample: tuple[pd.DataFrame, np.ndarray], model: FittedScorecard
) -> None:
    data, _ = sample
    rows = data.head(500).copy()
    rows.loc[rows.index[:5], "region"] = "Z"  # unseen category -> missing bin
    rows.loc[rows.index[5:10], "utilisation_ratio"] = np.nan
    kinds = model.table.groupby("feature")["feature_type"].first()
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "row_id": rows["customer_id"].to_numpy(),
                    "feature": feature,
                    "num_value": rows[feature].to_numpy(dtype=float)
                    if kinds[feature] == "numeric"
                    else np.nan,
                    "cat_value": rows[feature].astype(str).to_numpy()
                    if kinds[feature] == "categorical"
                    else None,
                }
            )
            for feature in model.features
        ],
        ignore_index=True,
    )
    scorecard = model.table
    sql = """
        select v.row_id, round(sum(coalesce(b.points, m.points)), 2) as score
        from long as v
        left join scorecard as b
            on b.feature = v.feature and not b.is_missing_bin and (
                (b.feature_type = 'numeric' and v.num_value is not null
                    and (b.lower_bound is null or v.num_value >= b.lower_bound)
                    and (b.upper_bound is null or v.num_value < b.upper_bound))
                or (b.feature_type = 'categorical'
                    and list_contains(from_json(b.categories, '["VARCHAR"]'), v.cat_value)))
        inner join scorecard as m on m.feature = v.feature and m.is_missing_bin
        group by v.row_id
        order by v.row_id
    """
    with duckdb.connect() as con:
        con.register("long", long)
        con.register("scorecard", scorecard)
        from_sql = con.execute(sql).df()
    python = model.apply(rows)["score"].to_numpy()
    assert len(from_sql) == len(rows)
    np.testing.assert_array_equal(from_sql["score"].to_numpy(), python)


def test_a_non_positive_coefficient_drops_the_feature() -> None:
    rng = np.random.default_rng(SEED)
    x1 = rng.normal(size=4000)
    x2 = 0.9 * x1 + np.sqrt(1 - 0.81) * rng.normal(size=4000)
    logit = -1.5 + 2.0 * x1 - 0.9 * x2
    bad = (rng.uniform(size=4000) < 1 / (1 + np.exp(-logit))).astype(int)
    data = pd.DataFrame({"x1": x1, "x2": x2, "bad": bad})
    model = fit(data, "bad", max_correlation=None)
    statuses = {row["feature"]: row["status"] for row in model.metrics["information_value"]}
    assert model.features == ("x1",)
    assert statuses["x2"].startswith("non-positive coefficient")


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_cli_fit_then_apply_round_trip(
    sample: tuple[pd.DataFrame, np.ndarray],
    tmp_path: Path,
    suffix: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data, _ = sample
    dev_file = tmp_path / f"dev{suffix}"
    new_file = tmp_path / f"new{suffix}"
    out_file = tmp_path / f"scores{suffix}"
    if suffix == ".csv":
        data.to_csv(dev_file, index=False)
        data.drop(columns=["bad"]).head(200).to_csv(new_file, index=False)
    else:
        data.to_parquet(dev_file, index=False)
        data.drop(columns=["bad"]).head(200).to_parquet(new_file, index=False)
    status = main(
        ["fit", "--data", str(dev_file), "--target", "bad", "--exclude", "noise",
         "--time-column", "application_month", "--out", str(tmp_path / "model")]
    )  # fmt: skip
    printed = capsys.readouterr().out
    assert status == 0
    assert "AUC" in printed and "KS" in printed
    assert main(["apply", "--model", str(tmp_path / "model"), "--data", str(new_file),
                 "--out", str(out_file)]) == 0  # fmt: skip
    scores = pd.read_csv(out_file) if suffix == ".csv" else pd.read_parquet(out_file)
    assert list(scores.columns) == ["customer_id", "model_id", "score", "pd", *REASON_COLUMNS]
    assert scores["customer_id"].tolist() == data["customer_id"].head(200).tolist()
    model = load(tmp_path / "model")
    assert not {"gender", "GENDER_CODE", "Marital_Status", "noise"} & set(model.features)
    expected = model.apply(data.head(200))
    np.testing.assert_array_equal(scores["score"].to_numpy(), expected["score"].to_numpy())
    np.testing.assert_allclose(scores["pd"].to_numpy(), expected["pd"].to_numpy(), rtol=1e-12)


def test_cli_apply_without_an_id_column_numbers_the_rows(
    sample: tuple[pd.DataFrame, np.ndarray], model: FittedScorecard, tmp_path: Path
) -> None:
    data, _ = sample
    model.save(tmp_path / "model")
    data[DRIVERS].head(20).to_csv(tmp_path / "new.csv", index=False)
    args = ["apply", "--model", str(tmp_path / "model"), "--data", str(tmp_path / "new.csv")]
    assert main([*args, "--out", str(tmp_path / "scores.csv")]) == 0
    scores = pd.read_csv(tmp_path / "scores.csv")
    assert scores["row_number"].tolist() == list(range(1, 21))


def _write_bad_input(kind: str, folder: Path) -> Path:
    data, _ = make_sample(rows=200)
    file = folder / "dev.csv"
    if kind == "missing target":
        data.drop(columns=["bad"]).to_csv(file, index=False)
    elif kind == "non-binary target":
        data.assign(bad=data["bad"] + np.arange(len(data)) % 3).to_csv(file, index=False)
    elif kind == "empty file":
        file.write_text("")
    elif kind == "header only":
        file.write_text(",".join(data.columns) + "\n")
    elif kind == "too few rows":
        data.head(20).to_csv(file, index=False)
    elif kind == "no events":
        data.assign(bad=0).to_csv(file, index=False)
    elif kind == "missing file":
        file = folder / "nowhere.csv"
    return file


@pytest.mark.parametrize(
    ("kind", "phrase"),
    [
        ("missing target", "no target column 'bad'"),
        ("non-binary target", "must be binary"),
        ("empty file", "is empty"),
        ("header only", "has no rows"),
        ("too few rows", "at least 50"),
        ("no events", "has no events"),
        ("missing file", "cannot find"),
    ],
)
def test_cli_bad_input_gives_status_2_and_one_sentence(
    kind: str, phrase: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = _write_bad_input(kind, tmp_path)
    status = main(["fit", "--data", str(file), "--target", "bad", "--out", str(tmp_path / "m")])
    error = capsys.readouterr().err
    assert status == 2
    assert error.startswith("bankprofile: ") and error.endswith(".\n")
    assert error.count("\n") == 1 and "Traceback" not in error
    assert phrase in error
    assert not (tmp_path / "m").exists()


def test_cli_apply_with_no_model_gives_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, _ = make_sample(rows=60)
    data.to_csv(tmp_path / "new.csv", index=False)
    status = main(["apply", "--model", str(tmp_path / "nothing"), "--data",
                   str(tmp_path / "new.csv"), "--out", str(tmp_path / "s.csv")])  # fmt: skip
    assert status == 2
    assert "no scorecard" in capsys.readouterr().err


# ---- cross-validation (`fit --cv-folds K`) ---------------------------------------------------

CV_ROWS = 1_500


@pytest.fixture(scope="module")
def cv_sample() -> pd.DataFrame:
    data, _ = make_sample(rows=CV_ROWS, seed=SEED + 1)
    return data


def test_cross_validation_folds_partition_the_rows_by_outcome(cv_sample: pd.DataFrame) -> None:
    model = fit(cv_sample, "bad", features=DRIVERS + PROTECTED, cv_folds=4, seed=3)
    cv = model.metrics["cross_validation"]
    folds = cv["per_fold"]
    bads = int(cv_sample["bad"].sum())
    assert cv["folds"] == 4 and [f["fold"] for f in folds] == [1, 2, 3, 4]
    assert sum(f["rows"] for f in folds) == CV_ROWS
    assert sum(f["events"] for f in folds) == bads
    assert all(abs(f["events"] - bads / 4) <= 1 for f in folds)  # stratified
    auc = np.array([f["auc"] for f in folds])
    assert cv["auc_mean"] == pytest.approx(auc.mean())
    assert cv["auc_sd"] == pytest.approx(auc.std(ddof=1))
    assert all(f["auc"] > 0.7 and f["ks"] > 0.3 for f in folds)  # a real signal is found
    assert not any(set(f["features"]) & set(PROTECTED) for f in folds)


def test_out_of_fold_auc_is_measured_on_rows_the_fold_was_not_fitted_on(
    cv_sample: pd.DataFrame,
) -> None:
    cv = cross_validate(cv_sample, "bad", 3, features=DRIVERS, seed=5)
    held_out_everywhere = np.concatenate([fold.held_out_rows for fold in cv.folds])
    assert np.array_equal(np.sort(held_out_everywhere), np.arange(CV_ROWS))
    y = cv_sample["bad"].to_numpy()
    for fold in cv.folds:
        assert not set(fold.fit_rows) & set(fold.held_out_rows)
        assert len(fold.fit_rows) + len(fold.held_out_rows) == CV_ROWS
        # The fold's bins were counted on its fitting rows only ...
        counts = fold.model.table.groupby("feature")["count"].sum()
        assert (counts == len(fold.fit_rows)).all()
        # ... and its AUC is that of its scores on the rows it left out.
        held_out = cv_sample.iloc[fold.held_out_rows]
        pd_held_out = fold.model.apply(held_out)["pd"]
        assert fold.metrics["auc"] == pytest.approx(
            roc_auc_score(y[fold.held_out_rows], pd_held_out)
        )
        assert fold.metrics["ks"] == pytest.approx(ks_of(y[fold.held_out_rows], pd_held_out))
        in_sample = roc_auc_score(
            y[fold.fit_rows], fold.model.apply(cv_sample.iloc[fold.fit_rows])["pd"]
        )
        assert fold.metrics["auc"] != pytest.approx(in_sample)


def test_cross_validation_leaves_the_model_unchanged(cv_sample: pd.DataFrame) -> None:
    plain = fit(cv_sample, "bad", features=DRIVERS, seed=2)
    with_cv = fit(cv_sample, "bad", features=DRIVERS, seed=2, cv_folds=3)
    assert with_cv.model_id == plain.model_id
    pd.testing.assert_frame_equal(with_cv.table, plain.table)
    assert with_cv.metrics["validation"] == plain.metrics["validation"]
    assert "cross_validation" not in plain.metrics
    assert "cv_folds" not in plain.settings and with_cv.settings["cv_folds"] == 3


def test_a_fold_that_finds_no_model_counts_as_chance() -> None:
    rng = np.random.default_rng(SEED)
    data = pd.DataFrame({"noise": rng.normal(size=400), "bad": rng.uniform(size=400) < 0.2})
    cv = cross_validate(data.astype({"bad": int}), "bad", 3, min_iv=5.0)
    assert all(fold.model is None for fold in cv.folds)
    metrics = cv.to_metrics()
    assert metrics["failed_folds"] == 3
    assert metrics["auc_mean"] == 0.5 and metrics["ks_mean"] == 0.0
    assert all(f["note"].startswith("no model: no candidate feature") for f in metrics["per_fold"])


def test_cli_fit_with_cv_folds_reports_every_fold(
    cv_sample: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cv_sample.to_csv(tmp_path / "dev.csv", index=False)
    status = main(["fit", "--data", str(tmp_path / "dev.csv"), "--target", "bad",
                   "--cv-folds", "5", "--out", str(tmp_path / "model")])  # fmt: skip
    assert status == 0
    assert "Cross-validated (5 stratified folds, seed 0): AUC" in capsys.readouterr().out
    cv = load(tmp_path / "model").metrics["cross_validation"]
    assert len(cv["per_fold"]) == 5
    report = (tmp_path / "model" / "report.md").read_text(encoding="utf-8")
    assert "## Cross-validation" in report
    assert f"{cv['auc_mean']:.3f} ± {cv['auc_sd']:.3f}" in report


@pytest.mark.parametrize("folds", ["1", "0", "bads + 1"])
def test_cli_cv_folds_out_of_range_gives_status_2(
    folds: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, _ = make_sample(rows=300)
    bads = int(data["bad"].sum())
    data.to_csv(tmp_path / "dev.csv", index=False)
    k = str(bads + 1) if folds == "bads + 1" else folds
    status = main(["fit", "--data", str(tmp_path / "dev.csv"), "--target", "bad",
                   "--cv-folds", k, "--out", str(tmp_path / "m")])  # fmt: skip
    error = capsys.readouterr().err
    assert status == 2
    assert error == (
        f"bankprofile: {tmp_path / 'dev.csv'}: the number of cross-validation folds must be "
        f"from 2 to the number of bads ({bads}), not {k}.\n"
    )
    assert not (tmp_path / "m").exists()

"""Precision marketing on a small simulated bank: intents against the planted truths, the
offer gates, the deterministic campaign holdout and the contact-list export.

Fast unit tests first. The rest read a module copy of the session bank's warehouse (2,000
customers, seed 11, built once through the real CLI: the propensity models fitted by the
marketing_propensity asset, the marketing marts built after it); tests that run dbt on it
use a target path of their own.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from orchestration import campaigns
from orchestration.assets import marketing
from orchestration.settings import DBT_PROJECT_DIR, DataPaths
from tests.conftest import REPO_ROOT, copy_of_bank, run_dbt

TOP_SHARE = 0.05  # the best-scored 5% of customers
MIN_PRECISION = 0.60
MIN_LIFT = 5.0
MIN_WEALTH_OFFER_LIFT = 3.0  # base rate ~19%: a perfect list has lift ~5.2


# --- fast unit tests --------------------------------------------------------------------


def test_python_features_are_the_dbt_macro_signals():
    macro = (DBT_PROJECT_DIR / "macros" / "marketing.sql").read_text()
    listed = re.search(r"macro marketing_signal_columns\(\).*?\[(.*?)\]", macro, re.S).group(1)
    signals = re.findall(r"'([a-z0-9_]+)'", listed)
    frame = pd.DataFrame(columns=[*marketing.NON_FEATURES, *signals])
    assert marketing.feature_columns(frame) == signals
    assert set(marketing.LOG_FEATURES) <= set(signals)


def synthetic_contacts(rows: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    driver = rng.normal(size=rows)
    noise = rng.normal(size=rows)
    responded = rng.random(rows) < 1 / (1 + np.exp(-(-2.0 + 1.5 * driver)))
    return pd.DataFrame(
        {
            "contact_id": [f"X{i:010d}" for i in range(rows)],
            "campaign_id": "K1000",
            "customer_id": [f"C{i:08d}" for i in range(rows)],
            "product_code": "WM_CASH",
            "product_family": "wealth",
            "start_date": pd.Timestamp("2026-01-01"),
            "features_as_of_date": pd.Timestamp("2025-12-31"),
            "is_holdout": rng.random(rows) < 0.1,
            "responded": responded,
            "savings_rate_3m": driver,
            "logins_90d": noise,
        }
    )


def test_propensity_model_learns_the_driver_and_skips_thin_history():
    frame = synthetic_contacts(3_000)
    (model,) = marketing.fit_all(frame)
    coefficients = model.coefficients.set_index("feature")["coefficient"]
    assert coefficients["savings_rate_3m"] > 1.0
    assert abs(coefficients["logins_90d"]) < 0.3
    assert model.cv_auc is not None and model.cv_auc > 0.75
    assert model.training_rows == int((~frame["is_holdout"]).sum())  # holdout never trains
    assert marketing.fit_all(synthetic_contacts(100)) == []  # too few rows: rules apply


def test_export_refuses_an_unknown_extension_in_one_sentence(tmp_path, capsys):
    args = argparse.Namespace(campaign_id="MK2610A", out=str(tmp_path / "list.xlsx"))
    assert campaigns.run_export(args, DataPaths(tmp_path)) == 2
    error = capsys.readouterr().err.strip()
    assert (
        error.startswith("bankprofile: ") and error.count("\n") == 0 and ".csv or .parquet" in error
    )


# --- on the small bank ------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(bank, tmp_path_factory) -> tuple[Path, Path]:
    """A copy of the bank's warehouse, as its build left it: the propensity models fitted by
    the marketing_propensity asset, every marketing mart built by dbt after it."""
    root = tmp_path_factory.mktemp("marketing")
    data_dir = copy_of_bank(bank, root / "data", "truth")
    families = read(
        data_dir, "select product_family from marketing_model.current_propensity_models"
    )
    assert len(families), "the simulated bank has campaign history: at least one family has a model"
    return data_dir, root / "dbt_target"


def read(data_dir: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).df()


def truth(data_dir: Path) -> pd.DataFrame:
    return pd.read_parquet(data_dir / "truth" / "customers.parquet")


def top_share_precision(scores: pd.DataFrame, score: str, target: pd.Series) -> tuple[float, float]:
    """Precision among the best-scored TOP_SHARE of customers, and its lift over the base rate."""
    ranked = scores.sort_values([score, "customer_id"], ascending=[False, True])
    top = ranked.head(int(round(len(ranked) * TOP_SHARE)))
    precision = float(target.loc[top["customer_id"]].mean())
    base = float(target.loc[ranked["customer_id"]].mean())
    return precision, precision / base


def test_home_purchase_intent_finds_the_planted_buyers(built):
    data_dir, _ = built
    intents = read(
        data_dir, "select customer_id, home_purchase_score from marketing.customer_intents"
    )
    target = truth(data_dir).set_index("customer_id")["intends_home_purchase"].astype(float)
    precision, lift = top_share_precision(intents, "home_purchase_score", target)
    assert precision >= MIN_PRECISION, precision
    assert lift >= MIN_LIFT, lift


def test_wealth_affinity_and_wealth_offers_find_the_planted_affinity(built):
    data_dir, _ = built
    target = truth(data_dir).set_index("customer_id")["wealth_affinity"].astype(float)
    intents = read(data_dir, "select customer_id, wealth_score from marketing.customer_intents")
    precision, lift = top_share_precision(intents, "wealth_score", target)
    assert precision >= MIN_PRECISION and lift >= MIN_LIFT, (precision, lift)
    offered = read(
        data_dir,
        "select distinct customer_id from marketing.next_best_offers "
        "where product_family = 'wealth'",
    )["customer_id"]
    assert len(offered) > 0
    offer_precision = float(target.loc[offered].mean())
    assert offer_precision >= MIN_PRECISION, offer_precision
    assert offer_precision / float(target.mean()) >= MIN_WEALTH_OFFER_LIFT


def test_offers_break_no_gate(built):
    """Re-checked from customer_features, products, credit_decisions and the seeds."""
    data_dir, _ = built
    offers = read(
        data_dir,
        """
        select o.customer_id, o.product_code, o.offer_rank, o.channel, p.risk_level, p.is_credit,
            p.allowed_channels, f.age_years, f.kyc_risk_tolerance, f.marketing_consent,
            f.do_not_contact, d.decision, d.credit_limit_amount, t.min_credit_limit_amount
        from marketing.next_best_offers as o
        inner join reference.products as p on o.product_code = p.product_code
        inner join reference.marketing_offer_terms as t on o.product_code = t.product_code
        left join customer.customer_features as f on o.customer_id = f.customer_id
        left join risk.credit_decisions as d on o.customer_id = d.customer_id
        """,
    )
    assert len(offers) > 0
    level = offers["risk_level"].str[1].astype(int)
    tolerance = offers["kyc_risk_tolerance"].str[1].astype(int)
    assert (level <= tolerance).all(), "an offer above the customer's KYC risk tolerance"
    assert (level[offers["age_years"] >= 65] <= 2).all(), "an offer above R2 to a customer aged 65+"
    assert offers["marketing_consent"].fillna(False).astype(bool).all(), "an offer without consent"
    assert not offers["do_not_contact"].fillna(True).astype(bool).any(), (
        "an offer to do-not-contact"
    )
    credit = offers[offers["is_credit"].astype(bool)]
    assert len(credit) > 0
    assert credit["decision"].isin(["approve", "refer"]).all(), (
        "a credit offer to a declined customer"
    )
    assert (
        credit["credit_limit_amount"].astype(float)
        >= credit["min_credit_limit_amount"].astype(float)
    ).all()
    allowed = offers.apply(lambda r: r["channel"] in r["allowed_channels"].split("|"), axis=1)
    assert allowed.all(), "an offer through a channel the product does not allow"
    assert offers.groupby("customer_id")["offer_rank"].max().le(3).all()


def test_the_dbt_gate_test_catches_a_planted_violation(built, tmp_path):
    data_dir, target_dir = built
    planted = copy_of_bank(data_dir, tmp_path / "planted", "truth")
    with duckdb.connect(str(planted / "warehouse.duckdb")) as con:
        # a do-not-contact customer, with the gate inputs as they really are
        con.execute(
            "insert into marketing.next_best_offers by name "
            "select customer_id, 9 as offer_rank, 'WM_CASH' as product_code, "
            "'wealth' as product_family, 0.5 as score, 'mobile_app' as channel, "
            "'R1' as risk_level, coalesce(kyc_risk_tolerance, 'R1') as kyc_risk_tolerance, "
            "age_years, marketing_consent, do_not_contact "
            "from customer.customer_features where do_not_contact order by customer_id limit 1"
        )
    output = run_dbt(
        planted,
        target_dir,
        "test",
        "--select",
        "next_best_offers,test_name:offers_pass_every_gate",
        expect_success=False,
    )
    assert "FAIL 1" in output, output[-3000:]


def test_holdout_is_a_stable_hash_and_survives_a_rebuild(built):
    data_dir, target_dir = built
    query = "select campaign_id, customer_id, is_holdout from marketing.campaign_audiences"
    before = read(data_dir, query)
    assert before["is_holdout"].any() and not before["is_holdout"].all()
    definitions = pd.read_csv(REPO_ROOT / "seeds" / "marketing_campaign_definitions.csv")
    share = before.merge(definitions, on="campaign_id")["holdout_share"].astype(float)
    bucket = before.apply(
        lambda r: (
            int(hashlib.md5(f"{r['campaign_id']}|{r['customer_id']}".encode()).hexdigest()[:8], 16)
            % 10_000
        ),
        axis=1,
    )
    assert (before["is_holdout"] == (bucket < share * 10_000)).all()
    run_dbt(data_dir, target_dir, "run", "--select", "campaign_audiences")
    after = read(data_dir, query)
    key = ["campaign_id", "customer_id"]
    pd.testing.assert_frame_equal(
        before.sort_values(key).reset_index(drop=True),
        after.sort_values(key).reset_index(drop=True),
    )


def test_export_writes_the_contacted_audience_without_holdout(built, tmp_path):
    data_dir, _ = built
    audience = read(
        data_dir, "select * from marketing.campaign_audiences where campaign_id = 'MK2610B'"
    )
    # the export reads the published copy; the warehouse copy has the same tables
    paths = DataPaths(tmp_path)
    paths.published.mkdir(parents=True)
    shutil.copy2(data_dir / "warehouse.duckdb", paths.bi_database)
    for suffix, reader in ((".csv", pd.read_csv), (".parquet", pd.read_parquet)):
        out = tmp_path / f"contacts{suffix}"
        args = argparse.Namespace(campaign_id="MK2610B", out=str(out))
        assert campaigns.run_export(args, paths) == 0
        exported = reader(out)
        assert list(exported.columns) == list(campaigns.EXPORT_COLUMNS)
        expected = set(audience.loc[~audience["is_holdout"], "customer_id"])
        assert set(exported["customer_id"]) == expected
        assert not set(exported["customer_id"]) & set(
            audience.loc[audience["is_holdout"], "customer_id"]
        )


def test_export_of_an_unknown_campaign_says_so_and_exits_2(built, tmp_path, capsys):
    data_dir, _ = built
    paths = DataPaths(tmp_path)
    paths.published.mkdir(parents=True)
    shutil.copy2(data_dir / "warehouse.duckdb", paths.bi_database)
    out = tmp_path / "contacts.csv"
    args = argparse.Namespace(campaign_id="NOPE", out=str(out))
    assert campaigns.run_export(args, paths) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("bankprofile: Unknown campaign 'NOPE'") and "\n" not in error
    assert not out.exists()


def test_campaign_performance_adds_up_and_brackets_the_uplift(built):
    data_dir, _ = built
    performance = read(data_dir, "select * from marketing.campaign_performance")
    contacts = read(
        data_dir, "select campaign_id, is_holdout from staging.stg_core_banking__campaign_contacts"
    )
    totals = performance[performance["segment_code"] == "all"].set_index("campaign_id")
    expected = contacts.groupby("campaign_id")["is_holdout"].agg(["sum", "count"])
    totals = totals.reindex(expected.index)
    assert (totals["holdout_count"] == expected["sum"]).all()
    assert (totals["contacted_count"] == expected["count"] - expected["sum"]).all()
    by_segment = performance[performance["segment_code"] != "all"].groupby("campaign_id")
    segment_sums = by_segment["contacted_responders_count"].sum().reindex(expected.index)
    assert (segment_sums == totals["contacted_responders_count"]).all()
    assert (totals["uplift_ci_low_pct"] <= totals["uplift_pct"]).all()
    assert (totals["uplift_pct"] <= totals["uplift_ci_high_pct"]).all()
    # the planted campaigns work: contact lifts conversion in most of them
    assert (totals["uplift_pct"] > 0).mean() >= 0.75


def test_training_features_are_as_of_the_day_before_the_campaign(built):
    data_dir, _ = built
    training = read(
        data_dir,
        "select start_date, features_as_of_date from intermediate.int_campaign_contacts_featured",
    )
    assert len(training) > 0
    assert (training["features_as_of_date"] == training["start_date"] - pd.Timedelta(days=1)).all()


def test_customer_360_and_segment_summary_show_the_offers(built):
    data_dir, _ = built
    shown = read(
        data_dir,
        "select customer_id, next_best_offers from customer.customer_360 "
        "where next_best_offers is not null",
    ).set_index("customer_id")["next_best_offers"]
    offers = read(
        data_dir, "select * from marketing.next_best_offers order by customer_id, offer_rank"
    )
    expected = offers.groupby("customer_id")["product_code"].agg("|".join)
    pd.testing.assert_series_equal(shown.sort_index(), expected.sort_index(), check_names=False)
    summary = read(
        data_dir,
        "select customers_count, customers_with_offer_pct from segmentation.segment_summary "
        "where value_tier = 'all'",
    )
    with_offer = (summary["customers_count"] * summary["customers_with_offer_pct"]).sum()
    assert round(with_offer) == offers["customer_id"].nunique()

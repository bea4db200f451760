"""The one Definitions object: landing -> raw -> dbt (staging, marts) -> published."""

from __future__ import annotations

import dagster as dg

from orchestration.assets.dbt import bankprofile_dbt_models, bankprofile_dbt_scored_models
from orchestration.assets.landing import simulated_core_banking
from orchestration.assets.marketing import marketing_propensity
from orchestration.assets.publish import published_bi_database
from orchestration.assets.raw import raw_core_banking
from orchestration.assets.risk import risk_scorecard
from orchestration.checks import risk_score_stability_psi
from orchestration.jobs import build_all, simulate_sources
from orchestration.resources import default_resources
from orchestration.schedules import nightly_build
from orchestration.sensors import build_failure_sensor, new_extract_day_sensor

defs = dg.Definitions(
    assets=[
        simulated_core_banking,
        raw_core_banking,
        bankprofile_dbt_models,
        bankprofile_dbt_scored_models,
        risk_scorecard,
        marketing_propensity,
        published_bi_database,
    ],
    asset_checks=[risk_score_stability_psi],
    jobs=[build_all, simulate_sources],
    schedules=[nightly_build],
    sensors=[new_extract_day_sensor, build_failure_sensor],
    resources=default_resources(),
)

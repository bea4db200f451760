"""Jobs: the nightly build (raw -> dbt -> publish) and the simulator."""

from __future__ import annotations

import dagster as dg

build_all = dg.define_asset_job(
    name="build_all",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("landing"),
    description="Load new landing files, build and test every dbt model, publish for BI.",
)

simulate_sources = dg.define_asset_job(
    name="simulate_sources",
    selection=dg.AssetSelection.groups("landing"),
    description="Generate a fresh simulated set of core-banking extracts.",
)

"""When the nightly build runs."""

from __future__ import annotations

import dagster as dg

from orchestration.jobs import build_all

nightly_build = dg.ScheduleDefinition(
    name="nightly_build",
    job=build_all,
    cron_schedule="0 2 * * *",  # 02:00, after the core-banking extracts of the day land
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Build everything from the day's extracts; turn on in the UI or daemon.",
)

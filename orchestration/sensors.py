"""Sensors: start the build when a new extract day lands; record every failed run."""

import json
import os
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from orchestration.jobs import build_all
from orchestration.loading import EXTRACT_DAY
from orchestration.settings import data_paths

ALERT_WEBHOOK_ENV = "BANKPROFILE_ALERT_WEBHOOK"


def landed_days(landing_dir: Path) -> list[str]:
    """Every extract day that has a folder in at least one landing table, oldest first."""
    if not landing_dir.is_dir():
        return []
    days = {
        day.name
        for table_dir in landing_dir.iterdir()
        if table_dir.is_dir()
        for day in table_dir.iterdir()
        if day.is_dir() and EXTRACT_DAY.match(day.name)
    }
    return sorted(days)


@dg.sensor(
    job=build_all,
    minimum_interval_seconds=300,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="One build run per new extract day folder under landing/.",
)
def new_extract_day_sensor(context: dg.SensorEvaluationContext):
    newest_seen = context.cursor or ""
    new_days = [day for day in landed_days(data_paths().landing) if day > newest_seen]
    for day in new_days:
        # run_key makes the request idempotent: a day already run is never run again
        yield dg.RunRequest(run_key=f"extract-{day}", tags={"bankprofile/extract_day": day})
    if new_days:
        context.update_cursor(new_days[-1])


def record_failure(log_path: Path, record: dict, webhook: str | None) -> None:
    """Append the failure to the operators' log and, if configured, post it to alerting."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("a") as log:
        log.write(json.dumps(record, ensure_ascii=False) + "\n")
    if webhook:
        request = urllib.request.Request(
            webhook,
            data=json.dumps(record).encode(),
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(request, timeout=10)  # a bank's alerting endpoint


@dg.run_failure_sensor(
    monitored_jobs=[build_all],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Writes every failed build to logs/failures.jsonl (and the alert webhook).",
)
def build_failure_sensor(context: dg.RunFailureSensorContext):
    record = {
        "failed_at": datetime.now(UTC).isoformat(),
        "job": context.dagster_run.job_name,
        "run_id": context.dagster_run.run_id,
        "message": context.failure_event.message,
        "steps": [event.step_key for event in context.get_step_failure_events()],
    }
    record_failure(
        data_paths().root / "logs" / "failures.jsonl", record, os.environ.get(ALERT_WEBHOOK_ENV)
    )

"""Scheduled and on-demand jobs.

Each job is a function of the instant it runs for (`at`), registered here with its schedule.
Deployed, every job is its own Lambda function (generated from this registry by infra/package.py)
whose handler is `functions.jobs.handler`; EventBridge Scheduler invokes it with `{"at": ...}`
(Europe/London cron), an administrator can invoke it from the console with the same event, and
the CQC import also runs when a file lands in the imports bucket. On the local stack,
POST /_local/jobs/{name} runs the same function.

Jobs must be safe to run twice: a repeated run sends nothing twice and writes nothing twice.
This module is a job Lambda's cold start: it imports only Powertools' logger; each job imports
its own service when it runs.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import unquote_plus

from care_tracker.observability import logger, metrics, tracer


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[..., dict]
    description: str
    # EventBridge Scheduler cron in Europe/London time, or None for on-demand/event-driven jobs.
    schedule: str | None = None


JOBS: dict[str, Job] = {}


def job(name: str, *, description: str, schedule: str | None = None) -> Callable:
    def register(run: Callable[..., dict]) -> Callable[..., dict]:
        JOBS[name] = Job(name=name, run=run, description=description, schedule=schedule)
        return run

    return register


def parse_at(raw: str | None) -> datetime:
    if not raw:
        return datetime.now(timezone.utc)
    at = datetime.fromisoformat(raw)
    if at.tzinfo is None:
        raise ValueError("'at' needs a UTC offset, e.g. 2026-01-15T00:30:00+00:00")
    return at


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any] | None, context: Any) -> dict:
    """The Lambda entry point of every job; the function's JOB_NAME says which one."""
    name = os.environ["JOB_NAME"]
    event = event or {}
    logger.append_keys(job=name)
    with tracer().provider.in_subsegment(f"## job {name}"):
        records = event.get("Records") or []
        if records and name == "import_cqc_locations":
            keys = [unquote_plus(r["s3"]["object"]["key"]) for r in records if "s3" in r]
            result = {"runs": [JOBS[name].run(parse_at(None), key=key) for key in keys]}
        else:
            result = JOBS[name].run(parse_at(event.get("at")))
    metrics.add_metric(name="JobRuns", unit="Count", value=1)
    return result


CQC_PREFIX = "cqc/"


@job("import_cqc_locations", description="Auto-registration from CQC's active-locations file (RULES 1.1)")
def import_cqc_locations(at: datetime, key: str | None = None) -> dict:
    """Imports the given CQC file, or the newest one under cqc/ in the imports bucket."""
    from care_tracker.config import settings
    from care_tracker.services.cqc_import import import_cqc_locations as run_import
    from care_tracker.wiring import account_service, location_directory, object_store

    store = object_store()
    bucket = settings().imports_bucket
    key = key or store.newest_key(bucket, CQC_PREFIX)
    if key is None:
        return {"imported": None, "reason": f"no file under {CQC_PREFIX} in the imports bucket"}
    report = run_import(store.read_lines(bucket, key), location_directory(), account_service())
    logger.info("cqc import finished", extra={"key": key, "locations_read": report.locations_read,
                                              "locations_written": report.locations_written,
                                              "accounts_created": report.accounts_created, "errors": len(report.errors)})
    return {"imported": key, **report.__dict__}

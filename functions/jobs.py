"""Scheduled and on-demand jobs: plain Lambda handlers, each taking `{"at": "<ISO 8601>"}` (or an
S3 notification for the import). Deployed, EventBridge Scheduler and the console invoke them; on
the local stack, POST /_local/jobs/{name} runs the same code.

This module is the jobs' cold start: it imports only Powertools' logger here, and each job its own
service when it runs.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import unquote_plus

from care_tracker.observability import logger

CQC_PREFIX = "cqc/"


def _at(event: dict[str, Any] | None) -> datetime:
    raw = (event or {}).get("at")
    if not raw:
        return datetime.now(timezone.utc)
    at = datetime.fromisoformat(raw)
    if at.tzinfo is None:
        raise ValueError("'at' needs a UTC offset, e.g. 2026-01-15T00:30:00+00:00")
    return at


def run_import_cqc_locations(at: datetime, key: str | None = None) -> dict:
    """Imports the given CQC file, or the newest one under cqc/ in the imports bucket."""
    from care_tracker.config import settings
    from care_tracker.services.cqc_import import import_cqc_locations
    from care_tracker.wiring import account_service, location_directory, object_store

    store = object_store()
    bucket = settings().imports_bucket
    key = key or store.newest_key(bucket, CQC_PREFIX)
    if key is None:
        return {"imported": None, "reason": f"no file under {CQC_PREFIX} in the imports bucket"}
    report = import_cqc_locations(store.read_lines(bucket, key), location_directory(), account_service())
    logger.info("cqc import finished", extra={"key": key, "locations_read": report.locations_read,
                                              "locations_written": report.locations_written,
                                              "accounts_created": report.accounts_created, "errors": len(report.errors)})
    return {"imported": key, **report.__dict__}


@logger.inject_lambda_context(clear_state=True)
def import_cqc_locations(event: dict, context: Any) -> dict:
    records = (event or {}).get("Records") or []
    keys = [unquote_plus(r["s3"]["object"]["key"]) for r in records if "s3" in r]
    if keys:
        return {"runs": [run_import_cqc_locations(_at(None), key) for key in keys]}
    return run_import_cqc_locations(_at(event), (event or {}).get("key"))


# name -> callable(at) for /_local/jobs; the Lambda handlers above wrap the same functions.
JOBS: dict[str, Callable[[datetime], dict]] = {
    "import_cqc_locations": run_import_cqc_locations,
}

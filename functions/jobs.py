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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
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
    at = datetime.fromisoformat(raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
    if at.tzinfo is None:
        raise ValueError("'at' needs a UTC offset, e.g. 2026-01-15T00:30:00+00:00")
    if not 2000 <= at.year <= 2100:  # a calendar beyond these overflows on the way to Europe/London
        raise ValueError("'at' must fall between the years 2000 and 2100")
    return at


def instant_of(event: dict[str, Any]) -> datetime:
    """The instant a job runs for: the event's `at` (our schedules', the console's), else the `time`
    of an EventBridge event (a rule's scheduled event, or Scheduler's own payload), else now. A late
    retry of the 07:00 run therefore still works out the 07:00 window."""
    return parse_at(event.get("at") or event.get("time"))


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
            result = JOBS[name].run(instant_of(event))
    metrics.add_metric(name="JobRuns", unit="Count", value=1)
    return result


CQC_PREFIX = "cqc/"


@job("import_cqc_locations", description="Auto-registration from CQC's active-locations file (RULES 1.1)")
def import_cqc_locations(at: datetime, key: str | None = None) -> dict:
    """Imports the given CQC file, or the newest one under cqc/ in the imports bucket."""
    from zoneinfo import ZoneInfo

    from care_tracker.config import settings
    from care_tracker.rules.cqc_changes import file_date_from_name
    from care_tracker.services.cqc_import import import_cqc_locations as run_import
    from care_tracker.wiring import account_service, location_directory, object_store, return_store, users

    store = object_store()
    bucket = settings().imports_bucket
    key = key or store.newest_key(bucket, CQC_PREFIX)
    if key is None:
        return {"imported": None, "reason": f"no file under {CQC_PREFIX} in the imports bucket"}
    # The date a location missing from a newer full file is deregistered on: the file's, else today's.
    file_date = file_date_from_name(key) or at.astimezone(ZoneInfo("Europe/London")).date()
    try:
        report = run_import(store.read_lines(bucket, key), location_directory(), account_service(),
                            file_date=file_date, users=users(), returns=return_store())
    except ValueError as exc:  # the header is unusable: nothing was written
        logger.warning("cqc import refused", extra={"key": key, "problem": str(exc)})
        return {"imported": None, "key": key, "problem": str(exc)}
    logger.info("cqc import finished", extra={"key": key, "locations_read": report.locations_read,
                                              "locations_written": report.locations_written,
                                              "organisations_written": report.organisations_written,
                                              "deregistered_missing": report.locations_deregistered_missing,
                                              "moved": report.locations_moved,
                                              "accounts_created": report.accounts_created, "errors": len(report.errors)})
    return {"imported": key, **report.__dict__}


@job("backup", description="Daily backup of every table to the backups bucket, with a manifest (RULES 3)",
     schedule="cron(0 2 * * ? *)")
def backup(at: datetime) -> dict:
    """Idempotent for its Europe/London day: a second run finds the manifest and does nothing."""
    from care_tracker.wiring import backup_service

    result = backup_service().backup(at)
    # BackupMissingAlarm (infra/package.py) fires when a day passes without this metric.
    metrics.add_metric(name="BackupsCompleted", unit="Count", value=1)
    logger.info("backup finished", extra={k: v for k, v in result.items() if k != "tables"})
    return result


@job("restore", description="Restores the backup of the day of `at` into empty tables (python -m infra.restore for more)")
def restore(at: datetime) -> dict:
    """Refuses (writes nothing) when a table holds data; forcing is only offered by the command."""
    from care_tracker.errors import AppError
    from care_tracker.services.backups import backup_day
    from care_tracker.wiring import backup_service

    try:
        result = backup_service().restore(backup_day(at))
    except AppError as error:
        logger.warning("restore refused", extra={"code": error.code})
        return {"restored": False, **error.to_dict()}
    logger.info("restore finished", extra={"date": result["date"], "item_count": result["item_count"]})
    return {"restored": True, **result}


@job("export_changes", description="The previous day's saved returns as CSV for the support team (exports bucket)",
     schedule="cron(0 3 * * ? *)")
def export_changes(at: datetime) -> dict:
    """Written once per day: a second run finds the day's file and hands it out again."""
    from care_tracker.errors import AppError
    from care_tracker.services.exports import previous_day
    from care_tracker.wiring import export_service

    day = previous_day(at)
    try:
        export = export_service().daily_changes(day)
    except AppError as error:
        return {"day": day.isoformat(), "exported": False, **error.to_dict()}
    return {"day": day.isoformat(), "exported": True, "export_id": export.export_id, "rows": export.rows}


# ---------- the reporting window (RULES 1.4; issue 4) ----------
# Each works out its window from the calendar and `at`, so a late run still does the right thing, and
# each is safe to repeat (services/window_jobs.py: a lease, per-chunk records of who was mailed, DONE).

@job("open_window", description="Emails every active user of every location that owes returns: the window is open",
     schedule="cron(0 7 8 * ? *)")
def open_window(at: datetime) -> dict:
    from care_tracker.wiring import window_jobs

    return window_jobs().open_window(at)


@job("remind", description="On the last working day before the window's last day, emails users of locations with a "
                           "return still missing, naming what is missing", schedule="cron(0 9 9-20 * ? *)")
def remind(at: datetime) -> dict:
    """Runs daily from the 9th to the 20th; acts from the remind day (calendar) until the window closes."""
    from care_tracker.wiring import window_jobs

    return window_jobs().remind(at)


@job("close_window", description="After the window's last day: records the window as closed (compliance counting hooks in)",
     schedule="cron(30 0 15-22 * ? *)")
def close_window(at: datetime) -> dict:
    """Runs daily from the 15th to the 22nd (the last day is the 14th to about the 20th); closes the most
    recent window that has ended, once."""
    from care_tracker.wiring import window_jobs

    return window_jobs().close_window(at)


# ---------- compliance and enforcement (RULES 1.6; issue 5) ----------
# Counting runs inside close_window (wiring.count_compliance is its hook, run once per window);
# count_compliance counts the most recent closed window again every night (and on demand), so steps
# left owed by a correction are taken; it writes and sends nothing when nothing changed.

@job("count_compliance", description="Counts compliance for the most recent closed window again (first run by close_window)",
     schedule="cron(0 1 * * ? *)")
def count_compliance(at: datetime) -> dict:
    from care_tracker.rules.reporting_window import previous_window
    from care_tracker.wiring import compliance_service

    result = compliance_service().count_window(previous_window(at).period, at)
    logger.info("compliance counted", extra={k: v for k, v in result.items() if isinstance(v, (int, str))})
    return result


@job("flag_overdue_representations", description="Daily: cases whose representation period has run out move to "
                                                  "representations_deadline_passed", schedule="cron(0 6 * * ? *)")
def flag_overdue_representations(at: datetime) -> dict:
    from care_tracker.wiring import enforcement_service

    result = enforcement_service().flag_overdue(at)
    logger.info("overdue representations flagged", extra={"flagged": len(result["flagged"])})
    return result


@job("list_thinly_staffed", schedule="cron(30 6 * * ? *)",
     description="Nightly national list of locations with fewer than two active users, for the support team (RULES 1.3)")
def list_thinly_staffed(at: datetime) -> dict:
    from care_tracker.wiring import account_care_service

    return account_care_service().publish_national_thin_list(at)


# ---------- feedback (RULES 2.7; issue 13) ----------

@job("flag_unanswered_feedback", schedule="cron(5 * * * ? *)",
     description="Hourly: feedback unanswered after 48 hours is emailed to the support address, once per item")
def flag_unanswered_feedback(at: datetime) -> dict:
    """A conditional marker on each item makes "once" hold across repeated and overlapping runs."""
    from care_tracker.wiring import feedback_service

    result = feedback_service().flag_unanswered(at)
    # FeedbackOverdueAlarm (infra/package.py) fires when this is above zero.
    metrics.add_metric(name="FeedbackOverdue", unit="Count", value=len(result["flagged"]))
    logger.info("unanswered feedback flagged", extra={"flagged": len(result["flagged"])})
    return result


# ---------- employers and PAs (RULES 2.5; issue 11) ----------

@job("purge_expired_records", schedule="cron(15 4 * * ? *)",
     description="Daily: deletes archived PAs' minimised records and work history 7 years after their leaving date "
                 "(what DynamoDB's TTL has not deleted yet)")
def purge_expired_records(at: datetime) -> dict:
    """Idempotent: a second run finds nothing expired left to delete."""
    from care_tracker.wiring import employer_service

    result = employer_service().purge_expired(at)
    metrics.add_metric(name="ExpiredRecordsPurged", unit="Count", value=result["deleted_records"])
    logger.info("expired records purged", extra=result)
    return result


@job("follow_up_archives", schedule="cron(0/15 * * * ? *)",
     description="Every 15 minutes: what archives and reactivations left off their request (the work history's "
                 "purge marks set or taken off, shifts after the leaving date that did not fit in the archive's "
                 "transaction, the feedback's name), found by the by_work_mark index; a second run changes nothing")
def follow_up_archives(at: datetime) -> dict:
    """Each mark is cleared only if unchanged since it was read: a later archive or reactivation is
    done by the next run."""
    from care_tracker import wiring

    result = wiring.follow_up_archives(at)
    logger.info("archives followed up", extra=result)
    return result


# ---------- timesheets (RULES 2.3; issue 12) ----------

@job("remind_timesheets", schedule="cron(0 8 * * ? *)",
     description="Daily: PAs whose pay period ended with the timesheet not submitted, and employers with a submitted "
                 "timesheet waiting for approval, are emailed once each")
def remind_timesheets(at: datetime) -> dict:
    """A conditional marker on each timesheet (cleared when it moves on) makes "once" hold across
    repeated and overlapping runs."""
    from care_tracker.wiring import timesheet_service

    result = timesheet_service().remind(at)
    logger.info("timesheet reminders sent", extra=result)
    return result

"""The audit pack (RULES 2.6; issue 12): for a date range, one zip for the council's audit of direct
payments, written to the exports bucket and handed out through a presigned URL (15 minutes), like
every export. Each CSV follows rules.csv_export (UTF-8, ISO dates, formula-like text neutralised):

- timesheets.csv: each PA's timesheet of every pay period overlapping the range, with the PA's
  submission and the employer's approval (who, when) and the hours;
- timesheet_versions.csv: every version of those timesheets (who, when, what, why);
- timesheet_lines.csv: the shifts of each timesheet's current version;
- hours_against_funded.csv: every PA's hours together against the funded hours, per week and period;
- holiday.csv: the holiday ledger of each PA for each leave year the range touches, per pay period;
- pas.csv: the PAs (status, start and leaving dates, contracted hours) and, where the PA records
  are given (`records`: issue 11's record of a PA as its service hands it to the employer), the DBS
  check (flagged when over 3 years old at the end of the range), the right-to-work check and the
  48-hour opt-out, which the working-time checks then respect;
- working_time_warnings.csv: the warnings over the range's shifts, with the rule in words;
- README.txt: what each file is, and what the pack does not hold.

Memory: rows are written to spooled temporary files (in memory up to 4 MiB each, then on /tmp), and
the zip is streamed from them into a multipart upload, so a year of 10 PAs stays far under 150 MB.
Requests: 1 paged Query of by_employer for the PAs, then per PA the tenant record (1 GetItem), 1
paged Query of the range and 1 Query per leave year; the employer's settings once.
"""
from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from care_tracker.errors import AppError, BadRequest, NotFound
from care_tracker.ports import Clock, EmploymentDirectory, PackRecord
from care_tracker.rules import holiday as holiday_rules
from care_tracker.rules import timesheets as ts_rules
from care_tracker.rules.csv_export import csv_rows
from care_tracker.rules.hours import Allowance, paid_minutes_by_day, period_hours
from care_tracker.rules.pay_periods import leave_year_containing, next_leave_year, periods_overlapping
from care_tracker.rules.shifts import minutes_to_hours, paid_minutes
from care_tracker.rules.timesheets import Action, Timesheet
from care_tracker.rules.working_time import OptOut, WorkerProfile, working_time_warnings
from care_tracker.services.exports import Export
from care_tracker.services.work_access import cycle_of, require_cycle, require_employer, settings_of

LONDON = ZoneInfo("Europe/London")
MAX_DAYS = 800  # a little over two years per pack
SPOOL = 4 * 1024 * 1024

FILES = {
    "timesheets.csv": ["pa_id", "pa_name", "period_start", "period_end", "status", "version", "hours", "submitted_by",
                       "submitted_at", "approved_by", "approved_at", "corrections"],
    "timesheet_versions.csv": ["pa_id", "pa_name", "period_start", "version", "action", "status", "by", "at", "reason",
                               "hours"],
    "timesheet_lines.csv": ["pa_id", "pa_name", "period_start", "day", "start", "end", "kind", "breaks",
                            "disturbances", "paid_hours"],
    "hours_against_funded.csv": ["span", "from", "to", "worked", "funded", "over_by", "note"],
    "holiday.csv": ["pa_id", "pa_name", "leave_year_start", "period_start", "period_end", "brought_forward", "accrued",
                    "taken", "carried_forward"],
    "pas.csv": ["pa_id", "pa_name", "status", "start_date", "leaving_date", "contracted_hours_per_week",
                "dbs_issue_date", "dbs_level", "dbs_over_3_years", "right_to_work_checked", "opt_out_start",
                "opt_out_cancelled"],
    "working_time_warnings.csv": ["pa_id", "pa_name", "rule", "regulation", "severity", "first_day", "last_day",
                                  "message"],
}

README = """Care Tracker audit pack for {employer} from {first} to {last} (made {made}).

timesheets.csv              each PA's timesheet per pay period, with submission and approval (who, when)
timesheet_versions.csv      every version of those timesheets: who, when, what, why
timesheet_lines.csv         the shifts of each timesheet as it stands
hours_against_funded.csv    every PA's hours together against the funded hours, per week and pay period
holiday.csv                 the holiday ledger per PA and leave year, per pay period (hours)
pas.csv                     the PAs: status, start and leaving dates, contracted hours, DBS check (flagged
                            when over 3 years old), right-to-work check, 48-hour opt-out
working_time_warnings.csv   working-time warnings over the range (Working Time Regulations 1998)

Hours are exact to 4 decimal places. Dates are ISO (YYYY-MM-DD). Contracts and insurance are not kept
by Care Tracker; the DBS certificate itself is never kept, only its number, issue date and level.
"""


class AuditStore(Protocol):
    def pas_in_range(self, employer_id: str, first: date, last: date) -> list[str]: ...
    def range_items(self, employer_id: str, pa_id: str, first: date, last: date) -> tuple[list, list, dict]: ...
    def ledger(self, employer_id: str, pa_id: str, year_start: date) -> Any: ...


class ZipFiles(Protocol):
    def zip_key(self, owner: str, export_id: str) -> str: ...
    def write_zip(self, key: str, files: Iterable[tuple[str, Iterable[bytes]]], *, filename: str,
                  metadata: dict[str, str]) -> int: ...
    def download_url(self, key: str, now) -> tuple[str, Any]: ...


def _day(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def dbs_over_3_years(issued: date | None, on: date) -> bool | None:
    """Councils ask for DBS checks under 3 years old: None when there is no check recorded."""
    if issued is None:
        return None
    try:
        three_years = issued.replace(year=issued.year + 3)
    except ValueError:  # 29 February
        three_years = date(issued.year + 3, 3, 1)
    return on >= three_years


def _checks(record: Mapping[str, Any], on: date) -> dict[str, Any]:
    issued = _day(record.get("dbs_issue_date"))
    return {"dbs_issue_date": issued, "dbs_level": record.get("dbs_level"), "dbs_over_3_years": dbs_over_3_years(issued, on),
            "right_to_work_checked": _day(record.get("right_to_work_checked")),
            "opt_out_start": _day(record.get("opt_out_start")), "opt_out_cancelled": _day(record.get("opt_out_cancelled"))}


def _opt_outs(record: Mapping[str, Any]) -> tuple[OptOut, ...]:
    start = _day(record.get("opt_out_start"))
    return (OptOut(start, _day(record.get("opt_out_cancelled"))),) if start else ()


def _pairs(intervals) -> str:
    return " ".join(f"{i.start:%H:%M}-{i.end:%H:%M}" for i in intervals)


class _Sheet:
    """One CSV being written to a spooled temporary file."""

    def __init__(self, header: list[str]) -> None:
        self.file = tempfile.SpooledTemporaryFile(max_size=SPOOL)
        self.header = header
        self.rows = 0

    def write_all(self, rows: Iterable[dict]) -> None:
        def counted() -> Iterator[dict]:
            for row in rows:
                self.rows += 1
                yield row

        lines = csv_rows(self.header, counted())
        header = next(lines)
        if self.file.tell() == 0:  # the header once, however many times rows are added
            self.file.write(header.encode("utf-8"))
        for line in lines:
            self.file.write(line.encode("utf-8"))

    def chunks(self) -> Iterator[bytes]:
        if self.file.tell() == 0:
            self.write_all([])
        self.file.seek(0)
        while chunk := self.file.read(256 * 1024):
            yield chunk
        self.file.close()


class AuditPackService:
    def __init__(self, store: AuditStore, directory: EmploymentDirectory, files: ZipFiles, clock: Clock,
                 records: Callable[[Any, str, str], Mapping[str, Any]] | None = None) -> None:
        self._records = records
        self._store = store
        self._directory = directory
        self._files = files
        self._clock = clock

    def check(self, caller, first: date, last: date):
        """What a pack of this range needs (an employer, a range of at most MAX_DAYS, a pay cycle);
        returns the employer's settings."""
        employer_id = require_employer(caller)
        if last < first:
            raise BadRequest("The range ends before it starts.", code="bad_range")
        if (last - first).days + 1 > MAX_DAYS:
            raise BadRequest(f"An audit pack covers at most {MAX_DAYS} days: ask for two.", code="range_too_long")
        settings = settings_of(self._directory, employer_id)
        require_cycle(settings)
        return settings

    def create(self, caller, first: date, last: date, export_id: str | None = None) -> Export:
        """Makes the pack and writes it under `export_id` (a new one when not given: the same id
        writes the same key again)."""
        employer_id = caller.user_id
        settings = self.check(caller, first, last)
        periods = periods_overlapping(cycle_of(settings), None, first, last)
        span_first, span_last = periods[0].start, periods[-1].end
        years = [leave_year_containing(span_first, settings.leave_year_start)]
        while years[-1].end < span_last:
            years.append(next_leave_year(years[-1], settings.leave_year_start))
        sheets = {name: _Sheet(header) for name, header in FILES.items()}
        minutes_by_day: dict[date, int] = {}
        for pa_id in sorted(self._store.pas_in_range(employer_id, span_first, span_last)):
            employment = self._directory.employment(employer_id, pa_id)
            if employment is None:
                continue  # purged, or never an employment of theirs
            name = employment.pa_name
            shifts, heads, versions = self._store.range_items(employer_id, pa_id, span_first, span_last)
            record = dict(self._records(caller, employer_id, pa_id)) if self._records else {}
            sheets["pas.csv"].write_all([{"pa_id": pa_id, "pa_name": name, "status": employment.status,
                                          "start_date": employment.start_date, "leaving_date": employment.leaving_date,
                                          "contracted_hours_per_week": employment.contracted_hours,
                                          **_checks(record, last)}])
            worked = self._timesheets(sheets, pa_id, name, employer_id, periods, shifts, heads, versions)
            for day, minutes in paid_minutes_by_day(s for s in worked if first <= s.day <= last).items():
                minutes_by_day[day] = minutes_by_day.get(day, 0) + minutes
            profile = WorkerProfile(date_of_birth=employment.date_of_birth, employment_start=employment.start_date,
                                    domestic_service=settings.domestic_service, opt_outs=_opt_outs(record))
            sheets["working_time_warnings.csv"].write_all(
                {"pa_id": pa_id, "pa_name": name, "rule": w.rule.value, "regulation": w.regulation,
                 "severity": w.severity.value, "first_day": w.first_day, "last_day": w.last_day, "message": w.message}
                for w in working_time_warnings(worked, profile) if w.last_day >= first and w.first_day <= last)
            self._holiday(sheets, pa_id, name, employer_id, employment, settings, years)
        rows = []
        for period in periods:
            hours = period_hours(minutes_by_day, period, settings.funded_hours_per_week, Allowance.FUNDED)
            for c in (*hours.weeks, hours.period):
                rows.append({"span": "pay period" if c is hours.period else "week", "from": c.start, "to": c.end,
                             "worked": c.worked, "funded": c.allowed, "over_by": c.over_by, "note": c.note})
        sheets["hours_against_funded.csv"].write_all(rows)
        now = self._clock.now()
        export_id = export_id or uuid.uuid4().hex
        key = self._files.zip_key(employer_id, export_id)
        readme = README.format(employer=employer_id, first=first.isoformat(), last=last.isoformat(),
                               made=now.astimezone(LONDON).strftime("%Y-%m-%d %H:%M"))
        members = [("README.txt", [readme.encode("utf-8")])] + [(name, sheet.chunks()) for name, sheet in sheets.items()]
        self._files.write_zip(key, members, filename=f"care-tracker-audit-{first.isoformat()}-to-{last.isoformat()}.zip",
                              metadata={"kind": "audit_pack", "period": f"{first.isoformat()}/{last.isoformat()}"})
        url, expires = self._files.download_url(key, now)
        return Export(export_id=export_id, kind="audit_pack", download_url=url, expires_at=expires,
                      rows=sum(s.rows for s in sheets.values()), period=f"{first.isoformat()}/{last.isoformat()}")

    def _timesheets(self, sheets, pa_id, name, employer_id, periods, shifts, heads, versions) -> list:
        """Writes the PA's timesheets, versions and lines; returns the shifts worked (or planned, where
        no timesheet was changed yet) over the periods."""
        by_start = {h.period_start: h for h in heads}
        worked = []
        for period in periods:
            head = by_start.get(period.start)
            kept = sorted(versions.get(period.start, []), key=lambda v: v.number)
            if head is None or head.version == 0 or not kept:
                planned = [s.shift for s in shifts if period.contains(s.shift.day)]
                if not planned:
                    continue
                ts = ts_rules.as_planned(employer_id, pa_id, period, planned, self._clock.now())
            else:
                ts = Timesheet(employer_id, pa_id, period, tuple(kept))
            worked += ts.shifts
            submitted = next((v for v in reversed(ts.versions) if v.action is Action.SUBMITTED), None)
            approved = next((v for v in reversed(ts.versions) if v in ts.approved()), None)
            sheets["timesheets.csv"].write_all([{
                "pa_id": pa_id, "pa_name": name, "period_start": period.start, "period_end": period.end,
                "status": ts.status.value, "version": ts.version, "hours": ts.current.hours,
                "submitted_by": submitted.by if submitted else None, "submitted_at": submitted.at if submitted else None,
                "approved_by": approved.by if approved else None, "approved_at": approved.at if approved else None,
                "corrections": sum(1 for v in ts.versions if v.action is Action.CORRECTED)}])
            sheets["timesheet_versions.csv"].write_all(
                {"pa_id": pa_id, "pa_name": name, "period_start": period.start, "version": v.number,
                 "action": v.action.value, "status": v.status.value, "by": v.by, "at": v.at, "reason": v.reason,
                 "hours": v.hours} for v in ts.versions if head is not None and head.version > 0)
            sheets["timesheet_lines.csv"].write_all(
                {"pa_id": pa_id, "pa_name": name, "period_start": period.start, "day": s.day, "start": f"{s.start:%H:%M}",
                 "end": f"{s.end:%H:%M}", "kind": s.kind.value, "breaks": _pairs(s.breaks),
                 "disturbances": _pairs(s.disturbances), "paid_hours": minutes_to_hours(paid_minutes(s))}
                for s in ts.shifts)
        return worked

    def _holiday(self, sheets, pa_id, name, employer_id, employment, settings, years) -> None:
        for year in years:
            records = self._store.ledger(employer_id, pa_id, year.start)
            entries = list(records.entries)
            if employment.contracted_hours is not None:
                terms = holiday_rules.HolidayTerms(employment.start_date, employment.contracted_hours)
                entries += holiday_rules.regular_accrual_entries(terms, year, cycle_of(settings), None)
            try:
                statement = holiday_rules.ledger_statement(entries, year, cycle_of(settings), None,
                                                           as_of=self._clock.now().astimezone(LONDON).date())
            except holiday_rules.HolidayError:
                continue
            sheets["holiday.csv"].write_all(
                {"pa_id": pa_id, "pa_name": name, "leave_year_start": year.start, "period_start": r.period.start,
                 "period_end": r.period.end, "brought_forward": r.brought_forward, "accrued": r.accrued,
                 "taken": r.taken, "carried_forward": r.carried_forward} for r in statement.rows)



# ---------------------------------------------------------------- made in the background
# A year of 10 PAs takes seconds and ~60 AWS calls, growing with PAs x days: past API Gateway's 29 s
# for a large employer. So POST only checks and claims (202 with a pack id), a queue hands the work
# to the worker (functions/audit_pack_worker.py), and GET polls the status, then gives the link.
PACK_KEPT = timedelta(days=1)  # the same range asked again within a day answers the same pack
WORKER_TIMEOUT = timedelta(minutes=15)  # the worker's Lambda timeout: "making" for longer means it died
PACK_NAMESPACE = uuid.UUID("0e6f4a52-5b8e-4d59-a7b2-6d1c3c0a1d12")

FAILED_TRY_AGAIN = ("The audit pack could not be made this time. Ask for it again; if it fails again, tell the "
                    "support team and quote the pack reference {pack_id}.")
TOOK_TOO_LONG = ("Making the audit pack took too long and was stopped. Ask for it again, or for a shorter range "
                 "(for example one year at a time).")


class PackStore(Protocol):
    def claim(self, record, *, now, stale_before) -> tuple[Any, bool]: ...
    def get(self, employer_id: str, pack_id: str) -> Any: ...
    def finish(self, employer_id: str, pack_id: str, token: str, *, status: str, at, zip_key=None, rows=None,
               message=None) -> bool: ...


class Queue(Protocol):
    def send(self, body: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class PackStatus:
    pack_id: str
    status: str  # making | ready | failed
    first: date
    last: date
    asked_at: datetime
    message: str | None = None
    download_url: str | None = None
    expires_at: datetime | None = None
    rows: int | None = None


def pack_id_of(employer_id: str, first: date, last: date) -> str:
    """One id per employer and range, so asking twice finds the same item."""
    return uuid.uuid5(PACK_NAMESPACE, f"{employer_id}/{first.isoformat()}/{last.isoformat()}").hex


class AuditPackJobs:
    def __init__(self, packs: PackStore, queue: Queue, maker: AuditPackService, files: ZipFiles, clock: Clock) -> None:
        self._packs = packs
        self._queue = queue
        self._maker = maker
        self._files = files
        self._clock = clock

    def start(self, caller, first: date, last: date) -> PackStatus:
        """Checks the request as a pack made at once would, then claims the pack and sends its work;
        the same range while one is being made or ready answers that one."""
        self._maker.check(caller, first, last)
        now = self._clock.now()
        record = PackRecord(employer_id=caller.user_id, pack_id=pack_id_of(caller.user_id, first, last), first=first,
                            last=last, status="making", token=uuid.uuid4().hex, asked_at=now,
                            expires_at=int((now + PACK_KEPT).timestamp()))
        pack, claimed = self._packs.claim(record, now=now, stale_before=now - WORKER_TIMEOUT)
        if claimed:
            self._queue.send({"employer_id": pack.employer_id, "pack_id": pack.pack_id, "token": pack.token})
        return self._status(pack, now)

    def status(self, caller, pack_id: str) -> PackStatus:
        """The caller's own pack only: another employer's id is not found, as an unknown one."""
        employer_id = require_employer(caller)
        now = self._clock.now()
        pack = self._packs.get(employer_id, pack_id) if len(pack_id) <= 64 else None
        if pack is None or pack.expires_at < now.timestamp():
            raise NotFound("There is no such audit pack: packs are kept for a day. Ask for the range again.",
                           code="audit_pack_not_found")
        return self._status(pack, now)

    def _status(self, pack, now: datetime) -> PackStatus:
        common = {"pack_id": pack.pack_id, "first": pack.first, "last": pack.last, "asked_at": pack.asked_at}
        if pack.status == "ready":
            url, expires = self._files.download_url(pack.zip_key, now)
            return PackStatus(status="ready", download_url=url, expires_at=expires, rows=pack.rows, **common)
        if pack.status == "making" and pack.asked_at < now - WORKER_TIMEOUT:
            return PackStatus(status="failed", message=TOOK_TOO_LONG, **common)
        return PackStatus(status=pack.status, message=pack.message, **common)

    def make(self, employer_id: str, pack_id: str, token: str, *, last_attempt: bool) -> str:
        """The worker: builds the pack exactly as AuditPackService.create does, under the pack's own
        key, and marks it ready. A pack not (or no longer) being made under `token` is left alone,
        so a second delivery changes nothing. What the person can act on (the range, the pay cycle)
        marks it failed with the reason; anything else is raised for the queue to retry, and the
        last attempt marks it failed with what to do."""
        from care_tracker.services.callers import Caller

        pack = self._packs.get(employer_id, pack_id)
        if pack is None or pack.status != "making" or pack.token != token:
            return "skipped"
        # The employer asked (the API checked their token and role); the worker acts for them.
        caller = Caller(user_id=employer_id, email="", full_name="", roles=frozenset({"employer"}))
        try:
            export = self._maker.create(caller, pack.first, pack.last, export_id=pack_id)
        except AppError as exc:
            self._packs.finish(employer_id, pack_id, token, status="failed", at=self._clock.now(), message=exc.message)
            return "failed"
        except Exception:
            if last_attempt:
                self._packs.finish(employer_id, pack_id, token, status="failed", at=self._clock.now(),
                                   message=FAILED_TRY_AGAIN.format(pack_id=pack_id))
            raise
        done = self._packs.finish(employer_id, pack_id, token, status="ready", at=self._clock.now(),
                                  zip_key=self._files.zip_key(employer_id, pack_id), rows=export.rows)
        return "ready" if done else "skipped"

"""Timesheets (RULES 2.3-2.4; issue 12): one per PA and pay period of the employer's cycle, run by
rules.timesheets; stored with every version (adapters/work_store.py).

- Reading one is the tenant check (1 GetItem) and 1 Query: the period's planned shifts, the head and
  every version. Until the PA first changes it, the timesheet is the rota's shifts "as planned"
  (version 1, written with the first step).
- Each step is 1 transaction: the head, checked against the version read (409 when stale), the new
  versions, and for an irregular-hours PA the 12.07% holiday accrual of an approved version (and the
  reversal of the accrual it replaces, rules.holiday.credit_approved_timesheet).
- Hours against the PA's contracted hours per week and period; the employer's hours of every PA
  together against the funded hours (1 Query of by_employer + the settings).
- `remind` (the daily job): the PA of each timesheet whose period ended unsubmitted, the employer of
  each submitted one; a conditional marker per due makes "once" hold when the job runs twice.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from care_tracker.errors import BadRequest, Conflict, Forbidden
from care_tracker.ports import Clock, EmploymentDirectory, Mail, Mailer, UserRecord
from care_tracker.rules import holiday as holiday_rules
from care_tracker.rules import timesheets as rules
from care_tracker.rules.hours import display_hours
from care_tracker.rules.pay_periods import (
    PayCycleError,
    PayPeriod,
    change_cycle,
    leave_year_containing,
    period_containing,
    periods_overlapping,
)
from care_tracker.rules.shifts import long_date
from care_tracker.rules.timesheets import Status, Timesheet, TimesheetError
from care_tracker.rules.working_time import working_time_warnings
from care_tracker.services.rota import build_shift, shift_view, warning_view
from care_tracker.services.work_access import (
    access,
    cycle_of,
    pay_period,
    purge_mark,
    require_cycle,
    require_employer,
    settings_of,
    worker_profile,
)

LONDON = ZoneInfo("Europe/London")
MAX_PERIOD_DAYS = 31  # the longest pay period (monthly): the read of a timesheet covers it
SIGN_OFF = "\n\nCare Tracker support team"


class TimesheetStore(Protocol):
    def period(self, employer_id: str, pa_id: str, start: date, end: date) -> Any: ...
    def save_timesheet(self, head_before, new, employer_id: str, pa_id: str, start: date, end: date, due: str,
                       due_on: str, entries=(), domestic: bool = False, purge_at: int | None = None) -> None: ...
    def ledger(self, employer_id: str, pa_id: str, year_start: date) -> Any: ...
    def employer_range(self, employer_id: str, first: date, last: date) -> tuple[list, list]: ...
    def due(self, who: str, before: date) -> Iterator: ...
    def mark_reminded(self, head) -> bool: ...
    def unmark_reminded(self, head) -> None: ...
    def redraw_heads(self, employer_id: str, drop, add, domestic: bool) -> None: ...


class Users(Protocol):
    def get(self, user_id: str) -> UserRecord | None: ...


def _error(exc: TimesheetError) -> Exception:
    if exc.kind == "stale":
        return Conflict(str(exc), code="stale")
    if exc.kind == "locked":
        return Conflict(str(exc), code="timesheet_locked")
    if exc.kind == "actor":
        return Forbidden(str(exc), code="wrong_party")
    return BadRequest(str(exc), code="invalid_timesheet")


def _due(ts: Timesheet, today: date) -> tuple[str, str]:
    if ts.status is Status.SUBMITTED:
        return "employer", today.isoformat()
    if ts.status is Status.APPROVED:
        return "done", ts.period.end.isoformat()
    return "pa", ts.period.end.isoformat()


def version_view(v: rules.Version) -> dict:
    return {"version": v.number, "action": v.action.value, "status": v.status.value, "by": v.by,
            "at": v.at.isoformat(), "reason": v.reason, "hours": str(v.hours),
            "shifts": [shift_view(s) for s in v.shifts]}


def _comparison(c) -> dict:
    return {"from": c.start.isoformat(), "to": c.end.isoformat(), "allowance": c.allowance.value,
            "worked": str(c.worked), "allowed": None if c.allowed is None else str(c.allowed),
            "over_by": str(c.over_by), "note": c.note}


def hours_view(h) -> dict:
    return {"period": _comparison(h.period), "weeks": [_comparison(w) for w in h.weeks], "notes": h.notes}


class SettingsStore(Protocol):
    def update_settings(self, employer_id: str, version: int, changes: dict) -> dict: ...


class TimesheetService:
    def __init__(self, store: TimesheetStore, directory: EmploymentDirectory, users: Users, mailer: Mailer,
                 clock: Clock, login_url: str, settings_store: SettingsStore | None = None) -> None:
        self._store = store
        self._directory = directory
        self._settings_store = settings_store or directory  # the employer store is both (wiring)
        self._users = users
        self._mailer = mailer
        self._clock = clock
        self._login_url = login_url

    def _today(self) -> date:
        return self._clock.now().astimezone(LONDON).date()

    def _load(self, employer_id: str, pa_id: str, period: PayPeriod):
        records = self._store.period(employer_id, pa_id, period.start, period.end)
        if records.head is not None and records.head.version > 0:
            ts = Timesheet(employer_id, pa_id, period, tuple(records.versions))
        else:
            ts = rules.as_planned(employer_id, pa_id, period, [s.shift for s in records.planned], self._clock.now())
        return records, ts

    def timesheet(self, caller, employer_id: str, pa_id: str, period_start: date) -> dict:
        """The tenant check and 1 Query when the timesheet exists (it does once a shift of the period is
        planned): its head says where the period ends and whether the work is domestic service. Else
        the employer's settings too, and the draft is the plan."""
        employment, _ = access(self._directory, caller, employer_id, pa_id)
        records = self._store.period(employer_id, pa_id, period_start, period_start + timedelta(days=MAX_PERIOD_DAYS - 1))
        if records.head is not None:
            period = PayPeriod(0, records.head.period_start, records.head.period_end)
            domestic = records.head.domestic
        else:
            settings = settings_of(self._directory, employer_id)
            period = pay_period(settings, period_start)
            domestic = settings.domestic_service
            records = dataclasses.replace(records, planned=[s for s in records.planned if period.contains(s.shift.day)])
        if records.head is not None and records.head.version > 0:
            ts = Timesheet(employer_id, pa_id, period, tuple(records.versions))
        else:
            ts = rules.as_planned(employer_id, pa_id, period, [s.shift for s in records.planned], self._clock.now())
        return self._view(ts, records, employment, domestic)

    def _view(self, ts: Timesheet, records, employment, domestic: bool) -> dict:
        planned = [s.shift for s in records.planned]
        profile = worker_profile(employment, domestic)
        return {
            "employer_id": ts.employer_id, "pa_id": ts.pa_id, "pa_name": employment.pa_name,
            "period_start": ts.period.start.isoformat(), "period_end": ts.period.end.isoformat(),
            "status": ts.status.value, "version": ts.version, "hours": str(ts.current.hours),
            "shifts": [shift_view(s) for s in ts.shifts],
            "planned": [shift_view(s) for s in planned],
            "differences_from_plan": rules.differences(planned, ts.shifts),
            "contracted": hours_view(rules.timesheet_hours(ts.shifts, ts.period, employment.contracted_hours)),
            "warnings": [warning_view(w) for w in working_time_warnings(ts.shifts, profile)],
            "versions": [version_view(v) for v in ts.versions],
        }

    def step(self, caller, employer_id: str, pa_id: str, period_start: date, action: str, expected_version: int,
             shifts: list[dict] | None = None, reason: str | None = None) -> dict:
        """edit | submit | approve | return | correct, on the version the caller read."""
        employment, actor = access(self._directory, caller, employer_id, pa_id)
        settings = settings_of(self._directory, employer_id)
        period = pay_period(settings, period_start)
        records, ts = self._load(employer_id, pa_id, period)
        now = self._clock.now()
        lines = None
        if action in ("edit", "correct"):
            if shifts is None:
                raise BadRequest("Send the shifts actually worked.", code="invalid_timesheet")
            lines = [build_shift(f.get("shift_id") or f"w{n + 1}", pa_id, f) for n, f in enumerate(shifts)]
        try:
            if action == "edit":
                after = rules.edit(ts, actor, caller.user_id, now, lines, expected_version)
            elif action == "submit":
                after = rules.submit(ts, actor, caller.user_id, now, expected_version)
            elif action == "approve":
                after = rules.approve(ts, actor, caller.user_id, now, expected_version)
            elif action == "return":
                after = rules.send_back(ts, actor, caller.user_id, now, reason, expected_version)
            elif action == "correct":
                after = rules.correct(ts, actor, caller.user_id, now, lines, reason, expected_version)
            else:
                raise BadRequest(f"Unknown step {action!r}.", code="bad_request")
        except TimesheetError as exc:
            raise _error(exc) from exc
        stored = records.head.version if records.head else 0
        new = [v for v in after.versions if v.number > stored]
        entries, credit = self._credit(employment, settings, ts, after)
        due, due_on = _due(after, now.astimezone(LONDON).date())
        self._store.save_timesheet(records.head, new, employer_id, pa_id, period.start, period.end, due, due_on, entries,
                                   domestic=settings.domestic_service, purge_at=purge_mark(employment))
        view = self._view(after, records, employment, settings.domestic_service)
        view["holiday_credited"] = credit
        return view

    def _credit(self, employment, settings, before: Timesheet, after: Timesheet):
        """For an irregular-hours PA, the ledger entries an approval adds (12.07%, RULES 2.4)."""
        version = rules.credits_holiday(before, after)
        if version is None or employment.contracted_hours is not None:
            return [], None
        year = leave_year_containing(after.period.end, settings.leave_year_start)
        terms = holiday_rules.HolidayTerms(employment.start_date, None)
        try:
            holiday_rules.regime(terms, year)
        except holiday_rules.HolidayError:
            return [], None  # leave years before April 2024: not modelled (rules.holiday)
        existing = self._store.ledger(after.employer_id, after.pa_id, year.start).entries
        entries = holiday_rules.credit_approved_timesheet(existing, after.period, version.number, version.hours,
                                                          version.at.astimezone(LONDON).date())
        credited = next((e for e in entries if e.kind is holiday_rules.EntryKind.ACCRUED), None)
        return [(year.start, e) for e in entries], (None if credited is None else
                                                   {"hours": str(credited.hours), "shown": display_hours(credited.hours),
                                                    "leave_year_start": year.start.isoformat()})

    def change_pay_cycle(self, caller, employer_id: str, version: int, cycle: str, from_day: date) -> dict:
        """The employer changes the pay cycle from a date (RULES 2.1), version-checked like the other
        settings. The date starts a period of the cycle in force (none is cut short); periods before
        it stay as they were, and no timesheet from it on may be started, submitted or approved yet
        (those stay as they are: 409 naming the first). The not-yet-started timesheets from the date
        (drafts as planned) are redrawn on the new periods."""
        if require_employer(caller) != employer_id:
            raise Forbidden("You can change only your own pay cycle.", code="not_your_employer")
        settings = settings_of(self._directory, employer_id)
        require_cycle(settings)
        if settings.version != version:
            raise Conflict("Someone changed these settings since you read them. Reload them and try again.",
                           code="stale_version")
        try:
            schedule = change_cycle(cycle_of(settings), cycle, from_day)
        except PayCycleError as exc:
            raise BadRequest(str(exc), code="pay_cycle_change") from exc
        shifts, heads = self._store.employer_range(employer_id, from_day, date.max)
        started = sorted((h for h in heads if h.version > 0), key=lambda h: h.period_start)
        if started:
            h = started[0]
            name = next((s.pa_name for s in shifts if s.shift.pa_id == h.pa_id), "a PA")
            raise Conflict(f"The timesheet of {name} for {long_date(h.period_start)} to {long_date(h.period_end)} is "
                           f"{h.status.replace('_', ' ')} already: it stays as it is, so change the pay cycle from "
                           f"{long_date(h.period_end + timedelta(days=1))} or later.", code="timesheet_started",
                           details={"period_start": h.period_start.isoformat(), "pa_id": h.pa_id})
        new_cycle, new_start = schedule.current
        earlier = [f"{c.value}/{d.isoformat()}" for c, d in schedule.segments[:-1]]
        account = self._settings_store.update_settings(employer_id, version, {
            "pay_cycle": new_cycle.value, "first_period_start": new_start.isoformat(), "earlier_cycles": earlier or None})
        redrawn = {(s.shift.pa_id, p.start, p.end) for s in shifts
                   for p in [period_containing(schedule, None, s.shift.day)]}
        self._store.redraw_heads(employer_id, heads, sorted(redrawn), settings.domestic_service)
        return {"pay_cycle": new_cycle.value, "from": from_day.isoformat(),
                "version": int(account.get("settings_version") or version + 1),
                "earlier_cycles": [{"pay_cycle": c.value, "first_period_start": d.isoformat()}
                                   for c, d in schedule.segments[:-1]],
                "next_periods": [{"period_start": p.start.isoformat(), "period_end": p.end.isoformat()}
                                 for p in periods_overlapping(schedule, None, from_day, from_day + timedelta(days=62))[:3]],
                "timesheets_redrawn": len(redrawn)}

    def employer_hours(self, caller, period_start: date) -> dict:
        """Every PA's hours in a pay period against the funded hours: 1 Query + the settings."""
        employer_id = require_employer(caller)
        settings = settings_of(self._directory, employer_id)
        period = pay_period(settings, period_start)
        shifts, heads = self._store.employer_range(employer_id, period.start, period.end)
        worked: dict[str, list] = {}
        names: dict[str, str] = {}
        for s in shifts:
            worked.setdefault(s.shift.pa_id, []).append(s.shift)
            names[s.shift.pa_id] = s.pa_name
        status = {}
        for h in heads:
            if h.period_start == period.start:
                status[h.pa_id] = h.status
                if h.version > 0:  # the timesheet, not the plan
                    worked[h.pa_id] = list(h.shifts)
        every = [s for items in worked.values() for s in items]
        return {"period_start": period.start.isoformat(), "period_end": period.end.isoformat(),
                "funded": hours_view(rules.funded_hours(every, period, settings.funded_hours_per_week)),
                "pas": [{"pa_id": pa, "pa_name": names.get(pa, ""), "status": status.get(pa, "draft"),
                         "hours": str(rules.funded_hours(items, period, None).period.worked)}
                        for pa, items in sorted(worked.items())]}

    # ---------- the daily reminder job ----------

    def remind(self, at) -> dict:
        today = at.astimezone(LONDON).date()
        sent = {"pa": 0, "employer": 0, "skipped": 0}
        for who in ("pa", "employer"):
            for head in self._store.due(who, today):
                if head.reminded == who:
                    continue
                user = self._users.get(head.pa_id if who == "pa" else head.employer_id)
                if user is None or not user.active:
                    sent["skipped"] += 1
                    continue
                if not self._store.mark_reminded(head):
                    continue  # reminded already (an overlapping run), or the timesheet moved on
                try:
                    self._mailer.send(self._mail(who, user, head))
                except Exception:
                    self._store.unmark_reminded(head)  # try again on the next run
                    raise
                sent[who] += 1
        return sent

    def _mail(self, who: str, user: UserRecord, head) -> Mail:
        span = f"{long_date(head.period_start)} to {long_date(head.period_end)}"
        if who == "pa":
            return Mail(to=user.email, subject="Your timesheet is waiting to be submitted",
                        body=f"Hello {user.full_name},\n\nThe pay period {span} has ended and your timesheet for it "
                             f"has not been submitted yet. Log in at {self._login_url} to check the hours and submit it."
                             + SIGN_OFF)
        return Mail(to=user.email, subject="A timesheet is waiting for your approval",
                    body=f"Hello {user.full_name},\n\nA timesheet for the pay period {span} has been submitted and "
                         f"is waiting for your approval. Log in at {self._login_url} to approve it or send it back."
                         + SIGN_OFF)

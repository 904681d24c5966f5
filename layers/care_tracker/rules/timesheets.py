"""Timesheets (RULES 2.3): one per PA and pay period, as a pure state machine over versions.

    draft ("as planned", from the rota's shifts) --PA edits--> draft --PA submits--> submitted
    submitted --employer approves--> approved (locked)
    submitted --employer returns, with a reason--> returned --PA edits/submits--> draft/submitted
    approved --correction, with a reason--> a new version: approved at once when the employer makes
             it, submitted (for the employer to approve) when the PA does

Every step appends a version (who, when, what, why) and never changes an earlier one; each step
names the version it was made on, and a step made on any other version is stale (409 upstream).
The shifts of a version are the hours actually worked (rules.shifts.Shift; a sleep-in's
disturbances are what is paid). Hours against contracted and funded hours reuse rules.hours.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from care_tracker.rules.hours import Allowance, PeriodHours, paid_minutes_by_day, period_hours
from care_tracker.rules.pay_periods import PayPeriod
from care_tracker.rules.shifts import Shift, describe_shift, find_overlaps, long_date, minutes_to_hours, paid_minutes

REASON_MAX = 2000


class Status(str, Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


class Action(str, Enum):
    PLANNED = "planned"  # version 1: the rota's shifts, as planned
    EDITED = "edited"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"
    CORRECTED = "corrected"


class Actor(str, Enum):
    PA = "pa"
    EMPLOYER = "employer"


class TimesheetError(ValueError):
    """A step the timesheet refuses, in plain words. `kind`: "stale" (made on an old version),
    "locked" (not allowed in this status), "actor" (not this person's step), "invalid" (bad content)."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Version:
    number: int  # 1, 2, 3, ...
    action: Action
    status: Status  # the timesheet's status after this step
    shifts: tuple[Shift, ...]
    by: str  # user id of who made the step ("rota" for the planned version)
    at: datetime
    reason: str | None = None

    @property
    def paid_minutes(self) -> int:
        return sum(paid_minutes(s) for s in self.shifts)

    @property
    def hours(self) -> Decimal:
        return minutes_to_hours(self.paid_minutes)


@dataclass(frozen=True)
class Timesheet:
    employer_id: str
    pa_id: str
    period: PayPeriod
    versions: tuple[Version, ...]

    @property
    def current(self) -> Version:
        return self.versions[-1]

    @property
    def version(self) -> int:
        return self.current.number

    @property
    def status(self) -> Status:
        return self.current.status

    @property
    def shifts(self) -> tuple[Shift, ...]:
        return self.current.shifts

    def approved(self) -> list[Version]:
        """Every version that was approved (by approval or an employer's correction), oldest first."""
        return [v for v in self.versions if v.status is Status.APPROVED and v.action in (Action.APPROVED, Action.CORRECTED)]


def _check_shifts(period: PayPeriod, pa_id: str, shifts: Iterable[Shift]) -> tuple[Shift, ...]:
    shifts = tuple(sorted(shifts, key=lambda s: (s.day, s.start, s.shift_id)))
    ids = [s.shift_id for s in shifts]
    if len(set(ids)) != len(ids):
        raise TimesheetError("Each line of a timesheet needs its own id.", "invalid")
    for s in shifts:
        if s.pa_id != pa_id:
            raise TimesheetError("A timesheet holds one PA's shifts only.", "invalid")
        if not period.contains(s.day):
            raise TimesheetError(f"{describe_shift(s)[0].upper()}{describe_shift(s)[1:]} is outside this pay period "
                                 f"({long_date(period.start)} to {long_date(period.end)}).", "invalid")
    overlaps = find_overlaps(shifts)
    if overlaps:
        raise TimesheetError(overlaps[0].message, "invalid")
    return shifts


def _reason(reason: str | None, what: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise TimesheetError(f"Say why the timesheet is {what}: the reason is kept with it.", "invalid")
    if len(text) > REASON_MAX:
        raise TimesheetError(f"The reason is too long (at most {REASON_MAX} characters).", "invalid")
    return text


def as_planned(employer_id: str, pa_id: str, period: PayPeriod, planned: Iterable[Shift], at: datetime,
               by: str = "rota") -> Timesheet:
    """Version 1: a draft holding the planned shifts of the period (shifts outside it are left out)."""
    chosen = [dataclasses.replace(s, series_id=None, detached=False) for s in planned
              if s.pa_id == pa_id and period.contains(s.day)]
    return Timesheet(employer_id, pa_id, period,
                     (Version(1, Action.PLANNED, Status.DRAFT, _check_shifts(period, pa_id, chosen), by, at),))


def _step(ts: Timesheet, expected_version: int, actor: Actor, allowed: dict[Actor, set[Status]], doing: str) -> None:
    if expected_version != ts.version:
        raise TimesheetError(f"This timesheet changed since you opened it (it is now version {ts.version}, you had "
                             f"version {expected_version}): reload it and try again.", "stale")
    if actor not in allowed:
        who = "the PA" if Actor.PA in allowed else "the employer"
        raise TimesheetError(f"Only {who} can {doing} a timesheet.", "actor")
    if ts.status not in allowed[actor]:
        if ts.status is Status.APPROVED:
            raise TimesheetError("This timesheet is approved and locked: to change it, make a correction with a reason.",
                                 "locked")
        raise TimesheetError(f"A {ts.status.value} timesheet cannot be {_PAST[doing]}.", "locked")


_PAST = {"edit": "edited", "submit": "submitted", "approve": "approved", "return": "returned", "correct": "corrected"}


def _append(ts: Timesheet, action: Action, status: Status, shifts: Sequence[Shift], by: str, at: datetime,
            reason: str | None = None) -> Timesheet:
    return dataclasses.replace(ts, versions=(*ts.versions, Version(ts.version + 1, action, status, tuple(shifts), by,
                                                                   at, reason)))


def edit(ts: Timesheet, actor: Actor, by: str, at: datetime, shifts: Iterable[Shift], expected_version: int) -> Timesheet:
    """The PA records what was actually worked (the whole list of shifts) on a draft or returned one."""
    _step(ts, expected_version, actor, {Actor.PA: {Status.DRAFT, Status.RETURNED}}, "edit")
    return _append(ts, Action.EDITED, Status.DRAFT, _check_shifts(ts.period, ts.pa_id, shifts), by, at)


def submit(ts: Timesheet, actor: Actor, by: str, at: datetime, expected_version: int) -> Timesheet:
    _step(ts, expected_version, actor, {Actor.PA: {Status.DRAFT, Status.RETURNED}}, "submit")
    return _append(ts, Action.SUBMITTED, Status.SUBMITTED, ts.shifts, by, at)


def approve(ts: Timesheet, actor: Actor, by: str, at: datetime, expected_version: int) -> Timesheet:
    _step(ts, expected_version, actor, {Actor.EMPLOYER: {Status.SUBMITTED}}, "approve")
    return _append(ts, Action.APPROVED, Status.APPROVED, ts.shifts, by, at)


def send_back(ts: Timesheet, actor: Actor, by: str, at: datetime, reason: str | None, expected_version: int) -> Timesheet:
    _step(ts, expected_version, actor, {Actor.EMPLOYER: {Status.SUBMITTED}}, "return")
    return _append(ts, Action.RETURNED, Status.RETURNED, ts.shifts, by, at, _reason(reason, "sent back"))


def correct(ts: Timesheet, actor: Actor, by: str, at: datetime, shifts: Iterable[Shift], reason: str | None,
            expected_version: int) -> Timesheet:
    """A correction of an approved timesheet: approved at once when the employer makes it (they are the
    approver), submitted for approval when the PA does."""
    _step(ts, expected_version, actor, {Actor.EMPLOYER: {Status.APPROVED}, Actor.PA: {Status.APPROVED}}, "correct")
    status = Status.APPROVED if actor is Actor.EMPLOYER else Status.SUBMITTED
    return _append(ts, Action.CORRECTED, status, _check_shifts(ts.period, ts.pa_id, shifts), by, at,
                   _reason(reason, "corrected"))


def credits_holiday(before: Timesheet, after: Timesheet) -> Version | None:
    """The version whose hours are credited by this step (12.07% for irregular hours), if it approved one."""
    if after.version == before.version + 1 and after.current in after.approved():
        return after.current
    return None


# --- hours ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TimesheetHours:
    contracted: PeriodHours
    funded: PeriodHours | None  # the employer's funded hours, against every PA's hours together

    @property
    def notes(self) -> list[str]:
        return [*self.contracted.notes, *(self.funded.notes if self.funded else [])]


def timesheet_hours(shifts: Iterable[Shift], period: PayPeriod, contracted_weekly: Decimal | None) -> PeriodHours:
    """One PA's hours in the period (and each week of it) against their contracted weekly hours."""
    return period_hours(paid_minutes_by_day(shifts), period, contracted_weekly, Allowance.CONTRACTED)


def funded_hours(shifts_of_every_pa: Iterable[Shift], period: PayPeriod, funded_weekly: Decimal | None) -> PeriodHours:
    """Every PA's hours in the period together against the employer's funded weekly hours."""
    return period_hours(paid_minutes_by_day(shifts_of_every_pa), period, funded_weekly, Allowance.FUNDED)


def differences(planned: Iterable[Shift], worked: Iterable[Shift]) -> list[str]:
    """What the timesheet changed from the plan, in words (for the employer reviewing it)."""
    plan = {s.shift_id: s for s in planned}
    done = {s.shift_id: s for s in worked}
    out = []
    for sid in sorted(plan.keys() - done.keys(), key=lambda i: (plan[i].day, plan[i].start)):
        out.append(f"Not worked: {describe_shift(plan[sid])}.")
    for sid in sorted(done.keys() - plan.keys(), key=lambda i: (done[i].day, done[i].start)):
        out.append(f"Added: {describe_shift(done[sid])}.")
    for sid in sorted(plan.keys() & done.keys(), key=lambda i: (done[i].day, done[i].start)):
        a, b = plan[sid], done[sid]
        if (a.day, a.start, a.end, a.kind, a.breaks, a.disturbances) != (b.day, b.start, b.end, b.kind, b.breaks,
                                                                           b.disturbances):
            out.append(f"Changed: {describe_shift(a)} became {describe_shift(b)}.")
    return out


def period_ended(period: PayPeriod, today: date) -> bool:
    return today > period.end

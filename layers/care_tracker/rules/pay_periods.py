"""The employer's pay cycle and leave years (RULES 2.1), as pure functions of dates.

Pay periods run back-to-back from the employer's first period start, forwards and backwards
(a date before the first start still has a period, with a negative index). Weekly, two-weekly and
four-weekly periods are 7, 14 and 28 days. Monthly periods start on the first start's day of the
month; in a month too short for that day they start on its last day (a cycle anchored on the 31st
starts on 28 or 29 February, 30 April and 31 May), so every period is one calendar month long
give or take the clamping and none is skipped.

A change of pay cycle from a date (RULES 2.1: weekly, 2-weekly, 4-weekly or monthly) makes a
PaySchedule: the earlier cycle's periods up to the day before, the new one's from that date (its
first start). The date must be the start of a period of the cycle it replaces, so no period is cut
short and every period before it stays as it was. Each function below takes a PaySchedule in place
of a cycle (its `first_start` is then not used).

Leave years start on a (month, day) each year, 1 April by default; a 29 February start is
clamped to 28 February in other years.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum


class PayCycle(str, Enum):
    WEEKLY = "weekly"
    TWO_WEEKLY = "two_weekly"
    FOUR_WEEKLY = "four_weekly"
    MONTHLY = "monthly"


CYCLE_DAYS = {PayCycle.WEEKLY: 7, PayCycle.TWO_WEEKLY: 14, PayCycle.FOUR_WEEKLY: 28}
DEFAULT_LEAVE_YEAR_START = (4, 1)


@dataclass(frozen=True)
class PayPeriod:
    index: int  # 0 is the period starting on the first period start
    start: date
    end: date  # the last day inside the period

    @property
    def period_id(self) -> str:
        """The period's stable name: its start date, ISO."""
        return self.start.isoformat()

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end


def add_months(anchor: date, months: int) -> date:
    """The same day of the month `months` later (or earlier), clamped to the month's last day."""
    total = anchor.year * 12 + anchor.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))


class PayCycleError(ValueError):
    """A change of pay cycle that would cut a period short, or go back before the last change."""


@dataclass(frozen=True)
class PaySchedule:
    """Pay cycles over time: (cycle, first start) segments by start; each runs from its first start
    (the first one also before it) to the day before the next one's."""

    segments: tuple[tuple[PayCycle, date], ...]

    def __post_init__(self) -> None:
        if not self.segments:
            raise PayCycleError("A pay schedule has at least one cycle.")
        object.__setattr__(self, "segments", tuple((PayCycle(c), d) for c, d in self.segments))
        for (c0, d0), (_c1, d1) in zip(self.segments, self.segments[1:], strict=False):
            if d1 <= d0 or period_containing(c0, d0, d1).start != d1:
                raise PayCycleError("Each change of pay cycle starts at the start of a period of the cycle before it.")

    @property
    def current(self) -> tuple[PayCycle, date]:
        return self.segments[-1]

    def segment_for(self, d: date) -> tuple[PayCycle, date, date | None]:
        """The (cycle, first start) in force on `d`, and the day its successor starts (None: the last)."""
        for k in range(len(self.segments) - 1, -1, -1):
            if k == 0 or self.segments[k][1] <= d:
                after = self.segments[k + 1][1] if k + 1 < len(self.segments) else None
                return self.segments[k][0], self.segments[k][1], after
        raise AssertionError("unreachable")


Cycle = PayCycle | str | PaySchedule


def _long(d: date) -> str:
    return f"{d:%A} {d.day} {d:%B %Y}"


def change_cycle(schedule: PaySchedule, cycle: PayCycle | str, from_day: date) -> PaySchedule:
    """The schedule with `cycle` from `from_day`: a period start of the cycle then in force, and not
    before the last change (a change on the same day replaces it); the first cycle's periods before
    the date stay as they were."""
    cycle = PayCycle(cycle)
    last_cycle, last_start = schedule.current
    if from_day < last_start and len(schedule.segments) > 1:
        raise PayCycleError(f"The pay cycle was last changed from {_long(last_start)}: change it from then or later.")
    period = period_containing(last_cycle, last_start, from_day)
    if period.start != from_day:
        following = period_by_index(last_cycle, last_start, period.index + 1).start
        raise PayCycleError(f"{_long(from_day)} is inside the pay period {_long(period.start)} to {_long(period.end)}: "
                            f"change the pay cycle from the first day of a pay period, like {_long(period.start)} or "
                            f"{_long(following)}.")
    kept = tuple(seg for seg in schedule.segments if seg[1] < from_day)
    if not kept:  # on or before the first cycle's first start (periods run backwards from it): anchor it
        # earlier, on a period start not clamped to a short month's end (a monthly cycle keeps its day)
        index = period.index - 1
        while period_by_index(last_cycle, last_start, index).start.day != last_start.day:
            index -= 1
        kept = ((last_cycle, period_by_index(last_cycle, last_start, index).start),)
    if kept and kept[-1][0] is cycle:
        raise PayCycleError("The pay cycle is that already.")
    return PaySchedule((*kept, (cycle, from_day)))


def period_by_index(cycle: PayCycle | str, first_start: date, index: int) -> PayPeriod:
    cycle = PayCycle(cycle)
    if cycle is PayCycle.MONTHLY:
        start, after = add_months(first_start, index), add_months(first_start, index + 1)
    else:
        length = CYCLE_DAYS[cycle]
        start = first_start + timedelta(days=length * index)
        after = start + timedelta(days=length)
    return PayPeriod(index, start, after - timedelta(days=1))


def period_containing(cycle: Cycle, first_start: date | None, d: date) -> PayPeriod:
    if isinstance(cycle, PaySchedule):
        segment, first_start, _after = cycle.segment_for(d)
        return period_containing(segment, first_start, d)
    cycle = PayCycle(cycle)
    if cycle is PayCycle.MONTHLY:
        index = (d.year - first_start.year) * 12 + d.month - first_start.month
        # the period starting in d's month may start after d (then d is in the one before)
        if add_months(first_start, index) > d:
            index -= 1
    else:
        index = (d - first_start).days // CYCLE_DAYS[cycle]
    return period_by_index(cycle, first_start, index)


def periods_overlapping(cycle: Cycle, first_start: date | None, first_day: date, last_day: date) -> list[PayPeriod]:
    """Every period with at least one day in first_day..last_day (inclusive), in order."""
    if last_day < first_day:
        return []
    if isinstance(cycle, PaySchedule):
        out: list[PayPeriod] = []
        day = first_day
        while day <= last_day:
            segment, start, after = cycle.segment_for(day)
            until = last_day if after is None else min(last_day, after - timedelta(days=1))
            out += periods_overlapping(segment, start, day, until)
            day = until + timedelta(days=1)
        return out
    period = period_containing(cycle, first_start, first_day)
    out = [period]
    while period.end < last_day:
        period = period_by_index(cycle, first_start, period.index + 1)
        out.append(period)
    return out


@dataclass(frozen=True)
class LeaveYear:
    start: date
    end: date  # the last day inside

    @property
    def year_id(self) -> str:
        return self.start.isoformat()

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end


def _leave_year_start_in(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def leave_year_containing(d: date, start: tuple[int, int] = DEFAULT_LEAVE_YEAR_START) -> LeaveYear:
    month, day = start
    date(2024, month, day)  # a real (month, day), else ValueError
    begin = _leave_year_start_in(d.year, month, day)
    if begin > d:
        begin = _leave_year_start_in(d.year - 1, month, day)
    after = _leave_year_start_in(begin.year + 1, month, day)
    return LeaveYear(begin, after - timedelta(days=1))


def next_leave_year(year: LeaveYear, start: tuple[int, int] = DEFAULT_LEAVE_YEAR_START) -> LeaveYear:
    return leave_year_containing(year.end + timedelta(days=1), start)

"""The employer's pay cycle and leave years (RULES 2.1), as pure functions of dates.

Pay periods run back-to-back from the employer's first period start, forwards and backwards
(a date before the first start still has a period, with a negative index). Weekly, two-weekly and
four-weekly periods are 7, 14 and 28 days. Monthly periods start on the first start's day of the
month; in a month too short for that day they start on its last day (a cycle anchored on the 31st
starts on 28 or 29 February, 30 April and 31 May), so every period is one calendar month long
give or take the clamping and none is skipped.

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


def period_by_index(cycle: PayCycle | str, first_start: date, index: int) -> PayPeriod:
    cycle = PayCycle(cycle)
    if cycle is PayCycle.MONTHLY:
        start, after = add_months(first_start, index), add_months(first_start, index + 1)
    else:
        length = CYCLE_DAYS[cycle]
        start = first_start + timedelta(days=length * index)
        after = start + timedelta(days=length)
    return PayPeriod(index, start, after - timedelta(days=1))


def period_containing(cycle: PayCycle | str, first_start: date, d: date) -> PayPeriod:
    cycle = PayCycle(cycle)
    if cycle is PayCycle.MONTHLY:
        index = (d.year - first_start.year) * 12 + d.month - first_start.month
        # the period starting in d's month may start after d (then d is in the one before)
        if add_months(first_start, index) > d:
            index -= 1
    else:
        index = (d - first_start).days // CYCLE_DAYS[cycle]
    return period_by_index(cycle, first_start, index)


def periods_overlapping(cycle: PayCycle | str, first_start: date, first_day: date, last_day: date) -> list[PayPeriod]:
    """Every period with at least one day in first_day..last_day (inclusive), in order."""
    if last_day < first_day:
        return []
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

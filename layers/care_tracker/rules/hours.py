"""Hours worked against contracted and funded hours (RULES 2.3), per week and per pay period.

Contracted hours are one PA's; funded hours are the employer's for all their PAs together, so
callers pass one PA's minutes for the first and the sum over PAs for the second. Weeks run Monday
to Sunday. A week cut by the start or end of a pay period is compared pro rata (weekly hours x
days / 7), so the weeks and the period tell the same story. A shift's minutes count on the day it
starts. Comparisons are exact (minutes x 7 against weekly hours x days x 60); only the hours in the
figures are rounded (ROUND_HALF_UP at 4 places), and the notes show 2 places.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from care_tracker.rules.pay_periods import PayPeriod
from care_tracker.rules.shifts import Shift, long_date, minutes_to_hours, paid_minutes

PLACES = Decimal("0.0001")


class Allowance(str, Enum):
    CONTRACTED = "contracted"
    FUNDED = "funded"


@dataclass(frozen=True)
class HoursComparison:
    start: date
    end: date  # last day inside
    allowance: Allowance
    worked: Decimal  # hours
    allowed: Decimal | None  # the weekly allowance pro rata for these days; None = none set
    over_by: Decimal  # hours over the allowance, 0 when not over
    note: str | None  # plain words when over

    @property
    def is_over(self) -> bool:
        # from the exact comparison: a few seconds over can round to an over_by of 0.0000
        return self.note is not None


@dataclass(frozen=True)
class PeriodHours:
    period: HoursComparison
    weeks: tuple[HoursComparison, ...]

    @property
    def notes(self) -> list[str]:
        return [c.note for c in (*self.weeks, self.period) if c.note]


def display_hours(hours: Decimal) -> str:
    """Hours for people: 2 places, half up ("11.6476" -> "11.65")."""
    return str(Decimal(hours).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def paid_minutes_by_day(shifts: Iterable[Shift]) -> dict[date, int]:
    out: dict[date, int] = {}
    for s in shifts:
        out[s.day] = out.get(s.day, 0) + paid_minutes(s)
    return out


def week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def compare_hours(start: date, end: date, worked_minutes: int, weekly_hours: Decimal | None,
                  allowance: Allowance | str, span_words: str | None = None) -> HoursComparison:
    """`worked_minutes` over the days start..end against `weekly_hours` pro rata."""
    allowance = Allowance(allowance)
    days = (end - start).days + 1
    worked = minutes_to_hours(worked_minutes)
    if weekly_hours is None:
        return HoursComparison(start, end, allowance, worked, None, Decimal(0), None)
    weekly_hours = Decimal(weekly_hours)
    allowed_exact = weekly_hours * days / 7
    allowed = allowed_exact.quantize(PLACES, rounding=ROUND_HALF_UP)
    over = Decimal(worked_minutes) * 7 > weekly_hours * days * 60
    over_by = (Decimal(worked_minutes) / 60 - allowed_exact).quantize(PLACES, rounding=ROUND_HALF_UP) if over else Decimal(0)
    note = None
    if over:
        span_words = span_words or f"{long_date(start)} to {long_date(end)}"
        note = (f"{display_hours(worked)} hours worked in {span_words}: {display_hours(over_by)} over the "
                f"{display_hours(allowed)} {allowance.value} hours.")
    return HoursComparison(start, end, allowance, worked, allowed, over_by, note)


def period_hours(minutes_by_day: Mapping[date, int], period: PayPeriod, weekly_hours: Decimal | None,
                 allowance: Allowance | str) -> PeriodHours:
    """The period and each Monday-to-Sunday week in it (cut at the period's ends)."""
    def total(a: date, b: date) -> int:
        return sum(m for d, m in minutes_by_day.items() if a <= d <= b)

    weeks = []
    day = period.start
    while day <= period.end:
        last = min(week_start(day) + timedelta(days=6), period.end)
        days = (last - day).days + 1
        words = f"the week of {long_date(week_start(day))}" + ("" if days == 7 else f" ({days} days in this pay period)")
        weeks.append(compare_hours(day, last, total(day, last), weekly_hours, allowance, words))
        day = last + timedelta(days=1)
    whole = compare_hours(period.start, period.end, total(period.start, period.end), weekly_hours, allowance,
                          f"the pay period {long_date(period.start)} to {long_date(period.end)}")
    return PeriodHours(whole, tuple(weeks))

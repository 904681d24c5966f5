"""The monthly reporting window (RULES 1.4), as pure functions of plain data.

Each month's window opens at 00:00 Europe/London on the 8th and runs to the end of
the 14th, or, if the 14th is not a working day, to the end of the next working day.
No clock reads and no I/O: callers pass the instant they care about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

OPENS_ON_DAY = 8
CLOSES_ON_DAY = 14
MIN_YEAR, MAX_YEAR = 2000, 2100

_PERIOD = re.compile(r"([0-9]{4})-([0-9]{2})")


@dataclass(frozen=True)
class ReportingWindow:
    period: str  # "YYYY-MM"
    year: int
    month: int
    first_day: date  # first local date inside the window
    last_day: date  # last local date inside the window
    opens_at: datetime  # first instant inside (aware, Europe/London)
    closes_at: datetime  # first instant after: 00:00 London the day after last_day

    def contains(self, instant: datetime) -> bool:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError("instant must be timezone-aware")
        # Compare in UTC: Python compares two datetimes sharing a tzinfo by wall
        # clock alone, which would be wrong for an ambiguous autumn hour.
        utc = instant.astimezone(timezone.utc)
        return self.opens_at <= utc < self.closes_at

    def as_dict(self) -> dict[str, str]:
        """The `GET /windows/{YYYY-MM}` body (API.md)."""
        return {
            "period": self.period,
            "opens_at": self.opens_at.isoformat(),
            "closes_at": self.closes_at.isoformat(),
            "last_day": self.last_day.isoformat(),
        }


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    # Imported lazily: `holidays` costs ~60 ms to import and API cold starts matter.
    import holidays

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(d: date) -> bool:
    """Monday to Friday and not a bank holiday in England."""
    return d.weekday() < 5 and d not in _bank_holidays(d.year)


def _window_extends_past(fourteenth: date) -> bool:
    # THE POLICY LINE. RULES 1.4 follows the legal notice ("a weekend or public
    # holiday"), so a Saturday 14th extends the window too (September 2024 ran 8-16).
    # The seed FAQ's reading ("a Sunday or Bank Holiday") would be:
    #   return fourteenth.weekday() == 6 or fourteenth in _bank_holidays(fourteenth.year)
    return not is_working_day(fourteenth)


def _next_working_day_after(d: date) -> date:
    d += timedelta(days=1)
    while not is_working_day(d):
        d += timedelta(days=1)
    return d


def _local_midnight(d: date) -> datetime:
    # UK clocks change at 01:00 UTC, never at local midnight, so midnight always
    # exists exactly once and needs no fold handling.
    return datetime.combine(d, time(0), tzinfo=LONDON)


def reporting_window(year: int, month: int) -> ReportingWindow:
    first_day = date(year, month, OPENS_ON_DAY)
    fourteenth = date(year, month, CLOSES_ON_DAY)
    if _window_extends_past(fourteenth):
        last_day = _next_working_day_after(fourteenth)
    else:
        last_day = fourteenth
    return ReportingWindow(
        period=f"{year:04d}-{month:02d}",
        year=year,
        month=month,
        first_day=first_day,
        last_day=last_day,
        opens_at=_local_midnight(first_day),
        closes_at=_local_midnight(last_day + timedelta(days=1)),
    )


def parse_period(text: str) -> tuple[int, int]:
    """'YYYY-MM' -> (year, month); ValueError with a readable message otherwise."""
    match = _PERIOD.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"period must look like YYYY-MM (e.g. 2024-09), got {text!r}")
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 01 to 12, got {match[2]!r}")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year must be {MIN_YEAR} to {MAX_YEAR}, got {year}")
    return year, month


def window_for_period(period: str) -> ReportingWindow:
    return reporting_window(*parse_period(period))


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def next_period(period: str) -> str:
    year, month = _add_months(*parse_period(period), 1)
    return f"{year:04d}-{month:02d}"


def previous_period(period: str) -> str:
    year, month = _add_months(*parse_period(period), -1)
    return f"{year:04d}-{month:02d}"


def window_in_force_or_next(instant: datetime) -> ReportingWindow:
    """The window containing `instant`, else the next one to open."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instant must be timezone-aware")
    local = instant.astimezone(LONDON)
    # A window never spills into the next month (it ends by about the 20th), so
    # only this month's or next month's window can be the answer.
    window = reporting_window(local.year, local.month)
    if instant.astimezone(timezone.utc) < window.closes_at:
        return window  # open now, or opens later this month
    return reporting_window(*_add_months(local.year, local.month, 1))


def previous_window(instant: datetime) -> ReportingWindow:
    """The most recent window that has fully closed by `instant`."""
    current = window_in_force_or_next(instant)
    return reporting_window(*_add_months(current.year, current.month, -1))

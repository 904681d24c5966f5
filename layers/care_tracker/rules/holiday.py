"""Holiday entitlement and the holiday ledger (RULES 2.4), in hours, as pure functions.

Regular hours (a PA with contracted weekly hours): 5.6 weeks a leave year at the contracted
weekly hours (WTR 1998 reg 13(1) 4 weeks + reg 13A(2) 1.6 weeks: 10 h a week -> 56 h), at most 28
days (reg 13A(3)). The ledger is in hours, so a "day" for the cap is the contracted weekly hours
divided by the days worked a week (5 unless the caller knows better): the cap only bites for
PAs working more than 5 days a week (6 days of 6 h: 5.6 x 36 = 201.6 h, capped at 28 x 6 = 168 h).
In the first leave year of employment 1/12 of the year's entitlement accrues on the start date and
on the same day of each later month of that leave year (RULES 2.4; WTR reg 15A). Starting part
way through a leave year therefore gives a twelfth for each month left, i.e. pro rata. The figures
stay in exact hours: reg 15A(2)'s rounding of part days applies to days, not kept here.

Irregular-hours and part-year PAs (leave years starting on or after 1 April 2024, reg 15B):
12.07% of the hours worked in each pay period, credited when the period's timesheet is approved;
the period belongs to the leave year its last day falls in. Rolled-up holiday pay (reg 16A) is
12.07% of the period's pay, a line of its own. Leave years before 1 April 2024 are refused for
these PAs: the old 52-week rules are not modelled.

Precision: holiday hours are stored at 4 decimal places, ROUND_HALF_UP, once per figure (96.50 h
x 12.07% = 11.64755 -> 11.6476; shown as 11.65). Sums of stored figures are exact. Money is pence,
ROUND_HALF_UP. Monthly twelfths are cut so that they add up exactly to the rounded year.

The ledger is a list of entries per PA and leave year; every change appends entries (a correction
appends the reversal of the old accrual and the new accrual) and ids are deterministic, so the
same approval applied twice appends nothing.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from care_tracker.rules.hours import display_hours
from care_tracker.rules.pay_periods import (
    LeaveYear,
    PayCycle,
    PayPeriod,
    add_months,
    period_containing,
    periods_overlapping,
)
from care_tracker.rules.shifts import long_date

ACCRUAL_RATE = Decimal("0.1207")  # 5.6 / 46.4, as reg 15B(3) states it
STATUTORY_WEEKS = Decimal("5.6")
MAX_DAYS = 28
IRREGULAR_RULES_FROM = date(2024, 4, 1)
STORED = Decimal("0.0001")
PENCE = Decimal("0.01")


class HolidayError(ValueError):
    """A holiday figure that cannot be worked out, with the reason in plain words."""


class Regime(str, Enum):
    REGULAR = "regular"  # 5.6 weeks pro rata
    IRREGULAR = "irregular"  # 12.07% of hours worked per pay period


@dataclass(frozen=True)
class HolidayTerms:
    start_date: date  # of the employment
    contracted_weekly_hours: Decimal | None  # None = irregular hours
    part_year: bool = False  # works only part of the year (reg 15B applies)
    days_per_week: Decimal = Decimal(5)  # for the 28-day cap


def _stored(x: Decimal) -> Decimal:
    return x.quantize(STORED, rounding=ROUND_HALF_UP)


def regime(terms: HolidayTerms, leave_year: LeaveYear) -> Regime:
    if terms.contracted_weekly_hours is not None and not terms.part_year:
        return Regime.REGULAR
    if leave_year.start < IRREGULAR_RULES_FROM:
        raise HolidayError("Holiday for irregular-hours and part-year workers is worked out here only for leave "
                           "years starting on or after 1 April 2024.")
    return Regime.IRREGULAR


def annual_entitlement_hours(contracted_weekly_hours: Decimal, days_per_week: Decimal = Decimal(5)) -> Decimal:
    """5.6 weeks at the contracted hours, capped at 28 days of (weekly hours / days a week)."""
    weekly, days = Decimal(contracted_weekly_hours), Decimal(days_per_week)
    if weekly < 0 or not 0 < days <= 7:
        raise HolidayError("Contracted hours cannot be negative, and a week has 1 to 7 working days.")
    return _stored(min(STATUTORY_WEEKS * weekly, MAX_DAYS * weekly / days))


def irregular_accrual(hours_worked: Decimal) -> Decimal:
    """12.07% of a pay period's hours worked, stored at 4 places (96.50 -> 11.6476)."""
    if hours_worked < 0:
        raise HolidayError("Hours worked cannot be negative.")
    return _stored(Decimal(hours_worked) * ACCRUAL_RATE)


def rolled_up_holiday_pay(pay: Decimal) -> Decimal:
    """Reg 16A: 12.07% of the period's pay, in pence, shown as its own line on the payslip."""
    if pay < 0:
        raise HolidayError("Pay cannot be negative.")
    return (Decimal(pay) * ACCRUAL_RATE).quantize(PENCE, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RolledUpPayLine:
    period_start: date
    pay: Decimal
    holiday_pay: Decimal
    label: str = "Holiday pay (12.07% rolled up, WTR reg 16A)"


def rolled_up_pay_line(terms: HolidayTerms, leave_year: LeaveYear, period: PayPeriod, pay: Decimal) -> RolledUpPayLine:
    if regime(terms, leave_year) is not Regime.IRREGULAR:
        raise HolidayError("Rolled-up holiday pay is only for irregular-hours and part-year workers.")
    return RolledUpPayLine(period.start, Decimal(pay), rolled_up_holiday_pay(pay))


def regular_accrual_schedule(terms: HolidayTerms, leave_year: LeaveYear) -> list[tuple[date, Decimal]]:
    """(date, hours) credits of a regular-hours PA in a leave year: the whole year on its first day,
    or in the leave year the employment starts, twelfths on the start date's day of each month."""
    if terms.contracted_weekly_hours is None:
        raise HolidayError("A PA on irregular hours accrues from timesheets, not a schedule.")
    annual = annual_entitlement_hours(terms.contracted_weekly_hours, terms.days_per_week)
    if terms.start_date > leave_year.end:
        return []
    if terms.start_date <= leave_year.start and not leave_year.contains(terms.start_date):
        return [(leave_year.start, annual)]
    out, before = [], Decimal(0)
    for k in range(12):
        on = add_months(terms.start_date, k)
        if on > leave_year.end:
            break
        upto = _stored(annual * (k + 1) / 12)
        out.append((on, upto - before))
        before = upto
    return out


@dataclass(frozen=True)
class ApprovedPeriod:
    """The hours of one approved timesheet version, for 12.07% accrual."""

    period: PayPeriod
    version: int
    hours_worked: Decimal
    approved_on: date


def holiday_accrued(terms: HolidayTerms, leave_year: LeaveYear, on: date,
                    approved: Iterable[ApprovedPeriod] = ()) -> Decimal:
    """Hours of holiday accrued in `leave_year` by the end of `on` (excluding anything brought
    forward). Regular hours: the schedule. Irregular/part-year: 12.07% of the latest approved version
    of each pay period ending in the leave year, approved on or before `on`."""
    if regime(terms, leave_year) is Regime.REGULAR:
        return sum((h for d, h in regular_accrual_schedule(terms, leave_year) if d <= on), Decimal(0))
    latest: dict[date, ApprovedPeriod] = {}
    for a in approved:
        if leave_year.contains(a.period.end) and a.approved_on <= on:
            kept = latest.get(a.period.start)
            if kept is None or a.version > kept.version:
                latest[a.period.start] = a
    return sum((irregular_accrual(a.hours_worked) for a in latest.values()), Decimal(0))


# --- the ledger ----------------------------------------------------------------------------------

class EntryKind(str, Enum):
    BROUGHT_FORWARD = "brought_forward"
    ACCRUED = "accrued"
    REVERSED = "reversed"  # an accrual undone by a correction of its timesheet
    TAKEN = "taken"
    CANCELLED = "cancelled"  # holiday booked, then cancelled: hours back


@dataclass(frozen=True)
class LedgerEntry:
    entry_id: str  # deterministic, so applying the same change twice appends nothing
    kind: EntryKind
    on: date  # when it takes effect
    period_start: date  # the pay period it is itemised under
    hours: Decimal  # signed: + adds to the balance, - takes away
    note: str
    source: str | None = None  # the timesheet version or booking it came from


def balance(entries: Iterable[LedgerEntry], on: date | None = None) -> Decimal:
    return sum((e.hours for e in entries if on is None or e.on <= on), Decimal(0))


def _append(entries: Sequence[LedgerEntry], new: list[LedgerEntry]) -> list[LedgerEntry]:
    ids = {e.entry_id for e in entries}
    return [e for e in new if e.entry_id not in ids]


def brought_forward_entry(leave_year: LeaveYear, hours: Decimal, first_period: PayPeriod) -> LedgerEntry:
    """The balance carried from the previous leave year. How much may be carried is the
    employer's contract and the regulations' to say (reg 13(9)-(16)); the caller passes it."""
    return LedgerEntry(f"brought_forward:{leave_year.year_id}", EntryKind.BROUGHT_FORWARD, leave_year.start,
                       first_period.start, Decimal(hours), "Balance brought forward from the last leave year")


def regular_accrual_entries(terms: HolidayTerms, leave_year: LeaveYear, cycle: PayCycle | str,
                            first_period_start: date) -> list[LedgerEntry]:
    schedule = regular_accrual_schedule(terms, leave_year)
    if not schedule:
        return []
    periods = periods_overlapping(cycle, first_period_start, schedule[0][0], schedule[-1][0])
    out = []
    for n, (on, hours) in enumerate(schedule):
        period = next(p for p in periods if p.contains(on))
        words = "this leave year's holiday" if len(schedule) == 1 and on == leave_year.start else \
            f"one twelfth of the year's holiday (month {n + 1})"
        out.append(LedgerEntry(f"accrued:{leave_year.year_id}:{on.isoformat()}", EntryKind.ACCRUED, on, period.start,
                               hours, f"Accrued on {long_date(on)}: {words}"))
    return out


def credit_approved_timesheet(entries: Sequence[LedgerEntry], period: PayPeriod, version: int,
                              hours_worked: Decimal, approved_on: date) -> list[LedgerEntry]:
    """The entries to append when a timesheet version is approved (irregular/part-year PAs): the
    12.07% accrual, and first the reversal of the accrual of an earlier approved version."""
    new_id = f"accrued:{period.period_id}:v{version}"
    if any(e.entry_id == new_id for e in entries):
        return []
    ids = {e.entry_id for e in entries}
    live = [e for e in entries if e.kind is EntryKind.ACCRUED and e.entry_id.startswith(f"accrued:{period.period_id}:v")
            and f"reversed:{e.entry_id}" not in ids]
    out = []
    for old in live:
        out.append(LedgerEntry(f"reversed:{old.entry_id}", EntryKind.REVERSED, approved_on, period.start, -old.hours,
                               f"Reversed on {long_date(approved_on)}: the timesheet was corrected", old.source))
    hours = irregular_accrual(hours_worked)
    out.append(LedgerEntry(new_id, EntryKind.ACCRUED, approved_on, period.start, hours,
                           f"12.07% of {display_hours(hours_worked)} hours worked in the pay period from "
                           f"{long_date(period.start)} (timesheet version {version})", f"v{version}"))
    return _append(entries, out)


@dataclass(frozen=True)
class Booking:
    entry: LedgerEntry
    balance_after: Decimal
    warning: str | None  # booking beyond the balance is allowed, with this warning


def book_holiday(entries: Sequence[LedgerEntry], booking_id: str, first_day: date, hours: Decimal,
                 period: PayPeriod) -> Booking:
    """Holiday taken from `first_day` (itemised in `period`). Never refused for the balance: a
    booking beyond it comes with a warning saying by how much."""
    if hours <= 0:
        raise HolidayError("Holiday booked must be more than 0 hours.")
    available = balance(entries)
    entry = LedgerEntry(f"taken:{booking_id}", EntryKind.TAKEN, first_day, period.start, -Decimal(hours),
                        f"Holiday from {long_date(first_day)}: {display_hours(hours)} hours", booking_id)
    after = available - Decimal(hours)
    warning = None
    if after < 0:
        warning = (f"This holiday of {display_hours(hours)} hours is more than the {display_hours(available)} hours "
                   f"left this leave year, by {display_hours(-after)} hours.")
    return Booking(entry, after, warning)


def cancel_holiday(entries: Sequence[LedgerEntry], booking_id: str, on: date) -> list[LedgerEntry]:
    taken = next((e for e in entries if e.entry_id == f"taken:{booking_id}"), None)
    if taken is None:
        raise HolidayError("That holiday is not in this leave year's record.")
    return _append(entries, [LedgerEntry(f"cancelled:{booking_id}", EntryKind.CANCELLED, on, taken.period_start,
                                         -taken.hours, f"Holiday from {long_date(taken.on)} cancelled", booking_id)])


# --- the statement: itemised per pay period ------------------------------------------------------

@dataclass(frozen=True)
class LedgerRow:
    period: PayPeriod
    brought_forward: Decimal
    accrued: Decimal  # net of reversals
    taken: Decimal  # net of cancellations, as a positive number
    carried_forward: Decimal
    entries: tuple[LedgerEntry, ...]


@dataclass(frozen=True)
class LedgerStatement:
    leave_year: LeaveYear
    brought_forward: Decimal
    accrued: Decimal
    taken: Decimal
    carried_forward: Decimal
    rows: tuple[LedgerRow, ...]


def ledger_statement(entries: Iterable[LedgerEntry], leave_year: LeaveYear, cycle: PayCycle | str,
                     first_period_start: date, as_of: date | None = None) -> LedgerStatement:
    """One row per pay period overlapping the leave year (and any period an entry is itemised
    under); entries dated after `as_of` (future monthly accruals, holiday booked ahead) are left out."""
    chosen = [e for e in entries if as_of is None or e.on <= as_of]
    periods = {p.start: p for p in periods_overlapping(cycle, first_period_start, leave_year.start, leave_year.end)}
    for e in chosen:
        if e.period_start not in periods:
            p = period_containing(cycle, first_period_start, e.period_start)
            if p.start != e.period_start:
                raise HolidayError("A holiday entry is filed under a date that does not start a pay period.")
            periods[p.start] = p
    by_period: dict[date, list[LedgerEntry]] = {}
    for e in chosen:
        by_period.setdefault(e.period_start, []).append(e)
    rows, running = [], Decimal(0)
    opening = Decimal(0)
    for start in sorted(periods):
        items = sorted(by_period.get(start, []), key=lambda e: (e.on, e.entry_id))
        bf = sum((e.hours for e in items if e.kind is EntryKind.BROUGHT_FORWARD), Decimal(0))
        opening += bf
        accrued = sum((e.hours for e in items if e.kind in (EntryKind.ACCRUED, EntryKind.REVERSED)), Decimal(0))
        taken = -sum((e.hours for e in items if e.kind in (EntryKind.TAKEN, EntryKind.CANCELLED)), Decimal(0))
        before = running + bf
        running = before + accrued - taken
        rows.append(LedgerRow(periods[start], before, accrued, taken, running, tuple(items)))
    return LedgerStatement(leave_year, opening, sum((r.accrued for r in rows), Decimal(0)),
                           sum((r.taken for r in rows), Decimal(0)), running, tuple(rows))

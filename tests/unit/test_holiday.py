"""Holiday (RULES 2.4): RULES' worked examples, and the ledger against an independent model that
uses Fractions and walks the events itself."""

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from care_tracker.rules.holiday import (
    ApprovedPeriod,
    EntryKind,
    HolidayError,
    HolidayTerms,
    annual_entitlement_hours,
    balance,
    book_holiday,
    brought_forward_entry,
    cancel_holiday,
    credit_approved_timesheet,
    holiday_accrued,
    irregular_accrual,
    ledger_statement,
    regime,
    regular_accrual_entries,
    regular_accrual_schedule,
    rolled_up_holiday_pay,
    rolled_up_pay_line,
)
from care_tracker.rules.hours import display_hours
from care_tracker.rules.pay_periods import leave_year_containing, period_by_index, period_containing

Y25 = leave_year_containing(date(2025, 4, 1))  # 1 April 2025 - 31 March 2026
IRREGULAR = HolidayTerms(date(2024, 1, 8), None)
FIRST = date(2025, 3, 31)  # two-weekly from a Monday


def round4(x: Fraction) -> Fraction:
    """Half up at 4 places, for x >= 0, without Decimal."""
    scaled = x * 10000
    whole = scaled.numerator // scaled.denominator
    return Fraction(whole + (1 if scaled - whole >= Fraction(1, 2) else 0), 10000)


# --- worked examples -----------------------------------------------------------------------------

def test_rules_worked_examples():
    assert annual_entitlement_hours(Decimal("10")) == Decimal("56.0000")
    assert irregular_accrual(Decimal("96.50")) == Decimal("11.6476")
    assert display_hours(irregular_accrual(Decimal("96.50"))) == "11.65"


def test_the_28_day_cap_bites_only_beyond_5_days_a_week():
    assert annual_entitlement_hours(Decimal("40")) == Decimal("224.0000")  # 28 days of 8 h
    assert annual_entitlement_hours(Decimal("36"), Decimal(6)) == Decimal("168.0000")  # not 201.6
    assert annual_entitlement_hours(Decimal("37.5"), Decimal(7)) == Decimal("150.0000")
    with pytest.raises(HolidayError):
        annual_entitlement_hours(Decimal("10"), Decimal(0))


def test_first_leave_year_accrues_a_twelfth_each_month_from_the_start_date():
    terms = HolidayTerms(date(2025, 10, 1), Decimal("10"))
    schedule = regular_accrual_schedule(terms, Y25)
    assert [d for d, _ in schedule] == [date(2025, m, 1) for m in (10, 11, 12)] + [date(2026, m, 1) for m in (1, 2, 3)]
    assert [h for _, h in schedule][:3] == [Decimal("4.6667"), Decimal("4.6666"), Decimal("4.6667")]
    assert sum(h for _, h in schedule) == Decimal("28.0000")  # half the year: half of 56 h
    assert holiday_accrued(terms, Y25, date(2025, 11, 30)) == Decimal("9.3333")
    assert holiday_accrued(terms, Y25, date(2025, 9, 30)) == 0
    # the next leave year: all of it on its first day
    nxt = leave_year_containing(date(2026, 4, 1))
    assert regular_accrual_schedule(terms, nxt) == [(date(2026, 4, 1), Decimal("56.0000"))]
    # a start on the 31st: the twelfths fall on each month's last day
    late = regular_accrual_schedule(HolidayTerms(date(2026, 1, 31), Decimal("10")), Y25)
    assert [d for d, _ in late] == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]


def test_irregular_hours_accrue_from_approved_timesheets_latest_version_only():
    p1, p2 = period_by_index("two_weekly", FIRST, 1), period_by_index("two_weekly", FIRST, 2)
    approved = [ApprovedPeriod(p1, 1, Decimal("96.50"), p1.end), ApprovedPeriod(p1, 2, Decimal("100"), p2.end),
                ApprovedPeriod(p2, 1, Decimal("10"), p2.end + timedelta(days=3))]
    assert holiday_accrued(IRREGULAR, Y25, p1.end, approved) == Decimal("11.6476")
    assert holiday_accrued(IRREGULAR, Y25, p2.end, approved) == Decimal("12.0700")
    assert holiday_accrued(IRREGULAR, Y25, date(2026, 3, 31), approved) == Decimal("13.2770")


def test_irregular_rules_only_from_april_2024_and_rolled_up_pay():
    with pytest.raises(HolidayError, match="1 April 2024"):
        regime(IRREGULAR, leave_year_containing(date(2024, 3, 1)))
    assert regime(HolidayTerms(date(2020, 1, 1), Decimal("20"), part_year=True), Y25).value == "irregular"
    assert regime(HolidayTerms(date(2020, 1, 1), Decimal("20")), leave_year_containing(date(2020, 6, 1))).value == "regular"
    assert rolled_up_holiday_pay(Decimal("1000")) == Decimal("120.70")
    assert rolled_up_holiday_pay(Decimal("123.45")) == Decimal("14.90")  # 14.900415
    line = rolled_up_pay_line(IRREGULAR, Y25, period_by_index("two_weekly", FIRST, 1), Decimal("482.50"))
    assert line.holiday_pay == Decimal("58.24") and "reg 16A" in line.label
    with pytest.raises(HolidayError):
        rolled_up_pay_line(HolidayTerms(date(2020, 1, 1), Decimal("20")), Y25, period_by_index("two_weekly", FIRST, 1), 1)


def test_a_correction_shows_the_reversal_and_the_new_entry():
    p = period_by_index("two_weekly", FIRST, 1)
    entries = credit_approved_timesheet([], p, 1, Decimal("96.50"), p.end)
    assert [(e.kind, e.hours) for e in entries] == [(EntryKind.ACCRUED, Decimal("11.6476"))]
    assert credit_approved_timesheet(entries, p, 1, Decimal("96.50"), p.end) == []  # twice: nothing new
    correction = credit_approved_timesheet(entries, p, 2, Decimal("100"), p.end + timedelta(days=4))
    assert [(e.kind, e.hours) for e in correction] == [(EntryKind.REVERSED, Decimal("-11.6476")),
                                                       (EntryKind.ACCRUED, Decimal("12.0700"))]
    entries += correction
    third = credit_approved_timesheet(entries, p, 3, Decimal("90"), p.end + timedelta(days=9))
    assert [(e.kind, e.hours) for e in third] == [(EntryKind.REVERSED, Decimal("-12.0700")),
                                                  (EntryKind.ACCRUED, Decimal("10.8630"))]
    entries += third
    st_ = ledger_statement(entries, Y25, "two_weekly", FIRST)
    row = next(r for r in st_.rows if r.period == p)
    assert row.accrued == Decimal("10.8630") and len(row.entries) == 5
    assert st_.carried_forward == Decimal("10.8630")


def test_booking_more_than_the_balance_is_a_warning_not_a_refusal():
    p = period_by_index("two_weekly", FIRST, 1)
    entries = [brought_forward_entry(Y25, Decimal("4"), period_containing("two_weekly", FIRST, Y25.start))]
    entries += credit_approved_timesheet(entries, p, 1, Decimal("96.50"), p.end)
    ok = book_holiday(entries, "b1", p.end + timedelta(days=1), Decimal("8"), period_by_index("two_weekly", FIRST, 2))
    assert ok.warning is None and ok.balance_after == Decimal("7.6476")
    entries.append(ok.entry)
    over = book_holiday(entries, "b2", p.end + timedelta(days=2), Decimal("10"), period_by_index("two_weekly", FIRST, 2))
    assert over.balance_after == Decimal("-2.3524")
    assert over.warning == "This holiday of 10.00 hours is more than the 7.65 hours left this leave year, by 2.35 hours."
    entries.append(over.entry)
    entries += cancel_holiday(entries, "b2", p.end + timedelta(days=2))
    assert cancel_holiday(entries, "b2", p.end) == []
    assert balance(entries) == Decimal("7.6476")
    s = ledger_statement(entries, Y25, "two_weekly", FIRST)
    assert (s.brought_forward, s.accrued, s.taken, s.carried_forward) == (Decimal(4), Decimal("11.6476"), Decimal(8),
                                                                          Decimal("7.6476"))
    assert s.rows[0].brought_forward == Decimal(4)
    for a, b in zip(s.rows, s.rows[1:], strict=False):
        assert b.brought_forward == a.carried_forward
    with pytest.raises(HolidayError):
        book_holiday(entries, "b3", p.end, Decimal(0), p)


def test_regular_entries_are_itemised_under_their_pay_periods_and_future_ones_left_out():
    terms = HolidayTerms(date(2025, 10, 15), Decimal("20"))
    entries = regular_accrual_entries(terms, Y25, "monthly", date(2025, 4, 1))
    assert [e.period_start for e in entries] == [date(2025, m, 1) for m in (10, 11, 12)] + [date(2026, m, 1) for m in (1, 2, 3)]
    assert sum(e.hours for e in entries) == Decimal("56.0000")  # 6 of 12 twelfths of 112 h
    s = ledger_statement(entries, Y25, "monthly", date(2025, 4, 1), as_of=date(2025, 12, 14))
    assert s.accrued == Decimal("18.6667") and len(s.rows) == 12


# --- the independent model -----------------------------------------------------------------------

events = st.lists(st.one_of(
    st.tuples(st.just("approve"), st.integers(0, 25), st.decimals("0", "120", places=2)),
    st.tuples(st.just("book"), st.integers(0, 25), st.decimals("0.25", "40", places=2)),
    st.tuples(st.just("cancel"), st.integers(0, 30), st.just(Decimal(0))),
), max_size=40)


@settings(max_examples=300, deadline=None)
@given(events, st.decimals("0", "50", places=4))
def test_ledger_matches_an_independent_model(ops, bf):
    cycle = "two_weekly"
    periods = [p for p in (period_by_index(cycle, FIRST, i) for i in range(0, 27)) if Y25.contains(p.end)]
    entries = [brought_forward_entry(Y25, bf, period_containing(cycle, FIRST, Y25.start))]
    model_hours: dict[int, Fraction] = {}
    model_versions: dict[int, int] = {}
    model_booked: dict[str, Fraction] = {}
    approvals, bookings, day = [], 0, Y25.start
    for kind, idx, amount in ops:
        idx %= len(periods)
        period = periods[idx]
        day += timedelta(days=1)
        if kind == "approve":
            version = model_versions.get(idx, 0) + 1
            entries += credit_approved_timesheet(entries, period, version, amount, day)
            model_versions[idx], model_hours[idx] = version, Fraction(amount)
            approvals.append(ApprovedPeriod(period, version, amount, day))
        elif kind == "book":
            bookings += 1
            model_balance = Fraction(bf) + sum(round4(h * Fraction(1207, 10000)) for h in model_hours.values()) \
                - sum(model_booked.values())
            b = book_holiday(entries, f"b{bookings}", day, amount, period)
            assert (b.warning is not None) == (model_balance < Fraction(amount))
            assert Fraction(b.balance_after) == model_balance - Fraction(amount)
            entries.append(b.entry)
            model_booked[f"b{bookings}"] = Fraction(amount)
        elif f"b{idx}" in model_booked:
            entries += cancel_holiday(entries, f"b{idx}", day)
            model_booked.pop(f"b{idx}")
    accrued = {i: round4(h * Fraction(1207, 10000)) for i, h in model_hours.items()}
    s = ledger_statement(entries, Y25, cycle, FIRST)
    assert Fraction(s.accrued) == sum(accrued.values())
    assert Fraction(s.taken) == sum(model_booked.values())
    assert Fraction(s.carried_forward) == Fraction(bf) + sum(accrued.values()) - sum(model_booked.values())
    assert Fraction(holiday_accrued(IRREGULAR, Y25, day, approvals)) == sum(accrued.values())
    rows = {r.period.start: r for r in s.rows}
    for i, p in enumerate(periods):
        assert Fraction(rows[p.start].accrued) == accrued.get(i, 0)
    reversals = sum(1 for e in entries if e.kind is EntryKind.REVERSED)
    assert reversals == sum(v - 1 for v in model_versions.values())
    assert len({e.entry_id for e in entries}) == len(entries)


@settings(max_examples=300)
@given(st.dates(date(2024, 4, 1), date(2026, 3, 31)), st.decimals("0", "60", places=2), st.integers(1, 7))
def test_regular_schedule_against_a_model(start, weekly, days):
    terms = HolidayTerms(start, weekly, days_per_week=Decimal(days))
    year = leave_year_containing(start)
    annual = round4(min(Fraction(56, 10) * Fraction(weekly), 28 * Fraction(weekly) / days))
    schedule = regular_accrual_schedule(terms, year)
    # months of the leave year left from the start date (the start month counts)
    months = 0
    while True:
        m = start.month - 1 + months
        y, mm = start.year + m // 12, m % 12 + 1
        if date(y, mm, 1) > year.end:
            break
        months += 1
    assert len(schedule) == months
    assert Fraction(sum(h for _, h in schedule)) == round4(annual * months / 12)
    assert all(h >= 0 for _, h in schedule) and schedule[0][0] == start
    later = regular_accrual_schedule(terms, leave_year_containing(year.end + timedelta(days=1)))
    assert later == [(year.end + timedelta(days=1), Decimal(annual.numerator) / annual.denominator)]

"""Pay cycles and leave years (RULES 2.1). The oracle walks periods one by one from the first
start (forwards and backwards) instead of computing indices."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from care_tracker.rules.pay_periods import (
    PayCycle,
    PayCycleError,
    PaySchedule,
    change_cycle,
    leave_year_containing,
    next_leave_year,
    period_by_index,
    period_containing,
    periods_overlapping,
)

dates = st.dates(date(2015, 1, 1), date(2035, 12, 31))
cycles = st.sampled_from(list(PayCycle))


def oracle_starts(cycle: PayCycle, first: date, around: date) -> list[date]:
    """Period starts from well before `around` to well after, walked one step at a time."""
    def step(d: date, n: int) -> date:
        if cycle is PayCycle.MONTHLY:
            months = (d.year * 12 + d.month - 1) + n
            y, m = divmod(months, 12)
            m += 1
            last = [31, 29 if (y % 4 == 0 and y % 100 != 0) or y % 400 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
            return date(y, m, min(first.day, last))
        return d + timedelta(days={"weekly": 7, "two_weekly": 14, "four_weekly": 28}[cycle.value] * n)

    starts, n = [], 0
    while step(first, n) > around - timedelta(days=40):
        n -= 1
    while step(first, n) <= around + timedelta(days=40):
        starts.append(step(first, n))
        n += 1
    return starts


@settings(max_examples=500)
@given(cycles, dates, dates)
def test_period_containing_matches_walked_periods(cycle, first, d):
    p = period_containing(cycle, first, d)
    starts = oracle_starts(cycle, first, d)
    expected_start = max(s for s in starts if s <= d)
    assert p.start == expected_start
    assert p.end == starts[starts.index(expected_start) + 1] - timedelta(days=1)
    assert p.contains(d) and period_by_index(cycle, first, p.index) == p
    assert period_by_index(cycle, first, 0).start == first


@settings(max_examples=200)
@given(cycles, dates, dates, st.integers(0, 200))
def test_periods_overlapping_tile_the_range(cycle, first, a, length):
    b = a + timedelta(days=length)
    ps = periods_overlapping(cycle, first, a, b)
    assert ps[0].contains(a) and ps[-1].contains(b)
    for x, y in zip(ps, ps[1:], strict=False):
        assert y.start == x.end + timedelta(days=1) and y.index == x.index + 1
    assert periods_overlapping(cycle, first, b + timedelta(days=1), b) == []


def test_monthly_periods_anchored_on_the_31st_clamp_at_month_ends():
    first = date(2025, 1, 31)
    starts = [period_by_index("monthly", first, n).start for n in range(5)]
    assert starts == [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30), date(2025, 5, 31)]
    assert period_containing("monthly", first, date(2025, 3, 30)).start == date(2025, 2, 28)
    assert period_by_index("monthly", date(2024, 1, 30), 1).start == date(2024, 2, 29)


def test_weekly_examples_and_dates_before_the_first_start():
    first = date(2025, 4, 7)  # a Monday
    p = period_containing("two_weekly", first, date(2025, 4, 20))
    assert (p.index, p.start, p.end) == (0, date(2025, 4, 7), date(2025, 4, 20))
    p = period_containing("four_weekly", first, date(2025, 4, 6))
    assert (p.index, p.start, p.end, p.days) == (-1, date(2025, 3, 10), date(2025, 4, 6), 28)
    assert p.period_id == "2025-03-10"


def test_leave_years():
    y = leave_year_containing(date(2025, 3, 31))
    assert (y.start, y.end) == (date(2024, 4, 1), date(2025, 3, 31))
    assert leave_year_containing(date(2025, 4, 1)).start == date(2025, 4, 1)
    assert next_leave_year(y).start == date(2025, 4, 1)
    jan = leave_year_containing(date(2025, 6, 1), (1, 1))
    assert (jan.start, jan.end) == (date(2025, 1, 1), date(2025, 12, 31))
    leap = leave_year_containing(date(2025, 3, 1), (2, 29))
    assert (leap.start, leap.end) == (date(2025, 2, 28), date(2026, 2, 27))
    with pytest.raises(ValueError):
        leave_year_containing(date(2025, 3, 1), (2, 30))


@given(dates, st.sampled_from([(4, 1), (1, 1), (9, 6), (2, 29), (12, 31)]))
def test_leave_year_contains_the_date_and_lasts_a_year(d, start):
    y = leave_year_containing(d, start)
    assert y.contains(d) and 365 <= (y.end - y.start).days + 1 <= 366
    assert next_leave_year(y, start).start == y.end + timedelta(days=1)


def test_changing_the_pay_cycle_from_a_period_start_keeps_the_periods_before():
    two_weekly = PaySchedule(((PayCycle.TWO_WEEKLY, date(2026, 1, 5)),))
    with pytest.raises(PayCycleError, match="^Monday 9 March 2026 is inside the pay period Monday 2 March 2026 to Sunday 15 March 2026: change the pay cycle "
                       "from the first day of a pay period, like Monday 2 March 2026 or Monday 16 March 2026.$"):
        change_cycle(two_weekly, "monthly", date(2026, 3, 9))
    monthly = change_cycle(two_weekly, "monthly", date(2026, 3, 16))
    got = [(p.start, p.end) for p in periods_overlapping(monthly, None, date(2026, 2, 20), date(2026, 5, 20))]
    assert got == [(date(2026, 2, 16), date(2026, 3, 1)), (date(2026, 3, 2), date(2026, 3, 15)),
                   (date(2026, 3, 16), date(2026, 4, 15)), (date(2026, 4, 16), date(2026, 5, 15)),
                   (date(2026, 5, 16), date(2026, 6, 15))]
    assert period_containing(monthly, None, date(2026, 3, 15)).start == date(2026, 3, 2)
    assert period_containing(monthly, None, date(2025, 1, 1)).start == date(2024, 12, 23)  # before: the first cycle
    with pytest.raises(PayCycleError, match="last changed from Monday 16 March 2026"):
        change_cycle(monthly, "weekly", date(2026, 3, 2))
    again = change_cycle(monthly, "weekly", date(2026, 3, 16))  # the same day: replaces the change
    assert again.segments == ((PayCycle.TWO_WEEKLY, date(2026, 1, 5)), (PayCycle.WEEKLY, date(2026, 3, 16)))
    with pytest.raises(PayCycleError, match="already"):
        change_cycle(two_weekly, "two_weekly", date(2026, 3, 16))


@settings(max_examples=300, deadline=None)
@given(cycles, dates, cycles, st.integers(-20, 40), st.integers(0, 400), st.integers(0, 400))
def test_a_changed_cycle_tiles_the_calendar_old_before_new_after(old, first, new, k, before, after):
    start = period_by_index(old, first, k).start
    try:
        schedule = change_cycle(PaySchedule(((old, first),)), new, start)
    except PayCycleError:
        assert old is new
        return
    lo, hi = start - timedelta(days=before), start + timedelta(days=after)
    got = periods_overlapping(schedule, None, lo, hi)
    assert got[0].start <= lo and got[-1].end >= hi
    assert all(b.start == a.end + timedelta(days=1) for a, b in zip(got, got[1:], strict=False))
    assert any(p.start == start for p in got)
    for p in got:
        expected = period_containing(old, first, p.start) if p.start < start else period_containing(new, start, p.start)
        assert (p.start, p.end) == (expected.start, expected.end)
        assert period_containing(schedule, None, p.end).start == p.start

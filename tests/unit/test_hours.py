"""Hours against contracted and funded hours (RULES 2.3); the oracle uses Fractions."""

from datetime import date, time, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from care_tracker.rules.hours import Allowance, compare_hours, display_hours, paid_minutes_by_day, period_hours
from care_tracker.rules.pay_periods import period_by_index
from care_tracker.rules.shifts import LocalInterval, Shift, ShiftType


def test_a_week_over_contracted_hours_has_a_note():
    c = compare_hours(date(2025, 3, 3), date(2025, 3, 9), 42 * 60, Decimal("40"), "contracted",
                      "the week of Monday 3 March 2025")
    assert c.is_over and c.over_by == Decimal("2.0000") and c.allowed == Decimal("40.0000")
    assert c.note == "42.00 hours worked in the week of Monday 3 March 2025: 2.00 over the 40.00 contracted hours."
    assert not compare_hours(date(2025, 3, 3), date(2025, 3, 9), 40 * 60, Decimal("40"), "contracted").is_over
    none = compare_hours(date(2025, 3, 3), date(2025, 3, 9), 90 * 60, None, "contracted")
    assert none.allowed is None and not none.is_over and none.note is None


def test_a_monthly_period_and_its_weeks_against_funded_hours():
    period = period_by_index("monthly", date(2025, 3, 1), 0)  # 1-31 March 2025, Saturday to Monday
    daily = {date(2025, 3, d): 150 for d in range(1, 32)}  # 2.5 h a day
    report = period_hours(daily, period, Decimal("15"), Allowance.FUNDED)
    assert report.period.worked == Decimal("77.5000")
    assert report.period.allowed == Decimal("66.4286")  # 15 x 31 / 7
    assert report.period.over_by == Decimal("11.0714")
    assert [w.start for w in report.weeks][:3] == [date(2025, 3, 1), date(2025, 3, 3), date(2025, 3, 10)]
    first = report.weeks[0]  # Sat-Sun only
    assert (first.end, first.allowed, first.worked) == (date(2025, 3, 2), Decimal("4.2857"), Decimal("5.0000"))
    assert "(2 days in this pay period)" in first.note
    assert len(report.notes) == len(report.weeks) + 1


def test_paid_minutes_by_day_counts_a_sleep_in_only_when_woken():
    shifts = [
        Shift("a", "pa", date(2025, 3, 3), time(9), time(17), breaks=(LocalInterval(time(12), time(12, 30)),)),
        Shift("b", "pa", date(2025, 3, 3), time(22), time(7), ShiftType.SLEEP_IN,
              disturbances=(LocalInterval(time(3), time(4)),)),
    ]
    assert paid_minutes_by_day(shifts) == {date(2025, 3, 3): 450 + 60}


def test_display_hours():
    assert display_hours(Decimal("11.6476")) == "11.65" and display_hours(Decimal("0.005")) == "0.01"


@settings(max_examples=300)
@given(st.dictionaries(st.integers(0, 60), st.integers(0, 24 * 60), max_size=40),
       st.sampled_from(["weekly", "two_weekly", "four_weekly", "monthly"]),
       st.one_of(st.none(), st.decimals("0", "80", places=2)))
def test_period_and_weeks_against_a_fraction_oracle(raw, cycle, weekly):
    period = period_by_index(cycle, date(2025, 1, 1), 1)
    daily = {period.start + timedelta(days=k): m for k, m in raw.items()}
    report = period_hours(daily, period, weekly, "contracted")
    comps = (*report.weeks, report.period)
    assert sum((w.end - w.start).days + 1 for w in report.weeks) == period.days
    for c in comps:
        minutes = sum(m for d, m in daily.items() if c.start <= d <= c.end)
        assert abs(Fraction(c.worked) - Fraction(minutes, 60)) <= Fraction(1, 20000)
        if weekly is None:
            assert c.allowed is None and not c.is_over
            continue
        allowed = Fraction(weekly) * ((c.end - c.start).days + 1) / 7
        over = Fraction(minutes, 60) - allowed
        assert c.is_over == (over > 0)
        assert (c.note is not None) == (over > 0)
        if over > 0:
            assert abs(Fraction(c.over_by) - over) <= Fraction(1, 20000)

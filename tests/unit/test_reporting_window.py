"""Reporting window (RULES 1.4, API.md `GET /windows/{YYYY-MM}`).

Expectations are computed independently of the module: days are walked with plain
date arithmetic, bank holidays are read straight from `holidays` (and spot-checked
against hand-written dates), and the UK summer-time offset is derived from the
"last Sunday of March/October at 01:00 UTC" rule rather than from the module.
"""

import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from care_tracker.rules.reporting_window import (
    LONDON,
    ReportingWindow,
    is_working_day,
    next_period,
    parse_period,
    previous_period,
    previous_window,
    reporting_window,
    window_for_period,
    window_in_force_or_next,
)

UTC = timezone.utc
ONE_US = timedelta(microseconds=1)
ALL_MONTHS = [(y, m) for y in range(2000, 2101) for m in range(1, 13)]
years = st.integers(2000, 2100)
months = st.integers(1, 12)


# --- independent oracles -----------------------------------------------------

_HOLIDAYS = holidays.country_holidays("GB", subdiv="ENG", years=range(2000, 2102))


def oracle_working(d: date) -> bool:
    return d.weekday() not in (5, 6) and d not in _HOLIDAYS


def _last_sunday(year: int, month: int) -> date:
    d = date(year, month, 31)  # March and October both have 31 days
    return d - timedelta(days=(d.weekday() - 6) % 7)


def oracle_offset(instant: datetime) -> timedelta:
    """UK offset from the rule itself: BST from 01:00 UTC on the last Sunday of
    March until 01:00 UTC on the last Sunday of October (in force since 1996)."""
    u = instant.astimezone(UTC).replace(tzinfo=None)
    start = datetime.combine(_last_sunday(u.year, 3), datetime.min.time()) + timedelta(hours=1)
    end = datetime.combine(_last_sunday(u.year, 10), datetime.min.time()) + timedelta(hours=1)
    return timedelta(hours=1) if start <= u < end else timedelta(0)


def oracle_local_date(instant: datetime) -> date:
    return (instant.astimezone(UTC) + oracle_offset(instant)).date()


# --- RULES 1.4 examples ------------------------------------------------------


def test_january_2024_sunday_14th_closes_monday_15th():
    w = reporting_window(2024, 1)
    assert w.last_day == date(2024, 1, 15)
    assert w.last_day.weekday() == 0


def test_september_2024_saturday_14th_closes_monday_16th():
    w = reporting_window(2024, 9)
    assert w.last_day == date(2024, 9, 16)


def test_september_2024_matches_api_example_exactly():
    assert window_for_period("2024-09").as_dict() == {
        "period": "2024-09",
        "opens_at": "2024-09-08T00:00:00+01:00",
        "closes_at": "2024-09-17T00:00:00+01:00",
        "last_day": "2024-09-16",
    }


def test_april_2017_good_friday_and_easter_monday_closes_tuesday_18th():
    w = reporting_window(2017, 4)
    assert w.last_day == date(2017, 4, 18)
    assert w.closes_at == datetime(2017, 4, 19, tzinfo=LONDON)


def test_plain_month_with_weekday_14th_closes_on_14th():
    w = reporting_window(2024, 3)  # Thursday 14 March 2024
    assert date(2024, 3, 14).weekday() == 3
    assert w.last_day == date(2024, 3, 14)
    assert w.as_dict()["closes_at"] == "2024-03-15T00:00:00+00:00"


def test_winter_month_is_gmt_and_summer_month_is_bst():
    winter = reporting_window(2024, 1).as_dict()
    summer = reporting_window(2024, 7).as_dict()
    assert winter["opens_at"] == "2024-01-08T00:00:00+00:00"
    assert winter["closes_at"] == "2024-01-16T00:00:00+00:00"
    assert summer["opens_at"] == "2024-07-08T00:00:00+01:00"
    assert summer["closes_at"] == "2024-07-16T00:00:00+01:00"  # 14 July 2024 is a Sunday


def test_as_dict_has_exactly_the_api_keys():
    assert set(reporting_window(2030, 5).as_dict()) == {"period", "opens_at", "closes_at", "last_day"}


def test_bank_holidays_are_the_england_ones():
    # Hand-written: England & Wales bank holidays 2024, and 2022's one-offs.
    for d in [date(2024, 1, 1), date(2024, 3, 29), date(2024, 4, 1), date(2024, 5, 6),
              date(2024, 5, 27), date(2024, 8, 26), date(2024, 12, 25), date(2024, 12, 26),
              date(2022, 6, 2), date(2022, 6, 3), date(2022, 9, 19)]:
        assert not is_working_day(d), d
    assert is_working_day(date(2024, 3, 28))  # Maundy Thursday
    assert is_working_day(date(2024, 8, 5))  # Scottish summer holiday, not England's
    assert is_working_day(date(2024, 3, 18))  # day after St Patrick's (NI only)
    assert not is_working_day(date(2024, 9, 14))  # Saturday
    assert not is_working_day(date(2024, 9, 15))  # Sunday


# --- properties over every (year, month), 2000-2100 ---------------------------


def _check_calendar(year: int, month: int) -> None:
    w = reporting_window(year, month)
    fourteenth = date(year, month, 14)
    assert isinstance(w, ReportingWindow)
    assert w.period == f"{year:04d}-{month:02d}" and (w.year, w.month) == (year, month)
    # opens at local midnight on the 8th
    assert w.first_day == date(year, month, 8)
    local_open = w.opens_at.astimezone(ZoneInfo("Europe/London"))
    assert (local_open.date(), local_open.hour, local_open.minute, local_open.second,
            local_open.microsecond) == (date(year, month, 8), 0, 0, 0, 0)
    # last day: the 14th or later, a working day, and the first working day from the 14th
    assert w.last_day >= fourteenth
    assert oracle_working(w.last_day)
    d = fourteenth
    while d < w.last_day:
        assert not oracle_working(d), f"{d} is a working day before last_day {w.last_day}"
        d += timedelta(days=1)
    # closes at local midnight on the day after last_day
    next_day = w.last_day + timedelta(days=1)
    assert oracle_local_date(w.closes_at) == next_day
    assert (w.closes_at.astimezone(UTC) + oracle_offset(w.closes_at)).time().isoformat() == "00:00:00"
    assert oracle_local_date(w.opens_at) == w.first_day
    # offsets agree with an uncached zoneinfo and with the BST rule itself
    fresh = ZoneInfo.no_cache("Europe/London")
    for instant in (w.opens_at, w.closes_at):
        assert instant.tzinfo is not None
        assert instant.utcoffset() == instant.astimezone(UTC).astimezone(fresh).utcoffset()
        assert instant.utcoffset() == oracle_offset(instant)
    # boundaries: half-open [opens_at, closes_at)
    assert w.contains(w.opens_at)
    assert w.contains(w.closes_at - ONE_US)
    assert not w.contains(w.closes_at)
    assert not w.contains(w.opens_at - ONE_US)


@settings(max_examples=300, deadline=None)
@given(years, months)
def test_window_properties_hypothesis(year, month):
    _check_calendar(year, month)


def test_window_properties_every_month_2000_to_2100():
    for year, month in ALL_MONTHS:
        _check_calendar(year, month)


@settings(max_examples=500, deadline=None)
@given(years, months, st.integers(-20 * 86_400_000_000, 30 * 86_400_000_000))
def test_contains_agrees_with_local_date(year, month, offset_us):
    w = reporting_window(year, month)
    instant = datetime(year, month, 8, tzinfo=UTC) + timedelta(microseconds=offset_us)
    local = oracle_local_date(instant)
    expected = date(year, month, 8) <= local <= w.last_day
    assert w.contains(instant) is expected
    assert w.contains(instant.astimezone(LONDON)) is expected
    assert w.contains(instant.astimezone(timezone(timedelta(hours=-5)))) is expected


def test_contains_rejects_naive_instant():
    with pytest.raises(ValueError):
        reporting_window(2024, 9).contains(datetime(2024, 9, 10))


def test_window_is_frozen():
    w = reporting_window(2024, 9)
    with pytest.raises(Exception):
        w.last_day = date(2024, 9, 20)  # type: ignore[misc]


# --- parse_period -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["2024-13", "2024-00", "2024-1", "24-01", "2024-01-01", "", "abcd-ef", " 2024-01",
     "2024-01 ", "2024-01\n", "1999-12", "2101-01", "2024/01", "٢٠٢٤-٠١"],
)
def test_parse_period_rejects(text):
    with pytest.raises(ValueError) as exc:
        parse_period(text)
    assert str(exc.value)  # a human message, not a bare exception


def test_parse_period_rejects_non_strings():
    with pytest.raises(ValueError):
        parse_period(None)  # type: ignore[arg-type]


@given(years, months)
def test_parse_period_round_trips(year, month):
    text = f"{year:04d}-{month:02d}"
    assert parse_period(text) == (year, month)
    assert window_for_period(text).period == text


def test_next_and_previous_period():
    assert next_period("2024-12") == "2025-01"
    assert next_period("2024-09") == "2024-10"
    assert previous_period("2024-01") == "2023-12"
    assert previous_period("2024-10") == "2024-09"


# --- window_in_force_or_next --------------------------------------------------


def test_in_force_inside_a_window():
    w = window_in_force_or_next(datetime(2024, 9, 16, 23, 59, tzinfo=LONDON))
    assert w.period == "2024-09"


def test_in_force_on_the_20th_is_next_month():
    assert window_in_force_or_next(datetime(2024, 9, 20, 12, tzinfo=LONDON)).period == "2024-10"
    assert window_in_force_or_next(datetime(2024, 12, 20, tzinfo=LONDON)).period == "2025-01"


def test_in_force_on_the_3rd_is_this_month():
    assert window_in_force_or_next(datetime(2024, 9, 3, tzinfo=LONDON)).period == "2024-09"


def test_in_force_uses_london_date_not_utc_date():
    # 23:30 UTC on 7 Sept 2024 is 00:30 BST on the 8th: the window is open.
    instant = datetime(2024, 9, 7, 23, 30, tzinfo=UTC)
    w = window_in_force_or_next(instant)
    assert w.period == "2024-09" and w.contains(instant)
    # 23:30 UTC on 16 Sept is 00:30 BST on the 17th: September has closed.
    assert window_in_force_or_next(datetime(2024, 9, 16, 23, 30, tzinfo=UTC)).period == "2024-10"
    # 23:30 UTC on 31 Dec 2024 is still 31 Dec in London (GMT).
    assert window_in_force_or_next(datetime(2024, 12, 31, 23, 30, tzinfo=UTC)).period == "2025-01"


def test_in_force_rejects_naive_instant():
    with pytest.raises(ValueError):
        window_in_force_or_next(datetime(2024, 9, 10))


@settings(max_examples=500, deadline=None)
@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 11, 30),
                    timezones=st.just(UTC)))
def test_in_force_or_next_property(instant):
    w = window_in_force_or_next(instant)
    if not w.contains(instant):
        # Not open: it must be the next to open, with nothing in between.
        assert instant < w.opens_at
        prev = previous_window(instant)
        assert prev.closes_at <= instant
        assert (prev.year * 12 + prev.month) + 1 == w.year * 12 + w.month
    # Either way, the window belongs to this London month or the next one.
    local = oracle_local_date(instant)
    assert (w.year * 12 + w.month) - (local.year * 12 + local.month) in (0, 1)


def test_previous_window_has_closed():
    assert previous_window(datetime(2024, 9, 10, tzinfo=LONDON)).period == "2024-08"
    assert previous_window(datetime(2024, 9, 20, tzinfo=LONDON)).period == "2024-09"
    assert previous_window(datetime(2024, 9, 3, tzinfo=LONDON)).period == "2024-08"


# --- cold start ----------------------------------------------------------------


def test_importing_the_module_does_not_import_holidays():
    code = (
        "import sys, care_tracker.rules.reporting_window as r;"
        "assert 'holidays' not in sys.modules;"
        "r.reporting_window(2024, 9);"
        "assert 'holidays' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": "layers"},
                   cwd=__file__.rsplit("/tests/", 1)[0])

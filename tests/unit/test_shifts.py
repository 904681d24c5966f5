"""Shifts (RULES 2.3): real durations across clock changes, breaks, sleep-ins, weekly series and
overlaps. The oracle for durations is independent of zoneinfo: UK summer time runs from 01:00 UTC
on the last Sunday of March to 01:00 UTC on the last Sunday of October."""

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from care_tracker.rules.shifts import (
    LocalInterval,
    Shift,
    ShiftError,
    ShiftType,
    break_minutes,
    duration_minutes,
    edit_occurrence,
    edit_rest_of_series,
    end_series,
    find_overlaps,
    minutes_to_hours,
    overlaps_with,
    paid_minutes,
    repeat_weekly,
    shift_span,
    working_time_minutes,
)

UTC = timezone.utc


def _last_sunday(year: int, month: int) -> date:
    d = date(year, month, 31)
    return d - timedelta(days=(d.weekday() - 6) % 7)


def oracle_utc(day: date, t: time) -> datetime:
    """London wall clock -> UTC, first occurrence when ambiguous; None when the clock skips it."""
    naive = datetime.combine(day, t)
    bst_start = datetime.combine(_last_sunday(day.year, 3), time(1))  # UTC == GMT wall clock here
    bst_end = datetime.combine(_last_sunday(day.year, 10), time(1))  # UTC; wall clock 02:00 BST
    if bst_start <= naive < bst_start + timedelta(hours=1):
        return None
    in_bst = bst_start + timedelta(hours=1) <= naive < bst_end + timedelta(hours=1)
    return (naive - timedelta(hours=1) if in_bst else naive).replace(tzinfo=UTC)


def S(day, start, end, kind=ShiftType.DAY, pa="pa-1", sid="s", breaks=(), disturbances=(), **kw):
    return Shift(sid, pa, day, start, end, kind, tuple(breaks), tuple(disturbances), **kw)


def T(s: str) -> time:
    return time.fromisoformat(s)


# --- worked examples -----------------------------------------------------------------------------

def test_night_shift_into_the_last_sunday_of_october_is_an_hour_longer():
    s = S(date(2025, 10, 25), T("22:00"), T("07:00"), ShiftType.WAKING_NIGHT)
    assert duration_minutes(s) == 10 * 60


def test_night_shift_into_the_last_sunday_of_march_is_an_hour_shorter():
    s = S(date(2025, 3, 29), T("22:00"), T("07:00"), ShiftType.WAKING_NIGHT)
    assert duration_minutes(s) == 8 * 60


def test_an_ordinary_night_and_a_day():
    assert duration_minutes(S(date(2025, 6, 1), T("22:00"), T("07:00"))) == 9 * 60
    assert duration_minutes(S(date(2025, 6, 1), T("09:00"), T("17:30"))) == 510
    assert duration_minutes(S(date(2025, 6, 1), T("08:00"), T("08:00"))) == 24 * 60  # equal times: 24 h


def test_ambiguous_time_means_its_first_occurrence():
    s = S(date(2025, 10, 26), T("00:30"), T("01:30"))
    a, b = shift_span(s)
    assert a == datetime(2025, 10, 25, 23, 30, tzinfo=UTC) and b == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)


def test_a_time_the_clock_skips_is_refused_in_words():
    with pytest.raises(ShiftError, match="01:30 does not exist on Sunday 30 March 2025"):
        S(date(2025, 3, 30), T("01:30"), T("08:00"))
    with pytest.raises(ShiftError, match="does not exist"):
        S(date(2025, 3, 29), T("22:00"), T("07:00"), breaks=[LocalInterval(T("01:10"), T("01:40"))])


def test_breaks_and_worked_time():
    s = S(date(2025, 6, 1), T("20:00"), T("06:00"), breaks=[LocalInterval(T("23:45"), T("00:15")),
                                                           LocalInterval(T("03:00"), T("03:20"))])
    assert break_minutes(s) == 50 and working_time_minutes(s) == 550 and paid_minutes(s) == 550


def test_sleep_in_is_working_time_but_paid_only_when_woken():
    s = S(date(2025, 6, 1), T("22:00"), T("07:00"), ShiftType.SLEEP_IN,
          disturbances=[LocalInterval(T("02:00"), T("02:45")), LocalInterval(T("05:10"), T("05:25"))])
    assert working_time_minutes(s) == 540 and paid_minutes(s) == 60
    assert minutes_to_hours(paid_minutes(s)) == Decimal("1.0000")


def test_bad_breaks_and_disturbances_are_refused():
    day = date(2025, 6, 2)
    with pytest.raises(ShiftError, match="inside the shift"):
        S(day, T("09:00"), T("17:00"), breaks=[LocalInterval(T("08:00"), T("08:30"))])
    with pytest.raises(ShiftError, match="overlap"):
        S(day, T("09:00"), T("17:00"), breaks=[LocalInterval(T("12:00"), T("12:30")), LocalInterval(T("12:15"), T("12:45"))])
    with pytest.raises(ShiftError, match="Only a sleep-in"):
        S(day, T("09:00"), T("17:00"), disturbances=[LocalInterval(T("12:00"), T("12:30"))])
    with pytest.raises(ShiftError, match="whole minutes"):
        S(day, time(9, 0, 30), T("17:00"))


def test_minutes_to_hours_rounds_half_up_at_four_places():
    assert minutes_to_hours(20) == Decimal("0.3333")
    assert minutes_to_hours(40) == Decimal("0.6667")
    assert minutes_to_hours(5790) == Decimal("96.5000")


# --- properties ----------------------------------------------------------------------------------

days = st.dates(date(2020, 1, 1), date(2030, 12, 31))
times = st.builds(time, st.integers(0, 23), st.integers(0, 59))


@settings(max_examples=400)
@given(days, times, times)
def test_duration_is_real_elapsed_time(day, start, end):
    end_day = day if end > start else day + timedelta(days=1)
    a, b = oracle_utc(day, start), oracle_utc(end_day, end)
    if a is None or b is None:
        with pytest.raises(ShiftError):
            S(day, start, end)
        return
    assert duration_minutes(S(day, start, end)) == (b - a) // timedelta(minutes=1)
    assert 0 < duration_minutes(S(day, start, end)) <= 25 * 60


# --- series --------------------------------------------------------------------------------------

def _series():
    first = S(date(2025, 1, 6), T("09:00"), T("13:00"))
    return repeat_weekly(first, date(2025, 2, 3), "ser1")


def test_repeat_weekly_until_a_date_inclusive():
    occ = _series()
    assert [s.day for s in occ] == [date(2025, 1, 6) + timedelta(weeks=n) for n in range(5)]
    assert {s.series_id for s in occ} == {"ser1"} and len({s.shift_id for s in occ}) == 5
    assert occ[2].shift_id == "ser1:2025-01-20"
    assert repeat_weekly(occ[0], date(2025, 2, 3), "ser1") == occ  # same pattern, same ids
    with pytest.raises(ShiftError):
        repeat_weekly(occ[0], date(2025, 1, 1), "ser1")


def test_edit_one_occurrence_then_the_rest_of_the_series():
    occ = _series()
    one = edit_occurrence(occ, "ser1:2025-01-20", start=T("10:00"))
    assert [s.start for s in one] == [T("09:00"), T("09:00"), T("10:00"), T("09:00"), T("09:00")]
    assert one[2].detached and not one[3].detached
    rest = edit_rest_of_series(one, "ser1:2025-01-13", end=T("15:00"))
    # 13th and later change, except the one edited on its own; the 6th stays
    assert [s.end for s in rest] == [T("13:00"), T("15:00"), T("13:00"), T("15:00"), T("15:00")]
    with pytest.raises(ShiftError, match="cannot be changed"):
        edit_rest_of_series(occ, "ser1:2025-01-13", day=date(2025, 1, 14))
    assert [s.day for s in end_series(rest, "ser1", date(2025, 1, 20))][-1] == date(2025, 1, 20)
    moved = edit_occurrence(occ, "ser1:2025-01-27", day=date(2025, 1, 28))
    assert moved[3].day == date(2025, 1, 28) and moved[3].series_id == "ser1"


# --- overlaps ------------------------------------------------------------------------------------

def test_overlap_message_names_both_shifts():
    a = S(date(2025, 3, 3), T("09:00"), T("17:00"), sid="a")
    b = S(date(2025, 3, 3), T("16:00"), T("22:00"), sid="b")
    c = S(date(2025, 3, 3), T("22:00"), T("23:00"), sid="c")  # touching is fine
    other = S(date(2025, 3, 3), T("09:00"), T("17:00"), sid="x", pa="pa-2")
    [o] = find_overlaps([c, b, a, other])
    assert (o.first.shift_id, o.second.shift_id) == ("a", "b")
    assert o.message == ("The day shift on Monday 3 March 2025, 16:00 to 22:00 overlaps the day shift on "
                         "Monday 3 March 2025, 09:00 to 17:00: a PA cannot work two shifts at the same time.")
    assert overlaps_with([a, c], [b])
    assert not overlaps_with([a, b], [dataclass_replace(b, start=T("17:00"))])  # b replaced by its new version


def dataclass_replace(s, **kw):
    import dataclasses
    return dataclasses.replace(s, **kw)


@settings(max_examples=300)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 60), st.integers(1, 20)), max_size=25))
def test_sweep_finds_every_shift_in_an_overlap(raw):
    base = date(2025, 5, 1)
    shifts = []
    for n, (pa, start_q, length_q) in enumerate(raw):
        start = datetime.combine(base, time(0)) + timedelta(minutes=30 * start_q)
        end = start + timedelta(minutes=30 * length_q)
        shifts.append(S(start.date(), start.time(), end.time(), pa=f"pa{pa}", sid=f"s{n}"))
    found = find_overlaps(shifts)
    spans = {s.shift_id: shift_span(s) for s in shifts}

    def overlap(x, y):
        return x.pa_id == y.pa_id and spans[x.shift_id][0] < spans[y.shift_id][1] and spans[y.shift_id][0] < spans[x.shift_id][1]

    assert all(overlap(o.first, o.second) for o in found)
    involved = {s.shift_id for s in shifts if any(t is not s and overlap(s, t) for t in shifts)}
    assert {i for o in found for i in (o.first.shift_id, o.second.shift_id)} == involved
    for s in shifts:  # a save is refused exactly when the new shift overlaps another
        others = [t for t in shifts if t is not s]
        assert bool(overlaps_with(others, [s])) == any(overlap(s, t) for t in others)

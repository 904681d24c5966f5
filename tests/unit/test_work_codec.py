"""The WorkTable's shift encoding (adapters/work_store.py) gives back exactly the shift it stored,
for any shift the rules accept (night shifts, breaks, sleep-in disturbances, series)."""
from __future__ import annotations

from datetime import date, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from care_tracker.adapters.work_store import shift_from_dict, shift_to_dict
from care_tracker.rules.shifts import LocalInterval, Shift, ShiftError, ShiftType

minutes = st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60))


@st.composite
def shifts(draw):
    kind = draw(st.sampled_from(list(ShiftType)))
    day = date(2025, 1, 1) + timedelta(days=draw(st.integers(0, 800)))
    start, end = draw(minutes), draw(minutes)
    breaks = tuple(LocalInterval(a, b) for a, b in draw(st.lists(st.tuples(minutes, minutes), max_size=2)))
    woken = tuple(LocalInterval(a, b) for a, b in draw(st.lists(st.tuples(minutes, minutes), max_size=2))) \
        if kind is ShiftType.SLEEP_IN else ()
    series = draw(st.one_of(st.none(), st.text("abcdef0123456789", min_size=1, max_size=8)))
    try:
        return Shift(draw(st.text("abc:-0123", min_size=1, max_size=12)), "pa-1", day, start, end, kind, breaks, woken,
                     series, draw(st.booleans()))
    except ShiftError:
        return Shift("plain", "pa-1", day, time(9), time(17))


@settings(max_examples=300, deadline=None)
@given(shifts())
def test_a_stored_shift_reads_back_unchanged(shift):
    assert shift_from_dict(shift_to_dict(shift)) == shift

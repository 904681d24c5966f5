"""The lockout rule (5 failures in 15 minutes lock for 15 minutes) with worked examples and properties."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from care_tracker.rules.sign_in import (
    LOCKOUT,
    MAX_FAILURES,
    WINDOW,
    Failures,
    expires,
    lock_for,
    locked_message,
    locked_until,
    needs_mfa,
    window_open,
)

T0 = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)


def _replay(failures_at: list[datetime]) -> Failures | None:
    """What the store keeps after these failures, each refused or counted as the service does."""
    state = None
    for at in failures_at:
        if locked_until(state, at):
            continue  # refused unchecked: not counted
        if window_open(state, at):
            count = state.count + 1
            state = Failures(count, state.window_start, lock_for(count, at) or state.locked_until)
        else:
            state = Failures(1, at, lock_for(1, at))
    return state


def test_worked_example_five_failures_lock_for_fifteen_minutes_from_the_fifth():
    fifth = T0 + timedelta(minutes=4)
    state = _replay([T0 + timedelta(minutes=i) for i in range(5)])
    assert state.count == 5 and state.locked_until == fifth + timedelta(minutes=15)
    assert locked_until(state, fifth + timedelta(minutes=14, seconds=59)) == datetime(2026, 12, 9, 9, 19, tzinfo=UTC)
    assert locked_until(state, fifth + timedelta(minutes=15)) is None
    assert "09:19 (UK time)" in locked_message(state.locked_until)  # December: GMT


def test_worked_example_four_failures_then_a_quiet_quarter_hour_start_again():
    state = _replay([T0 + timedelta(minutes=i) for i in range(4)] + [T0 + timedelta(minutes=15)])
    assert state.count == 1 and state.locked_until is None


def test_summer_time_shows_in_the_message():
    assert "11:15 (UK time)" in locked_message(datetime(2026, 7, 1, 10, 15, tzinfo=UTC))


@given(st.lists(st.integers(min_value=0, max_value=3 * 3600), max_size=30))
def test_no_lockout_without_five_failures_inside_fifteen_minutes(offsets):
    times = [T0 + timedelta(seconds=s) for s in sorted(offsets)]
    state = _replay(times)
    locked = state is not None and state.locked_until is not None
    # a lock means some 5 counted failures lay inside one 15-minute window
    five_close = any(times[i + MAX_FAILURES - 1] - times[i] < WINDOW for i in range(len(times) - MAX_FAILURES + 1))
    if locked:
        assert five_close
    if state is not None:
        assert expires(state) >= state.window_start + WINDOW
        if state.locked_until:
            assert state.locked_until - state.window_start <= WINDOW + LOCKOUT


def test_mfa_roles():
    assert needs_mfa(["provider_user", "approver"]) and needs_mfa({"admin"}) and needs_mfa(("enforcement_officer",))
    assert not needs_mfa(["provider_user", "employer", "pa", "commissioner"])

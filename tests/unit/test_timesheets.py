"""Timesheets (RULES 2.3): the state machine against an independent table of allowed steps, the
versions kept, stale steps refused, and hours against contracted and funded hours."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from care_tracker.rules.pay_periods import period_by_index
from care_tracker.rules.shifts import Shift
from care_tracker.rules.timesheets import (
    Action,
    Actor,
    Status,
    TimesheetError,
    approve,
    as_planned,
    correct,
    credits_holiday,
    differences,
    edit,
    funded_hours,
    send_back,
    submit,
    timesheet_hours,
)

PERIOD = period_by_index("two_weekly", date(2026, 1, 5), 0)  # Monday 5 - Sunday 18 January 2026
AT = datetime(2026, 1, 19, 9, tzinfo=UTC)


def shift(n: int, day: date, start=time(9), end=time(17), pa="pa-1") -> Shift:
    return Shift(f"s{n}", pa, day, start, end)


PLAN = [shift(i, PERIOD.start + timedelta(days=i)) for i in range(10)]


def planned():
    return as_planned("emp-1", "pa-1", PERIOD, PLAN + [shift(99, PERIOD.end + timedelta(days=1))], AT)


def test_the_issue_flow_return_once_then_approve_and_correct():
    ts = planned()
    assert (ts.version, ts.status, len(ts.shifts)) == (1, Status.DRAFT, 10)  # the shift after the period is left out
    worked = [*PLAN[:9], shift(9, PLAN[9].day, time(9), time(19))]
    ts = edit(ts, Actor.PA, "pa-1", AT, worked, expected_version=1)
    ts = submit(ts, Actor.PA, "pa-1", AT, expected_version=2)
    ts = send_back(ts, Actor.EMPLOYER, "emp-1", AT, "The last day ended at 17:00", expected_version=3)
    assert (ts.status, ts.current.reason) == (Status.RETURNED, "The last day ended at 17:00")
    ts = edit(ts, Actor.PA, "pa-1", AT, PLAN, expected_version=4)
    ts = submit(ts, Actor.PA, "pa-1", AT, expected_version=5)
    before = ts
    ts = approve(ts, Actor.EMPLOYER, "emp-1", AT, expected_version=6)
    assert credits_holiday(before, ts).number == 7 and ts.current.hours == Decimal(80)
    with pytest.raises(TimesheetError) as locked:
        edit(ts, Actor.PA, "pa-1", AT, worked, expected_version=7)
    assert locked.value.kind == "locked" and "correction" in str(locked.value)
    before = ts
    ts = correct(ts, Actor.EMPLOYER, "emp-1", AT, worked, "Overtime on the last day was agreed", expected_version=7)
    assert ts.status is Status.APPROVED and credits_holiday(before, ts).hours == Decimal(82)
    assert [v.action for v in ts.versions] == [Action.PLANNED, Action.EDITED, Action.SUBMITTED, Action.RETURNED,
                                               Action.EDITED, Action.SUBMITTED, Action.APPROVED, Action.CORRECTED]
    assert [v.by for v in ts.versions] == ["rota", "pa-1", "pa-1", "emp-1", "pa-1", "pa-1", "emp-1", "emp-1"]
    assert [v.number for v in ts.approved()] == [7, 8]


def test_a_pa_correction_waits_for_approval():
    ts = approve(submit(planned(), Actor.PA, "pa-1", AT, 1), Actor.EMPLOYER, "emp-1", AT, 2)
    before = ts
    ts = correct(ts, Actor.PA, "pa-1", AT, PLAN[:5], "I was off sick from the 10th", 3)
    assert ts.status is Status.SUBMITTED and credits_holiday(before, ts) is None
    before = ts
    ts = approve(ts, Actor.EMPLOYER, "emp-1", AT, 4)
    assert credits_holiday(before, ts).hours == Decimal(40)


def test_refusals_say_why():
    ts = planned()
    with pytest.raises(TimesheetError) as stale:
        submit(ts, Actor.PA, "pa-1", AT, expected_version=2)
    assert stale.value.kind == "stale" and "reload" in str(stale.value)
    with pytest.raises(TimesheetError) as actor:
        approve(ts, Actor.PA, "pa-1", AT, 1)
    assert actor.value.kind == "actor"
    with pytest.raises(TimesheetError) as reason:
        send_back(submit(ts, Actor.PA, "pa-1", AT, 1), Actor.EMPLOYER, "emp-1", AT, "  ", 2)
    assert reason.value.kind == "invalid" and "why" in str(reason.value)
    with pytest.raises(TimesheetError, match="outside this pay period"):
        edit(ts, Actor.PA, "pa-1", AT, [shift(1, PERIOD.end + timedelta(days=1))], 1)
    with pytest.raises(TimesheetError, match="cannot work two shifts"):
        edit(ts, Actor.PA, "pa-1", AT, [shift(1, PERIOD.start), shift(2, PERIOD.start, time(16), time(18))], 1)
    with pytest.raises(TimesheetError, match="one PA"):
        edit(ts, Actor.PA, "pa-1", AT, [shift(1, PERIOD.start, pa="pa-2")], 1)


def test_hours_against_contracted_and_funded_with_notes():
    worked = [shift(i, PERIOD.start + timedelta(days=i), time(8), time(18)) for i in range(6)]  # 60 h in week 1
    contracted = timesheet_hours(worked, PERIOD, Decimal(40))
    assert contracted.period.worked == Decimal(60) and not contracted.period.is_over  # 60 <= 80 for the period
    assert contracted.weeks[0].is_over and contracted.weeks[0].over_by == Decimal(20)
    assert contracted.notes == ["60.00 hours worked in the week of Monday 5 January 2026: 20.00 over the 40.00 "
                                "contracted hours."]
    other = [shift(50 + i, PERIOD.start + timedelta(days=7 + i), pa="pa-2") for i in range(5)]  # 40 h in week 2
    funded = funded_hours(worked + other, PERIOD, Decimal(45))
    assert funded.period.worked == Decimal(100) and funded.period.is_over and funded.period.over_by == Decimal(10)
    assert [w.is_over for w in funded.weeks] == [True, False]


def test_differences_in_words():
    worked = [*PLAN[1:], shift(9, PLAN[9].day, time(9), time(19)), shift(40, PERIOD.end)]
    words = differences(PLAN, [w for w in worked if w.shift_id != "s9"] + [worked[-2]])
    assert words[0].startswith("Not worked: the day shift on Monday 5 January 2026")
    assert any(w.startswith("Added: the day shift on Sunday 18 January 2026") for w in words)
    assert any("became the day shift on Wednesday 14 January 2026, 09:00 to 19:00" in w for w in words)


# --- the state machine against an independent model ------------------------------------------------

# (status, actor, step) -> the status after it; anything not listed is refused.
ALLOWED = {
    ("draft", "pa", "edit"): "draft", ("returned", "pa", "edit"): "draft",
    ("draft", "pa", "submit"): "submitted", ("returned", "pa", "submit"): "submitted",
    ("submitted", "employer", "approve"): "approved", ("submitted", "employer", "return"): "returned",
    ("approved", "employer", "correct"): "approved", ("approved", "pa", "correct"): "submitted",
}

steps = st.lists(st.tuples(st.sampled_from(["edit", "submit", "approve", "return", "correct"]),
                           st.sampled_from(["pa", "employer"]), st.booleans(), st.integers(0, 9)), max_size=25)


def _apply(ts, step, actor, version, n):
    who = "pa-1" if actor == "pa" else "emp-1"
    a = Actor(actor)
    lines = PLAN[:n]
    if step == "edit":
        return edit(ts, a, who, AT, lines, version)
    if step == "submit":
        return submit(ts, a, who, AT, version)
    if step == "approve":
        return approve(ts, a, who, AT, version)
    if step == "return":
        return send_back(ts, a, who, AT, "Check the hours", version)
    return correct(ts, a, who, AT, lines, "A correction", version)


@settings(max_examples=300, deadline=None)
@given(steps)
def test_every_sequence_follows_the_table_and_keeps_every_version(sequence):
    ts = planned()
    status, count, credited = "draft", 1, 0
    for step, actor, stale, n in sequence:
        kept = ts.versions
        version = ts.version - 1 if stale else ts.version
        expected = ALLOWED.get((status, actor, step))
        try:
            after = _apply(ts, step, actor, version, n)
        except TimesheetError as error:
            assert stale or expected is None, (status, actor, step, error)
            assert ts.versions == kept
            continue
        assert not stale and expected is not None
        assert after.versions[:count] == kept  # nothing earlier changes
        status, count = expected, count + 1
        credited += credits_holiday(ts, after) is not None
        ts = after
        assert (ts.status.value, ts.version) == (status, count)
        assert [v.number for v in ts.versions] == list(range(1, count + 1))
    assert credited == len(ts.approved())

"""The enforcement case state machine (RULES 1.6), with hypothesis over sequences of steps."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from care_tracker.rules.enforcement import (
    DEFAULT_FEE_TABLE,
    Case,
    CaseAction,
    CaseState,
    FeeBand,
    StepNotAllowed,
    add_locations,
    apply_step,
    open_case,
    parse_fee_table,
    penalty_amount,
    representations_overdue,
)

A, S = CaseAction, CaseState
T0 = datetime(2026, 6, 20, 9, 0, tzinfo=UTC)

# The intended graph, written out independently of the module's table.
EXPECTED = {
    (S.OPEN, A.ISSUE_NOTICE): S.NOTICE_OF_INTENT,
    (S.NOTICE_OF_INTENT, A.RECORD_REPRESENTATIONS): S.REPRESENTATIONS_RECEIVED,
    (S.NOTICE_OF_INTENT, A.MARK_DEADLINE_PASSED): S.REPRESENTATIONS_DEADLINE_PASSED,
    (S.REPRESENTATIONS_RECEIVED, A.WITHDRAW): S.WITHDRAWN,
    (S.REPRESENTATIONS_DEADLINE_PASSED, A.WITHDRAW): S.WITHDRAWN,
    (S.REPRESENTATIONS_RECEIVED, A.IMPOSE_PENALTY): S.PENALTY_IMPOSED,
    (S.REPRESENTATIONS_DEADLINE_PASSED, A.IMPOSE_PENALTY): S.PENALTY_IMPOSED,
    (S.PENALTY_IMPOSED, A.ISSUE_FINAL_NOTICE): S.FINAL_NOTICE,
    (S.FINAL_NOTICE, A.RECORD_APPEAL): S.APPEALED,
    (S.FINAL_NOTICE, A.CLOSE): S.CLOSED,
    (S.APPEALED, A.CLOSE): S.CLOSED,
    (S.WITHDRAWN, A.CLOSE): S.CLOSED,
}


def new_case() -> Case:
    return open_case("c1", "1-100", {"1-200": ["2026-03", "2026-04", "2026-05"]}, T0)


def step(case, action, days=0, **kw):
    at = T0 + timedelta(days=days)
    return apply_step(case, action, by="officer-1", at=at, reason=f"because {action}", today=at.date(), **kw)


def test_notice_to_withdrawn_records_every_step():
    case = step(new_case(), A.ISSUE_NOTICE)
    assert case.state is S.NOTICE_OF_INTENT
    assert case.representations_due == date(2026, 6, 20) + timedelta(days=28)
    case = step(case, A.RECORD_REPRESENTATIONS, days=10)
    case = step(case, A.WITHDRAW, days=12)
    assert case.state is S.WITHDRAWN and not case.active
    assert [s.action for s in case.log] == ["opened", "issue_notice", "record_representations", "withdraw"]
    assert all(s.by and s.reason and s.at for s in case.log)
    assert case.log[-1].at == T0 + timedelta(days=12)


def test_configurable_representation_period_and_deadline():
    case = step(new_case(), A.ISSUE_NOTICE, representation_days=14)
    assert case.representations_due == date(2026, 7, 4)
    with pytest.raises(StepNotAllowed):  # not run out on the due date itself
        step(case, A.MARK_DEADLINE_PASSED, days=14)
    assert not representations_overdue(case, date(2026, 7, 4)) and representations_overdue(case, date(2026, 7, 5))
    with pytest.raises(StepNotAllowed):  # too late for representations
        step(case, A.RECORD_REPRESENTATIONS, days=15)
    assert step(case, A.MARK_DEADLINE_PASSED, days=15).state is S.REPRESENTATIONS_DEADLINE_PASSED


def test_penalty_amount_from_fee_table_by_size():
    table = parse_fee_table([{"max_locations": 1, "amount_pence": 100}, {"max_locations": 4, "amount_pence": 300},
                             {"max_locations": None, "amount_pence": 900}])
    assert [penalty_amount(n, table) for n in (0, 1, 2, 4, 5, 500)] == [100, 100, 300, 300, 900, 900]
    case = step(step(step(new_case(), A.ISSUE_NOTICE), A.MARK_DEADLINE_PASSED, days=29), A.IMPOSE_PENALTY, days=30,
                provider_locations=3, fee_table=table)
    assert case.penalty_pence == 300 and case.log[-1].details["amount_pence"] == 300


@pytest.mark.parametrize("raw", [[], [{"max_locations": 2, "amount_pence": 1}],
                                 [{"max_locations": 3, "amount_pence": 1}, {"max_locations": 2, "amount_pence": 2}, {"max_locations": None, "amount_pence": 3}],
                                 [{"max_locations": 1, "amount_pence": 5}, {"max_locations": None, "amount_pence": 4}]])
def test_bad_fee_tables_refused(raw):
    with pytest.raises(ValueError):
        parse_fee_table(raw)


def test_reason_required():
    with pytest.raises(ValueError):
        apply_step(new_case(), A.ISSUE_NOTICE, by="x", at=T0, reason="  ", today=T0.date())


def test_add_locations_merges_and_logs():
    case = add_locations(new_case(), {"1-200": ["2026-05", "2026-06"], "1-201": ["2026-06"]}, T0)
    assert case.locations == {"1-200": ("2026-03", "2026-04", "2026-05", "2026-06"), "1-201": ("2026-06",)}
    assert case.log[-1].details["locations"] == {"1-200": ["2026-06"], "1-201": ["2026-06"]}
    assert add_locations(case, {"1-201": ["2026-06"]}, T0) is case


@settings(max_examples=300)
@given(st.lists(st.tuples(st.sampled_from(list(CaseAction)), st.integers(0, 40)), max_size=12))
def test_any_sequence_follows_the_graph(moves):
    case, days = new_case(), 0
    for action, gap in moves:
        days += gap
        before = case
        try:
            case = step(case, action, days=days)
        except StepNotAllowed:
            assert case is before  # a refused step changes nothing
            assert (before.state, action) not in EXPECTED or action in (A.RECORD_REPRESENTATIONS, A.MARK_DEADLINE_PASSED)
            continue
        assert EXPECTED[(before.state, action)] is case.state
        assert len(case.log) == len(before.log) + 1
        assert case.log[-1].from_state == before.state.value and case.log[-1].to_state == case.state.value
        if action is A.RECORD_REPRESENTATIONS:
            assert T0.date() + timedelta(days=days) <= before.representations_due
        if action is A.MARK_DEADLINE_PASSED:
            assert T0.date() + timedelta(days=days) > before.representations_due
    # the log replays to the final state, and closed is terminal
    assert case.log[-1].to_state == case.state.value
    if case.state is S.CLOSED:
        for action in CaseAction:
            with pytest.raises(StepNotAllowed):
                step(case, action, days=days)
    if case.penalty_pence is not None:
        assert any(s.action == "impose_penalty" for s in case.log)


@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_penalty_never_falls_as_providers_grow(a, b):
    small, large = sorted((a, b))
    assert penalty_amount(small) <= penalty_amount(large)
    assert penalty_amount(large) in {band.amount_pence for band in DEFAULT_FEE_TABLE}
    assert isinstance(DEFAULT_FEE_TABLE[-1], FeeBand) and DEFAULT_FEE_TABLE[-1].max_locations is None

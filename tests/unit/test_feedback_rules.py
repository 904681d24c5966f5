"""Feedback and suggestions' pure rules (RULES 2.7): the 48-hour clock, status moves, the order,
merge arithmetic and what free text may hold."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from care_tracker.rules.feedback import (
    SCORE_STEP,
    TRANSITIONS,
    SuggestionStatus,
    answer_due,
    can_move,
    control_characters,
    is_overdue,
    merged_votes,
    normalise_text,
    overdue_cutoff,
    plan_merge,
    score,
    time_left,
    votes_of,
)

UTC = timezone.utc
instants = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))
voters = st.lists(st.sampled_from([f"u{i}" for i in range(300)]), max_size=300)


# ---------- the 48-hour clock ----------

def test_worked_example_sent_monday_9am_is_due_wednesday_9am():
    sent = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert answer_due(sent) == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    assert time_left(sent, datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) == timedelta(hours=24)
    assert not is_overdue(sent, datetime(2026, 12, 2, 8, 59, 59, tzinfo=UTC))
    assert is_overdue(sent, datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    assert time_left(sent, datetime(2026, 12, 2, 10, 0, tzinfo=UTC)) == timedelta(hours=-1)


def test_the_clock_counts_elapsed_hours_across_a_clock_change():
    # 25 October 2026: the clocks go back in London; 48 elapsed hours are still 48 hours.
    sent = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    assert answer_due(sent) - sent == timedelta(hours=48)


@given(instants, st.timedeltas(min_value=timedelta(days=-10), max_value=timedelta(days=10)))
def test_overdue_exactly_when_no_time_is_left_and_the_cutoff_agrees(sent, elapsed):
    now = sent + elapsed
    assert is_overdue(sent, now) == (time_left(sent, now) <= timedelta(0))
    assert is_overdue(sent, now) == (sent <= overdue_cutoff(now))
    assert time_left(sent, now) + elapsed == timedelta(hours=48)


# ---------- statuses ----------

def test_settled_statuses_can_only_be_reopened():
    for settled in (SuggestionStatus.DONE, SuggestionStatus.DECLINED):
        assert {s for s in SuggestionStatus if s != settled and can_move(settled, s)} == {SuggestionStatus.OPEN}


def test_in_progress_cannot_go_back_to_open_but_planned_can():
    assert not can_move("in_progress", "open")
    assert can_move("planned", "open")
    assert can_move("open", "planned") and can_move("planned", "in_progress") and can_move("in_progress", "done")


@given(st.sampled_from(list(SuggestionStatus)), st.sampled_from(list(SuggestionStatus)))
def test_a_move_is_allowed_iff_it_is_in_the_table_or_keeps_the_status(current, new):
    assert can_move(current, new) == (current == new or new in TRANSITIONS[current])


def test_every_status_can_reach_done_and_back_to_open():
    for start in SuggestionStatus:
        seen, frontier = {start}, [start]
        while frontier:
            for nxt in TRANSITIONS[frontier.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    frontier.append(nxt)
        assert {SuggestionStatus.DONE, SuggestionStatus.OPEN} <= seen


def test_an_unknown_status_is_refused():
    with pytest.raises(ValueError):
        can_move("open", "merged")


# ---------- order ----------

@given(st.integers(0, 10 ** 6), instants, st.integers(0, 10 ** 6), instants)
def test_score_orders_by_votes_then_older_first(votes_a, at_a, votes_b, at_b):
    a, b = score(votes_a, at_a), score(votes_b, at_b)
    at_a_ms, at_b_ms = int(at_a.timestamp() * 1000), int(at_b.timestamp() * 1000)
    if votes_a != votes_b:
        assert (a > b) == (votes_a > votes_b)
    elif at_a_ms != at_b_ms:
        assert (a > b) == (at_a_ms < at_b_ms)
    else:
        assert a == b
    assert votes_of(a) == votes_a


@given(st.integers(0, 10 ** 6), instants)
def test_a_vote_is_one_step_of_the_score(votes, at):
    assert score(votes + 1, at) - score(votes, at) == SCORE_STEP


def test_negative_votes_are_refused():
    with pytest.raises(ValueError):
        score(-1, datetime(2026, 1, 1, tzinfo=UTC))


# ---------- merging ----------

def test_worked_example_a_person_who_voted_for_both_counts_once():
    # target: ann, bob; duplicate: bob, cat, dan -> 4 votes, bob's duplicate vote is dropped.
    assert merged_votes(["ann", "bob"], ["bob", "cat", "dan"]) == 4
    (chunk,) = plan_merge(["bob", "cat", "dan"], ["ann", "bob"])
    assert chunk.move == ("cat", "dan") and chunk.drop == ("bob",)
    assert chunk.target_gain == 2 and chunk.duplicate_loss == 3 and chunk.items == 7


@given(voters, voters, st.integers(4, 100))
def test_merge_plan_moves_every_voter_once_in_transactions_that_fit(duplicate, target, limit):
    chunks = plan_merge(duplicate, target, limit)
    moved = [v for c in chunks for v in c.move]
    dropped = [v for c in chunks for v in c.drop]
    assert sorted(moved + dropped) == sorted(set(duplicate))
    assert set(moved) == set(duplicate) - set(target) and set(dropped) == set(duplicate) & set(target)
    assert all(0 < c.items <= limit for c in chunks)
    assert len(set(target)) + sum(c.target_gain for c in chunks) == merged_votes(target, duplicate)
    assert sum(c.duplicate_loss for c in chunks) == len(set(duplicate))


def test_a_large_merge_fills_each_transaction():
    chunks = plan_merge([f"v{i}" for i in range(500)], [])
    assert [len(c.move) for c in chunks] == [49] * 10 + [10]
    assert {c.items for c in chunks[:-1]} == {100}


# ---------- free text ----------

def test_control_characters_are_named_and_line_breaks_allowed_only_in_long_text():
    assert control_characters("Line one\nline two", multiline=True) == []
    assert control_characters("Line one\nline two", multiline=False) == ["U+000A"]
    assert control_characters("bell\x07 tab\t nul\x00 bell\x07", multiline=True) == ["U+0007", "U+0009", "U+0000"]
    assert control_characters("evil \u202egnp.exe", multiline=True) == ["U+202E"]
    assert control_characters("family \U0001F468\u200d\U0001F469 café", multiline=False) == []


@given(st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs"), blacklist_characters="\u2028\u2029")))
def test_printable_text_has_no_control_characters(text):
    assert control_characters(text, multiline=False) == []


@given(st.text(), st.characters(whitelist_categories=("Cc",)).filter(lambda c: c != "\n"))
def test_any_control_character_is_found(text, bad):
    assert f"U+{ord(bad):04X}" in control_characters(text + bad, multiline=True)


def test_windows_line_ends_are_normalised():
    assert normalise_text("  a\r\nb  ") == "a\nb"

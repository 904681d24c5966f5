"""Employment rules (RULES 2.1, 2.2, 2.5): guidance, archive, retention, reactivation."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from care_tracker.rules import employment as rules

dates = st.dates(date(2000, 1, 1), date(2090, 12, 31))


def test_guidance_below_ten_hours_and_under_two_pas():
    notes = rules.guidance(Decimal("8"), 1)
    assert len(notes) == 2
    assert "8 funded hours" in notes[0] and "10 hours" in notes[0]
    assert "1 PA." in notes[1] and "at least 2" in notes[1]


def test_no_guidance_at_ten_hours_and_two_pas_or_when_hours_are_unknown():
    assert rules.guidance(Decimal("10"), 2) == []
    assert rules.guidance(None, 5) == []
    assert rules.guidance(Decimal("9.5"), 3) != [] and rules.guidance(None, 0) != []


def test_retention_is_seven_years_after_the_leaving_date():
    assert rules.retention_date(date(2026, 3, 31)) == date(2033, 3, 31)
    assert rules.retention_date(date(2028, 2, 29)) == date(2035, 3, 1)  # never earlier than 7 full years


def test_the_purge_is_due_at_the_start_of_the_retention_date_in_london_and_the_ttl_a_fortnight_later():
    # 31 March 2033 is in summer time: midnight in London is 23:00 UTC the day before.
    assert rules.purge_at(date(2026, 3, 31)) == int(datetime(2033, 3, 30, 23, tzinfo=timezone.utc).timestamp())
    assert rules.purge_at(date(2026, 1, 15)) == int(datetime(2033, 1, 15, tzinfo=timezone.utc).timestamp())
    assert rules.expires_at(date(2026, 1, 15)) == int(datetime(2033, 1, 29, tzinfo=timezone.utc).timestamp())


@given(dates)
def test_retention_is_at_least_seven_years_and_at_most_a_day_more(leaving):
    kept = rules.retention_date(leaving)
    assert kept.year - leaving.year == 7
    assert timedelta(days=7 * 365 + 1) <= kept - leaving <= timedelta(days=7 * 366)
    expiry = datetime.fromtimestamp(rules.purge_at(leaving), timezone.utc)
    assert not rules.is_expired(rules.purge_at(leaving), expiry - timedelta(seconds=1))
    assert rules.is_expired(rules.purge_at(leaving), expiry)
    assert rules.expires_at(leaving) > rules.purge_at(leaving)


def test_the_archive_keeps_name_username_ni_and_the_work_history_only():
    assert set(rules.ARCHIVE_KEEPS) == {"pa_name", "email", "ni_number"}
    assert not set(rules.ARCHIVE_KEEPS) & set(rules.ARCHIVE_DELETES)
    assert {"date_of_birth", "phone", "address"} <= set(rules.ARCHIVE_DELETES)
    assert not set(rules.WORK_HISTORY) & set(rules.ARCHIVE_DELETES)


def test_archive_refusals():
    today = date(2026, 12, 2)
    assert rules.archive_problem("active", date(2026, 1, 1), today, today) is None
    assert rules.archive_problem("details_missing", date(2026, 1, 1), date(2026, 6, 1), today) is None
    assert rules.archive_problem("archived", date(2026, 1, 1), today, today).code == "already_archived"
    assert rules.archive_problem("active", date(2026, 6, 1), date(2026, 5, 31), today).code == "leaving_before_start"
    assert rules.archive_problem("active", date(2026, 1, 1), today + timedelta(days=1), today).code == "leaving_date_in_future"


def test_reactivation_needs_an_archived_pa_and_a_start_after_leaving():
    today = date(2026, 12, 2)
    assert rules.reactivate_problem("archived", date(2026, 6, 30), date(2026, 7, 1), today) is None
    assert rules.reactivate_problem("active", None, today, today).code == "not_archived"
    assert rules.reactivate_problem("archived", date(2026, 6, 30), date(2026, 6, 30), today).code == "start_before_leaving"
    assert rules.reactivate_problem("archived", date(2026, 6, 30), today + timedelta(days=400), today).code == "start_too_far"


def test_details_missing_becomes_active_once_details_are_in_and_access_follows_status():
    assert rules.status_after_details("details_missing") == "active"
    assert rules.status_after_details("active") == "active"
    assert rules.has_access("active") and rules.has_access("details_missing")
    assert not rules.has_access("archived") and not rules.has_access(None)


def test_family_and_friends_need_the_providers_agreement():
    assert rules.needs_provider_agreement("family_member") and rules.needs_provider_agreement("friend")
    assert not rules.needs_provider_agreement("none")


def test_date_of_birth_checks():
    today = date(2026, 12, 2)
    assert rules.date_of_birth_problem(date(1990, 5, 1), date(2026, 1, 1), today) is None
    assert "past" in rules.date_of_birth_problem(today, None, today)
    assert "before the start" in rules.date_of_birth_problem(date(2026, 2, 1), date(2026, 1, 1), today)
    assert "year" in rules.date_of_birth_problem(date(1900, 1, 1), None, today)


names = st.text(st.characters(min_codepoint=0x41, max_codepoint=0x24F, categories=("Lu", "Ll", "Mn")), min_size=1, max_size=12)


def test_names_sort_without_case_or_accents():
    assert rules.sort_name("  Émile   BRUN ") == "emile brun"
    assert sorted(["zoë", "Adam", "émile", "Bea"], key=rules.sort_name) == ["Adam", "Bea", "émile", "zoë"]


@given(st.lists(st.tuples(names, st.uuids().map(str)), min_size=1, max_size=20), st.sampled_from(rules.STATUSES))
def test_list_keys_order_by_name_then_id_within_their_run(people, status):
    keys = [rules.list_key(status, name, pa_id) for name, pa_id in people]
    prefix = rules.ARCHIVED_LIST if status == "archived" else rules.CURRENT_LIST
    assert all(k.startswith(prefix) for k in keys)
    by_key = [p for _, p in sorted(zip(keys, people, strict=True))]
    assert [rules.sort_name(n) for n, _ in by_key] == sorted(rules.sort_name(n) for n, _ in people)


# ---------- what an archive leaves for follow_up_archives; by_expiry's sort key ----------
@given(st.integers(1, 10**9), st.one_of(st.none(), dates))
def test_a_work_mark_carries_its_leaving_date_and_differs_by_version(version, leaving):
    mark = rules.work_mark(version, leaving)
    assert rules.marked_leaving_date(mark) == leaving
    assert rules.work_mark(version + 1, leaving) != mark  # a later change never looks like the one read


def test_a_work_mark_of_an_archive_and_of_a_reactivation():
    assert rules.work_mark(3, date(2026, 1, 15)) == "0000000003#archived#2026-01-15"
    assert rules.work_mark(4, None) == "0000000004#reactivated"
    assert rules.marked_leaving_date("0000000004#reactivated") is None


@given(st.integers(0, 10**10), st.integers(0, 10**10), st.booleans())
def test_expiry_keys_sort_as_their_purge_dates_and_due_ones_sort_before_the_bound(purge, at, login):
    key = rules.expiry_key(purge, login)
    assert rules.checks_login(key) is login
    assert (key < rules.expiry_key_before(at)) is (purge <= at)  # the Query's condition: due by `at`
    assert (rules.expiry_key(purge, False) < rules.expiry_key(at, False)) is (purge < at)


def test_the_login_check_goes_to_the_record_purged_last():
    assert rules.login_check_carrier({"a": 100, "b": 300, "new": 200}, "new") == "b"
    assert rules.login_check_carrier({"a": 100, "new": 200}, "new") == "new"
    assert rules.login_check_carrier({"a": 200, "new": 200}, "new") == "new"  # a tie: the one being archived
    assert rules.login_check_carrier({"b": 300, "a": 300, "new": 100}, "new") == "a"


@given(st.dictionaries(st.text("abc", min_size=1, max_size=3), st.integers(0, 1000), max_size=6), st.integers(0, 1000))
def test_the_carrier_is_always_purged_no_earlier_than_any_other(others, own):
    purges = {**others, "me": own}
    carrier = rules.login_check_carrier(purges, "me")
    assert purges[carrier] == max(purges.values())

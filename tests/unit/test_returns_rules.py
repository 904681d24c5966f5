"""Returns (RULES 1.5) and the window jobs' calendar (RULES 1.4), pure.

Expectations are computed here independently: the cross-field sums are written out, and the remind
day is found by walking back from the last day with weekday/holiday checks read from `holidays`.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from care_tracker.rules.reporting_window import reporting_window
from care_tracker.rules.returns import (
    CARE_HOME,
    FIGURES,
    HOME_CARE,
    NIL,
    NO_CHANGE,
    SUPPORTED_LIVING,
    InvalidReturn,
    may_access,
    missing_care_types,
    owes_returns,
    parse_submission,
    parse_version,
    remind_day,
    window_to_close,
    window_to_open,
    window_to_remind,
)

LONDON = ZoneInfo("Europe/London")
UTC = timezone.utc

CARE_HOME_OK = {
    "beds_max_capacity": 40, "beds_occupied": 30, "beds_vacant_reserved": 2, "beds_vacant_accepting": 8,
    "staff_nurses_direct": 5, "staff_care_direct": 30, "staff_non_care_direct": 10,
    "staff_nurses_agency": 1, "staff_care_agency": 4, "staff_non_care_agency": 0, "staff_absent": 3,
}
HOME_CARE_OK = {"people_receiving_care": 25, "hours_delivered_last_week": 600, "staff_direct": 20, "staff_agency": 2,
                "staff_absent": 1, "accepting_new_packages": True}


def problems_of(care_type, data) -> dict[str, str]:
    with pytest.raises(InvalidReturn) as raised:
        parse_submission(care_type, data)
    return {p["field"]: p["problem"] for p in raised.value.problems}


def test_valid_returns_of_each_care_type():
    assert parse_submission(CARE_HOME, CARE_HOME_OK).figures == CARE_HOME_OK
    assert parse_submission(HOME_CARE, HOME_CARE_OK).kind == FIGURES
    assert parse_submission(SUPPORTED_LIVING, HOME_CARE_OK).figures == HOME_CARE_OK


def test_nil_and_no_change():
    assert parse_submission(CARE_HOME, {"nil_return": True}).kind == NIL
    assert parse_submission(HOME_CARE, {"no_change": True}).kind == NO_CHANGE
    assert "nil_return" in problems_of(HOME_CARE, {"nil_return": False})
    assert "cannot be sent with" in problems_of(HOME_CARE, {"nil_return": True, "staff_direct": 3})["staff_direct"]
    assert "no_change" in problems_of(HOME_CARE, {"nil_return": True, "no_change": True})


@pytest.mark.parametrize("bad", [-1, 2.5, 3.0, "3", True, None, [], {}])
def test_counts_are_json_whole_numbers_zero_or_more(bad):
    found = problems_of(CARE_HOME, {**CARE_HOME_OK, "staff_absent": bad})
    assert found == {"staff_absent": "must be a whole number, 0 or more"}


def test_unknown_and_missing_fields_are_named():
    found = problems_of(HOME_CARE, {**HOME_CARE_OK, "beds_occupied": 3})
    assert "is not a field of a home care return" in found["beds_occupied"]
    assert "people_receiving_care" in found["beds_occupied"]  # it lists the real fields
    missing = dict(HOME_CARE_OK)
    del missing["staff_agency"]
    assert problems_of(HOME_CARE, missing) == {"staff_agency": "is required"}
    assert problems_of(HOME_CARE, {**HOME_CARE_OK, "accepting_new_packages": "yes"}) == {
        "accepting_new_packages": "must be true or false"}
    assert "care_type" in problems_of("nursing_home", {"nil_return": True})


def test_beds_occupied_plus_vacant_cannot_exceed_capacity():
    found = problems_of(CARE_HOME, {**CARE_HOME_OK, "beds_occupied": 31})
    assert "41" in found["beds_occupied"] and "40" in found["beds_occupied"]


def test_cross_checks_of_staff():
    assert "staff_absent" in problems_of(HOME_CARE, {**HOME_CARE_OK, "staff_absent": 23})
    assert "hours_delivered_last_week" in problems_of(HOME_CARE, {**HOME_CARE_OK, "hours_delivered_last_week": 168 * 22 + 1})
    parse_submission(HOME_CARE, {**HOME_CARE_OK, "hours_delivered_last_week": 168 * 22, "staff_absent": 22})


counts = st.integers(0, 300)


@settings(max_examples=300)
@given(cap=counts, occ=counts, res=counts, acc=counts, staff=st.lists(counts, min_size=6, max_size=6), absent=counts)
def test_care_home_checks_agree_with_the_sums(cap, occ, res, acc, staff, absent):
    data = dict(zip(["staff_nurses_direct", "staff_care_direct", "staff_non_care_direct", "staff_nurses_agency",
                     "staff_care_agency", "staff_non_care_agency"], staff, strict=True))
    data.update(beds_max_capacity=cap, beds_occupied=occ, beds_vacant_reserved=res, beds_vacant_accepting=acc,
                staff_absent=absent)
    expected_bad = set()
    if occ + res + acc > cap:
        expected_bad.add("beds_occupied")
    if absent > sum(staff):
        expected_bad.add("staff_absent")
    if expected_bad:
        assert set(problems_of(CARE_HOME, data)) == expected_bad
    else:
        assert parse_submission(CARE_HOME, data).figures == data


@given(st.dictionaries(st.text(min_size=1, max_size=12), st.integers() | st.text() | st.booleans(), max_size=5))
def test_anything_else_is_refused_with_problems_never_an_exception(data):
    try:
        parse_submission(HOME_CARE, data)
    except InvalidReturn as exc:
        assert exc.problems and all(p["field"] and p["problem"] for p in exc.problems)


def test_versions_from_if_match_or_body():
    assert parse_version(None) is None
    assert parse_version('"3"') == parse_version('W/"3"') == parse_version("3") == parse_version(3) == 3
    for bad in ("abc", 0, -1, True, 2.0, '"1.5"'):
        with pytest.raises(ValueError):
            parse_version(bad)


def test_access():
    assert may_access({"provider_user"}, "1-org", ("1-a",), "1-a", "1-org")
    assert not may_access({"provider_user"}, "1-org", ("1-a",), "1-b", "1-org")
    assert may_access({"approver", "provider_user"}, "1-org", (), "1-b", "1-org")
    assert not may_access({"approver"}, "1-org", (), "1-b", "1-other")
    assert not may_access({"approver"}, None, (), "1-b", None)
    assert may_access({"admin"}, None, (), "1-z", None)
    assert not may_access({"enforcement_officer"}, None, (), "1-z", "1-org")


def test_who_owes():
    window = reporting_window(2026, 12)
    assert owes_returns("active", ["care_home"], "2010-01-01", window)
    assert owes_returns("active", ["home_care"], None, window)
    assert not owes_returns("dormant", ["home_care"], None, window)
    assert not owes_returns("deregistered", ["home_care"], None, window)
    assert not owes_returns("active", [], None, window)
    assert owes_returns("active", ["home_care"], "2026-12-08", window)
    assert not owes_returns("active", ["home_care"], "2026-12-09", window)  # registered after it opened
    assert missing_care_types(["supported_living", "home_care"], {"home_care"}) == ["supported_living"]


def _working(d: date) -> bool:
    return d.weekday() < 5 and d not in holidays.country_holidays("GB", subdiv="ENG", years=d.year)


def test_remind_day_examples():
    assert remind_day(reporting_window(2024, 1)) == date(2024, 1, 12)  # last day Mon 15 -> Fri 12
    assert remind_day(reporting_window(2024, 9)) == date(2024, 9, 13)  # last day Mon 16 -> Fri 13
    assert remind_day(reporting_window(2017, 4)) == date(2017, 4, 13)  # last day Tue 18; 14 and 17 are holidays
    assert remind_day(reporting_window(2026, 12)) == date(2026, 12, 11)


@settings(max_examples=200)
@given(st.integers(2000, 2100), st.integers(1, 12))
def test_remind_day_is_the_last_working_day_before_the_last_day(year, month):
    window = reporting_window(year, month)
    day = remind_day(window)
    assert day < window.last_day and _working(day)
    between = day + timedelta(days=1)
    while between < window.last_day:
        assert not _working(between)
        between += timedelta(days=1)


def _at(y, m, d, hh=9, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=LONDON)


def test_which_window_each_job_acts_on():
    # December 2026: opens Tue 8, last day Mon 14, reminder Fri 11.
    assert window_to_open(_at(2026, 12, 7, 23, 59)) is None
    assert window_to_open(_at(2026, 12, 8, 0, 0)).period == "2026-12"
    assert window_to_open(_at(2026, 12, 10)).period == "2026-12"  # a late run still announces it
    assert window_to_open(_at(2026, 12, 15, 0, 0)) is None  # closed: too late to announce
    assert window_to_remind(_at(2026, 12, 10, 23, 59)) is None
    assert window_to_remind(_at(2026, 12, 11, 0, 0)).period == "2026-12"
    assert window_to_remind(_at(2026, 12, 14, 23, 0)).period == "2026-12"
    assert window_to_remind(_at(2026, 12, 15, 0, 0)) is None
    assert window_to_close(_at(2026, 12, 14, 23, 59)).period == "2026-11"
    assert window_to_close(_at(2026, 12, 15, 0, 0)).period == "2026-12"
    assert window_to_close(_at(2027, 1, 3)).period == "2026-12"
    # UTC instants work the same (summer: the window is in BST)
    assert window_to_open(datetime(2026, 6, 7, 23, 0, tzinfo=UTC)).period == "2026-06"  # 00:00 BST on the 8th
    assert window_to_open(datetime(2026, 6, 7, 22, 59, tzinfo=UTC)) is None

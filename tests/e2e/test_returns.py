"""Reporting windows and monthly returns over HTTP on the local stack (issue 4, "Done when").

The demo CQC import gave Harbour Lights Support Ltd (1-1000000002) an approver account for its contact,
anna.price@example.org, whose welcome mail is in the outbox. Her locations: 1-2000000003 (home care and
supported living), 1-2000000004 (care home) and 1-2000000005 (dormant). The service's clock is fixed
inside the December 2026 window (8th to Monday 14th) with PUT /_local/clock, and set back afterwards.
"""
from __future__ import annotations

from collections import Counter

import pytest

pytestmark = pytest.mark.e2e

ANNA = "anna.price@example.org"
CARE_HOME_LOC, HOME_LOC, DORMANT_LOC, OTHER_ORG_LOC = "1-2000000004", "1-2000000003", "1-2000000005", "1-2000000001"
CARE_HOME = {"beds_max_capacity": 32, "beds_occupied": 28, "beds_vacant_reserved": 1, "beds_vacant_accepting": 3,
             "staff_nurses_direct": 0, "staff_care_direct": 24, "staff_non_care_direct": 6, "staff_nurses_agency": 0,
             "staff_care_agency": 2, "staff_non_care_agency": 0, "staff_absent": 2}


@pytest.fixture
def in_december_window(api):
    answer = api.call("PUT", "/_local/clock", json={"at": "2026-12-09T10:00:00+00:00"})
    assert answer.status_code == 200, answer.text
    try:
        yield
    finally:
        api.call("PUT", "/_local/clock", json={"at": None})


def _login(api) -> str:
    # Through the shared password book: other modules (test_commissioners.py) log Anna in too.
    return api.token(ANNA)


def _problem_fields(response) -> dict[str, str]:
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"code", "message", "details"} and len(body["message"]) > 20
    return {p["field"]: p["problem"] for p in body["details"].get("problems", [])}


def _run_twice(api, job: str, at: str) -> tuple[dict, dict]:
    results = []
    for _ in range(2):
        answer = api.call("POST", f"/_local/jobs/{job}", json={"at": at})
        assert answer.status_code == 200, answer.text
        results.append(answer.json()["result"])
    return results[0], results[1]


def _once_each(mails: list[dict]) -> None:
    counts = Counter((m["to"], m["subject"], m["body"]) for m in mails)
    assert counts and set(counts.values()) == {1}, [k[:2] for k, n in counts.items() if n > 1]


def test_returns_inside_a_window_and_the_window_jobs(api, in_december_window):
    token = _login(api)
    base = "/locations/{}/returns/2026-12/{}"

    # a care-home return and a nil home-care return, inside the window
    saved = api.call("PUT", base.format(CARE_HOME_LOC, "care_home"), token, json=CARE_HOME)
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 1 and saved.json()["in_window"] is True and saved.headers["ETag"] == '"1"'
    nil = api.call("PUT", base.format(HOME_LOC, "home_care"), token, json={"nil_return": True})
    assert nil.status_code == 200, nil.text
    assert nil.json()["nil_return"] is True and nil.json()["in_window"] is True

    # both show as done
    owed = api.call("GET", "/returns/owed", token)
    assert owed.status_code == 200, owed.text
    assert owed.json()["window"]["period"] == "2026-12" and owed.json()["all_done"] is False
    status = {(loc["location_id"], ct["care_type"]): ct["done"] for loc in owed.json()["locations"] for ct in loc["care_types"]}
    assert status[(CARE_HOME_LOC, "care_home")] is True and status[(HOME_LOC, "home_care")] is True
    assert status[(HOME_LOC, "supported_living")] is False
    assert next(loc for loc in owed.json()["locations"] if loc["location_id"] == DORMANT_LOC)["owes"] is False

    # an update based on the current version is saved; one based on a stale copy is 409
    update = api.call("PUT", base.format(CARE_HOME_LOC, "care_home"), token, json={**CARE_HOME, "staff_absent": 3},
                      headers={"If-Match": saved.headers["ETag"]})
    assert update.status_code == 200 and update.json()["version"] == 2, update.text
    stale = api.call("PUT", base.format(CARE_HOME_LOC, "care_home"), token, json={**CARE_HOME, "version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version", stale.text
    assert stale.json()["details"] == {"current_version": 2}
    blind = api.call("PUT", base.format(CARE_HOME_LOC, "care_home"), token, json=CARE_HOME)
    assert blind.status_code == 409 and blind.json()["code"] == "version_required"

    # bad fields are 400s that say what to fix
    assert _problem_fields(api.call("PUT", base.format(CARE_HOME_LOC, "care_home"), token,
                                    json={**CARE_HOME, "beds_occupied": -1, "version": 2})) == {
        "beds_occupied": "must be a whole number, 0 or more"}
    assert "not a field of a care home return" in _problem_fields(api.call(
        "PUT", base.format(CARE_HOME_LOC, "care_home"), token, json={**CARE_HOME, "people_receiving_care": 3, "version": 2}
    ))["people_receiving_care"]
    over = _problem_fields(api.call("PUT", base.format(CARE_HOME_LOC, "care_home"), token,
                                    json={**CARE_HOME, "beds_occupied": 40, "version": 2}))
    assert "maximum capacity of 32" in over["beds_occupied"]
    assert _problem_fields(api.call("PUT", base.format(CARE_HOME_LOC, "care_home"), token,
                                    json={**CARE_HOME, "staff_absent": "2", "version": 2})) == {
        "staff_absent": "must be a whole number, 0 or more"}
    wrong_type = api.call("PUT", base.format(CARE_HOME_LOC, "home_care"), token, json={"nil_return": True})
    assert wrong_type.status_code == 400 and wrong_type.json()["code"] == "care_type_not_provided"
    bad_period = api.call("PUT", f"/locations/{CARE_HOME_LOC}/returns/2026-13/care_home", token, json=CARE_HOME)
    assert bad_period.status_code == 400 and bad_period.json()["code"] == "invalid_period"
    assert api.call("PUT", base.format(OTHER_ORG_LOC, "care_home"), token, json=CARE_HOME).status_code == 403
    assert api.call("PUT", base.format(CARE_HOME_LOC, "care_home"), json=CARE_HOME).status_code == 401

    # the month with its history
    month = api.call("GET", f"/locations/{CARE_HOME_LOC}/returns/2026-12", token)
    assert month.status_code == 200, month.text
    assert month.json()["current"]["care_home"]["figures"]["staff_absent"] == 3
    assert [h["version"] for h in month.json()["history"]] == [1, 2]
    assert month.json()["window"]["last_day"] == "2026-12-14" and month.json()["done_in_window"] == ["care_home"]

    # the window jobs, each run twice: every email once
    opened, opened_again = _run_twice(api, "open_window", "2026-12-08T07:00:00+00:00")
    assert opened["window"] == "2026-12" and opened_again.get("already_done") is True
    open_mails = [m for m in api.outbox() if "returns window is open" in m["subject"]]
    _once_each(open_mails)
    assert ANNA in {m["to"] for m in open_mails}

    reminded, reminded_again = _run_twice(api, "remind", "2026-12-11T09:00:00+00:00")
    assert reminded["window"] == "2026-12" and reminded_again.get("already_done") is True
    reminders = [m for m in api.outbox() if m["subject"] == "Reminder: December 2026 returns still missing"]
    _once_each(reminders)
    mine = [m for m in reminders if m["to"] == ANNA and "December 2026" in m["subject"]]  # other tests remind other months
    assert len(mine) == 1 and "Harbour Lights Supported Living: supported living" in mine[0]["body"]
    assert "Harbour View Care Home" not in mine[0]["body"]

    # (close_window sends no mail itself; compliance counting, hooked in by issue 5, may: once each)
    before_close = len(api.outbox())
    closed = api.call("POST", "/_local/jobs/close_window", json={"at": "2026-12-15T00:30:00+00:00"}).json()["result"]
    after_first = api.outbox()
    closed_again = api.call("POST", "/_local/jobs/close_window", json={"at": "2026-12-16T00:30:00+00:00"}).json()["result"]
    assert closed["window"] == closed_again["window"] == "2026-12" and closed_again["newly_closed"] is False
    assert api.outbox() == after_first
    if len(after_first) > before_close:
        _once_each(after_first[before_close:])

    # a bulk update answers each item on its own
    bulk = api.call("POST", "/returns/bulk", token, json={"items": [
        {"location_id": HOME_LOC, "period": "2026-12", "care_type": "supported_living", "return": {"nil_return": True}},
        {"location_id": HOME_LOC, "period": "2026-12", "care_type": "home_care", "return": {"no_change": True}},
        {"location_id": OTHER_ORG_LOC, "period": "2026-12", "care_type": "care_home", "return": CARE_HOME},
    ]})
    assert bulk.status_code == 200, bulk.text
    assert [r["status"] for r in bulk.json()["results"]] == [200, 409, 403]
    assert bulk.json()["results"][1]["error"]["code"] == "version_required"


def test_bulk_items_are_answered_one_by_one_and_the_clock_is_real_again(api):
    token = _login(api)
    answer = api.call("POST", "/returns/bulk", token, json={"items": ["not an object", {"location_id": HOME_LOC}]})
    assert answer.status_code == 200, answer.text
    assert [r["status"] for r in answer.json()["results"]] == [400, 400]
    assert answer.json()["results"][0]["error"]["code"] == "invalid_item"
    assert api.call("POST", "/returns/bulk", token, json={"items": []}).status_code == 400
    # outside any window (the real clock: the fixture above set it back), a save is kept but does not count
    month = api.call("GET", f"/locations/{HOME_LOC}/returns/2026-12", token).json()
    current = month["current"]["home_care"]
    late = api.call("PUT", f"/locations/{HOME_LOC}/returns/2026-12/home_care", token,
                    json={"nil_return": True, **({"version": current["version"]} if current else {})})
    assert late.status_code == 200, late.text
    from datetime import datetime, timezone

    from care_tracker.rules.reporting_window import window_for_period

    assert late.json()["in_window"] is window_for_period("2026-12").contains(datetime.now(timezone.utc))

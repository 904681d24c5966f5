"""Compliance, escalation and enforcement over HTTP on the local stack (issue 5, "Done when").

Five months (January to May 2025) are driven with PUT /_local/clock (returns saved inside each
window) and /_local/jobs/close_window (which counts compliance). Demo organisations:
- Meadowbank Care Ltd (1-1000000001): Meadowbank House (1-2000000001, care home) misses March, April
  and May -> help email, at-risk email, an enforcement case; Meadowbank Home Care always on time.
- Harbour Lights Support Ltd (1-1000000002): Harbour Lights Supported Living (1-2000000003) misses
  January, February, April and May (never three in a row) -> a case; Harbour View (1-2000000004)
  misses January, makes the return late, and the support team's correction turns it into a completion.
- Northvale Borough Council (1-1000000003, a public body): Ashgrove Court (1-2000000007) misses like
  Meadowbank House and the reablement service (1-2000000006) makes no return at all -> no case.
  (No returns are saved for 1-2000000006: test_exports reads that location's returns.)
The support team saves the returns (it may, for any location); the demo enforcement officer works a case.
"""
from __future__ import annotations

import csv
import io
import re

import pytest

pytestmark = pytest.mark.e2e

ADMIN = "support@demo.care-tracker.example.org"
OFFICER = "enforcement@demo.care-tracker.example.org"
HELEN = "helen.marsh@example.org"  # Meadowbank's approver, created by the demo import
# passwords other e2e tests may already have set on the shared demo admin (see test_exports.py)
MINE = "copper meadow lantern ripple"

MEADOW_HOUSE, MEADOW_HOME, HARBOUR_SL, HARBOUR_VIEW = "1-2000000001", "1-2000000002", "1-2000000003", "1-2000000004"
COUNCIL_HOME, COUNCIL_HOUSE = "1-2000000006", "1-2000000007"
MEADOWBANK, HARBOUR, COUNCIL = "1-1000000001", "1-1000000002", "1-1000000003"
MONTHS = ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05"]
CARE = {MEADOW_HOUSE: ["care_home"], MEADOW_HOME: ["home_care"], HARBOUR_SL: ["home_care", "supported_living"],
        HARBOUR_VIEW: ["care_home"], COUNCIL_HOUSE: ["care_home"]}
ON_TIME = {  # o: every care type saved inside the window; x: missed
    MEADOW_HOUSE: "ooxxx", MEADOW_HOME: "ooooo", HARBOUR_SL: "xxoxx", HARBOUR_VIEW: "xoooo",
    COUNCIL_HOUSE: "ooxxx",
}


def token_for(api, email: str, temporary: str | None, password: str = MINE) -> str:
    return api.token(email, temporary, password)


def welcome_password(api, email: str) -> str:
    mail = [m for m in api.outbox() if m["to"] == email and "Temporary password:" in m["body"]][-1]
    return re.search(r"Temporary password: (\S+)", mail["body"]).group(1)


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code and len(body["message"]) > 20, body
    return body


def set_clock(api, at: str | None) -> None:
    ok(api.call("PUT", "/_local/clock", json={"at": at}))


def save_nil(api, token: str, location_id: str, period: str, care_type: str) -> None:
    ok(api.call("PUT", f"/locations/{location_id}/returns/{period}/{care_type}", token, json={"nil_return": True}))


def close(api, period: str, day: int = 20) -> dict:
    result = ok(api.call("POST", "/_local/jobs/close_window", json={"at": f"{period}-{day}T00:30:00+00:00"}))["result"]
    assert result["window"] == period
    return result["compliance"]


def mails_about(api, to: str, name: str) -> list[str]:
    return [m["subject"] for m in api.outbox() if m["to"] == to and m["subject"].startswith(name)]


def test_five_months_of_compliance_escalation_correction_and_a_case(api, stack):
    admin = token_for(api, ADMIN, stack["logins"].get(ADMIN))
    try:
        counts = []
        for i, period in enumerate(MONTHS):
            set_clock(api, f"{period}-09T10:00:00+00:00")
            for location_id, plan in ON_TIME.items():
                if plan[i] == "o":
                    for care_type in CARE[location_id]:
                        save_nil(api, admin, location_id, period, care_type)
            if period == "2025-01":  # Harbour View's January return arrives late
                set_clock(api, "2025-01-17T10:00:00+00:00")
                save_nil(api, admin, HARBOUR_VIEW, period, "care_home")
            counts.append(close(api, period))
            if period == "2025-01":
                # before the correction: a miss; the support team accepts the late return, with a reason
                view = ok(api.call("GET", f"/locations/{HARBOUR_VIEW}/compliance", admin))
                assert view["months"][0] == {"location_id": HARBOUR_VIEW, "period": "2025-01", "status": "missed",
                                             "consecutive_misses": 1, "misses_last_12": 1, "stage": "help_offered",
                                             "care_types": ["care_home"], "accepted_late": []}
                error_of(api.call("POST", f"/locations/{HARBOUR_VIEW}/compliance/2025-01/corrections", admin,
                                  json={"care_type": "care_home"}), 400, "validation_failed")
                fixed = ok(api.call("POST", f"/locations/{HARBOUR_VIEW}/compliance/2025-01/corrections", admin,
                                    json={"care_type": "care_home", "reason": "Portal outage on 14 January"}), 201)
                assert fixed["status"] == "completed" and fixed["stage"] == "none" and fixed["accepted_late"] == ["care_home"]
                error_of(api.call("POST", f"/locations/{MEADOW_HOUSE}/compliance/2025-01/corrections", admin,
                                  json={"care_type": "care_home", "reason": "nothing to correct"}), 409, "not_missed")
        assert all(c["locations_counted"] >= 6 for c in counts)

        # Meadowbank House: help after March, at risk after April, a case after May
        assert [("help" if "can we help" in s else "risk") for s in mails_about(api, HELEN, "Meadowbank House")] == ["help", "risk"]
        assert mails_about(api, HELEN, "Meadowbank Home Care") == []
        # close_window again for May does not count again; the count_compliance job re-counts, changing and
        # sending nothing
        before = api.outbox()
        assert close(api, "2025-05", day=21) == {"already_counted": True}
        again = ok(api.call("POST", "/_local/jobs/count_compliance", json={"at": "2025-05-21T01:00:00+00:00"}))["result"]
        assert again["period"] == "2025-05" and again["states_written"] == 0 and again["actions"] == {}
        assert api.outbox() == before

        cases = {org: ok(api.call("GET", f"/enforcement/cases?organisation_id={org}", admin))["cases"]
                 for org in (MEADOWBANK, HARBOUR, COUNCIL)}
        assert [c["locations"] for c in cases[MEADOWBANK]] == [[{"location_id": MEADOW_HOUSE, "months": MONTHS[2:]}]]
        assert [c["locations"] for c in cases[HARBOUR]] == [
            [{"location_id": HARBOUR_SL, "months": ["2025-01", "2025-02", "2025-04", "2025-05"]}]]
        assert cases[COUNCIL] == []  # a public body: counted and reported, never a case
        council = ok(api.call("GET", f"/locations/{COUNCIL_HOUSE}/compliance", admin))
        assert council["public_body"] is True and council["months"][0]["stage"] == "eligible"

        # the correction stands; Harbour View's history is all completed
        view = ok(api.call("GET", f"/locations/{HARBOUR_VIEW}/compliance", admin))
        assert [m["status"] for m in view["months"]] == ["completed"] * 5 and view["months"][-1]["accepted_late"] == ["care_home"]

        # the location's own users see it; others do not
        helen = token_for(api, HELEN, welcome_password(api, HELEN), "meadow lantern copper forty")
        mine = ok(api.call("GET", f"/locations/{MEADOW_HOUSE}/compliance", helen))
        assert [(m["period"], m["status"], m["consecutive_misses"], m["misses_last_12"], m["stage"]) for m in mine["months"]] == [
            ("2025-05", "missed", 3, 3, "eligible"), ("2025-04", "missed", 2, 2, "at_risk"),
            ("2025-03", "missed", 1, 1, "help_offered"), ("2025-02", "completed", 0, 0, "none"),
            ("2025-01", "completed", 0, 0, "none")]
        error_of(api.call("GET", f"/locations/{HARBOUR_SL}/compliance", helen), 403, "not_your_location")
        org = ok(api.call("GET", f"/organisations/{MEADOWBANK}/compliance", helen))
        assert {loc["location_id"]: loc["stage"] for loc in org["locations"]} == {MEADOW_HOUSE: "eligible", MEADOW_HOME: "none"}
        error_of(api.call("GET", "/compliance/windows/2025-05", helen), 403, "wrong_role")

        # reports for the support team, and their CSV versions
        window = ok(api.call("GET", "/compliance/windows/2025-05", admin))
        northvale = next(g for g in window["by_local_authority"] if g["name"] == "Northvale")
        assert (northvale["expected"], northvale["completed"], northvale["missed"], northvale["completion_rate"]) == (2, 0, 2, 0.0)
        assert window["overall"]["expected"] >= 6
        sheet = api.call("GET", "/compliance/windows/2025-05?format=csv", admin)
        assert sheet.status_code == 200 and sheet.headers["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(sheet.text, newline="")))
        assert {"group": "local_authority", "name": "Northvale", "missed": "2", "completion_rate": "0.0"}.items() <= next(
            r for r in rows if r["name"] == "Northvale").items()
        risky = {r["location_id"]: r["stage"] for r in ok(api.call("GET", "/compliance/at-risk?period=2025-05", admin))["locations"]}
        assert {MEADOW_HOUSE: "eligible", HARBOUR_SL: "eligible", COUNCIL_HOUSE: "eligible", COUNCIL_HOME: "eligible"}.items() <= risky.items()
        assert MEADOW_HOME not in risky and HARBOUR_VIEW not in risky
        tasks = ok(api.call("GET", "/compliance/tasks?period=2025-05", admin))["tasks"]
        assert {(t["location_id"], t["action"]) for t in tasks} >= {(MEADOW_HOUSE, "open_case"), (HARBOUR_SL, "warn_at_risk")}
        assert not any(t["location_id"] in (COUNCIL_HOME, COUNCIL_HOUSE) and t["action"] == "open_case" for t in tasks)

        # the officer takes Meadowbank's case from notice of intent to a withdrawn decision
        officer = token_for(api, OFFICER, welcome_password(api, OFFICER), "bramble ferry window sixty")
        case = cases[MEADOWBANK][0]
        path = f"/enforcement/cases/{case['case_id']}"
        error_of(api.call("POST", f"{path}/steps", officer, json={"action": "withdraw", "reason": "not yet"}), 409, "step_not_allowed")
        error_of(api.call("POST", f"{path}/steps", admin, json={"action": "issue_notice", "reason": "x" * 5}), 403, "wrong_role")
        set_clock(api, "2025-06-02T09:00:00+00:00")
        noticed = ok(api.call("POST", f"{path}/steps", officer, json={"action": "issue_notice", "version": case["version"],
                                                                      "reason": "Three consecutive months missed"}))
        assert noticed["state"] == "notice_of_intent" and noticed["representations_due"] == "2025-06-30"
        error_of(api.call("POST", f"{path}/steps", officer, json={"action": "record_representations", "reason": "stale",
                                                               "version": case["version"]}), 409, "stale_case")
        set_clock(api, "2025-06-20T09:00:00+00:00")
        ok(api.call("POST", f"{path}/steps", officer, json={"action": "record_representations", "version": noticed["version"],
                                                           "reason": "Manager in hospital March to May; evidence supplied"}))
        withdrawn = ok(api.call("POST", f"{path}/steps", officer, json={"action": "withdraw",
                                                                       "reason": "Reasonable excuse accepted"}))
        assert withdrawn["state"] == "withdrawn" and withdrawn["active"] is False
        log = ok(api.call("GET", path, officer))["log"]
        me = ok(api.call("GET", "/me", officer))["user_id"]
        assert [(s["action"], s["to_state"]) for s in log] == [
            ("opened", "open"), ("issue_notice", "notice_of_intent"), ("record_representations", "representations_received"),
            ("withdraw", "withdrawn")]
        assert [s["by"] for s in log] == ["system", me, me, me]
        assert [s["reason"] for s in log[1:]] == ["Three consecutive months missed",
                                                  "Manager in hospital March to May; evidence supplied", "Reasonable excuse accepted"]
        assert log[1]["at"].startswith("2025-06-02") and log[3]["at"].startswith("2025-06-20")

        # Harbour Lights' notice gets no representations: the daily job flags it once
        harbour = cases[HARBOUR][0]
        set_clock(api, "2025-06-02T09:00:00+00:00")
        ok(api.call("POST", f"/enforcement/cases/{harbour['case_id']}/steps", officer,
                    json={"action": "issue_notice", "reason": "Four months missed in twelve"}))
        early = ok(api.call("POST", "/_local/jobs/flag_overdue_representations", json={"at": "2025-06-30T07:00:00+00:00"}))
        assert harbour["case_id"] not in early["result"]["flagged"]
        late = ok(api.call("POST", "/_local/jobs/flag_overdue_representations", json={"at": "2025-07-01T07:00:00+00:00"}))
        assert harbour["case_id"] in late["result"]["flagged"]
        again = ok(api.call("POST", "/_local/jobs/flag_overdue_representations", json={"at": "2025-07-01T08:00:00+00:00"}))
        assert harbour["case_id"] not in again["result"]["flagged"]
        assert ok(api.call("GET", f"/enforcement/cases/{harbour['case_id']}", officer))["state"] == "representations_deadline_passed"
        summary = ok(api.call("GET", "/enforcement/summary", officer))["by_state"]
        assert summary["withdrawn"] >= 1 and summary["representations_deadline_passed"] >= 1
    finally:
        set_clock(api, None)

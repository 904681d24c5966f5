"""Issue 13's "Done when", over HTTP on the local stack: a provider user (the demo approver) and an
employer each post a suggestion and feedback; three people vote (one twice, one withdraws); the
order and counts are right; the support team answers the feedback (the sender is emailed), marks
one suggestion planned and merges a duplicate; the 48-hour job flags an unanswered item once.
The employer signs up through POST /employers and adds the PA, as the web client does; each signs in
with the temporary password of their welcome mail. Lists are read for this test's own suggestions
only, so whatever else the stack holds (demo data, other modules) does not matter."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

pytestmark = pytest.mark.e2e

APPROVER = "approver@demo.care-tracker.example.org"
ADMIN = "support@demo.care-tracker.example.org"
EMPLOYER = "feedback.employer@example.org"
PA = "feedback.pa@example.org"


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


TITLES = ("Print the rota", "Rota as a PDF", "A PDF of the rota")


def listed(api, token: str, order: str = "votes") -> list[tuple]:
    page = ok(api.call("GET", f"/suggestions?order={order}", token=token))
    return [(s["title"], s["votes"], s["voted"], s["status"]) for s in page["suggestions"] if s["title"] in TITLES]


def test_feedback_and_suggestions_done_when(api):
    signed = ok(api.call("POST", "/employers", json={
        "full_name": "Erin Employer", "email": EMPLOYER, "care_recipient_name": "Erin Employer", "managed_by": "self",
        "funding_type": "direct_payment", "care_package_confirmed": True}), 201)
    employer = api.token(EMPLOYER)
    ok(api.call("POST", f"/employers/{signed['employer_id']}/pas", employer, json={
        "full_name": "Pat Assistant", "email": PA, "phone": "0113 496 0100", "address": "3 Mill Lane, Leeds LS3 3CC",
        "date_of_birth": "1990-03-01", "ni_number": "CE103759D", "start_date": "2026-01-05", "contracted_hours": 20}), 201)
    approver, pa, support = (api.token(e) for e in (APPROVER, PA, ADMIN))

    # each posts a suggestion and feedback
    rota_print = ok(api.call("POST", "/suggestions", approver, json={
        "title": "Print the rota", "description": "For the staff room wall"}), 201)
    rota_pdf = ok(api.call("POST", "/suggestions", employer, json={
        "title": "Rota as a PDF", "description": "To send to my PAs"}), 201)
    duplicate = ok(api.call("POST", "/suggestions", pa, json={
        "title": "A PDF of the rota", "description": "Same as the other one"}), 201)
    asked = ok(api.call("POST", "/feedback", approver, json={
        "category": "question", "text": "How do I add a location?", "about": "/locations"}), 201)
    broken = ok(api.call("POST", "/feedback", employer, json={
        "category": "something_wrong", "text": "The rota page shows nothing"}), 201)
    assert rota_pdf["author_name"] == "Erin Employer" and asked["status"] == "open"

    # three people vote: the employer twice (nothing changes), the PA withdraws one
    for token, suggestion in ((approver, rota_pdf), (employer, rota_pdf), (employer, rota_pdf), (pa, rota_print),
                              (pa, duplicate)):
        assert ok(api.call("PUT", f"/suggestions/{suggestion['id']}/vote", token)) == {
            "suggestion_id": suggestion["id"], "voted": True}
    assert ok(api.call("DELETE", f"/suggestions/{rota_print['id']}/vote", pa))["voted"] is False
    assert listed(api, employer) == [("Rota as a PDF", 2, True, "open"), ("A PDF of the rota", 1, False, "open"),
                                     ("Print the rota", 0, False, "open")]
    assert [t for t, *_ in listed(api, pa, "newest")] == ["A PDF of the rota", "Rota as a PDF", "Print the rota"]

    # the support team: the inbox oldest first with the time left; an answer, emailed to the sender
    inbox = ok(api.call("GET", "/feedback/inbox", support))["feedback"]
    mine = [f for f in inbox if f["id"] in (asked["id"], broken["id"])]
    assert [f["id"] for f in mine] == [asked["id"], broken["id"]]
    assert all(0 < f["time_left_seconds"] <= 48 * 3600 and not f["overdue"] for f in mine)
    assert api.call("GET", "/feedback/inbox", approver).json()["code"] == "wrong_role"
    ok(api.call("POST", f"/feedback/{asked['id']}/answer", support, json={"text": "Locations come from CQC's file."}))
    mail = [m for m in api.outbox() if m["to"] == APPROVER and "answered your feedback" in m["subject"]]
    assert len(mail) == 1 and "Locations come from CQC's file." in mail[0]["body"]
    answers = ok(api.call("GET", "/feedback/mine", approver))["feedback"]
    assert [(f["id"], f["status"], [a["text"] for a in f["answers"]]) for f in answers] == [
        (asked["id"], "answered", ["Locations come from CQC's file."])]
    assert [f["id"] for f in ok(api.call("GET", "/feedback/mine", employer))["feedback"]] == [broken["id"]]

    # planned, with a comment; the duplicate merged: the PA's vote moves, counted once
    planned = ok(api.call("PUT", f"/suggestions/{rota_pdf['id']}/status", support,
                          json={"status": "planned", "comment": "Coming in the spring"}))
    assert (planned["status"], planned["team_comment"]) == ("planned", "Coming in the spring")
    merged = ok(api.call("POST", f"/suggestions/{duplicate['id']}/merge", support, json={"into": rota_pdf["id"]}))
    assert merged["complete"] and merged["target"]["votes"] == 3 and merged["duplicate"]["merged_into"] == rota_pdf["id"]
    assert listed(api, pa) == [("Rota as a PDF", 3, True, "planned"), ("Print the rota", 0, False, "open")]
    assert api.call("PUT", f"/suggestions/{duplicate['id']}/vote", approver).json()["code"] == "suggestion_merged"

    # the 48-hour job flags the unanswered feedback once
    at = (datetime.fromisoformat(broken["created_at"]) + timedelta(hours=49)).isoformat()
    first = ok(api.call("POST", "/_local/jobs/flag_unanswered_feedback", json={"at": at}))["result"]["flagged"]
    again = ok(api.call("POST", "/_local/jobs/flag_unanswered_feedback", json={"at": at}))["result"]["flagged"]
    assert broken["id"] in first and again == [] and asked["id"] not in first
    flagged = [m for m in api.outbox() if m["subject"].startswith("Feedback waiting") and broken["id"] in m["body"]]
    assert len(flagged) == 1 and flagged[0]["to"] == "support@care-tracker.example.org"

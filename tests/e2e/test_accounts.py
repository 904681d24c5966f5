"""Provider accounts over HTTP on the local stack (issue 3's "Done when"): a CQC import creates an
organisation whose approver logs in; a new user registers, is approved, logs in and sees the
location; another request is rejected with a reason that reaches the outbox."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from bench.accounts import csv_text, header, location_values
from infra.local.demo import DEMO_FILE

pytestmark = pytest.mark.e2e

NEW_ORG, OTHER_ORG = "1-4000000900", "1-4000000901"
LOC_1, LOC_2, OTHER_LOC = "1-3000000900", "1-3000000901", "1-3000000902"
BOSS, OTHER_BOSS = "manager900@bench.example.org", "manager901@bench.example.org"


def temporary_password(api, email: str) -> str:
    mail = [m for m in api.outbox() if m["to"] == email and "Temporary password:" in m["body"]][-1]
    return re.search(r"Temporary password: (\S+)", mail["body"]).group(1)


def error_of(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message", "details"} and len(body["message"]) > 10, body
    if code:
        assert body["code"] == code, body
    return body


def registration(email: str, location_ids: list[str], **extra) -> dict:
    return {"full_name": "Robin Newhire", "email": email, "phone": "0113 496 0999", "job_title": "Senior carer",
            "location_ids": location_ids, "terms_accepted": True, "comms_consent": False, **extra}


@pytest.fixture(scope="module")
def imported(stack, api):
    """A newer CQC file: the demo rows unchanged plus two new organisations with contact emails."""
    columns = header()
    demo = DEMO_FILE.read_text(encoding="utf-8")
    new_rows = [
        dict(location_values(900, provider=900, email=True), **{"Location Postal Code": "YO1 7HH"}),
        dict(location_values(901, provider=900, email=True), **{"Location Postal Code": "YO1 7HH"}),
        dict(location_values(902, provider=901, email=True), **{"Location Postal Code": "YO1 7HH", "Dormant (Y/N)": "Y"}),
    ]
    text = demo.rstrip("\r\n") + "\n" + csv_text(columns, new_rows).split("\n", 1)[1]
    s3 = boto3.client("s3", region_name="eu-west-2", endpoint_url=stack["aws"])
    bucket = next(b["Name"] for b in s3.list_buckets()["Buckets"] if "imports" in b["Name"])
    s3.put_object(Bucket=bucket, Key="cqc/02_November_2026_HSCA_Active_Locations.csv", Body=text.encode())
    at = datetime(2026, 11, 2, 6, tzinfo=UTC).isoformat()
    run = api.call("POST", "/_local/jobs/import_cqc_locations", json={"at": at})
    assert run.status_code == 200, run.text
    result = run.json()["result"]
    assert result["imported"].endswith("02_November_2026_HSCA_Active_Locations.csv")
    assert (result["locations_written"], result["accounts_created"], result["errors"]) == (3, 2, [])
    assert result["locations_deregistered_missing"] == 0
    # running it again writes nothing and sends nothing
    before = len(api.outbox())
    again = api.call("POST", "/_local/jobs/import_cqc_locations", json={"at": at}).json()["result"]
    assert (again["locations_written"], again["organisations_written"], again["accounts_created"]) == (0, 0, 0)
    assert len(api.outbox()) == before
    boss = api.login_first_time(BOSS, temporary_password(api, BOSS), "copper meadow lantern ninety")
    other = api.login_first_time(OTHER_BOSS, temporary_password(api, OTHER_BOSS), "silver harbour window eleven")
    return {"boss": boss, "other": other}


def test_import_register_approve_login_and_reject(api, imported):
    boss = imported["boss"]
    me = api.call("GET", "/me", token=boss).json()
    assert me["organisation_id"] == NEW_ORG and set(me["roles"]) == {"approver", "provider_user"}
    assert sorted(me["location_ids"]) == [LOC_1, LOC_2]

    # postcode search: spaces and case ignored; the dormant location is not offered
    found = api.call("GET", "/locations/search", params={"postcode": " yo17 hh "})
    assert found.status_code == 200, found.text
    ids = {loc["location_id"]: loc for loc in found.json()["locations"]}
    assert set(ids) == {LOC_1, LOC_2}
    assert ids[LOC_1]["provider_name"] == "Bench Provider 900" and ids[LOC_1]["postcode"] == "YO1 7HH"
    error_of(api.call("GET", "/locations/search", params={"postcode": "abc 123"}), 400, "invalid_postcode")

    # a new user asks for one location
    email = "robin.newhire@example.org"
    created = api.call("POST", "/registrations", json=registration("Robin.Newhire@Example.org", [LOC_2]))
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "pending"
    request_id = created.json()["id"]
    error_of(api.call("POST", "/registrations", json=registration(email.upper(), [LOC_1])), 409, "username_taken")
    assert any(m["to"] == BOSS and "waiting" in m["subject"] for m in api.outbox())

    # the approver sees it; an approver of another organisation gets 403, the same as for no request at all
    pending = api.call("GET", "/registrations", params={"status": "pending"}, token=boss)
    assert pending.status_code == 200, pending.text
    assert [r["id"] for r in pending.json()["registrations"]] == [request_id]
    assert api.call("GET", "/registrations", params={"status": "pending"}, token=imported["other"]).json()["registrations"] == []
    refused = error_of(api.call("POST", f"/registrations/{request_id}/approve", token=imported["other"]), 403)
    unknown = error_of(api.call("POST", "/registrations/no-such-id/approve", token=imported["other"]), 403)
    assert refused == unknown
    error_of(api.call("POST", f"/registrations/{request_id}/approve"), 401)

    approved = api.call("POST", f"/registrations/{request_id}/approve", token=boss)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    error_of(api.call("POST", f"/registrations/{request_id}/approve", token=boss), 409, "already_decided")

    # the new user logs in with the emailed temporary password, changes it, and sees the location
    token = api.login_first_time(email, temporary_password(api, email), "quartz pebble orchard seven")
    me = api.call("GET", "/me", token=token).json()
    assert me["location_ids"] == [LOC_2] and me["roles"] == ["provider_user"] and me["organisation_id"] == NEW_ORG
    # a provider user cannot decide requests
    error_of(api.call("GET", "/registrations", params={"status": "pending"}, token=token), 403, "wrong_role")

    # a second request is rejected with a reason, which reaches the outbox
    second = api.call("POST", "/registrations", json=registration("sam.second@example.org", [LOC_1])).json()["id"]
    error_of(api.call("POST", f"/registrations/{second}/reject", json={}, token=boss), 400, "validation_failed")
    reason = "We have no one called Sam at this location."
    rejected = api.call("POST", f"/registrations/{second}/reject", json={"reason": reason}, token=boss)
    assert rejected.status_code == 200, rejected.text
    mail = [m for m in api.outbox() if m["to"] == "sam.second@example.org"][-1]
    assert reason in mail["body"]


def test_registration_input_is_checked(api, imported):
    error_of(api.call("POST", "/registrations", json=registration("a@example.org", [LOC_1], terms_accepted=False)),
             400, "terms_not_accepted")
    error_of(api.call("POST", "/registrations", json=registration("a@example.org", [LOC_1], surprise=1)), 400, "validation_failed")
    error_of(api.call("POST", "/registrations", json=registration("not-an-email", [LOC_1])), 400, "validation_failed")
    error_of(api.call("POST", "/registrations", json=registration("a@example.org", [LOC_1, OTHER_LOC])), 400)
    error_of(api.call("POST", "/registrations", data="{", headers={"Content-Type": "application/json"}), 400, "invalid_json")


def test_account_care_over_http(api, imported):
    boss = imported["boss"]
    email = "casey.leaver@example.org"
    request_id = api.call("POST", "/registrations", json=registration(email, [LOC_1])).json()["id"]
    assert api.call("POST", f"/registrations/{request_id}/approve", token=boss).status_code == 200
    token = api.login_first_time(email, temporary_password(api, email), "maple river cobalt forty")
    users = api.call("GET", "/users", token=boss).json()["users"]
    casey = next(u for u in users if u["email"] == email)
    assert api.call("PUT", "/me/consent", json={"comms_consent": True}, token=token).json()["comms_consent"] is True
    thin = api.call("GET", "/locations/thinly-staffed", token=boss).json()["locations"]
    assert {loc["location_id"] for loc in thin} <= {LOC_1, LOC_2}
    # another organisation's approver cannot touch the account
    error_of(api.call("POST", f"/users/{casey['user_id']}/deactivate", token=imported["other"]), 403)
    error_of(api.call("GET", "/users", params={"organisation_id": NEW_ORG}, token=imported["other"]), 403)
    # an approver cannot change details (support team only)
    error_of(api.call("PATCH", f"/users/{casey['user_id']}", json={"version": casey["version"], "full_name": "X"}, token=boss),
             403, "wrong_role")
    error_of(api.call("PUT", f"/organisations/{NEW_ORG}/public-body", json={"public_body": True}, token=boss), 403, "wrong_role")
    # promote, then deactivate: the unexpired token and the password stop working at once
    assert "approver" in api.call("POST", f"/users/{casey['user_id']}/promote", token=boss).json()["roles"]
    assert api.call("POST", f"/users/{casey['user_id']}/deactivate", token=boss).json()["active"] is False
    error_of(api.call("GET", "/me", token=token), 403, "account_deactivated")
    error_of(api.call("POST", "/auth/login", json={"email": email, "password": "maple river cobalt forty"}), 403,
             "account_deactivated")


def test_announcements_need_the_support_team_to_post(api, imported):
    now = datetime.now(UTC)
    body = {"title": "Webinar", "body": "Tuesday at 2pm", "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(days=1)).isoformat()}
    error_of(api.call("POST", "/announcements", json=body, token=imported["boss"]), 403, "wrong_role")
    current = api.call("GET", "/announcements", token=imported["boss"])
    assert current.status_code == 200 and isinstance(current.json()["announcements"], list)
    error_of(api.call("GET", "/announcements"), 401)

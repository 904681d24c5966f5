"""Employers and their PAs over HTTP on the local stack (issue 11's "Done when"): an employer signs
up and confirms, adds two PAs (one a family member), both sign in and change their passwords; one
is archived and refused at once, its record holds only what RULES 2.5 allows (read back from the
table itself), and the purge job removes it when the clock passes 7 years; the other is archived,
reactivated, fills in their details and sets a new password; both exports download and parse back."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone

import boto3
import pytest
import requests

from infra.local.demo import DEMO_EMPLOYER, DEMO_PAS

pytestmark = pytest.mark.e2e

EMPLOYER = "e2e.employer@example.org"
PA_ONE, PA_FAMILY = "e2e.pa.one@example.org", "e2e.pa.family@example.org"
MINE = "copper meadow lantern ripple"


def read_csv(url: str) -> list[dict]:
    response = requests.get(url, timeout=30)
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline="")))


def stored_item(stack, employer_id: str, pa_id: str) -> dict | None:
    table = next(name for name in boto3.client("dynamodb", endpoint_url=stack["aws"], region_name="eu-west-2")
                 .list_tables()["TableNames"] if name.endswith("EmployersTable"))
    found = boto3.client("dynamodb", endpoint_url=stack["aws"], region_name="eu-west-2").get_item(
        TableName=table, Key={"pk": {"S": f"EMP#{employer_id}"}, "sk": {"S": f"PA#{pa_id}"}})
    return found.get("Item")


def pa(name, email, ni, **extra):
    return {"full_name": name, "email": email, "phone": "0113 496 0100", "address": "3 Mill Lane, Leeds LS3 3CC",
            "date_of_birth": "1988-02-29", "ni_number": ni, "start_date": "2026-02-02", "contracted_hours": 16, **extra}


def test_the_demo_employer_has_three_pas_one_archived(api):
    token = api.token(DEMO_EMPLOYER, new_password=MINE)
    me = api.call("GET", "/me", token=token).json()
    assert "employer" in me["roles"]
    current = api.call("GET", f"/employers/{me['user_id']}/pas", token=token).json()["pas"]
    archived = api.call("GET", f"/employers/{me['user_id']}/pas?status=archived", token=token).json()["pas"]
    assert [p["pa_name"] for p in current] == ["Priya Patel", "Sam Demo"]
    assert [p["pa_name"] for p in archived] == ["Alex Former"] and archived[0]["ni_number"] == "JG103759C"
    assert api.call("GET", "/me/employments", token=api.token(DEMO_PAS[0], new_password=MINE)).json()["employments"][0][
        "employer_name"] == "Demo Employer"


def test_employers_pas_archive_purge_reactivation_and_exports(api, stack):
    # An employer signs up and confirms their email by the first login with the mailed password.
    signed = api.call("POST", "/employers", json={
        "full_name": "Eve Employer", "email": EMPLOYER.upper(), "care_recipient_name": "Ed Employer",
        "managed_by": "appointed", "manager_relationship": "family_member", "appointed_by": "the_person",
        "funding_type": "personal_health_budget", "care_package_confirmed": True})
    assert signed.status_code == 201, signed.text
    employer_id = signed.json()["employer_id"]
    again = api.call("POST", "/employers", json={**{k: v for k, v in signed.json().items() if k in (
        "full_name", "care_recipient_name", "managed_by", "manager_relationship", "appointed_by", "funding_type")},
        "email": EMPLOYER, "care_package_confirmed": True})
    assert again.status_code == 409 and again.json()["code"] == "username_taken"
    boss = api.token(EMPLOYER, new_password=MINE)
    settings = api.call("PUT", f"/employers/{employer_id}/settings", token=boss,
                        json={"version": 1, "funded_hours_per_week": 30, "pay_cycle": "four_weekly",
                              "first_period_start": "2026-04-06"})
    assert settings.status_code == 200, settings.text

    # Two PAs, one a family member (with the provider's agreement).
    one = api.call("POST", f"/employers/{employer_id}/pas", token=boss, json=pa("Olu One", PA_ONE, "ce 10 37 59 a"))
    assert one.status_code == 201, one.text
    family = api.call("POST", f"/employers/{employer_id}/pas", token=boss,
                      json=pa("Fern Family", PA_FAMILY, "CE103759B", relationship="family_member", provider_agreed=True,
                              contracted_hours=None, irregular_hours=True))
    assert family.status_code == 201, family.text
    one_id, family_id = one.json()["pa_id"], family.json()["pa_id"]
    # Both sign in and change their passwords.
    one_token, family_token = api.token(PA_ONE, new_password=MINE), api.token(PA_FAMILY, new_password=MINE)
    assert api.call("GET", "/me/employments", token=one_token).json()["employments"][0]["employer_name"] == "Eve Employer"

    # The first is archived: refused at once with the token they hold.
    today = datetime.now(timezone.utc).date()
    archived = api.call("POST", f"/employers/{employer_id}/pas/{one_id}/archive", token=boss,
                        json={"leaving_date": today.isoformat()})
    assert archived.status_code == 200, archived.text
    refused = api.call("GET", "/me/employments", token=one_token)
    assert refused.status_code == 403 and refused.json()["code"] == "account_deactivated"
    assert api.call("POST", "/auth/login", json={"email": PA_ONE, "password": MINE}).status_code != 200
    before = len(api.outbox())
    api.call("POST", "/auth/forgot-password", json={"email": PA_ONE})
    assert len(api.outbox()) == before  # no reset code for an archived PA
    # Only full name, username, NI number and the work history are left in the table.
    item = stored_item(stack, employer_id, one_id)
    assert {"pa_name", "email", "ni_number"} <= set(item)
    assert not {"phone", "address", "date_of_birth", "emergency_contact_name", "relationship"} & set(item)
    assert item["ni_number"] == {"S": "CE103759A"} and item["leaving_date"] == {"S": today.isoformat()}

    # The purge job removes it once the clock passes 7 years after the leaving date (and only then).
    not_yet = api.call("POST", "/_local/jobs/purge_expired_records",
                       json={"at": (datetime.now(timezone.utc) + timedelta(days=7 * 365)).isoformat()})
    assert not_yet.status_code == 200, not_yet.text
    assert stored_item(stack, employer_id, one_id) is not None
    at = (datetime.now(timezone.utc) + timedelta(days=7 * 366 + 2)).isoformat()
    purged = api.call("POST", "/_local/jobs/purge_expired_records", json={"at": at}).json()["result"]
    assert purged["deleted_records"] >= 1
    assert stored_item(stack, employer_id, one_id) is None
    assert api.call("POST", "/_local/jobs/purge_expired_records", json={"at": at}).json()["result"]["deleted_records"] == 0
    assert api.call("GET", f"/employers/{employer_id}/pas/{one_id}", token=boss).status_code == 404

    # The family member is archived, then reactivated: details again, and a new password first.
    leaving = today - timedelta(days=14)
    assert api.call("POST", f"/employers/{employer_id}/pas/{family_id}/archive", token=boss,
                    json={"leaving_date": leaving.isoformat()}).status_code == 200
    back = api.call("POST", f"/employers/{employer_id}/pas/{family_id}/reactivate", token=boss,
                    json={"start_date": (leaving + timedelta(days=7)).isoformat()})
    assert back.status_code == 200 and back.json()["status"] == "details_missing", back.text
    listed = api.call("GET", f"/employers/{employer_id}/pas", token=boss).json()["pas"]
    assert [(p["pa_name"], p["status"]) for p in listed] == [("Fern Family", "details_missing")]
    assert api.call("POST", "/auth/login", json={"email": PA_FAMILY, "password": MINE}).status_code != 200
    temporary = [m for m in api.outbox() if m["to"] == PA_FAMILY and "Temporary password:" in m["body"]][-1]
    assert "reactivated" in temporary["body"]
    new_password = "juniper harbour quill meadow"
    family_token = api.login_first_time(PA_FAMILY, temporary["body"].split("Temporary password:", 1)[1].split()[0],
                                        new_password)
    api.passwords[PA_FAMILY] = new_password  # the password book follows the change
    mine = api.call("GET", "/me/employments", token=family_token).json()
    assert mine["details_missing"] == [employer_id]
    # Until the details are in, the PA's rota, timesheets and holiday answer with the details form's error.
    week = f"from={today.isoformat()}&to={(today + timedelta(days=6)).isoformat()}"
    for method, path in (("GET", f"/pa/rota?{week}"), ("GET", f"/employers/{employer_id}/pas/{family_id}/timesheets/2026-04-06"),
                         ("GET", f"/employers/{employer_id}/pas/{family_id}/holiday")):
        refused = api.call(method, path, token=family_token)
        assert refused.status_code == 400 and refused.json()["code"] == "details_missing", (path, refused.text)
        assert refused.json()["details"]["employer_id"] == employer_id
    filled = api.call("PUT", f"/me/employments/{employer_id}/details", token=family_token,
                      json={"phone": "0113 496 0200", "address": "4 New Road, Leeds LS4 4DD", "date_of_birth": "1988-02-29",
                            "emergency_contact_name": "Fred Family", "emergency_contact_phone": "0113 496 0201"})
    assert filled.status_code == 200 and filled.json()["status"] == "active", filled.text
    assert api.call("GET", f"/pa/rota?{week}", token=family_token).status_code == 200
    assert api.call("GET", f"/employers/{employer_id}/pas/{family_id}/holiday", token=family_token).status_code == 200

    # The employer corrects the NI number (typed wrongly when the PA was added): checked by HMRC's rule,
    # version-checked, and kept unique; the old number is free for the PA it belongs to.
    record = api.call("GET", f"/employers/{employer_id}/pas/{family_id}", token=boss).json()
    wrong = api.call("PUT", f"/employers/{employer_id}/pas/{family_id}", token=boss,
                     json={"version": record["version"], "ni_number": "QQ 12 34 56 C"})
    assert wrong.status_code == 400 and "QQ123456C" not in wrong.text, wrong.text
    corrected = api.call("PUT", f"/employers/{employer_id}/pas/{family_id}", token=boss,
                         json={"version": record["version"], "ni_number": "jg 10 37 59 c"})
    assert corrected.status_code == 200 and corrected.json()["ni_number"] == "JG103759C", corrected.text
    stale = api.call("PUT", f"/employers/{employer_id}/pas/{family_id}", token=boss,
                     json={"version": record["version"], "ni_number": "CE103759B"})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version", stale.text
    assert stored_item(stack, employer_id, family_id)["ni_number"] == {"S": "JG103759C"}

    # Both exports download and parse back to what was stored.
    export = api.call("POST", "/exports", token=boss, json={"kind": "my_data"})
    assert export.status_code == 201, export.text
    rows = read_csv(export.json()["download_url"])
    [employer_row] = [r for r in rows if r["record"] == "employer"]
    assert employer_row["care_recipient_name"] == "Ed Employer" and employer_row["funded_hours_per_week"] == "30"
    assert employer_row["pay_cycle"] == "four_weekly" and employer_row["manager_relationship"] == "family_member"
    [pa_row] = [r for r in rows if r["record"] == "pa"]
    stored = api.call("GET", f"/employers/{employer_id}/pas/{family_id}", token=boss).json()
    for column in ("pa_name", "phone", "address", "date_of_birth", "ni_number", "start_date", "relationship",
                   "emergency_contact_name"):
        assert pa_row[column] == ("" if stored[column] is None else str(stored[column])), column
    assert pa_row["relationship"] == ""  # deleted by the archive, with the rest of the personal data
    assert pa_row["earlier_periods"] == f"2026-02-02/{leaving.isoformat()}" and pa_row["contracted_hours"] == ""
    mine = api.call("POST", "/exports", token=family_token, json={"kind": "my_data"})
    assert mine.status_code == 201, mine.text
    pa_rows = read_csv(mine.json()["download_url"])
    assert pa_rows[0]["record"] == "account" and pa_rows[0]["email"] == PA_FAMILY
    [own] = [r for r in pa_rows if r["record"] == "my_employment"]
    assert (own["employer_id"], own["phone"], own["date_of_birth"], own["status"]) == (
        employer_id, "0113 496 0200", date(1988, 2, 29).isoformat(), "active")


def test_nothing_personal_in_the_api_log(api, stack):
    log = stack["api_log"].read_text(encoding="utf-8", errors="replace")
    assert "pa archived" in log and "pa added" in log  # the log is the API's, and it saw these requests
    for secret in ("CE103759A", "CE103759B", "JG103759A", "JG103759C", "QQ123456C", "1988-02-29", "1985-06-15"):
        assert secret not in log

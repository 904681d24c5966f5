"""CSV exports over HTTP on the local stack: a provider asks for their data, downloads the file from
the presigned URL (moto's server) like any client, and it parses back to what was saved, with a
formula-like cell neutralised. Also the backup job through /_local/jobs."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
import requests

pytestmark = pytest.mark.e2e

APPROVER = "approver@demo.care-tracker.example.org"
ADMIN = "support@demo.care-tracker.example.org"
MINE = "copper meadow lantern ripple"


def token_for(api, stack, email: str) -> str:
    return api.token(email, new_password=MINE)


def read_csv(url: str) -> list[dict]:
    response = requests.get(url, timeout=30)  # no Authorization: the URL itself is the permission
    assert response.status_code == 200, response.text
    text = response.content.decode("utf-8")
    assert text.endswith("\r\n")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_a_provider_exports_their_data_and_it_parses_back(api, stack):
    approver = token_for(api, stack, APPROVER)
    me = api.call("GET", "/me", token=approver).json()
    # a new provider user whose job title looks like a formula, through self-registration
    email = "formula.person@example.org"
    created = api.call("POST", "/registrations", json={
        "full_name": "Formula Person", "email": email, "phone": "01632 960000", "job_title": "=SUM(A1:A9)",
        "location_ids": [me["location_ids"][0]], "terms_accepted": True, "comms_consent": False})
    assert created.status_code == 201, created.text
    approved = api.call("POST", f"/registrations/{created.json()['id']}/approve", token=approver)
    assert approved.status_code == 200, approved.text
    welcome = [m for m in api.outbox() if m["to"] == email and "Temporary password:" in m["body"]][-1]
    temporary = welcome["body"].split("Temporary password:", 1)[1].split()[0]
    token = api.login_first_time(email, temporary, MINE)

    saved = None
    openapi = api.call("GET", "/openapi.json").json()["paths"]
    if "/locations/{location_id}/returns/{period}/{care_type}" in openapi:
        period = datetime.now(timezone.utc).strftime("%Y-%m")
        for care_type in ("home_care", "supported_living"):
            answer = api.call("PUT", f"/locations/{me['location_ids'][0]}/returns/{period}/{care_type}", token=token,
                              json={"people_receiving_care": 7, "hours_delivered_last_week": 210, "staff_direct": 5,
                                    "staff_agency": 1, "staff_absent": 0, "accepting_new_packages": False})
            if answer.status_code in (200, 201):
                saved = (care_type, period)
                break

    before = datetime.now(timezone.utc)
    answer = api.call("POST", "/exports", token=token, json={"kind": "my_data"})
    assert answer.status_code == 201, answer.text
    export = answer.json()
    expires = datetime.fromisoformat(export["expires_at"])
    assert before + timedelta(minutes=14) < expires <= datetime.now(timezone.utc) + timedelta(minutes=15, seconds=5)
    assert export["download_url"].startswith(stack["aws"])
    rows = read_csv(export["download_url"])
    account = rows[0]
    assert account["record"] == "account" and account["email"] == email
    assert account["full_name"] == "Formula Person" and account["phone"] == "01632 960000"
    assert account["job_title"] == "'=SUM(A1:A9)"  # neutralised: a spreadsheet shows it as text
    assert account["location_ids"] == me["location_ids"][0] and account["roles"] == "provider_user"
    assert account["comms_consent"] == "false"
    if saved:
        [saved_row] = [r for r in rows if r["record"] == "return"]
        assert (saved_row["care_type"], saved_row["period"]) == saved
        assert saved_row["people_receiving_care"] == "7" and saved_row["accepting_new_packages"] == "false"
    # a fresh link for the same file; nobody else's
    again = api.call("GET", f"/exports/{export['export_id']}", token=token)
    assert again.status_code == 200 and read_csv(again.json()["download_url"]) == rows
    assert api.call("GET", f"/exports/{export['export_id']}", token=approver).status_code == 404


def test_exports_are_validated_and_scoped(api, stack):
    approver = token_for(api, stack, APPROVER)
    assert api.call("POST", "/exports", json={"kind": "my_data"}).status_code == 401
    unknown = api.call("POST", "/exports", token=approver, json={"kind": "everything"})
    assert unknown.status_code == 400 and unknown.json()["code"] == "validation_failed"
    extra = api.call("POST", "/exports", token=approver, json={"kind": "my_data", "bucket": "x"})
    assert extra.status_code == 400
    month = api.call("POST", "/exports", token=approver, json={"kind": "returns_month", "period": "2026-10"})
    assert month.status_code == 403 and month.json()["code"] == "wrong_role"
    admin = token_for(api, stack, ADMIN)
    bad = api.call("POST", "/exports", token=admin, json={"kind": "returns_month", "period": "October"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_period"


def test_backup_job_runs_once_a_day_on_the_local_stack(api):
    at = "2031-01-05T02:00:00+00:00"
    first = api.call("POST", "/_local/jobs/backup", json={"at": at})
    assert first.status_code == 200, first.text
    result = first.json()["result"]
    assert result["skipped"] is False and result["date"] == "2031-01-05"
    assert result["tables"]["users_table"] >= 2 and result["tables"]["locations_table"] > 0
    second = api.call("POST", "/_local/jobs/backup", json={"at": at}).json()["result"]
    assert second["skipped"] is True
    refused = api.call("POST", "/_local/jobs/restore", json={"at": at}).json()["result"]
    assert refused["restored"] is False and refused["code"] == "tables_not_empty"

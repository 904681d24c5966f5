"""Employers and their PAs (issue 11) through the Chalice app with real tokens (Cognito on moto):
sign-up, settings, adding PAs, the PA's view, archive, reactivation, the purge job, export rows,
and what each step writes (the archived item itself is read back from the table)."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone

import boto3
import pytest

from tests.support import dynamodb_requests, sign_in

PASSWORD = "violet orbit canal mitten"
SIGN_UP = {"full_name": "Erin Employer", "email": "Erin@Example.org", "care_recipient_name": "Erin Employer",
           "managed_by": "self", "funding_type": "direct_payment", "care_package_confirmed": True}


def pa_body(name: str, email: str, ni: str, **extra) -> dict:
    return {"full_name": name, "email": email, "phone": "07700 900123", "address": "1 High Street, Leeds LS1 1AA",
            "date_of_birth": "1990-05-01", "ni_number": ni, "start_date": "2026-01-05", "contracted_hours": 20, **extra}


@pytest.fixture
def client(aws):
    from chalice.test import Client

    from app import app

    with Client(app) as c:
        yield c


def call(client, method, path, token=None, body=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    response = client.http.request(method, path, headers=headers, body=json.dumps(body).encode() if body is not None else b"")
    return response.status_code, json.loads(response.body or b"null")


def first_login(sent_mail, email: str) -> str:
    from care_tracker import wiring

    temporary = re.search(r"Temporary password: (\S+)", [m for m in sent_mail() if m.to == email][-1].body).group(1)
    challenge = wiring.auth_service().login(email, temporary)
    assert challenge.name == "NEW_PASSWORD_REQUIRED"
    # the support team also enrols an authenticator app (issue 15): sign_in answers what follows
    return sign_in(wiring.auth_service(), email, temporary, PASSWORD, AUTHENTICATORS).id_token


def login(email: str) -> str:
    from care_tracker import wiring

    return sign_in(wiring.auth_service(), email, PASSWORD, secrets=AUTHENTICATORS).id_token


AUTHENTICATORS: dict[str, str] = {}  # email -> authenticator key, for the roles that must use one


@pytest.fixture
def employer(client, sent_mail):
    status, account = call(client, "POST", "/employers", body=SIGN_UP)
    assert status == 201, account
    return account["employer_id"], first_login(sent_mail, "erin@example.org")


def raw_item(aws, employer_id: str, pa_id: str) -> dict | None:
    table = boto3.resource("dynamodb", region_name="eu-west-2").Table(aws["EMPLOYERS_TABLE"])
    return table.get_item(Key={"pk": f"EMP#{employer_id}", "sk": f"PA#{pa_id}"}).get("Item")


def test_sign_up_needs_a_care_package_and_creates_nothing_without_one(client, sent_mail, aws):
    status, answer = call(client, "POST", "/employers", body={**SIGN_UP, "care_package_confirmed": False})
    assert status == 400 and answer["code"] == "no_care_package" and "council" in answer["message"]
    assert sent_mail() == []
    idp = boto3.client("cognito-idp", region_name="eu-west-2")
    assert idp.list_users(UserPoolId=aws["USER_POOL_ID"])["Users"] == []


def test_sign_up_twice_sends_no_second_account(client, sent_mail, employer):
    status, answer = call(client, "POST", "/employers", body={**SIGN_UP, "email": "ERIN@example.org"})
    assert status == 409 and answer["code"] == "username_taken" and "Log in" in answer["message"]
    assert len([m for m in sent_mail() if m.to == "erin@example.org"]) == 1


def test_an_appointed_manager_says_who_appointed_them(client):
    body = {**SIGN_UP, "email": "manager@example.org", "managed_by": "appointed", "care_recipient_name": "Ann Other"}
    status, answer = call(client, "POST", "/employers", body=body)
    assert status == 400 and answer["code"] == "manager_details_needed"
    status, answer = call(client, "POST", "/employers", body={**body, "manager_relationship": "family_member",
                                                               "appointed_by": "the_person"})
    assert status == 201 and answer["manager_relationship"] == "family_member"


def test_settings_are_version_checked_and_guidance_is_never_a_refusal(client, employer):
    employer_id, token = employer
    status, account = call(client, "GET", f"/employers/{employer_id}", token)
    assert status == 200 and account["settings"]["leave_year_start"] == "04-01"
    assert any("0 PAs" in note for note in account["guidance"])
    change = {"version": account["settings"]["version"], "funded_hours_per_week": 8, "pay_cycle": "monthly",
              "first_period_start": "2026-04-01", "domestic_service": True}
    status, changed = call(client, "PUT", f"/employers/{employer_id}/settings", token, change)
    assert status == 200, changed
    assert changed["settings"]["funded_hours_per_week"] == "8" and changed["settings"]["domestic_service"] is True
    assert any("8 funded hours" in note for note in changed["guidance"])
    status, stale = call(client, "PUT", f"/employers/{employer_id}/settings", token, {**change, "funded_hours_per_week": 30})
    assert status == 409 and stale["code"] == "stale_version"
    status, bad = call(client, "PUT", f"/employers/{employer_id}/settings", token,
                       {"version": changed["settings"]["version"], "pay_cycle": "weekly"})
    assert status == 400 and bad["code"] == "pay_cycle_needs_start"
    from care_tracker import wiring

    s = wiring.employment_directory().employer_settings(employer_id)
    assert (s.pay_cycle, s.first_period_start, s.leave_year_start, s.domestic_service) == ("monthly", date(2026, 4, 1), (4, 1), True)


def test_adding_pas_ni_rules_family_confirmation_and_one_login_per_person(client, sent_mail, employer, aws):
    employer_id, token = employer
    status, bad = call(client, "POST", f"/employers/{employer_id}/pas", token, pa_body("Pat", "pat@example.org", "QQ123456C"))
    assert status == 400 and "ni_number" in bad["message"] and "QQ123456C" not in json.dumps(bad)
    status, family = call(client, "POST", f"/employers/{employer_id}/pas", token,
                          pa_body("Fay Family", "fay@example.org", "AB123456A", relationship="family_member"))
    assert status == 400 and family["code"] == "provider_agreement_needed"
    with dynamodb_requests() as calls:
        status, fay = call(client, "POST", f"/employers/{employer_id}/pas", token,
                           pa_body("Fay Family", "fay@example.org", "ab 12 34 56 a", relationship="family_member",
                                   provider_agreed=True))
    assert status == 201, fay
    assert calls["TransactWriteItems"] == 1 and not {"PutItem", "UpdateItem", "DeleteItem", "Scan"} & set(calls)
    assert fay["ni_number"] == "AB123456A" and fay["status"] == "active"
    status, dup = call(client, "POST", f"/employers/{employer_id}/pas", token, pa_body("Sam", "sam@example.org", "AB123456A"))
    assert status == 409 and dup["code"] == "ni_number_taken"
    assert "sam@example.org" not in [m.to for m in sent_mail()]  # nothing half-written: no login, no mail
    idp = boto3.client("cognito-idp", region_name="eu-west-2")
    assert "sam@example.org" not in [u["Username"] for u in idp.list_users(UserPoolId=aws["USER_POOL_ID"])["Users"]]

    # A second employer adds the same person: a new employment on the same login, no new password.
    status, other = call(client, "POST", "/employers", body={**SIGN_UP, "email": "olly@example.org", "full_name": "Olly"})
    olly = first_login(sent_mail, "olly@example.org")
    fay_token = first_login(sent_mail, "fay@example.org")
    mails_before = len(sent_mail())
    status, linked = call(client, "POST", f"/employers/{other['employer_id']}/pas", olly,
                          pa_body("Fay Family", "FAY@example.org", "AB123456A", contracted_hours=None, irregular_hours=True))
    assert status == 201, linked
    assert linked["pa_id"] == fay["pa_id"] and linked["irregular_hours"] is True
    added = sent_mail()[mails_before:]
    assert [m.to for m in added] == ["fay@example.org"] and "Temporary password" not in added[0].body
    status, mine = call(client, "GET", "/me/employments", login("fay@example.org"))
    assert status == 200 and sorted(e["employer_name"] for e in mine["employments"]) == ["Erin Employer", "Olly"]
    assert fay_token


def test_the_pa_sees_and_corrects_only_their_own_details(client, sent_mail, employer):
    employer_id, token = employer
    _, pat = call(client, "POST", f"/employers/{employer_id}/pas", token, pa_body("Pat", "pat@example.org", "AB123456A"))
    call(client, "POST", f"/employers/{employer_id}/pas", token, pa_body("Quinn", "quinn@example.org", "AB654321B"))
    pat_token = first_login(sent_mail, "pat@example.org")
    status, mine = call(client, "GET", "/me/employments", pat_token)
    assert status == 200 and [e["my_details"]["pa_name"] for e in mine["employments"]] == ["Pat"]
    assert "Quinn" not in json.dumps(mine) and "funded_hours" not in json.dumps(mine)
    status, changed = call(client, "PUT", f"/me/employments/{employer_id}/details", pat_token,
                           {"phone": "0113 496 0000", "emergency_contact_name": "Kim", "emergency_contact_phone": "0113 496 0001"})
    assert status == 200, changed
    assert changed["my_details"]["phone"] == "0113 496 0000" and changed["my_details"]["emergency_contact_name"] == "Kim"
    status, refused = call(client, "PUT", f"/me/employments/{employer_id}/details", pat_token, {"date_of_birth": "1991-01-01"})
    assert status == 400 and refused["code"] == "ask_employer"
    assert call(client, "GET", f"/employers/{employer_id}/pas", pat_token)[0] == 403
    assert call(client, "GET", f"/employers/{employer_id}/pas/{pat['pa_id']}", pat_token)[0] == 403


def test_lists_are_sorted_by_name_paginated_and_show_no_ni_nor_birth_dates(client, employer):
    employer_id, token = employer
    names = ["zoë Young", "Adam Ant", "émile Brun", "Carla Diaz", "bea Small"]
    nis = ["AB123456A", "AB123456B", "AB123456C", "AB123456D", "AB223456A"]
    for name, ni in zip(names, nis, strict=True):
        assert call(client, "POST", f"/employers/{employer_id}/pas", token,
                    pa_body(name, f"{ni.lower()}@example.org", ni))[0] == 201
    seen, cursor = [], None
    while True:
        path = f"/employers/{employer_id}/pas?limit=2" + (f"&cursor={cursor}" if cursor else "")
        status, page = call(client, "GET", path, token)
        assert status == 200, page
        text = json.dumps(page)
        assert "1990-05-01" not in text and not any(ni in text for ni in nis)
        assert not any(name.split()[0].lower() in (page["next_cursor"] or "").lower() for name in names)
        seen += [p["pa_name"] for p in page["pas"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ["Adam Ant", "bea Small", "Carla Diaz", "émile Brun", "zoë Young"]
    status, bad = call(client, "GET", f"/employers/{employer_id}/pas?cursor=bm90LWEtY3Vyc29y", token)
    assert status == 400 and bad["code"] == "invalid_cursor"


def test_archive_minimises_the_record_refuses_at_once_and_nothing_lets_them_back_in(client, sent_mail, employer, aws):
    from care_tracker import wiring

    employer_id, token = employer
    _, pat = call(client, "POST", f"/employers/{employer_id}/pas", token,
                  pa_body("Pat Smith", "pat@example.org", "AB123456A", emergency_contact_name="Kim"))
    pat_token = first_login(sent_mail, "pat@example.org")
    assert call(client, "GET", "/me/employments", pat_token)[0] == 200
    today = datetime.now(timezone.utc).date()
    with dynamodb_requests() as calls:
        status, archived = call(client, "POST", f"/employers/{employer_id}/pas/{pat['pa_id']}/archive", token,
                                {"leaving_date": today.isoformat()})
    assert status == 200, archived
    assert calls["TransactWriteItems"] == 1 and not {"PutItem", "UpdateItem", "DeleteItem", "Scan"} & set(calls)
    # The next request with the PA's current token is refused; the login is disabled.
    status, refused = call(client, "GET", "/me/employments", pat_token)
    assert status == 403 and refused["code"] == "account_deactivated"
    idp = boto3.client("cognito-idp", region_name="eu-west-2")
    assert idp.admin_get_user(UserPoolId=aws["USER_POOL_ID"], Username="pat@example.org")["Enabled"] is False
    # Only name, username and NI number remain, with the work history: the fields are gone from the item.
    item = raw_item(aws, employer_id, pat["pa_id"])
    personal = set(item) - {"pk", "sk", "employer_id", "pa_id", "employer_name", "status", "list_key", "expiry_shard",
                            "expiry_key", "purge_at", "expires_at", "version", "created_at", "work_shard", "work_mark"}
    assert personal == {"pa_name", "email", "ni_number", "start_date", "leaving_date", "contracted_hours", "periods"}
    from care_tracker.rules.employment import expires_at, purge_at, retention_date

    assert int(item["purge_at"]) == purge_at(today) and retention_date(today).year == today.year + 7
    assert int(item["expires_at"]) == expires_at(today)  # the TTL, a fortnight after the purge
    assert archived["retained_until"] is not None and archived["phone"] is None and archived["date_of_birth"] is None
    assert wiring.employment_directory().employment(employer_id, pat["pa_id"]).date_of_birth is None
    status, page = call(client, "GET", f"/employers/{employer_id}/pas?status=archived", token)
    assert page["pas"] == [{"pa_id": pat["pa_id"], "pa_name": "Pat Smith", "status": "archived", "start_date": "2026-01-05",
                            "ni_number": "AB123456A", "leaving_date": today.isoformat(), "email": None,
                            "contracted_hours": None, "irregular_hours": None}]
    assert call(client, "GET", f"/employers/{employer_id}/pas", token)[1]["pas"] == []
    # An archived PA asking for a reset gets nothing that lets them in.
    mails = len(sent_mail())
    assert call(client, "POST", "/auth/forgot-password", body={"email": "pat@example.org"})[0] in (200, 202)
    assert len(sent_mail()) == mails
    status, reset = call(client, "POST", "/auth/reset-password",
                         body={"email": "pat@example.org", "code": "123456", "new_password": "amber falcon drift pillow"})
    assert status == 400
    assert call(client, "POST", "/auth/login", body={"email": "pat@example.org", "password": "amber falcon drift pillow"})[0] != 200
    assert call(client, "POST", "/auth/login", body={"email": "pat@example.org", "password": PASSWORD})[0] != 200
    # Archiving twice is refused, and the purge job deletes the record once 7 years have passed, once.
    assert call(client, "POST", f"/employers/{employer_id}/pas/{pat['pa_id']}/archive", token,
                {"leaving_date": today.isoformat()})[0] == 409
    from functions.jobs import JOBS

    purge = JOBS["purge_expired_records"].run
    assert purge(datetime.now(timezone.utc) + timedelta(days=365 * 7 - 5))["deleted_records"] == 0
    assert raw_item(aws, employer_id, pat["pa_id"]) is not None
    later = datetime.now(timezone.utc) + timedelta(days=366 * 7 + 1)
    assert purge(later)["deleted_records"] == 1
    assert raw_item(aws, employer_id, pat["pa_id"]) is None
    # Their login (name, username) went with their last record: the account, the claim, Cognito's user.
    from care_tracker import wiring

    assert wiring.users().get(pat["pa_id"]) is None and not wiring.users().email_taken("pat@example.org")
    cognito = boto3.client("cognito-idp")
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=aws["USER_POOL_ID"], Username="pat@example.org")
    again = purge(later)
    assert again["deleted_records"] == 0 and again["deleted_logins"] == 0


def test_a_pa_with_another_employment_keeps_their_login(client, sent_mail, employer):
    employer_id, token = employer
    _, pat = call(client, "POST", f"/employers/{employer_id}/pas", token, pa_body("Pat", "pat@example.org", "AB123456A"))
    pat_token = first_login(sent_mail, "pat@example.org")
    call(client, "POST", "/employers", body={**SIGN_UP, "email": "olly@example.org", "full_name": "Olly"})
    olly = first_login(sent_mail, "olly@example.org")
    _, olly_account = call(client, "GET", "/me", olly)
    call(client, "POST", f"/employers/{olly_account['user_id']}/pas", olly, pa_body("Pat", "pat@example.org", "AB123456A"))
    today = datetime.now(timezone.utc).date().isoformat()
    assert call(client, "POST", f"/employers/{employer_id}/pas/{pat['pa_id']}/archive", token, {"leaving_date": today})[0] == 200
    status, mine = call(client, "GET", "/me/employments", pat_token)
    assert status == 200 and [e["employer_name"] for e in mine["employments"]] == ["Olly"]
    status, refused = call(client, "PUT", f"/me/employments/{employer_id}/details", pat_token, {"phone": "0113 496 0000"})
    assert status == 403 and refused["code"] == "not_your_employment"
    # Seven years on, the record goes but the login stays: the other employment needs it.
    from functions.jobs import JOBS

    purged = JOBS["purge_expired_records"].run(datetime.now(timezone.utc) + timedelta(days=366 * 7 + 1))
    assert purged["deleted_records"] == 1 and purged["deleted_logins"] == 0
    assert call(client, "GET", "/me/employments", pat_token)[0] == 200


def test_reactivation_needs_details_again_and_a_new_password(client, sent_mail, employer, aws):
    employer_id, token = employer
    _, pat = call(client, "POST", f"/employers/{employer_id}/pas", token, pa_body("Pat", "pat@example.org", "AB123456A"))
    first_login(sent_mail, "pat@example.org")
    leaving = (datetime.now(timezone.utc).date() - timedelta(days=30))
    call(client, "POST", f"/employers/{employer_id}/pas/{pat['pa_id']}/archive", token, {"leaving_date": leaving.isoformat()})
    status, bad = call(client, "POST", f"/employers/{employer_id}/pas/{pat['pa_id']}/reactivate", token,
                       {"start_date": leaving.isoformat()})
    assert status == 400 and bad["code"] == "start_before_leaving"
    new_start = (leaving + timedelta(days=10)).isoformat()
    status, back = call(client, "POST", f"/employers/{employer_id}/pas/{pat['pa_id']}/reactivate", token, {"start_date": new_start})
    assert status == 200, back
    assert back["status"] == "details_missing" and back["start_date"] == new_start and back["leaving_date"] is None
    assert back["earlier_periods"] == [{"start_date": "2026-01-05", "leaving_date": leaving.isoformat()}]
    assert not {"expires_at", "purge_at"} & set(raw_item(aws, employer_id, pat["pa_id"]))
    # The old password no longer works; the new temporary one leads to choosing a password.
    assert call(client, "POST", "/auth/login", body={"email": "pat@example.org", "password": PASSWORD})[0] != 200
    pat_token = first_login(sent_mail, "pat@example.org")
    status, mine = call(client, "GET", "/me/employments", pat_token)
    assert mine["details_missing"] == [employer_id] and mine["employments"][0]["my_details"]["phone"] is None
    status, missing = call(client, "PUT", f"/me/employments/{employer_id}/details", pat_token, {"phone": "0113 496 0000"})
    assert status == 400 and missing["code"] == "details_missing" and missing["details"]["missing"] == ["address", "date_of_birth"]
    status, filled = call(client, "PUT", f"/me/employments/{employer_id}/details", pat_token,
                          {"phone": "0113 496 0000", "address": "2 Low Street, Leeds LS2 2BB", "date_of_birth": "1990-05-01"})
    assert status == 200 and filled["status"] == "active" and filled["details_missing"] is False
    status, page = call(client, "GET", f"/employers/{employer_id}/pas", token)
    assert [p["status"] for p in page["pas"]] == ["active"]


def test_updates_are_version_checked(client, employer):
    employer_id, token = employer
    _, pat = call(client, "POST", f"/employers/{employer_id}/pas", token, pa_body("Pat", "pat@example.org", "AB123456A"))
    status, changed = call(client, "PUT", f"/employers/{employer_id}/pas/{pat['pa_id']}", token,
                           {"version": pat["version"], "pa_name": "Pat Smith", "dbs_certificate_number": "001234567890",
                            "dbs_level": "enhanced", "irregular_hours": True})
    assert status == 200, changed
    assert changed["pa_name"] == "Pat Smith" and changed["irregular_hours"] is True and changed["dbs_level"] == "enhanced"
    status, stale = call(client, "PUT", f"/employers/{employer_id}/pas/{pat['pa_id']}", token,
                         {"version": pat["version"], "phone": "0113 496 0000"})
    assert status == 409 and stale["code"] == "stale_version"


def test_existing_login_becomes_an_employer_with_one_login(client, sent_mail, aws):
    from care_tracker import wiring

    wiring.account_service().create_account(email="prov@example.org", full_name="Pro Vider", roles=["provider_user"])
    token = first_login(sent_mail, "prov@example.org")
    body = {k: v for k, v in SIGN_UP.items() if k not in ("full_name", "email")}
    status, account = call(client, "POST", "/me/employer", token, body)
    assert status == 201, account
    _, me = call(client, "GET", "/me", token)
    assert sorted(me["roles"]) == ["employer", "provider_user"]
    assert call(client, "POST", "/me/employer", token, body)[0] == 409


def test_support_finds_an_employer_by_email_without_pa_details(client, sent_mail, employer):
    from care_tracker import wiring

    employer_id, token = employer
    call(client, "POST", f"/employers/{employer_id}/pas", token, pa_body("Pat", "pat@example.org", "AB123456A"))
    wiring.account_service().create_account(email="help@example.org", full_name="Helper", roles=["admin"])
    support = first_login(sent_mail, "help@example.org")
    status, found = call(client, "POST", "/support/employers/find", support, {"email": "ERIN@example.org"})
    assert status == 200 and found["employer_id"] == employer_id and found["current_pas"] == 1
    assert "AB123456A" not in json.dumps(found) and "Pat" not in json.dumps(found)
    assert call(client, "POST", "/support/employers/find", support, {"email": "nobody@example.org"})[0] == 404
    assert call(client, "POST", "/support/employers/find", token, {"email": "erin@example.org"})[0] == 403


def test_export_rows_for_the_employer_and_the_pa(client, sent_mail, employer):
    from care_tracker import wiring
    from care_tracker.services.employers import EmploymentExportRows

    employer_id, token = employer
    _, pat = call(client, "POST", f"/employers/{employer_id}/pas", token, pa_body("Pat", "pat@example.org", "AB123456A"))
    _, quinn = call(client, "POST", f"/employers/{employer_id}/pas", token, pa_body("Quinn", "quinn@example.org", "AB654321B"))
    today = datetime.now(timezone.utc).date().isoformat()
    call(client, "POST", f"/employers/{employer_id}/pas/{quinn['pa_id']}/archive", token, {"leaving_date": today})
    source = [s for s in wiring.personal_export_sources() if isinstance(s, EmploymentExportRows)][0]
    rows = list(source.rows_of(employer_id))
    assert [r["record"] for r in rows] == ["employer", "pa", "archived_pa"] or \
        [r["record"] for r in rows] == ["employer", "archived_pa", "pa"]
    archived = [r for r in rows if r["record"] == "archived_pa"][0]
    assert archived["ni_number"] == "AB654321B" and archived["phone"] is None and archived["date_of_birth"] is None
    assert set(rows[0]) - {"record"} <= set(source.columns)
    pa_rows = list(source.rows_of(pat["pa_id"]))
    assert [r["record"] for r in pa_rows] == ["my_employment"] and pa_rows[0]["date_of_birth"] == "1990-05-01"
    for row in rows + pa_rows:
        assert set(row) - {"record"} <= set(source.columns)


def test_contract_b_directory(client, employer):
    from care_tracker import wiring

    employer_id, token = employer
    _, pat = call(client, "POST", f"/employers/{employer_id}/pas", token,
                  pa_body("Pat", "pat@example.org", "AB123456A", contracted_hours=None, irregular_hours=True))
    directory = wiring.employment_directory()
    with dynamodb_requests() as calls:
        found = directory.employment(employer_id, pat["pa_id"])
    assert dict(calls) == {"GetItem": 1}
    assert (found.status, found.contracted_hours, found.date_of_birth) == ("active", None, date(1990, 5, 1))
    with dynamodb_requests() as calls:
        assert [e.employer_id for e in directory.employments_of_pa(pat["pa_id"])] == [employer_id]
    assert dict(calls) == {"Query": 1}
    assert directory.employment(employer_id, "nobody") is None and directory.employer_settings("nobody") is None


def test_archiving_forgets_the_pas_feedback_name_only_when_no_other_employment_is_active(client, sent_mail, employer):
    from functions.jobs import JOBS

    employer_id, token = employer
    _, pat = call(client, "POST", f"/employers/{employer_id}/pas", token, pa_body("Pat Named", "pat@example.org", "AB123456A"))
    _, kit = call(client, "POST", f"/employers/{employer_id}/pas", token, pa_body("Kit Named", "kit@example.org", "AB123456B"))
    pat_token, kit_token = first_login(sent_mail, "pat@example.org"), first_login(sent_mail, "kit@example.org")
    call(client, "POST", "/employers", body={**SIGN_UP, "email": "olly@example.org", "full_name": "Olly"})
    olly = first_login(sent_mail, "olly@example.org")
    _, olly_me = call(client, "GET", "/me", olly)
    call(client, "POST", f"/employers/{olly_me['user_id']}/pas", olly, pa_body("Kit Named", "kit@example.org", "AB123456B"))
    for who in (pat_token, kit_token):
        assert call(client, "POST", "/suggestions", who, {"title": "An idea", "description": "Something useful"})[0] == 201
    today = datetime.now(timezone.utc).date().isoformat()
    for pa_id in (pat["pa_id"], kit["pa_id"]):
        assert call(client, "POST", f"/employers/{employer_id}/pas/{pa_id}/archive", token, {"leaving_date": today})[0] == 200
    JOBS["follow_up_archives"].run(datetime.now(timezone.utc))  # within 15 minutes of the archive
    _, page = call(client, "GET", "/suggestions", olly)
    authors = sorted(s["author_name"] for s in page["suggestions"])
    assert "Pat Named" not in authors and "Kit Named" in authors  # Kit still works for Olly


BAD_BODIES = [b"{not json", b"[]", b'{"surely_not_a_field": 1}', b"null",
              b'{"version": "one", "leaving_date": "31/12/2026", "start_date": 5, "email": ["x"], "ni_number": 12}',
              b'{"funded_hours_per_week": -1, "contracted_hours": 1000, "date_of_birth": "2026-02-30", "version": 1}',
              b'{"leave_year_start": "02-30", "version": 1}', b'{"limit": 0}']


def test_bad_input_on_every_employer_route_is_a_4xx_in_the_error_shape(client, sent_mail, employer):
    from functions.capabilities import routes

    employer_id, token = employer
    _, pat = call(client, "POST", f"/employers/{employer_id}/pas", token, pa_body("Pat", "pat@example.org", "AB123456A"))
    pat_token = first_login(sent_mail, "pat@example.org")
    ids = {"employer_id": employer_id, "pa_id": pat["pa_id"]}
    writes = [s for s in routes() if s.tag == "employers" and s.method != "GET"]
    assert len(writes) >= 9
    for spec in writes:
        path = spec.path.format(**ids)
        who = pat_token if spec.roles == ("pa",) else token
        for body in BAD_BODIES:
            response = client.http.request(spec.method, path, body=body, headers={
                "Content-Type": "application/json", "Authorization": f"Bearer {who}"})
            assert 400 <= response.status_code < 500, (spec.method, spec.path, body, response.body)
            assert set(json.loads(response.body)) == {"code", "message", "details"}
    for query in ("?limit=0", "?limit=abc", "?status=everyone", "?cursor=%00%01", "?cursor=" + "A" * 300):
        response = client.http.get(f"/employers/{employer_id}/pas{query}", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 400, (query, response.body)


def test_the_employer_corrects_a_pas_ni_number_and_its_uniqueness_claim_moves_with_it(client, employer, aws):
    employer_id, token = employer
    _, pat = call(client, "POST", f"/employers/{employer_id}/pas", token, pa_body("Pat", "pat@example.org", "AB123456A"))
    _, sam = call(client, "POST", f"/employers/{employer_id}/pas", token, pa_body("Sam", "sam@example.org", "CE103759A"))
    path = f"/employers/{employer_id}/pas/{pat['pa_id']}"
    # The HMRC rule, and the number kept out of the answer.
    status, bad = call(client, "PUT", path, token, {"version": pat["version"], "ni_number": "QQ123456C"})
    assert status == 400 and "ni_number" in bad["message"] and "QQ123456C" not in json.dumps(bad)
    # Another PA's number: refused, and nothing written.
    status, taken = call(client, "PUT", path, token, {"version": pat["version"], "ni_number": "ce 10 37 59 a"})
    assert status == 409 and taken["code"] == "ni_number_taken", taken
    assert raw_item(aws, employer_id, pat["pa_id"])["ni_number"] == "AB123456A"
    assert raw_item(aws, employer_id, pat["pa_id"])["version"] == pat["version"]
    # A stale version: refused, nothing written.
    status, stale = call(client, "PUT", path, token, {"version": pat["version"] - 1, "ni_number": "JG103759B"})
    assert status == 409 and stale["code"] == "stale_version"
    with dynamodb_requests() as calls:
        status, changed = call(client, "PUT", path, token, {"version": pat["version"], "ni_number": "jg 10 37 59 b",
                                                            "phone": "0113 496 0999"})
    assert status == 200, changed
    assert changed["ni_number"] == "JG103759B" and changed["phone"] == "0113 496 0999"
    assert changed["version"] == pat["version"] + 1
    assert calls["TransactWriteItems"] == 1 and not {"PutItem", "UpdateItem", "DeleteItem", "Scan"} & set(calls)
    table = boto3.resource("dynamodb", region_name="eu-west-2").Table(aws["EMPLOYERS_TABLE"])
    claims = {i["sk"]: i.get("owner") for i in table.query(
        KeyConditionExpression=boto3.dynamodb.conditions.Key("pk").eq(f"EMP#{employer_id}")
        & boto3.dynamodb.conditions.Key("sk").begins_with("NI#"))["Items"]}
    assert claims == {"NI#JG103759B": pat["pa_id"], "NI#CE103759A": sam["pa_id"]}
    # The old number is free again; the new one is taken.
    assert call(client, "POST", f"/employers/{employer_id}/pas", token, pa_body("Ann", "ann@example.org", "JG103759B"))[1][
        "code"] == "ni_number_taken"
    assert call(client, "POST", f"/employers/{employer_id}/pas", token, pa_body("Ann", "ann@example.org", "AB123456A"))[0] == 201
    # The same number again changes nothing but the version; an archived PA's record is not corrected.
    status, same = call(client, "PUT", path, token, {"version": changed["version"], "ni_number": "JG103759B"})
    assert status == 200 and same["ni_number"] == "JG103759B"
    call(client, "POST", f"/employers/{employer_id}/pas/{sam['pa_id']}/archive", token,
         {"leaving_date": (datetime.now(timezone.utc).date() - timedelta(days=1)).isoformat()})
    archived = call(client, "GET", f"/employers/{employer_id}/pas/{sam['pa_id']}", token)[1]
    status, refused = call(client, "PUT", f"/employers/{employer_id}/pas/{sam['pa_id']}", token,
                           {"version": archived["version"], "ni_number": "JG103759C"})
    assert status == 409 and refused["code"] == "archived"


def test_the_login_goes_with_the_last_record_whichever_archive_disabled_it(client, sent_mail, employer):
    """Only the records whose archive disabled the login check it at their purge (by_expiry's login
    shard); when that record goes first, the check moves to the records left."""
    from care_tracker import wiring
    from functions.jobs import JOBS

    employer_id, token = employer
    _, pat = call(client, "POST", f"/employers/{employer_id}/pas", token, pa_body("Pat", "pat@example.org", "AB123456A"))
    first_login(sent_mail, "pat@example.org")
    call(client, "POST", "/employers", body={**SIGN_UP, "email": "olly@example.org", "full_name": "Olly"})
    olly = first_login(sent_mail, "olly@example.org")
    olly_id = call(client, "GET", "/me", olly)[1]["user_id"]
    call(client, "POST", f"/employers/{olly_id}/pas", olly, pa_body("Pat", "pat@example.org", "AB123456A"))
    today = datetime.now(timezone.utc).date()
    # Erin's archive leaves the login (Olly's employment needs it); Olly's, 30 days earlier, disables it.
    assert call(client, "POST", f"/employers/{employer_id}/pas/{pat['pa_id']}/archive", token,
                {"leaving_date": today.isoformat()})[0] == 200
    assert call(client, "POST", f"/employers/{olly_id}/pas/{pat['pa_id']}/archive", olly,
                {"leaving_date": (today - timedelta(days=30)).isoformat()})[0] == 200
    assert wiring.users().get(pat["pa_id"]).active is False
    purge = JOBS["purge_expired_records"].run
    first = purge(datetime.now(timezone.utc) + timedelta(days=366 * 7 - 20))
    assert first["deleted_records"] == 1 and first["deleted_logins"] == 0  # Erin's record still needs it
    assert wiring.users().get(pat["pa_id"]) is not None
    last = purge(datetime.now(timezone.utc) + timedelta(days=366 * 7 + 1))
    assert last["deleted_records"] == 1 and last["deleted_logins"] == 1
    assert wiring.users().get(pat["pa_id"]) is None and not wiring.users().email_taken("pat@example.org")

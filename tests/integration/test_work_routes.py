"""Rota, timesheet and holiday routes through the Chalice app with real tokens (Cognito on moto):
the access matrix (employer A/B, A's PA, B's PA, a provider user, the support team, no token), and
bad input as a 4xx in the error shape. Employers and PAs are made through issue 11's service, so the
tenant checks go through the real EmploymentDirectory (wiring.employment_directory())."""
from __future__ import annotations

import json
import re
from datetime import date

import pytest

from tests.support import sign_in

P1 = "2026-01-05"
WHO = ("employer_a", "employer_b", "pa_a", "pa_b", "provider", "support", "nobody")
ROLE = {"employer_a": "employer", "employer_b": "employer", "pa_a": "pa", "pa_b": "pa", "provider": "provider_user",
        "support": "admin"}


def _login(sent_mail, email: str) -> str:
    from care_tracker import wiring

    temporary = re.search(r"Temporary password: (\S+)", [m for m in sent_mail() if m.to == email][-1].body).group(1)
    # the support team also enrols an authenticator app (issue 15): sign_in answers every challenge
    return sign_in(wiring.auth_service(), email, temporary, "violet orbit canal mitten").id_token


@pytest.fixture
def people(aws, sent_mail):
    """Employers and PAs made through issue 11's service (the real EmploymentDirectory), the other
    roles as ordinary accounts; every one signs in for a real token."""
    from care_tracker import wiring
    from care_tracker.services.auth import Caller

    tokens, ids = {}, {}
    for who in ("provider", "support"):
        email = f"{who}@example.org"
        ids[who] = wiring.account_service().create_account(email=email, full_name=f"The {who}", roles=[ROLE[who]]).user_id
        tokens[who] = _login(sent_mail, email)
    service = wiring.employer_service()
    for n, (employer, pa) in enumerate((("employer_a", "pa_a"), ("employer_b", "pa_b"))):
        email = f"{employer.replace('_', '.')}@example.org"
        account = service.sign_up({"full_name": f"The {employer}", "email": email, "care_recipient_name": "Someone",
                                   "managed_by": "self", "funding_type": "direct_payment", "care_package_confirmed": True})
        ids[employer] = account["employer_id"]
        caller = Caller(ids[employer], email, "Employer", frozenset({"employer"}))
        service.update_settings(caller, ids[employer], 1, {"pay_cycle": "two_weekly", "first_period_start": date.fromisoformat(P1)})
        pa_email = f"{pa.replace('_', '.')}@example.org"
        ids[pa] = service.add_pa(caller, ids[employer], {
            "full_name": f"The {pa}", "email": pa_email, "phone": "0113 496 0000", "address": "1 Demo Street, Leeds",
            "date_of_birth": date(1990, 5, 5), "ni_number": f"JG10375{n}A", "start_date": date(2025, 6, 1),
            "contracted_hours": None, "relationship": "none", "provider_agreed": False})["pa_id"]
        tokens[employer], tokens[pa] = _login(sent_mail, email), _login(sent_mail, pa_email)
    return tokens, ids


def _call(client, method, path, token=None, body=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    response = client.http.request(method, path, headers=headers, body=json.dumps(body).encode() if body is not None else b"")
    return response.status_code, json.loads(response.body or b"null")


def test_access_matrix(people):
    from chalice.test import Client

    from app import app
    from care_tracker.services.audit_pack import pack_id_of

    tokens, ids = people
    a, b, pa_a, pa_b = ids["employer_a"], ids["employer_b"], ids["pa_a"], ids["pa_b"]
    shift = {"day": "2026-01-06", "start": "09:00", "end": "17:00"}
    routes = [
        ("POST", f"/employers/{a}/pas/{pa_a}/shifts", shift, {"employer_a": 201}),
        ("GET", "/employer/rota?from=2026-01-05&to=2026-01-18", None, {"employer_a": 200, "employer_b": 200}),
        ("GET", "/pa/rota?from=2026-01-05&to=2026-01-18", None, {"pa_a": 200, "pa_b": 200}),
        ("GET", f"/employers/{a}/pas/{pa_a}/timesheets/{P1}", None, {"employer_a": 200, "pa_a": 200}),
        ("GET", f"/employers/{a}/pas/{pa_a}/holiday", None, {"employer_a": 200, "pa_a": 200}),
        ("GET", f"/employers/{b}/pas/{pa_b}/timesheets/{P1}", None, {"employer_b": 200, "pa_b": 200}),
        ("GET", f"/employers/{b}/pas/{pa_a}/timesheets/{P1}", None, {}),  # A's PA does not work for B
        ("GET", f"/employer/hours/{P1}", None, {"employer_a": 200, "employer_b": 200}),
        ("POST", f"/employers/{a}/pas/{pa_a}/holiday/brought-forward", {"leave_year_start": "2025-04-01", "hours": 8},
         {"employer_a": 201}),
        ("POST", "/employer/audit-pack", {"from": "2026-01-05", "to": "2026-01-18"}, {"employer_a": 202, "employer_b": 202}),
        # A's pack: B is told it does not exist, as for an unknown id (the tenant check); PAs are refused.
        ("GET", f"/employer/audit-pack/{pack_id_of(a, date(2026, 1, 5), date(2026, 1, 18))}", None,
         {"employer_a": 200, "employer_b": 404}),
        ("POST", f"/employers/{a}/pas/{pa_b}/shifts", shift, {}),  # B's PA is not A's: 404 for A
    ]
    with Client(app) as client:
        for method, path, body, allowed in routes:
            for who in WHO:
                status, answer = _call(client, method, path, tokens.get(who), body)
                if who in allowed:
                    assert status == allowed[who], (method, path, who, answer)
                elif who == "nobody":
                    assert status == 401, (method, path, who, answer)
                else:
                    assert status in (403, 404) and answer["code"] in (
                        "wrong_role", "not_your_employment", "unknown_employment", "wrong_party"), (method, path, who, answer)
        pack = _call(client, "GET", f"/employer/audit-pack/{pack_id_of(a, date(2026, 1, 5), date(2026, 1, 18))}",
                     tokens["employer_b"])[1]
        assert pack["code"] == "audit_pack_not_found"
        asked = _call(client, "GET", f"/employer/audit-pack/{pack_id_of(a, date(2026, 1, 5), date(2026, 1, 18))}",
                      tokens["employer_a"])[1]
        assert (asked["status"], asked["from"], asked["to"], asked["download_url"]) == ("making", "2026-01-05", "2026-01-18", None)
        # A's shift is on A's rota and A's PA's, on nobody else's
        rota = _call(client, "GET", "/employer/rota?from=2026-01-06&to=2026-01-06", tokens["employer_a"])[1]
        assert [s["pa_id"] for s in rota["days"][0]["shifts"]] == [pa_a]
        assert _call(client, "GET", "/employer/rota?from=2026-01-06&to=2026-01-06", tokens["employer_b"])[1]["days"][0]["shifts"] == []
        assert len(_call(client, "GET", "/pa/rota?from=2026-01-06&to=2026-01-06", tokens["pa_a"])[1]["days"][0]["shifts"]) == 1
        assert _call(client, "GET", "/pa/rota?from=2026-01-06&to=2026-01-06", tokens["pa_b"])[1]["days"][0]["shifts"] == []
        # the PA submits; only the employer approves; the other employer cannot
        base = f"/employers/{a}/pas/{pa_a}/timesheets/{P1}"
        assert _call(client, "POST", base + "/submit", tokens["pa_a"], {"version": 1})[0] == 200
        assert _call(client, "POST", base + "/approve", tokens["pa_a"], {"version": 2})[1]["code"] == "wrong_party"
        assert _call(client, "POST", base + "/approve", tokens["employer_b"], {"version": 2})[0] == 403
        status, approved = _call(client, "POST", base + "/approve", tokens["employer_a"], {"version": 2})
        assert (status, approved["status"]) == (200, "approved")


def test_bad_input_is_a_4xx_in_the_error_shape(people):
    from chalice.test import Client

    from app import app

    tokens, ids = people
    a, pa_a = ids["employer_a"], ids["pa_a"]
    with Client(app) as client:
        cases = [
            ("POST", f"/employers/{a}/pas/{pa_a}/shifts", {"day": "2026-01-06", "start": "25:00", "end": "17:00"}, 400),
            ("POST", f"/employers/{a}/pas/{pa_a}/shifts", {"day": "2026-03-29", "start": "01:30", "end": "05:00"}, 400),
            ("POST", f"/employers/{a}/pas/{pa_a}/shifts", {"day": "2026-01-06", "start": "09:00", "end": "17:00",
                                                          "repeat_until": "2028-01-01"}, 400),
            ("GET", "/employer/rota?from=2026-01-05&to=2026-06-30", None, 400),
            ("GET", "/employer/rota?from=soon&to=2026-06-30", None, 400),
            ("GET", f"/employers/{a}/pas/{pa_a}/timesheets/2026-01-06", None, 400),
            ("GET", f"/employers/{a}/pas/{pa_a}/timesheets/yesterday", None, 400),
            ("GET", f"/employers/{a}/pas/{pa_a}/holiday?leave_year_start=2025-05-01", None, 400),
            ("PUT", f"/employers/{a}/pas/{pa_a}/shifts/2026-01-06/nope", {"version": 1, "end": "18:00"}, 404),
            ("POST", f"/employers/{a}/pas/{pa_a}/holiday/bookings/x/maybe",
             {"version": 1, "leave_year_start": "2025-04-01"}, 400),
        ]
        for method, path, body, expected in cases:
            status, answer = _call(client, method, path, tokens["employer_a"], body)
            assert status == expected and set(answer) == {"code", "message", "details"}, (method, path, answer)
        made = _call(client, "POST", f"/employers/{a}/pas/{pa_a}/shifts", tokens["employer_a"],
                     {"day": "2026-01-06", "start": "09:00", "end": "17:00"})[1]
        status, answer = _call(client, "POST", f"/employers/{a}/pas/{pa_a}/shifts", tokens["employer_a"],
                               {"day": "2026-01-06", "start": "16:00", "end": "20:00"})
        assert (status, answer["code"]) == (409, "overlapping_shifts") and "cannot work two shifts" in answer["message"]
        shift = made["shifts"][0]
        path = f"/employers/{a}/pas/{pa_a}/shifts/{shift['day']}/{shift['shift_id']}"
        assert _call(client, "PUT", path, tokens["employer_a"], {"version": 1, "end": "18:00"})[0] == 200
        status, answer = _call(client, "PUT", path, tokens["employer_a"], {"version": 1, "end": "19:00"})
        assert (status, answer["code"]) == (409, "stale")


def test_a_reactivated_pa_fills_in_their_details_before_their_rota_timesheets_or_holiday(people, sent_mail):
    """RULES 2.5: until the reactivated PA fills in their details again, their sign-in leads only to
    that form: the PA's side of every rota, timesheet and holiday route of that employment answers the
    details form's own error; the employer's side is unchanged."""
    from chalice.test import Client

    from app import app

    tokens, ids = people
    a, pa_a = ids["employer_a"], ids["pa_a"]
    period = "2026-02-16"  # a two-weekly period after the new start date
    with Client(app) as client:
        assert _call(client, "POST", f"/employers/{a}/pas/{pa_a}/archive", tokens["employer_a"],
                     {"leaving_date": "2026-01-31"})[0] == 200
        assert _call(client, "POST", f"/employers/{a}/pas/{pa_a}/reactivate", tokens["employer_a"],
                     {"start_date": "2026-02-10"})[0] == 200
        pa_token = _login(sent_mail, "pa.a@example.org")
        pa_routes = [
            ("GET", "/pa/rota?from=2026-02-16&to=2026-02-22", None),
            ("GET", f"/employers/{a}/pas/{pa_a}/timesheets/{period}", None),
            ("PUT", f"/employers/{a}/pas/{pa_a}/timesheets/{period}", {"version": 1, "shifts": []}),
            ("POST", f"/employers/{a}/pas/{pa_a}/timesheets/{period}/submit", {"version": 1}),
            ("GET", f"/employers/{a}/pas/{pa_a}/holiday", None),
            ("POST", f"/employers/{a}/pas/{pa_a}/holiday/bookings", {"first_day": "2026-03-02", "last_day": "2026-03-02",
                                                                    "hours": 7}),
        ]
        _, mine = _call(client, "PUT", f"/me/employments/{a}/details", pa_token, {"phone": "0113 496 0000"})
        for method, path, body in pa_routes:
            status, answer = _call(client, method, path, pa_token, body)
            assert (status, answer["code"]) == (400, "details_missing"), (method, path, answer)
            assert answer["message"] == "Fill in your details again before anything else: phone, address, date_of_birth."
            assert answer["details"] == {"missing": ["phone", "address", "date_of_birth"], "employer_id": a}
        assert mine["code"] == "details_missing" and mine["details"]["employer_id"] == a
        # the employer plans and reads as before
        assert _call(client, "POST", f"/employers/{a}/pas/{pa_a}/shifts", tokens["employer_a"],
                     {"day": "2026-02-17", "start": "09:00", "end": "17:00"})[0] == 201
        assert _call(client, "GET", f"/employers/{a}/pas/{pa_a}/timesheets/{period}", tokens["employer_a"])[0] == 200
        status, filled = _call(client, "PUT", f"/me/employments/{a}/details", pa_token,
                               {"phone": "0113 496 0000", "address": "2 Low Street, Leeds", "date_of_birth": "1990-05-05"})
        assert (status, filled["status"]) == (200, "active"), filled
        rota = _call(client, "GET", "/pa/rota?from=2026-02-16&to=2026-02-22", pa_token)
        assert rota[0] == 200 and [len(d["shifts"]) for d in rota[1]["days"]][:2] == [0, 1], rota
        assert _call(client, "GET", f"/employers/{a}/pas/{pa_a}/timesheets/{period}", pa_token)[0] == 200
        assert _call(client, "GET", f"/employers/{a}/pas/{pa_a}/holiday", pa_token)[0] == 200

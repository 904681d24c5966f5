"""Who may call each employer/PA route (issue 11), as a matrix: every new route x employer A,
employer B, A's PA, B's PA, a provider user, the support team, a commissioner and no token, through
the Chalice app with real tokens. Refusals are tried before the one allowed call of each row, so a
refused request is shown to change nothing the allowed one then relies on."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from tests.integration.test_employers import SIGN_UP, call, first_login, pa_body

ACTORS = ("employer_a", "employer_b", "pa_a", "pa_b", "provider", "support", "commissioner", "none")


@pytest.fixture
def world(aws, sent_mail):
    from chalice.test import Client

    from app import app
    from care_tracker import wiring

    with Client(app) as client:
        tokens, ids = {}, {}
        for name, email in (("a", "a@example.org"), ("b", "b@example.org")):
            status, account = call(client, "POST", "/employers", body={**SIGN_UP, "email": email, "full_name": f"Employer {name}"})
            assert status == 201
            ids[f"employer_{name}"] = account["employer_id"]
            tokens[f"employer_{name}"] = first_login(sent_mail, email)
        for name, ni in (("a", "AB123456A"), ("b", "AB123456B")):
            status, pa = call(client, "POST", f"/employers/{ids[f'employer_{name}']}/pas", tokens[f"employer_{name}"],
                              pa_body(f"Pa {name}", f"pa.{name}@example.org", ni))
            assert status == 201, pa
            ids[f"pa_{name}"] = pa["pa_id"]
            tokens[f"pa_{name}"] = first_login(sent_mail, f"pa.{name}@example.org")
        # One more PA of A, to be archived and reactivated by the allowed calls.
        _, spare = call(client, "POST", f"/employers/{ids['employer_a']}/pas", tokens["employer_a"],
                        pa_body("Spare", "spare@example.org", "AB123456C"))
        ids["spare"] = spare["pa_id"]
        for role, email in (("provider_user", "prov@example.org"), ("admin", "help@example.org"),
                            ("commissioner", "comm@leeds.gov.uk")):
            wiring.account_service().create_account(email=email, full_name=role, roles=[role],
                                                    local_authorities=["Leeds"] if role == "commissioner" else None)
        tokens["provider"] = first_login(sent_mail, "prov@example.org")
        tokens["support"] = first_login(sent_mail, "help@example.org")
        tokens["commissioner"] = first_login(sent_mail, "comm@leeds.gov.uk")
        tokens["none"] = None
        yield client, tokens, ids


def _rows(ids):
    a, b, pa_a, spare = ids["employer_a"], ids["employer_b"], ids["pa_a"], ids["spare"]
    today = datetime.now(timezone.utc).date().isoformat()
    tomorrow = (datetime.now(timezone.utc).date() + timedelta(days=1)).isoformat()
    refused = dict.fromkeys(ACTORS, 403) | {"none": 401}
    only = lambda actor, status=200: {**refused, actor: status}  # noqa: E731
    details = {k: v for k, v in SIGN_UP.items() if k not in ("full_name", "email")}
    return [
        ("GET", f"/employers/{a}", None, only("employer_a")),
        ("PUT", f"/employers/{a}/settings", {"version": 1, "domestic_service": True}, only("employer_a")),
        ("POST", f"/employers/{a}/pas", pa_body("New One", "new.one@example.org", "AB123456D"), only("employer_a", 201)),
        ("GET", f"/employers/{a}/pas", None, only("employer_a")),
        ("GET", f"/employers/{a}/pas?status=archived", None, only("employer_a")),
        ("GET", f"/employers/{a}/pas/{pa_a}", None, only("employer_a")),
        # Employer B naming A's PA under B's own account: not B's PA.
        ("GET", f"/employers/{b}/pas/{pa_a}", None, {**refused, "employer_b": 404}),
        ("PUT", f"/employers/{b}/pas/{pa_a}", {"version": 1, "phone": "0113 496 0000"}, {**refused, "employer_b": 404}),
        ("PUT", f"/employers/{a}/pas/{pa_a}", {"version": 1, "phone": "0113 496 0000"}, only("employer_a")),
        ("POST", f"/employers/{b}/pas/{pa_a}/archive", {"leaving_date": today}, {**refused, "employer_b": 404}),
        ("POST", f"/employers/{a}/pas/{spare}/archive", {"leaving_date": today}, only("employer_a")),
        ("POST", f"/employers/{a}/pas/{spare}/reactivate", {"start_date": tomorrow}, only("employer_a")),
        ("GET", "/me/employments", None, {**refused, "pa_a": 200, "pa_b": 200}),
        ("PUT", f"/me/employments/{a}/details", {"phone": "0113 496 0002"}, {**refused, "pa_a": 200}),
        ("POST", "/support/employers/find", {"email": "a@example.org"}, only("support")),
        ("POST", "/me/employer", details, {**refused, "provider": 201, "pa_a": 201, "pa_b": 201}),
    ]


def test_every_new_route_by_every_kind_of_caller(world):
    client, tokens, ids = world
    rows = _rows(ids)
    from functions.capabilities import routes
    from functions.employers import bp  # noqa: F401 - the routes under test

    new = {(s.method, s.path) for s in routes() if s.tag == "employers" and not s.public}
    covered = {(m, p) for m, p in new for method, path, _, _ in rows
               if method == m and path.split("?")[0].count("/") == p.count("/") and
               all(x == y or y.startswith("{") for x, y in zip(path.split("?")[0].split("/"), p.split("/"), strict=True))}
    assert covered == new, new - covered
    for method, path, body, expected in rows:
        # Refusals first: the allowed call afterwards shows they changed nothing it depends on.
        for actor in sorted(ACTORS, key=lambda a: expected[a] < 400):
            status, answer = call(client, method, path, tokens[actor], body)
            assert status == expected[actor], (method, path, actor, answer)
            if status >= 400:
                assert set(answer) == {"code", "message", "details"}


def test_each_pa_sees_only_their_own_employment_and_no_other_pa(world):
    client, tokens, ids = world
    for me, other in (("pa_a", "pa_b"), ("pa_b", "pa_a")):
        _, mine = call(client, "GET", "/me/employments", tokens[me])
        text = json.dumps(mine)
        assert [e["employer_id"] for e in mine["employments"]] == [ids[f"employer_{me[-1]}"]]
        assert f"Pa {other[-1]}" not in text and "Spare" not in text and "settings" not in text


def test_an_archived_pa_is_refused_on_the_next_request_with_the_same_token(world):
    client, tokens, ids = world
    today = datetime.now(timezone.utc).date().isoformat()
    assert call(client, "GET", "/me/employments", tokens["pa_a"])[0] == 200
    assert call(client, "POST", f"/employers/{ids['employer_a']}/pas/{ids['pa_a']}/archive", tokens["employer_a"],
                {"leaving_date": today})[0] == 200
    for method, path, body in (("GET", "/me/employments", None), ("GET", "/me", None),
                               ("PUT", f"/me/employments/{ids['employer_a']}/details", {"phone": "0113 496 0003"})):
        status, answer = call(client, method, path, tokens["pa_a"], body)
        assert status == 403 and answer["code"] == "account_deactivated", (path, answer)

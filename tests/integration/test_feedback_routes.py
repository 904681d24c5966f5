"""Feedback routes by role, through the Chalice app with real tokens (Cognito on moto): every
signed-in role sends feedback, posts, lists and votes; only the support team works the inbox and
decides on suggestions; enforcement officers (staff, not users) have neither side. Bad input is a
400 in the error shape."""
from __future__ import annotations

import json
import re

import pytest

ROLES = ("provider_user", "approver", "employer", "pa", "admin", "enforcement_officer")
USERS = {"provider_user", "approver", "employer", "pa"}


@pytest.fixture
def tokens(aws, sent_mail):
    from care_tracker import wiring
    from tests.support import sign_in

    found = {}
    for role in ROLES:
        email = f"{role.replace('_', '.')}@example.org"
        wiring.account_service().create_account(email=email, full_name=f"The {role}", roles=[role])
        temporary = re.search(r"Temporary password: (\S+)", [m for m in sent_mail() if m.to == email][-1].body).group(1)
        found[role] = sign_in(wiring.auth_service(), email, temporary, "violet orbit canal mitten").id_token
    return found


def _call(client, method, path, token, body=None):
    response = client.http.request(method, path, headers={"Authorization": f"Bearer {token}",
                                                          "Content-Type": "application/json"},
                                   body=json.dumps(body).encode() if body is not None else b"")
    return response.status_code, json.loads(response.body or b"null")


def test_who_may_call_each_feedback_route(tokens):
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        status, made = _call(client, "POST", "/suggestions", tokens["employer"], {"title": "Idea", "description": "Useful"})
        assert status == 201, made
        status, sent = _call(client, "POST", "/feedback", tokens["pa"], {"category": "question", "text": "How?"})
        assert status == 201, sent
        s, f = made["id"], sent["id"]
        routes = [
            ("POST", "/feedback", {"category": "other", "text": "Hello"}, USERS),
            ("GET", "/feedback/mine", None, USERS),
            ("POST", "/suggestions", {"title": "Another", "description": "Idea"}, USERS),
            ("GET", "/suggestions", None, USERS | {"admin"}),
            ("PUT", f"/suggestions/{s}/vote", None, USERS),
            ("DELETE", f"/suggestions/{s}/vote", None, USERS),
            ("GET", "/feedback/inbox", None, {"admin"}),
            ("GET", "/suggestions/removed?kind=merged", None, {"admin"}),
            ("GET", f"/suggestions/{s}", None, {"admin"}),
            ("POST", f"/feedback/{f}/answer", {"text": "Like this"}, {"admin"}),
            ("POST", f"/feedback/{f}/close", None, {"admin"}),
            ("PUT", f"/suggestions/{s}/status", {"status": "planned", "comment": "Soon"}, {"admin"}),
            ("POST", f"/suggestions/{s}/merge", {"into": "0" * 32}, {"admin"}),
            ("POST", f"/suggestions/{s}/hide", {"reason": "Holds a phone number"}, {"admin"}),
        ]
        for method, path, body, allowed in routes:
            for role in ROLES:
                status, answer = _call(client, method, path, tokens[role], body if body is not None else {})
                if role in allowed:
                    assert status in (200, 201, 404), (method, path, role, answer)
                else:
                    assert (status, answer["code"]) == (403, "wrong_role"), (method, path, role, answer)


def test_feedback_is_private_to_its_sender(tokens):
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        _call(client, "POST", "/feedback", tokens["pa"], {"category": "question", "text": "Mine only"})
        assert [f["text"] for f in _call(client, "GET", "/feedback/mine", tokens["pa"])[1]["feedback"]] == ["Mine only"]
        assert _call(client, "GET", "/feedback/mine", tokens["employer"])[1]["feedback"] == []


@pytest.mark.parametrize("body", [
    {"category": "praise", "text": "Hello"},
    {"category": "other", "text": ""},
    {"category": "other", "text": "x" * 4001},
    {"category": "other", "text": "bell \x07"},
    {"category": "other", "text": "right-to-left \u202e override"},
    {"category": "other", "text": "fine", "about": "two\nlines"},
    {"category": "other", "text": "fine", "extra": 1},
])
def test_bad_feedback_is_a_400_in_the_error_shape(tokens, body):
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        status, answer = _call(client, "POST", "/feedback", tokens["employer"], body)
    assert status == 400 and set(answer) == {"code", "message", "details"}, answer


def test_bad_suggestions_and_page_links_are_400s(tokens):
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        assert _call(client, "POST", "/suggestions", tokens["pa"], {"title": "a\nb", "description": "Useful"})[0] == 400
        assert _call(client, "POST", "/suggestions", tokens["pa"], {"title": "x" * 121, "description": "Useful"})[0] == 400
        status, answer = _call(client, "GET", "/suggestions?page=garbage", tokens["pa"])
        assert (status, answer["code"]) == (400, "bad_page_link")
        # Well-formed, but its number is not one: DynamoDB would refuse it (a 500) if it were sent.
        from care_tracker.adapters.feedback_store import encode_cursor

        forged = encode_cursor("by_votes", {"pk": {"S": "x"}, "sk": {"S": "x"}, "visible": {"S": "visible"},
                                            "score": {"N": "not a number"}})
        status, answer = _call(client, "GET", f"/suggestions?page={forged}", tokens["pa"])
        assert (status, answer["code"]) == (400, "bad_page_link")
        status, answer = _call(client, "PUT", "/suggestions/not-an-id/vote", tokens["pa"])
        assert (status, answer["code"]) == (404, "no_such_suggestion")
        ok, text = _call(client, "POST", "/feedback", tokens["pa"], {"category": "other", "text": " line one\r\nline two "})
        assert ok == 201 and text["text"] == "line one\nline two"


def test_the_support_team_lists_what_it_hid_and_merged(tokens):
    from chalice.test import Client

    from app import app

    admin, user = tokens["admin"], tokens["provider_user"]
    with Client(app) as client:
        ids = [_call(client, "POST", "/suggestions", user, {"title": f"Idea {n}", "description": "Useful"})[1]["id"]
               for n in range(4)]
        assert _call(client, "GET", "/suggestions/removed", admin)[1] == {"suggestions": [], "next_page": None}
        assert _call(client, "POST", f"/suggestions/{ids[0]}/hide", admin, {"reason": "Holds a phone number"})[0] == 200
        assert _call(client, "POST", f"/suggestions/{ids[1]}/merge", admin, {"into": ids[2]})[0] == 200
        hidden = _call(client, "GET", "/suggestions/removed?kind=hidden", admin)[1]["suggestions"]
        merged = _call(client, "GET", "/suggestions/removed?kind=merged", admin)[1]["suggestions"]
        assert [(s["id"], s["hidden_reason"], s["title"]) for s in hidden] == [(ids[0], "Holds a phone number", "Idea 0")]
        assert [(s["id"], s["merged_into"]) for s in merged] == [(ids[1], ids[2])]
        visible = {s["id"] for s in _call(client, "GET", "/suggestions", user)[1]["suggestions"]}
        assert visible == {ids[2], ids[3]}
        status, answer = _call(client, "GET", "/suggestions/removed?kind=visible", admin)
        assert status == 400, answer
        # one suggestion for the team to manage, hidden or merged ones too; an unknown one is a 404
        one = _call(client, "GET", f"/suggestions/{ids[0]}", admin)[1]
        assert (one["id"], one["visible"], one["hidden_reason"]) == (ids[0], False, "Holds a phone number")
        assert _call(client, "GET", f"/suggestions/{ids[1]}", admin)[1]["merged_into"] == ids[2]
        assert _call(client, "GET", f"/suggestions/{'f' * 32}", admin)[1]["code"] == "no_such_suggestion"
        assert _call(client, "GET", "/suggestions/not-an-id", admin)[0] == 404

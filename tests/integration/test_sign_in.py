"""Signing in on moto: what a used or forged session, an odd email address and a deactivated
account are told (issue 9), the lockout after repeated failures, and two-step sign-in (issue 15)."""
from __future__ import annotations

import json
import re

import pytest

from care_tracker import wiring
from care_tracker.errors import Forbidden, Unauthorized

PASSWORD = "violet orbit canal mitten"


def _temporary(sent_mail, email: str) -> str:
    mail = [m for m in sent_mail() if m.to == email][-1]
    return re.search(r"Temporary password: (\S+)", mail.body).group(1)


def _post(path: str, body: dict | bytes):
    from chalice.test import Client

    from app import app

    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    with Client(app) as client:
        response = client.http.post(path, headers={"Content-Type": "application/json"}, body=raw)
    return response.status_code, json.loads(response.body)


def test_a_used_or_unknown_session_is_a_clear_401_not_a_server_error(aws, sent_mail):
    wiring.account_service().create_account(email="una@example.org", full_name="Una", roles=["provider_user"])
    auth = wiring.auth_service()
    challenge = auth.login("una@example.org", _temporary(sent_mail, "una@example.org"))
    auth.new_password("una@example.org", challenge.session, PASSWORD)
    for session in (challenge.session, "x" * 40):
        status, body = _post("/auth/new-password", {"email": "una@example.org", "session": session, "new_password": PASSWORD})
        assert status == 401 and body["code"] == "invalid_session", body
        assert "log in again" in body["message"].lower()


def test_a_session_too_short_to_be_one_is_refused_before_cognito(aws):
    status, body = _post("/auth/new-password",
                         {"email": "una@example.org", "session": "garbage-session", "new_password": PASSWORD})
    assert status == 400 and body["code"] == "validation_failed", body
    assert body["details"]["problems"][0]["field"] == "session"
    with pytest.raises(Unauthorized) as refused:  # the service checks too (its other callers)
        wiring.auth_service().new_password("una@example.org", "garbage-session", PASSWORD)
    assert refused.value.code == "invalid_session"


@pytest.mark.parametrize("email", ["\u200b@\u200b.\u200b", "\U0001f600@x.org", "ü@ö.de", "a\u0301\u0301@x.yy",
                                   ("\u00e9" * 120) + "@example.org"])
def test_reset_with_an_unusual_email_is_a_4xx(aws, email):
    status, body = _post("/auth/reset-password", {"email": email, "code": "123456", "new_password": "harbour quiet velvet ninety"})
    assert 400 <= status < 500 and set(body) == {"code", "message", "details"}, (status, body)
    status, body = _post("/auth/forgot-password", {"email": email})
    assert status in (202, 400), (status, body)


def test_a_deactivated_account_is_told_so_and_whom_to_ask(aws, sent_mail):
    user = wiring.account_service().create_account(email="dee@example.org", full_name="Dee", roles=["provider_user"],
                                                   org_id="1-1")
    auth = wiring.auth_service()
    auth.new_password("dee@example.org", auth.login("dee@example.org", _temporary(sent_mail, "dee@example.org")).session,
                      PASSWORD)
    wiring.users().update(user.user_id, None, active=False)
    wiring.identity().disable_user("dee@example.org")
    with pytest.raises(Forbidden) as refused:
        auth.login("dee@example.org", PASSWORD)
    assert refused.value.code == "account_deactivated"
    assert "approver" in refused.value.message and "support team" in refused.value.message
    status, body = _post("/auth/login", {"email": "dee@example.org", "password": PASSWORD})
    assert status == 403 and body["code"] == "account_deactivated"

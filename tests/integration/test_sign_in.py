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


# ---------- lockout ----------
def _auth_at(clock):
    from care_tracker.services.auth import AuthService

    return AuthService(wiring.identity(), wiring.users(), wiring.token_verifier(), wiring.mailer(), clock,
                       wiring.sign_in_attempts())


@pytest.fixture
def signed_up(aws, sent_mail):
    wiring.account_service().create_account(email="lou@example.org", full_name="Lou", roles=["provider_user"])
    auth = wiring.auth_service()
    auth.new_password("lou@example.org", auth.login("lou@example.org", _temporary(sent_mail, "lou@example.org")).session,
                      PASSWORD)
    return "lou@example.org"


def test_five_wrong_passwords_in_fifteen_minutes_lock_the_account_for_fifteen_minutes(signed_up):
    from datetime import UTC, datetime, timedelta

    from care_tracker.errors import TooManyRequests
    from tests.support import FixedClock

    clock = FixedClock(datetime(2026, 12, 9, 9, 0, tzinfo=UTC))
    auth = _auth_at(clock)
    for minute in range(4):
        clock.at = datetime(2026, 12, 9, 9, minute * 3, tzinfo=UTC)
        with pytest.raises(Unauthorized):
            auth.login(signed_up, "not the password at all")
    clock.at = datetime(2026, 12, 9, 9, 12, tzinfo=UTC)
    with pytest.raises(TooManyRequests) as fifth:  # the fifth failure says so at once
        auth.login(signed_up, "not the password at all")
    assert fifth.value.code == "locked_out" and "09:27 (UK time)" in fifth.value.message
    clock.at += timedelta(minutes=14, seconds=59)
    with pytest.raises(TooManyRequests) as locked:  # even the right password, unchecked
        auth.login(signed_up, PASSWORD)
    assert locked.value.status == 429 and locked.value.details["retry_after"] == "2026-12-09T09:27:00+00:00"
    clock.at += timedelta(seconds=1)
    assert auth.login(signed_up, PASSWORD).id_token  # 15 minutes on: in, and the count is cleared
    assert wiring.sign_in_attempts().state(signed_up) is None


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(signed_up):
    from datetime import UTC, datetime, timedelta

    from tests.support import FixedClock

    clock = FixedClock(datetime(2026, 12, 9, 9, 0, tzinfo=UTC))
    auth = _auth_at(clock)
    for _ in range(8):
        with pytest.raises(Unauthorized):
            auth.login(signed_up, "not the password at all")
        clock.at += timedelta(minutes=4)
    assert auth.login(signed_up, PASSWORD).id_token


def test_an_unknown_address_locks_too_so_a_lockout_says_nothing_about_who_has_an_account(aws):
    from care_tracker.errors import TooManyRequests

    auth = wiring.auth_service()
    for _ in range(4):
        with pytest.raises(Unauthorized):
            auth.login("nobody@example.org", "not the password at all")
    with pytest.raises(TooManyRequests):
        auth.login("Nobody@Example.org", "not the password at all")


def test_concurrent_failures_count_exactly_and_lock_once(aws, jwks_server, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC, datetime

    # Through moto's server (same backends, one thread per request), so the writes really interleave:
    # in-process moto runs each call to completion and would hide a lost update.
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", jwks_server)
    wiring.reset()
    store = wiring.sign_in_attempts()
    now = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)
    with ThreadPoolExecutor(max_workers=8) as pool:
        states = list(pool.map(lambda _: store.record_failure("race@example.org", now), range(12)))
    assert sorted(s.count for s in states) == list(range(1, 13))  # each failure counted once, none lost
    assert sum(1 for s in states if s.count == 5) == 1
    final = store.state("race@example.org")
    assert final.count == 12 and final.locked_until == datetime(2026, 12, 9, 9, 15, tzinfo=UTC)


def test_login_route_answers_429_locked_out(signed_up):
    for _ in range(4):
        status, body = _post("/auth/login", {"email": signed_up, "password": "not the password at all"})
        assert status == 401 and body["code"] == "wrong_login"
    status, body = _post("/auth/login", {"email": signed_up, "password": PASSWORD + " no"})
    assert status == 429 and body["code"] == "locked_out" and "Try again after" in body["message"], body

"""Signing in on moto: what a used or forged session, an odd email address and a deactivated
account are told (issue 9), the lockout after repeated failures, and two-step sign-in (issue 15)."""
from __future__ import annotations

import json
import re
import time

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
    from care_tracker.adapters.sealed import Sealer
    from care_tracker.services.auth import AuthService

    return AuthService(wiring.identity(), wiring.users(), wiring.token_verifier(), wiring.mailer(), clock,
                       wiring.sign_in_attempts(), Sealer(wiring.secret_keys(), "mfa-enrolment-session"))


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
    import threading
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC, datetime

    from moto.dynamodb.models import DynamoDBBackend

    # Through moto's server (same backends, one thread per request), so the requests really interleave:
    # in-process moto runs each call to completion and would hide a lost update. DynamoDB applies each
    # write to an item atomically, which moto's server does not: a lock per write stands in for that,
    # so what is tested is the service's use of conditions and ADD, not moto's own races.
    lock = threading.Lock()
    for name in ("update_item", "put_item", "delete_item"):
        def atomic(self, *args, _write=getattr(DynamoDBBackend, name), **kwargs):
            with lock:
                return _write(self, *args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, atomic)
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
    locking = time.monotonic()  # the lock starts during this request, which can take a second here
    status, body = _post("/auth/login", {"email": signed_up, "password": PASSWORD + " no"})
    assert status == 429 and body["code"] == "locked_out" and "Try again after" in body["message"], body
    from chalice.test import Client

    from app import app

    with Client(app) as client:  # locked: even the right password, with how long to wait
        response = client.http.post("/auth/login", headers={"Content-Type": "application/json"},
                                    body=json.dumps({"email": signed_up, "password": PASSWORD}).encode())
    waited = time.monotonic() - locking
    assert response.status_code == 429
    assert 900 - waited - 1 <= int(response.headers["Retry-After"]) <= 900  # 15 minutes from the lock


# ---------- two-step sign-in ----------
def test_an_approver_enrols_at_first_sign_in_and_then_needs_a_code_every_time(aws, sent_mail):
    import pyotp

    from care_tracker.ports import Challenge
    from tests.support import totp_code

    user = wiring.account_service().create_account(email="ann@example.org", full_name="Ann",
                                                   roles=["provider_user", "approver"], org_id="1-1")
    auth = wiring.auth_service()
    first = auth.login("ann@example.org", _temporary(sent_mail, "ann@example.org"))
    setup = auth.new_password("ann@example.org", first.session, PASSWORD)
    assert isinstance(setup, Challenge) and setup.name == "MFA_SETUP"  # no tokens yet
    with pytest.raises(Unauthorized):  # the sealed session is bound to the address
        auth.mfa_setup("someone.else@example.org", setup.session)
    secret, uri, session = auth.mfa_setup("ann@example.org", setup.session)
    assert uri.startswith("otpauth://totp/Care%20Tracker:ann%40example.org?secret=" + secret)
    assert pyotp.parse_uri(uri).secret == secret
    wrong = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"
    with pytest.raises(Unauthorized) as refused:
        auth.mfa_confirm("ann@example.org", session, wrong)
    assert refused.value.code == "wrong_code"
    tokens = auth.mfa_confirm("ann@example.org", session, totp_code(secret))
    caller = auth.authenticate(f"Bearer {tokens.id_token}")
    assert caller.has("approver") and caller.mfa_enrolled and wiring.users().get(user.user_id).mfa_enrolled

    again = auth.login("ann@example.org", PASSWORD)
    assert isinstance(again, Challenge) and again.name == "SOFTWARE_TOKEN_MFA"
    with pytest.raises(Unauthorized) as refused:
        auth.mfa_answer("ann@example.org", again.session, wrong)
    assert refused.value.code == "wrong_code"
    assert auth.mfa_answer("ann@example.org", again.session, totp_code(secret)).id_token


def test_a_password_reset_does_not_skip_the_code(aws, sent_mail):
    from care_tracker.ports import Challenge
    from tests.support import sign_in

    wiring.account_service().create_account(email="eve@example.org", full_name="Eve", roles=["enforcement_officer"])
    auth = wiring.auth_service()
    sign_in(auth, "eve@example.org", _temporary(sent_mail, "eve@example.org"), PASSWORD)
    code = wiring.identity().forgot_password("eve@example.org")
    auth.reset_password("eve@example.org", code, "harbour quiet velvet ninety")
    after = auth.login("eve@example.org", "harbour quiet velvet ninety")
    assert isinstance(after, Challenge) and after.name == "SOFTWARE_TOKEN_MFA"


def test_other_roles_sign_in_without_a_code_and_may_turn_one_on(aws, sent_mail):
    from care_tracker.ports import Challenge, Tokens
    from tests.support import totp_code

    wiring.account_service().create_account(email="pat@example.org", full_name="Pat", roles=["provider_user"])
    auth = wiring.auth_service()
    tokens = auth.new_password("pat@example.org", auth.login("pat@example.org", _temporary(sent_mail, "pat@example.org")).session,
                               PASSWORD)
    assert isinstance(tokens, Tokens)
    caller = auth.authenticate(f"Bearer {tokens.id_token}")
    secret, uri = auth.mfa_start_signed_in(caller, tokens.access_token)
    with pytest.raises(Unauthorized):
        auth.mfa_confirm_signed_in(caller, tokens.access_token, "000000" if totp_code(secret) != "000000" else "111111")
    auth.mfa_confirm_signed_in(caller, tokens.access_token, totp_code(secret))
    challenge = auth.login("pat@example.org", PASSWORD)
    assert isinstance(challenge, Challenge) and challenge.name == "SOFTWARE_TOKEN_MFA"


def test_someone_elses_access_token_cannot_enrol_an_app_for_me(aws, sent_mail):
    from tests.support import sign_in

    for name in ("kit", "lee"):
        wiring.account_service().create_account(email=f"{name}@example.org", full_name=name, roles=["provider_user"])
    auth = wiring.auth_service()
    kit = sign_in(auth, "kit@example.org", _temporary(sent_mail, "kit@example.org"), PASSWORD)
    lee = sign_in(auth, "lee@example.org", _temporary(sent_mail, "lee@example.org"), PASSWORD)
    with pytest.raises(Forbidden):
        auth.mfa_start_signed_in(auth.authenticate(f"Bearer {kit.id_token}"), lee.access_token)


def test_a_promoted_approver_has_no_approver_powers_until_enrolled(aws, sent_mail):
    from care_tracker.ports import Challenge
    from tests.support import sign_in

    accounts = wiring.account_service()
    boss = accounts.create_account(email="boss@example.org", full_name="Boss", roles=["provider_user", "approver"],
                                   org_id="1-1")
    staff = accounts.create_account(email="sam@example.org", full_name="Sam", roles=["provider_user"], org_id="1-1")
    auth = wiring.auth_service()
    secrets: dict = {}
    boss_tokens = sign_in(auth, "boss@example.org", _temporary(sent_mail, "boss@example.org"), PASSWORD, secrets)
    staff_tokens = sign_in(auth, "sam@example.org", _temporary(sent_mail, "sam@example.org"), PASSWORD, secrets)
    wiring.account_care_service().promote(auth.authenticate(f"Bearer {boss_tokens.id_token}"), staff.user_id)

    caller = auth.authenticate(f"Bearer {staff_tokens.id_token}")
    assert not caller.has("approver") and caller.awaiting_mfa == {"approver"} and caller.has("provider_user")
    status, body = _get("/users", staff_tokens.id_token)
    assert status == 403 and body["code"] == "mfa_enrolment_required", body
    assert "approver" in body["message"] and "authenticator app" in body["message"] and "sign in again" in body["message"]
    status, body = _get("/me", staff_tokens.id_token)
    assert status == 200 and body["roles"] == ["approver", "provider_user"] and body["roles_awaiting_mfa"] == ["approver"]

    challenge = auth.login("sam@example.org", PASSWORD)  # the next sign-in asks for enrolment
    assert isinstance(challenge, Challenge) and challenge.name == "MFA_SETUP"
    enrolled = sign_in(auth, "sam@example.org", PASSWORD, secrets=secrets)
    assert _get("/users", enrolled.id_token)[0] == 200
    assert boss.user_id


def test_the_support_team_resets_a_lost_authenticator_recording_who_and_why(aws, sent_mail):
    from care_tracker.adapters.sign_in_store import DynamoMfaResets
    from care_tracker.ports import Challenge
    from tests.support import sign_in

    accounts = wiring.account_service()
    support = accounts.create_account(email="help@example.org", full_name="Help", roles=["admin"])
    ann = accounts.create_account(email="ann@example.org", full_name="Ann", roles=["provider_user", "approver"], org_id="1-1")
    auth = wiring.auth_service()
    secrets: dict = {}
    help_tokens = sign_in(auth, "help@example.org", _temporary(sent_mail, "help@example.org"), PASSWORD, secrets)
    ann_tokens = sign_in(auth, "ann@example.org", _temporary(sent_mail, "ann@example.org"), PASSWORD, secrets)
    status, body = _post_as("/users/" + support.user_id + "/mfa/reset", ann_tokens.id_token, {"reason": "lost phone"})
    assert status == 403  # an approver cannot
    status, body = _post_as(f"/users/{ann.user_id}/mfa/reset", help_tokens.id_token,
                            {"reason": "lost phone; called the registered manager to check"})
    assert status == 200 and body["reset_by"] == support.user_id and body["mfa_required"] is True, body
    assert DynamoMfaResets().of(ann.user_id) == [{"by": support.user_id, "reason": "lost phone; called the registered manager to check",
                                                  "at": body["at"]}]
    challenge = auth.login("ann@example.org", PASSWORD)
    assert isinstance(challenge, Challenge) and challenge.name == "MFA_SETUP"  # enrols again


def test_wrong_codes_count_towards_the_lockout(aws, sent_mail):
    from care_tracker.errors import TooManyRequests
    from tests.support import sign_in

    wiring.account_service().create_account(email="ann@example.org", full_name="Ann", roles=["admin"])
    auth = wiring.auth_service()
    secrets: dict = {}
    sign_in(auth, "ann@example.org", _temporary(sent_mail, "ann@example.org"), PASSWORD, secrets)
    from tests.support import totp_code

    wrong = f"{(int(totp_code(secrets['ann@example.org'])) + 7) % 1_000_000:06d}"
    session = auth.login("ann@example.org", PASSWORD).session
    for _ in range(4):
        with pytest.raises(Unauthorized):
            auth.mfa_answer("ann@example.org", session, wrong)
    with pytest.raises(TooManyRequests):
        auth.mfa_answer("ann@example.org", session, wrong)
    with pytest.raises(TooManyRequests):
        auth.login("ann@example.org", PASSWORD)


def test_mfa_routes_refuse_forged_sessions_and_bad_codes_with_4xx(aws):
    for path, body in [("/auth/mfa/setup", {"email": "a@example.org", "session": "ct1." + "A" * 60}),
                       ("/auth/mfa/confirm", {"email": "a@example.org", "session": "x" * 40, "code": "123456"}),
                       ("/auth/mfa", {"email": "a@example.org", "session": "x" * 40, "code": "123456"}),
                       ("/auth/mfa", {"email": "a@example.org", "session": "x" * 40, "code": "12345a"})]:
        status, answer = _post(path, body)
        assert 400 <= status < 500 and answer["code"] in ("invalid_session", "validation_failed"), (path, answer)


def _get(path: str, token: str):
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        response = client.http.get(path, headers={"Authorization": f"Bearer {token}"})
    return response.status_code, json.loads(response.body)


def _post_as(path: str, token: str, body: dict):
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        response = client.http.post(path, headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                                    body=json.dumps(body).encode())
    return response.status_code, json.loads(response.body)


def test_dynamodb_requests_of_a_sign_in(signed_up):
    from tests.support import dynamodb_requests

    auth = wiring.auth_service()
    with dynamodb_requests() as ok:
        auth.login(signed_up, PASSWORD)
    assert dict(ok) == {"GetItem": 2}  # the failure count, the account (for its roles)
    with dynamodb_requests() as failed:
        with pytest.raises(Unauthorized):
            auth.login(signed_up, "not the password at all")
    assert dict(failed) == {"GetItem": 1, "UpdateItem": 2}  # read, then start a new window (the first ADD finds none)
    with dynamodb_requests() as second:
        with pytest.raises(Unauthorized):
            auth.login(signed_up, "not the password at all")
    assert dict(second) == {"GetItem": 1, "UpdateItem": 1}  # read, ADD
    with dynamodb_requests() as cleared:
        auth.login(signed_up, PASSWORD)
    assert dict(cleared) == {"GetItem": 2, "DeleteItem": 1}


# ---------- turning two-step sign-in off ----------
def test_a_provider_user_turns_two_step_sign_in_off_with_their_password(aws, sent_mail):
    from care_tracker.ports import Challenge, Tokens
    from tests.support import sign_in, totp_code

    wiring.account_service().create_account(email="opal@example.org", full_name="Opal", roles=["provider_user"])
    auth = wiring.auth_service()
    tokens = sign_in(auth, "opal@example.org", _temporary(sent_mail, "opal@example.org"), PASSWORD)
    caller = auth.authenticate(f"Bearer {tokens.id_token}")
    secret, _uri = auth.mfa_start_signed_in(caller, tokens.access_token)
    auth.mfa_confirm_signed_in(caller, tokens.access_token, totp_code(secret))
    assert auth.login("opal@example.org", PASSWORD).name == "SOFTWARE_TOKEN_MFA"

    status, body = _post_as("/me/mfa/turn-off", tokens.id_token, {"password": "not my password at all"})
    assert status == 400 and body["code"] == "wrong_password", body  # the session alone is not enough
    assert wiring.users().get(caller.user_id).mfa_enrolled is True
    assert isinstance(auth.login("opal@example.org", PASSWORD), Challenge)
    assert wiring.sign_in_attempts().state("opal@example.org").count == 1  # a wrong password counts to the lockout
    status, body = _post_as("/me/mfa/turn-off", tokens.id_token, {})
    assert status == 400 and body["code"] == "validation_failed"

    status, body = _post_as("/me/mfa/turn-off", tokens.id_token, {"password": PASSWORD})
    assert status == 200 and body["mfa_enrolled"] is False, body
    assert wiring.users().get(caller.user_id).mfa_enrolled is False
    assert isinstance(auth.login("opal@example.org", PASSWORD), Tokens)  # no code asked
    assert _get("/me", tokens.id_token)[1]["mfa_enrolled"] is False


@pytest.mark.parametrize("roles", [["provider_user", "approver"], ["admin"], ["enforcement_officer"]])
def test_roles_that_need_two_step_sign_in_cannot_turn_it_off(aws, sent_mail, roles):
    from care_tracker.ports import Challenge
    from tests.support import sign_in

    wiring.account_service().create_account(email="must@example.org", full_name="Must", roles=roles,
                                            org_id="1-1" if "approver" in roles else None)
    auth = wiring.auth_service()
    tokens = sign_in(auth, "must@example.org", _temporary(sent_mail, "must@example.org"), PASSWORD)
    status, body = _post_as("/me/mfa/turn-off", tokens.id_token, {"password": PASSWORD})
    assert status == 403 and body["code"] == "mfa_required", body
    assert "cannot be turned off" in body["message"]
    challenge = auth.login("must@example.org", PASSWORD)
    assert isinstance(challenge, Challenge) and challenge.name == "SOFTWARE_TOKEN_MFA"


# ---------- the support team's list of resets ----------
MATRIX = {"provider_user": ["provider_user"], "approver": ["provider_user", "approver"], "admin": ["admin"],
          "enforcement_officer": ["enforcement_officer"], "commissioner": ["commissioner"], "employer": ["employer"],
          "pa": ["pa"]}


def test_the_list_of_resets_is_the_support_teams_alone_newest_first_a_page_at_a_time(aws, sent_mail):
    from tests.support import sign_in

    accounts, auth = wiring.account_service(), wiring.auth_service()
    tokens, ids = {}, {}
    for who, roles in MATRIX.items():
        email = f"{who.replace('_', '.')}@example.org"
        ids[who] = accounts.create_account(email=email, full_name=f"The {who}", roles=roles,
                                           org_id="1-1" if "provider_user" in roles else None).user_id
        tokens[who] = sign_in(auth, email, _temporary(sent_mail, email), PASSWORD).id_token
    for who in ("provider_user", "approver", "enforcement_officer"):
        status, body = _post_as(f"/users/{ids[who]}/mfa/reset", tokens["admin"], {"reason": f"lost phone of the {who}"})
        assert status == 200, body

    for who in [*MATRIX, None]:  # the role matrix: the support team alone; no token is a 401
        status, body = _get("/mfa-resets", tokens[who]) if who else _get_anonymous("/mfa-resets")
        if who == "admin":
            assert status == 200, body
        elif who is None:
            assert status == 401, body
        else:
            assert status == 403 and body["code"] in ("wrong_role", "read_only"), (who, body)

    status, first = _get("/mfa-resets?limit=2", tokens["admin"])
    assert status == 200 and [r["user_id"] for r in first["resets"]] == [ids["enforcement_officer"], ids["approver"]], first
    newest = first["resets"][0]
    assert newest == {"user_id": ids["enforcement_officer"], "full_name": "The enforcement_officer",
                      "email": "enforcement.officer@example.org", "reset_by": ids["admin"], "reset_by_name": "The admin",
                      "reason": "lost phone of the enforcement_officer", "at": newest["at"]}
    assert first["next_cursor"]
    status, second = _get(f"/mfa-resets?limit=2&cursor={first['next_cursor']}", tokens["admin"])
    assert status == 200 and [r["user_id"] for r in second["resets"]] == [ids["provider_user"]], second
    assert second["next_cursor"] is None
    assert first["resets"][1]["at"] > second["resets"][0]["at"]

    for bad in ("not-a-cursor", "eA", "%00"):
        status, body = _get(f"/mfa-resets?cursor={bad}", tokens["admin"])
        assert status == 400 and body["code"] == "bad_page_link", (bad, body)
    status, body = _get("/mfa-resets?limit=0", tokens["admin"])
    assert status == 400 and body["code"] == "validation_failed"


def _get_anonymous(path: str):
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        response = client.http.get(path)
    return response.status_code, json.loads(response.body)


def test_a_page_of_resets_is_one_query_and_one_batch_read_of_the_names(aws, sent_mail):
    from care_tracker.adapters.sign_in_store import DynamoMfaResets
    from care_tracker.services.auth import Caller
    from tests.support import dynamodb_requests

    accounts = wiring.account_service()
    support = accounts.create_account(email="help@example.org", full_name="Help", roles=["admin"])
    people = [accounts.create_account(email=f"p{n}@example.org", full_name=f"P{n}", roles=["provider_user"]) for n in range(4)]
    for person in people:
        DynamoMfaResets().record(person.user_id, by=support.user_id, reason="lost phone", at=wiring.clock().now())
    me = Caller(user_id=support.user_id, email=support.email, full_name="Help", roles=frozenset({"admin"}), mfa_enrolled=True)
    with dynamodb_requests() as requests:
        page = wiring.auth_service().mfa_resets(me, 10, None)
    assert [r["full_name"] for r in page["resets"]] == ["P3", "P2", "P1", "P0"]
    assert {r["reset_by_name"] for r in page["resets"]} == {"Help"}
    assert dict(requests) == {"Query": 1, "BatchGetItem": 1}, requests

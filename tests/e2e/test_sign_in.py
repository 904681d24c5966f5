"""Two-step sign-in and the lockout over HTTP on the local stack (issue 15): a provider user promoted to
approver gets no approver powers until enrolled, then enrols at the next sign-in; wrong passwords lock
the account for 15 minutes by the service's clock; the support team resets a lost authenticator."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.test_accounts import error_of, registration, temporary_password

pytestmark = pytest.mark.e2e

APPROVER = "approver@demo.care-tracker.example.org"
ADMIN = "support@demo.care-tracker.example.org"
EMAIL = "jordan.promoted@example.org"
PASSWORD = "lantern orchard pebble twelve"


@pytest.fixture(scope="module")
def promoted(api):
    boss = api.token(APPROVER)
    location = api.call("GET", "/me", token=boss).json()["location_ids"][0]
    created = api.call("POST", "/registrations", json=registration(EMAIL, [location]))
    assert created.status_code == 201, created.text
    assert api.call("POST", f"/registrations/{created.json()['id']}/approve", token=boss).status_code == 200
    tokens = api.sign_in(EMAIL, temporary_password(api, EMAIL), PASSWORD)  # a provider user: no code asked
    user_id = api.call("GET", "/me", token=tokens["id_token"]).json()["user_id"]
    promoted = api.call("POST", f"/users/{user_id}/promote", token=boss)
    assert promoted.status_code == 200 and "approver" in promoted.json()["roles"], promoted.text
    return {"user_id": user_id, "token": tokens["id_token"]}


def test_a_promoted_approver_must_enrol_before_using_the_role(api, promoted):
    refused = error_of(api.call("GET", "/users", token=promoted["token"]), 403, "mfa_enrolment_required")
    assert "sign in again" in refused["message"] and "authenticator app" in refused["message"]
    me = api.call("GET", "/me", token=promoted["token"]).json()
    assert me["roles_awaiting_mfa"] == ["approver"] and me["mfa_enrolled"] is False
    # still a provider user meanwhile
    assert api.call("GET", f"/locations/{me['location_ids'][0]}/compliance", token=promoted["token"]).status_code == 200
    first = api.call("POST", "/auth/login", json={"email": EMAIL, "password": PASSWORD}).json()
    assert first["challenge"] == "MFA_SETUP" and "id_token" not in first
    tokens = api.sign_in(EMAIL, PASSWORD)  # enrols (the key goes into the password book)
    assert EMAIL in api.mfa_secrets
    assert api.call("GET", "/users", token=tokens["id_token"]).status_code == 200
    assert api.call("POST", "/auth/login", json={"email": EMAIL, "password": PASSWORD}).json()["challenge"] == "SOFTWARE_TOKEN_MFA"


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(api, promoted):
    start = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)
    try:
        assert api.call("PUT", "/_local/clock", json={"at": start.isoformat()}).status_code == 200
        for _ in range(4):
            error_of(api.call("POST", "/auth/login", json={"email": EMAIL, "password": "wrong wrong wrong"}), 401, "wrong_login")
        locked = error_of(api.call("POST", "/auth/login", json={"email": EMAIL, "password": "wrong wrong wrong"}), 429,
                          "locked_out")
        assert "10:15 (UK time)" in locked["message"]
        error_of(api.call("POST", "/auth/login", json={"email": EMAIL, "password": PASSWORD}), 429, "locked_out")
        api.call("PUT", "/_local/clock", json={"at": (start + timedelta(minutes=15)).isoformat()})
        assert "id_token" in api.sign_in(EMAIL, PASSWORD)
    finally:
        api.call("PUT", "/_local/clock", json={"at": None})


def _enrolled(api, support, user_id: str) -> bool:
    org = api.call("GET", "/me", token=api.token(APPROVER)).json()["organisation_id"]
    listed = api.call("GET", "/users", token=support, params={"organisation_id": org}).json()["users"]
    return next(u for u in listed if u["user_id"] == user_id)["mfa_enrolled"]


def test_the_support_team_resets_a_lost_authenticator(api, promoted):
    support = api.token(ADMIN)
    api.sign_in(EMAIL, PASSWORD)  # enrolled (at the first sign-in after promotion)
    assert _enrolled(api, support, promoted["user_id"]) is True  # the users page shows who has an app to reset
    error_of(api.call("POST", f"/users/{promoted['user_id']}/mfa/reset", json={"reason": "x"}, token=support), 400)
    reset = api.call("POST", f"/users/{promoted['user_id']}/mfa/reset",
                     json={"reason": "Lost phone; identity checked by calling the registered manager"}, token=support)
    assert reset.status_code == 200, reset.text
    assert reset.json()["mfa_required"] is True and reset.json()["reset_by"] == api.call("GET", "/me", token=support).json()["user_id"]
    again = api.call("POST", "/auth/login", json={"email": EMAIL, "password": PASSWORD}).json()
    assert again["challenge"] == "MFA_SETUP"  # enrols again
    assert _enrolled(api, support, promoted["user_id"]) is False
    listed = api.call("GET", "/mfa-resets", token=support, params={"limit": 1})
    assert listed.status_code == 200, listed.text
    assert listed.json()["resets"][0] | {"at": None} == {
        "user_id": promoted["user_id"], "full_name": "Robin Newhire", "email": EMAIL, "at": None,
        "reset_by": reset.json()["reset_by"], "reset_by_name": listed.json()["resets"][0]["reset_by_name"],
        "reason": "Lost phone; identity checked by calling the registered manager"}
    error_of(api.call("GET", "/mfa-resets", token=api.token(APPROVER)), 403, "wrong_role")
    assert "id_token" in api.sign_in(EMAIL, PASSWORD)


def test_a_signed_in_session_is_refreshed_with_its_own_refresh_token(api, promoted):
    """The web client refreshes its ID token shortly before it expires (POST /me/session/refresh), with
    the refresh token of the same sign-in: another account's is refused, a forged one is a 401."""
    mine = api.sign_in(EMAIL, PASSWORD)
    api.token(APPROVER)  # its first sign-in done, the password in the book
    other = api.sign_in(APPROVER, api.passwords[APPROVER])
    fresh = api.call("POST", "/me/session/refresh", token=mine["id_token"], json={"refresh_token": mine["refresh_token"]})
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["refresh_token"] == mine["refresh_token"] and fresh.json()["expires_in"] > 0
    me = api.call("GET", "/me", token=fresh.json()["id_token"])
    assert me.status_code == 200 and me.json()["email"] == EMAIL
    error_of(api.call("POST", "/me/session/refresh", token=mine["id_token"], json={"refresh_token": other["refresh_token"]}),
             403, "wrong_token")
    error_of(api.call("POST", "/me/session/refresh", token=mine["id_token"], json={"refresh_token": "x" * 40}), 401)
    error_of(api.call("POST", "/me/session/refresh", token=mine["id_token"], json={}), 400)
    assert api.call("POST", "/me/session/refresh", json={"refresh_token": mine["refresh_token"]}).status_code == 401


def test_a_provider_user_signs_in_with_a_code_turns_two_step_off_and_signs_in_without(api, promoted):
    email, password = "robin.optional@example.org", "meadow copper violin seven"
    boss = api.token(APPROVER)
    location = api.call("GET", "/me", token=boss).json()["location_ids"][0]
    created = api.call("POST", "/registrations", json=registration(email, [location]))
    assert api.call("POST", f"/registrations/{created.json()['id']}/approve", token=boss).status_code == 200
    tokens = api.sign_in(email, temporary_password(api, email), password)
    setup = api.call("POST", "/me/mfa/setup", token=tokens["id_token"], json={"access_token": tokens["access_token"]})
    api.mfa_secrets[email] = setup.json()["secret"]
    confirmed = api.call("POST", "/me/mfa/confirm", token=tokens["id_token"],
                         json={"access_token": tokens["access_token"], "code": api.totp(email)})
    assert confirmed.status_code == 200 and confirmed.json()["mfa_enrolled"] is True, confirmed.text
    login = api.call("POST", "/auth/login", json={"email": email, "password": password}).json()
    assert login["challenge"] == "SOFTWARE_TOKEN_MFA"
    tokens = api.sign_in(email, password)  # with the code

    error_of(api.call("POST", "/me/mfa/turn-off", token=tokens["id_token"], json={"password": "guess guess guess"}),
             400, "wrong_password")
    assert api.call("POST", "/auth/login", json={"email": email, "password": password}).json()["challenge"] == "SOFTWARE_TOKEN_MFA"
    off = api.call("POST", "/me/mfa/turn-off", token=tokens["id_token"], json={"password": password})
    assert off.status_code == 200 and off.json()["mfa_enrolled"] is False, off.text
    del api.mfa_secrets[email]
    again = api.call("POST", "/auth/login", json={"email": email, "password": password}).json()
    assert "challenge" not in again and "id_token" in again  # the password alone now

    # an approver (required) is refused, and still asked for a code
    approver = api.sign_in(EMAIL, PASSWORD)
    refused = error_of(api.call("POST", "/me/mfa/turn-off", token=approver["id_token"], json={"password": PASSWORD}),
                       403, "mfa_required")
    assert "approver" in refused["message"]
    assert api.call("POST", "/auth/login", json={"email": EMAIL, "password": PASSWORD}).json()["challenge"] == "SOFTWARE_TOKEN_MFA"

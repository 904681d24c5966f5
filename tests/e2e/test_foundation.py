"""The foundation, over HTTP against the local stack, as a client would use it."""
from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import totp_now

pytestmark = pytest.mark.e2e

APPROVER = "approver@demo.care-tracker.example.org"
NEW_PASSWORD = "violet orbit canal mitten"


def error_of(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"}, body
    assert body["message"] and len(body["message"]) > 10
    if code:
        assert body["code"] == code, body
    return body


def test_health_and_openapi(api):
    assert api.call("GET", "/health").json() == {"status": "ok"}
    doc = api.call("GET", "/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    for path, method in [("/auth/login", "post"), ("/me", "get"), ("/windows/{period}", "get"), ("/health", "get")]:
        assert method in doc["paths"][path]
    login_schema = doc["paths"]["/auth/login"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert login_schema == {"$ref": "#/components/schemas/LoginRequest"}
    assert set(doc["components"]["schemas"]["LoginRequest"]["required"]) == {"email", "password"}
    assert doc["paths"]["/me"]["get"]["security"] == [{"bearer": []}]


def test_demo_approver_first_login_new_password_and_me(api, stack):
    temporary = stack["logins"][APPROVER]
    challenge = api.call("POST", "/auth/login", json={"email": APPROVER.upper(), "password": temporary}).json()
    assert challenge["challenge"] == "NEW_PASSWORD_REQUIRED"
    # a common password is refused by the service, with a reason
    weak = api.call("POST", "/auth/new-password", json={"email": APPROVER, "session": challenge["session"], "new_password": "password1234"})
    error_of(weak, 400, "weak_password")
    short = api.call("POST", "/auth/new-password", json={"email": APPROVER, "session": challenge["session"], "new_password": "short"})
    assert "12 characters" in error_of(short, 400, "weak_password")["message"]
    # an approver must use an authenticator app: the new password leads to enrolment, not tokens
    setup = api.call("POST", "/auth/new-password", json={"email": APPROVER, "session": challenge["session"], "new_password": NEW_PASSWORD})
    assert setup.status_code == 200, setup.text
    assert setup.json()["challenge"] == "MFA_SETUP" and "id_token" not in setup.json()
    api.passwords[APPROVER] = NEW_PASSWORD
    key = api.call("POST", "/auth/mfa/setup", json={"email": APPROVER, "session": setup.json()["session"]})
    assert key.status_code == 200, key.text
    secret = key.json()["secret"]
    assert key.json()["otpauth_uri"].startswith("otpauth://totp/Care%20Tracker:") and f"secret={secret}" in key.json()["otpauth_uri"]
    bad = api.call("POST", "/auth/mfa/confirm", json={"email": APPROVER, "session": key.json()["session"], "code": "12345"})
    error_of(bad, 400, "validation_failed")
    tokens = api.call("POST", "/auth/mfa/confirm", json={"email": APPROVER, "session": key.json()["session"], "code": totp_now(secret)})
    assert tokens.status_code == 200, tokens.text
    api.mfa_secrets[APPROVER] = secret
    me = api.call("GET", "/me", token=tokens.json()["id_token"])
    assert me.status_code == 200, me.text
    body = me.json()
    assert body["email"] == APPROVER and body["mfa_enrolled"] is True and body["roles_awaiting_mfa"] == []
    assert set(body["roles"]) == {"approver", "provider_user"}
    assert body["organisation_id"].startswith("1-") and body["location_ids"]
    # every sign-in after that asks for the app's code
    again = api.call("POST", "/auth/login", json={"email": APPROVER, "password": NEW_PASSWORD}).json()
    assert again["challenge"] == "SOFTWARE_TOKEN_MFA" and "id_token" not in again
    signed_in = api.call("POST", "/auth/mfa", json={"email": APPROVER, "session": again["session"], "code": totp_now(secret)})
    assert "id_token" in signed_in.json(), signed_in.text
    wrong = api.call("POST", "/auth/login", json={"email": APPROVER, "password": "not the password at all"})
    error_of(wrong, 401, "wrong_login")


def test_password_reset_by_emailed_code(api, stack):
    email = "support@demo.care-tracker.example.org"
    api.login_first_time(email, stack["logins"][email], "granite lantern beyond seventy")
    accepted = api.call("POST", "/auth/forgot-password", json={"email": email})
    assert accepted.status_code == 202
    mail = [m for m in api.outbox() if m["to"] == email and "reset code" in m["subject"]][-1]
    code = re.search(r"reset code is (\S+)", mail["body"]).group(1)
    wrong = api.call("POST", "/auth/reset-password", json={"email": email, "code": "moto-confirmation-code:000000", "new_password": "harbour quiet velvet ninety"})
    error_of(wrong, 400, "invalid_code")
    weak = api.call("POST", "/auth/reset-password", json={"email": email, "code": code, "new_password": "qwertyuiop123"})
    error_of(weak, 400, "weak_password")
    done = api.call("POST", "/auth/reset-password", json={"email": email, "code": code, "new_password": "harbour quiet velvet ninety"})
    assert done.status_code == 200, done.text
    api.passwords[email] = "harbour quiet velvet ninety"
    # the support team must use an authenticator: a reset does not skip its code
    after = api.call("POST", "/auth/login", json={"email": email, "password": "harbour quiet velvet ninety"}).json()
    assert after["challenge"] == "SOFTWARE_TOKEN_MFA", after
    assert "id_token" in api.sign_in(email, "harbour quiet velvet ninety")
    # an unknown address gets the same answer and no mail
    before = len(api.outbox())
    assert api.call("POST", "/auth/forgot-password", json={"email": "nobody@example.org"}).status_code == 202
    assert len(api.outbox()) == before


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-jwt", "Basic abc", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."])
def test_protected_route_refuses_missing_or_bad_tokens(api, header):
    headers = {"Authorization": header} if header else {}
    error_of(api.call("GET", "/me", headers=headers), 401)


def test_tampered_token_is_refused(api, stack):
    email = "support@demo.care-tracker.example.org"
    token = api.call("POST", "/auth/login", json={"email": email, "password": "harbour quiet velvet ninety"}).json().get("id_token")
    if token is None:
        pytest.skip("depends on the reset test")
    header, payload, signature = token.split(".")
    tampered = ".".join([header, payload, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")])
    error_of(api.call("GET", "/me", token=tampered), 401, "invalid_token")
    # the access token is not an ID token
    access = api.call("POST", "/auth/login", json={"email": email, "password": "harbour quiet velvet ninety"}).json()["access_token"]
    error_of(api.call("GET", "/me", token=access), 401)


def test_bad_input_is_a_clear_4xx(api):
    assert error_of(api.call("POST", "/auth/login", data="{not json", headers={"Content-Type": "application/json"}), 400, "invalid_json")
    error_of(api.call("POST", "/auth/login", json=["a"]), 400, "invalid_json")
    body = error_of(api.call("POST", "/auth/login", json={"email": "x@example.org", "password": 5, "extra": 1}), 400, "validation_failed")
    assert {p["field"] for p in body["details"]["problems"]} == {"password", "extra"}
    error_of(api.call("POST", "/auth/login", json={"email": "not-an-email", "password": "x"}), 400, "validation_failed")
    error_of(api.call("POST", "/auth/login"), 400, "missing_body")
    error_of(api.call("GET", "/no/such/route"), 404, "unknown_route")
    not_allowed = api.call("DELETE", "/me")
    error_of(not_allowed, 405, "method_not_allowed")
    assert not_allowed.headers["Allow"] == "GET"
    error_of(api.call("GET", "/windows/2024-13"), 400, "invalid_period")


def test_windows_are_public(api):
    assert api.call("GET", "/windows/2024-09").json() == {
        "period": "2024-09", "opens_at": "2024-09-08T00:00:00+01:00",
        "closes_at": "2024-09-17T00:00:00+01:00", "last_day": "2024-09-16"}
    current = api.call("GET", "/windows/current").json()
    assert re.fullmatch(r"\d{4}-\d{2}", current["period"])


def test_requests_from_outside_the_uk_are_refused(api):
    error_of(api.call("GET", "/health", headers={"CloudFront-Viewer-Country": "FR"}), 403, "outside_uk")
    assert api.call("GET", "/health", headers={"CloudFront-Viewer-Country": "GB"}).status_code == 200


def test_local_jobs_route(api):
    error_of(api.call("POST", "/_local/jobs/no_such_job", json={"at": "2026-01-15T00:00:00+00:00"}), 404, "unknown_job")
    error_of(api.call("POST", "/_local/jobs/import_cqc_locations", json={"at": "2026-01-15T00:00:00"}), 400, "validation_failed")
    rerun = api.call("POST", "/_local/jobs/import_cqc_locations", json={"at": "2026-01-15T00:00:00+00:00"})
    assert rerun.status_code == 200, rerun.text
    result = rerun.json()["result"]
    # the demo file was imported at start-up: the same file again writes and sends nothing
    assert result["locations_written"] == 0 and result["organisations_written"] == 0 and result["accounts_created"] == 0


def test_no_personal_data_in_logs(api, stack):
    """Runs last in this module: a full login scenario has happened above."""
    email = "approver@demo.care-tracker.example.org"
    tokens = api.sign_in(email, NEW_PASSWORD)  # with the authenticator's code
    api.call("GET", "/me", token=tokens["id_token"])
    log = stack["api_log"].read_text() + stack["log_file"].read_text().split("Care Tracker is running at")[0]
    assert '"route":"GET /me","status":200' in log and "cqc import finished" in log  # the logs are really captured
    for secret in (email, "support@demo.care-tracker.example.org", NEW_PASSWORD, tokens["id_token"], tokens["access_token"],
                   *stack["logins"].values(), "harbour quiet velvet ninety", *api.mfa_secrets.values()):
        assert secret not in log
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", log), "an email address was logged"

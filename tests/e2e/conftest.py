"""Starts the local stack (the same one `make run` starts) on free ports for this test session,
and talks to it over HTTP like a client."""
from __future__ import annotations

from pathlib import Path

import pytest
import requests

from infra.local.stack import running

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items):
    """The foundation tests exercise the demo logins' first login with their temporary passwords,
    so they run before any other test module logs the demo accounts in."""
    items.sort(key=lambda item: 0 if item.path.name == "test_foundation.py" else 1)


def totp_now(secret: str) -> str:
    """The code an authenticator app with this key shows now (for browser tests too)."""
    from tests.support import totp_code

    return totp_code(secret)


class Api:
    def __init__(self, base: str, logins: dict[str, str]) -> None:
        self.base = base
        self.http = requests.Session()
        self.temporary = dict(logins)
        # The password book: the password each account shared between test modules has now (demo
        # logins first of all), and the authenticator key of each account that enrolled one.
        self.passwords: dict[str, str] = {}
        self.mfa_secrets: dict[str, str] = {}

    def token(self, email: str, temporary: str | None = None, new_password: str = "copper meadow lantern ripple") -> str:
        """An ID token for a shared account: logs in with its current password (and its authenticator's
        code), or does its first login (temporary password from the stack or its welcome mail;
        enrolling an authenticator for the roles that need one) and remembers the new password and key."""
        if email in self.passwords:
            return self.sign_in(email, self.passwords[email])["id_token"]
        temporary = temporary or self.temporary.get(email) or self.welcome_password(email)
        token = self.login_first_time(email, temporary, new_password)
        self.passwords[email] = new_password
        return token

    def totp(self, email: str) -> str:
        """The current authenticator code of an account that enrolled through this book (browser tests)."""
        return totp_now(self.mfa_secrets[email])

    def sign_in(self, email: str, password: str, new_password: str | None = None) -> dict:
        """Logs in as a client does, answering each challenge: a new password (if given), enrolment of
        an authenticator (its key kept in the book), the authenticator's code. Returns the tokens."""
        answer = self.call("POST", "/auth/login", json={"email": email, "password": password})
        for _ in range(4):
            assert answer.status_code == 200, answer.text
            body = answer.json()
            challenge = body.get("challenge")
            if challenge is None:
                assert "id_token" in body, body
                return body
            if challenge == "NEW_PASSWORD_REQUIRED":
                assert new_password, f"{email} must choose a password first"
                answer = self.call("POST", "/auth/new-password",
                                   json={"email": email, "session": body["session"], "new_password": new_password})
            elif challenge == "MFA_SETUP":
                setup = self.call("POST", "/auth/mfa/setup", json={"email": email, "session": body["session"]})
                assert setup.status_code == 200, setup.text
                self.mfa_secrets[email] = setup.json()["secret"]
                answer = self.call("POST", "/auth/mfa/confirm", json={
                    "email": email, "session": setup.json()["session"], "code": self.totp(email)})
            elif challenge == "SOFTWARE_TOKEN_MFA":
                answer = self.call("POST", "/auth/mfa", json={
                    "email": email, "session": body["session"], "code": self.totp(email)})
            else:
                raise AssertionError(f"unexpected challenge {body}")
        raise AssertionError(f"{email}: too many challenges")

    def welcome_password(self, email: str) -> str:
        mail = [m for m in self.outbox() if m["to"] == email and "Temporary password:" in m["body"]][-1]
        return mail["body"].split("Temporary password:", 1)[1].split()[0]

    def call(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.http.request(method, self.base + path, headers=headers, timeout=30, **kwargs)

    def outbox(self) -> list[dict]:
        return self.call("GET", "/_local/outbox").json()["messages"]

    def login_first_time(self, email: str, temporary: str, new_password: str) -> str:
        challenge = self.call("POST", "/auth/login", json={"email": email, "password": temporary})
        assert challenge.status_code == 200, challenge.text
        assert challenge.json()["challenge"] == "NEW_PASSWORD_REQUIRED"
        return self.sign_in(email, temporary, new_password)["id_token"]


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    try:
        with running(tmp_path_factory.mktemp("stack")) as info:
            yield info
    except RuntimeError as failed:
        pytest.fail(str(failed))


@pytest.fixture(scope="session")
def api(stack) -> Api:
    return Api(stack["api"], stack["logins"])

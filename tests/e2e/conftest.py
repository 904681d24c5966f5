"""Starts the local stack (the same one `make run` starts) on free ports for this test session,
and talks to it over HTTP like a client."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from infra.local.stack import free_port

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items):
    """The foundation tests exercise the demo logins' first login with their temporary passwords,
    so they run before any other test module logs the demo accounts in."""
    items.sort(key=lambda item: 0 if item.path.name == "test_foundation.py" else 1)


class Api:
    def __init__(self, base: str, logins: dict[str, str]) -> None:
        self.base = base
        self.http = requests.Session()
        self.temporary = dict(logins)
        # The password each account shared between test modules has now (demo logins first of all).
        self.passwords: dict[str, str] = {}

    def token(self, email: str, temporary: str | None = None, new_password: str = "copper meadow lantern ripple") -> str:
        """An ID token for a shared account: logs in with its current password, or does its first
        login (temporary password from the stack or its welcome mail) and remembers the new one."""
        if email in self.passwords:
            answer = self.call("POST", "/auth/login", json={"email": email, "password": self.passwords[email]}).json()
            assert "id_token" in answer, answer
            return answer["id_token"]
        temporary = temporary or self.temporary.get(email) or self.welcome_password(email)
        token = self.login_first_time(email, temporary, new_password)
        self.passwords[email] = new_password
        return token

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
        tokens = self.call("POST", "/auth/new-password",
                           json={"email": email, "session": challenge.json()["session"], "new_password": new_password})
        assert tokens.status_code == 200, tokens.text
        return tokens.json()["id_token"]


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    info_file = tmp_path_factory.mktemp("stack") / "info.json"
    log_file = tmp_path_factory.mktemp("stack") / "stack.log"
    api_log = tmp_path_factory.mktemp("stack") / "api.log"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "layers"), str(ROOT)])}
    with open(log_file, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "infra.local.stack", "--api-port", str(free_port()),
             "--aws-port", str(free_port()), "--info-file", str(info_file), "--api-log", str(api_log)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while not info_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("the local stack did not start:\n" + log_file.read_text()[-4000:])
            time.sleep(0.2)
        info = json.loads(info_file.read_text())
        info["log_file"] = log_file
        info["api_log"] = api_log
        try:
            yield info
        finally:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def api(stack) -> Api:
    return Api(stack["api"], stack["logins"])

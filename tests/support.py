"""Helpers shared by the integration tests."""
from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from datetime import datetime

import botocore.client


class FixedClock:
    """The Clock port at a set instant (services take the clock; rules never read one)."""

    def __init__(self, now: datetime) -> None:
        self.at = now

    def now(self) -> datetime:
        return self.at


@contextlib.contextmanager
def dynamodb_requests() -> Iterator[Counter]:
    """Counts DynamoDB API calls by operation on every client (pynamodb's and boto3's, existing or new)."""
    calls: Counter = Counter()
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation, params):
        if self.meta.service_model.service_name == "dynamodb":
            calls[operation] += 1
        return original(self, operation, params)

    botocore.client.BaseClient._make_api_call = counting
    try:
        yield calls
    finally:
        botocore.client.BaseClient._make_api_call = original


def totp_code(secret: str) -> str:
    """The code an authenticator app with this key shows now. moto accepts only the current 30-second
    step's code, so near the end of a step this waits for the next one rather than race the boundary."""
    import time

    import pyotp

    if time.time() % 30 > 27:
        time.sleep(30.05 - time.time() % 30)
    return pyotp.TOTP(secret).now()


def sign_in(auth, email: str, password: str, new_password: str | None = None, secrets: dict | None = None):
    """Signs in through AuthService as a client would, answering every challenge: the first-login
    password (`new_password`), enrolment of an authenticator app (its key kept in `secrets[email]`)
    and its codes. Returns the Tokens."""
    from care_tracker.ports import Challenge

    secrets = {} if secrets is None else secrets
    answer = auth.login(email, password)
    for _ in range(4):
        if not isinstance(answer, Challenge):
            return answer
        if answer.name == "NEW_PASSWORD_REQUIRED":
            answer = auth.new_password(email, answer.session, new_password)
        elif answer.name == "MFA_SETUP":
            secret, _uri, session = auth.mfa_setup(email, answer.session)
            secrets[email] = secret
            answer = auth.mfa_confirm(email, session, totp_code(secret))
        elif answer.name == "SOFTWARE_TOKEN_MFA":
            answer = auth.mfa_answer(email, answer.session, totp_code(secrets[email]))
        else:
            raise AssertionError(f"unexpected challenge {answer.name}")
    raise AssertionError("too many challenges")

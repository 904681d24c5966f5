"""Logging in, first-login password change, password reset, and who is calling."""
from __future__ import annotations

from dataclasses import dataclass, field

from care_tracker import messages
from care_tracker.errors import BadRequest, Forbidden, TooManyRequests, Unauthorized
from care_tracker.ports import (
    Challenge,
    Clock,
    IdentityProvider,
    Mailer,
    SignInAttempts,
    Tokens,
    TokenVerifier,
    UserRepository,
)
from care_tracker.rules.passwords import password_problems
from care_tracker.rules.sign_in import locked_message, locked_until


@dataclass(frozen=True)
class Caller:
    user_id: str
    email: str
    full_name: str
    roles: frozenset[str]
    org_id: str | None = None
    location_ids: tuple[str, ...] = field(default_factory=tuple)
    local_authorities: tuple[str, ...] = field(default_factory=tuple)  # a commissioner's areas

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def check_new_password(password: str, email: str) -> None:
    problems = password_problems(password, personal=(email, email.split("@")[0]))
    if problems:
        raise BadRequest(" ".join(problems), code="weak_password", details={"problems": problems})


# Failures that count towards a lockout: a wrong password, a wrong authenticator code.
COUNTED = frozenset({"wrong_login", "wrong_code"})


class AuthService:
    def __init__(self, identity: IdentityProvider, users: UserRepository, tokens: TokenVerifier, mailer: Mailer,
                 clock: Clock, attempts: SignInAttempts) -> None:
        self._identity = identity
        self._users = users
        self._tokens = tokens
        self._mailer = mailer
        self._clock = clock
        self._attempts = attempts

    def login(self, email: str, password: str) -> Tokens | Challenge:
        email = email.lower()
        return self._guarded(email, lambda: self._identity.login(email, password))

    def new_password(self, email: str, session: str, new_password: str) -> Tokens | Challenge:
        email = email.lower()
        check_new_password(new_password, email)
        return self._guarded(email, lambda: self._identity.answer_new_password(email, session, new_password))

    def _guarded(self, email: str, attempt):
        """One sign-in step under the lockout (rules/sign_in.py): refused unchecked while the address
        is locked, a wrong password or code counted, and the count cleared by a success."""
        now = self._clock.now()
        state = self._attempts.state(email)
        until = locked_until(state, now)
        if until:
            raise TooManyRequests(locked_message(until), code="locked_out", details={"retry_after": until.isoformat()})
        try:
            answer = attempt()
        except Unauthorized as refused:
            if refused.code not in COUNTED:
                raise
            after = self._attempts.record_failure(email, now)
            until = locked_until(after, now)
            if until:  # this failure locked it: say so now rather than at the next try
                raise TooManyRequests(locked_message(until), code="locked_out",
                                      details={"retry_after": until.isoformat()}) from refused
            raise
        if state is not None and isinstance(answer, Tokens):
            self._attempts.clear(email)
        return answer

    def forgot_password(self, email: str) -> None:
        code = self._identity.forgot_password(email.lower())
        if code:  # only on the local stack: stands in for the mail Cognito sends when deployed
            self._mailer.send(messages.reset_code(email.lower(), code))

    def reset_password(self, email: str, code: str, new_password: str) -> None:
        check_new_password(new_password, email)
        self._identity.reset_password(email.lower(), code, new_password)

    def authenticate(self, authorization: str | None) -> Caller:
        """The caller behind a `Bearer <ID token>` header: verified token, then one read of the account,
        so a deactivated account is refused at once even while its token is unexpired."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Log in first, then send the ID token as 'Authorization: Bearer <token>'.")
        claims = self._tokens.claims(token.strip())
        user = self._users.get(claims["sub"])
        if user is None:
            raise Unauthorized("There is no Care Tracker account for this login.", code="no_account")
        if not user.active:
            raise Forbidden("This account has been deactivated. Ask your approver or the support team.", code="account_deactivated")
        return Caller(
            user_id=user.user_id, email=user.email, full_name=user.full_name, roles=frozenset(user.roles),
            org_id=user.org_id, location_ids=tuple(user.location_ids), local_authorities=tuple(user.local_authorities),
        )

"""Logging in, first-login password change, password reset, and who is calling."""
from __future__ import annotations

from dataclasses import dataclass, field

from care_tracker import messages
from care_tracker.errors import BadRequest, Forbidden, Unauthorized
from care_tracker.ports import Challenge, IdentityProvider, Mailer, Tokens, TokenVerifier, UserRepository
from care_tracker.rules.passwords import password_problems


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


def check_new_password(password: str, email: str, account_words: tuple[str, ...] = ()) -> None:
    problems = password_problems(password, personal=(email, email.split("@")[0], *account_words))
    if problems:
        raise BadRequest(" ".join(problems), code="weak_password", details={"problems": problems})


class AuthService:
    def __init__(self, identity: IdentityProvider, users: UserRepository, tokens: TokenVerifier, mailer: Mailer) -> None:
        self._identity = identity
        self._users = users
        self._tokens = tokens
        self._mailer = mailer

    def _account_words(self, email: str) -> tuple[str, ...]:  # name, job title, organisation (issue 9)
        words = getattr(self._users, "account_words", None)
        return words(email.lower()) if words else ()

    def login(self, email: str, password: str) -> Tokens | Challenge:
        return self._identity.login(email.lower(), password)

    def new_password(self, email: str, session: str, new_password: str) -> Tokens:
        check_new_password(new_password, email, self._account_words(email))
        return self._identity.answer_new_password(email.lower(), session, new_password)

    def _deactivated(self, email: str) -> bool:
        """A deactivated account (an archived PA's, one an approver deactivated) gets no reset at all:
        moto, unlike Cognito, would hand out a code even for a disabled user."""
        by_email = getattr(self._users, "by_email", None)
        user = by_email(email) if by_email else None
        return user is not None and not user.active

    def forgot_password(self, email: str) -> None:
        if self._deactivated(email.lower()):
            return  # the same answer as for any address: nothing that lets them in, nothing disclosed
        code = self._identity.forgot_password(email.lower())
        if code:  # only on the local stack: stands in for the mail Cognito sends when deployed
            self._mailer.send(messages.reset_code(email.lower(), code))

    def reset_password(self, email: str, code: str, new_password: str) -> None:
        check_new_password(new_password, email, self._account_words(email))
        if self._deactivated(email.lower()):
            raise BadRequest("That reset code is wrong or has expired. Ask for a new one.", code="invalid_code")
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

"""Logging in, first-login password change, password reset, and who is calling."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from care_tracker import messages
from care_tracker.errors import BadRequest, Forbidden, NotFound, SealedError, TooManyRequests, Unauthorized
from care_tracker.ports import (
    Challenge,
    Clock,
    IdentityProvider,
    Mailer,
    MfaResets,
    Sealer,
    SignInAttempts,
    Tokens,
    TokenVerifier,
    UserRepository,
)
from care_tracker.rules.passwords import password_problems
from care_tracker.rules.sign_in import MFA_ROLES, locked_message, locked_until, needs_mfa
from care_tracker.services.callers import Caller, authenticate

ISSUER = "Care Tracker"
ENROLMENT_TIME = timedelta(minutes=10)  # to install an app and scan the code


def otpauth_uri(email: str, secret: str) -> str:
    """What a QR code for an authenticator app holds (Key Uri Format)."""
    return (f"otpauth://totp/{quote(ISSUER)}:{quote(email)}?secret={secret}&issuer={quote(ISSUER)}"
            "&algorithm=SHA1&digits=6&period=30")


ENROL_HOW = ("Sign out, then sign in again: you will be asked to set up an authenticator app (scan the QR code "
             "it shows with an app such as Google Authenticator or Microsoft Authenticator, then enter its code).")


def mfa_needed_message(roles) -> str:
    named = " and ".join(sorted(roles)).replace("admin", "support team").replace("_", " ")
    return f"Your {named} role needs two-step sign-in before you can use it. {ENROL_HOW}"


def check_new_password(password: str, email: str, account_words: tuple[str, ...] = ()) -> None:
    problems = password_problems(password, personal=(email, email.split("@")[0], *account_words))
    if problems:
        raise BadRequest(" ".join(problems), code="weak_password", details={"problems": problems})


def _locked(until, now) -> TooManyRequests:
    return TooManyRequests(locked_message(until), code="locked_out", details={"retry_after": until.isoformat()},
                           headers={"Retry-After": str(max(1, int((until - now).total_seconds())))})


# Failures that count towards a lockout: a wrong password, a wrong authenticator code.
COUNTED = frozenset({"wrong_login", "wrong_code"})


class AuthService:
    def __init__(self, identity: IdentityProvider, users: UserRepository, tokens: TokenVerifier, mailer: Mailer,
                 clock: Clock, attempts: SignInAttempts, sealer: Sealer, mfa_resets: MfaResets | None = None) -> None:
        self._identity = identity
        self._users = users
        self._tokens = tokens
        self._mailer = mailer
        self._clock = clock
        self._attempts = attempts
        self._sealer = sealer
        self._mfa_resets = mfa_resets

    def _account_words(self, email: str) -> tuple[str, ...]:  # name, job title, organisation (issue 9)
        words = getattr(self._users, "account_words", None)
        return words(email.lower()) if words else ()

    def login(self, email: str, password: str) -> Tokens | Challenge:
        email = email.lower()
        return self._guarded(email, lambda: self._after_password(email, self._identity.login(email, password)))

    def new_password(self, email: str, session: str, new_password: str) -> Tokens | Challenge:
        email = email.lower()
        check_new_password(new_password, email, self._account_words(email))
        return self._guarded(
            email, lambda: self._after_password(email, self._identity.answer_new_password(email, session, new_password)))

    # ---------- two-step sign-in ----------
    def _after_password(self, email: str, answer: Tokens | Challenge) -> Tokens | Challenge:
        """Cognito gives tokens straight after the password only to someone without an authenticator
        in force (once enrolled it asks SOFTWARE_TOKEN_MFA itself, also after a password reset). For
        the roles that must use one, the tokens are held back, sealed in an MFA_SETUP session."""
        if not isinstance(answer, Tokens):
            return answer
        user = self._users.get(self._tokens.claims(answer.id_token)["sub"])
        if user is None or not needs_mfa(user.roles):
            return answer
        if user.mfa_enrolled:  # the record says enrolled, Cognito did not ask: trust Cognito, enrol again
            self._users.update(user.user_id, None, mfa_enrolled=False)
        return Challenge(name="MFA_SETUP", session=self._seal(email, user.user_id, answer.refresh_token))

    def _seal(self, email: str, user_id: str, refresh_token: str | None) -> str:
        return self._sealer.seal({"email": email, "sub": user_id, "refresh": refresh_token},
                                 self._clock.now() + ENROLMENT_TIME)

    def _unseal(self, email: str, session: str) -> dict:
        try:
            held = self._sealer.unseal(session, self._clock.now())
        except SealedError as exc:
            raise Unauthorized("That sign-in has expired or was changed. Log in again.", code="invalid_session") from exc
        if held["email"] != email.lower():
            raise Unauthorized("That sign-in belongs to another email address. Log in again.", code="invalid_session")
        return held

    def mfa_setup(self, email: str, session: str) -> tuple[str, str, str]:
        """Inside a sign-in that answered MFA_SETUP: the authenticator's secret, its otpauth:// URI
        (for the QR code) and the session to send back with the first code."""
        held = self._unseal(email, session)
        access = self._identity.refresh(held["refresh"]).access_token
        secret = self._identity.start_totp(access)
        return secret, otpauth_uri(held["email"], secret), self._seal(held["email"], held["sub"], held["refresh"])

    def mfa_confirm(self, email: str, session: str, code: str) -> Tokens:
        """Checks the first code, makes the authenticator required from now on, and signs in."""
        held = self._unseal(email, session)
        return self._guarded(held["email"], lambda: self._enrol(held, code))

    def _enrol(self, held: dict, code: str) -> Tokens:
        tokens = self._identity.refresh(held["refresh"])
        self._identity.verify_totp(tokens.access_token, code)
        self._users.update(held["sub"], None, mfa_enrolled=True)
        return Tokens(id_token=tokens.id_token, access_token=tokens.access_token, refresh_token=held["refresh"],
                      expires_in=tokens.expires_in)

    def mfa_answer(self, email: str, session: str, code: str) -> Tokens | Challenge:
        """Answers SOFTWARE_TOKEN_MFA with the app's current code."""
        email = email.lower()
        return self._guarded(email, lambda: self._identity.answer_mfa(email, session, code))

    def mfa_start_signed_in(self, caller: Caller, access_token: str) -> tuple[str, str]:
        """Optional enrolment for someone signed in (their access token: Cognito ties the app to it)."""
        self._own_access_token(caller, access_token)
        secret = self._identity.start_totp(access_token)
        return secret, otpauth_uri(caller.email, secret)

    def mfa_confirm_signed_in(self, caller: Caller, access_token: str, code: str) -> None:
        self._own_access_token(caller, access_token)
        self._guarded(caller.email, lambda: self._verified(caller, access_token, code), signed_in=lambda _: True)

    def refresh_signed_in(self, caller: Caller, refresh_token: str) -> Tokens:
        """New ID and access tokens from this sign-in's refresh token, asked for while the ID token is
        still good: a session goes on to the refresh token's 12 hours (deactivation revokes it), no longer."""
        tokens = self._identity.refresh(refresh_token)
        if self._identity.user_of_access_token(tokens.access_token) != caller.user_id:
            raise Forbidden("That refresh token belongs to another account.", code="wrong_token")
        return Tokens(id_token=tokens.id_token, access_token=tokens.access_token, refresh_token=refresh_token,
                      expires_in=tokens.expires_in)

    def _verified(self, caller: Caller, access_token: str, code: str) -> None:
        self._identity.verify_totp(access_token, code)
        self._users.update(caller.user_id, None, mfa_enrolled=True)

    def _own_access_token(self, caller: Caller, access_token: str) -> None:
        if self._identity.user_of_access_token(access_token) != caller.user_id:
            raise Forbidden("That access token belongs to another account.", code="wrong_token")

    def mfa_turn_off(self, caller: Caller, password: str) -> None:
        """Someone whose roles do not need two-step sign-in turns it off. Their password confirms it, so
        a session left open (or stolen) alone cannot: it is checked by a sign-in under the lockout
        (any answer but a refusal, e.g. SOFTWARE_TOKEN_MFA, means the password is right)."""
        held = caller.roles | caller.awaiting_mfa
        if needs_mfa(held):
            named = " and ".join(sorted(MFA_ROLES & held)).replace("admin", "support team").replace("_", " ")
            raise Forbidden(f"Your {named} role needs two-step sign-in, so it cannot be turned off. "
                            "Got a new phone? Replace the authenticator app instead.", code="mfa_required")
        try:
            self._guarded(caller.email, lambda: self._identity.login(caller.email, password))
        except Unauthorized as refused:
            if refused.code != "wrong_login":
                raise
            # not a 401: that would mean "sign in again" to a client, and this session is fine
            raise BadRequest("That password is not right. Enter the password you sign in with.",
                             code="wrong_password") from refused
        self._identity.reset_totp(caller.email)
        self._users.update(caller.user_id, None, mfa_enrolled=False)

    def reset_mfa(self, caller: Caller, user_id: str, reason: str) -> dict:
        """The support team turns off a person's authenticator (a lost phone), recording who and why;
        they enrol again at their next sign-in (required roles) or may (others)."""
        if not caller.has("admin"):
            raise Forbidden("Only the support team can reset two-step sign-in.", code="wrong_role")
        user = self._users.get(user_id)
        if user is None:
            raise NotFound("There is no such account.", code="no_such_user")
        at = self._clock.now()
        self._identity.reset_totp(user.email)
        self._users.update(user.user_id, None, mfa_enrolled=False)
        self._mfa_resets.record(user.user_id, by=caller.user_id, reason=reason, at=at)
        return {"user_id": user.user_id, "reset_by": caller.user_id, "reason": reason, "at": at.isoformat(),
                "mfa_required": needs_mfa(user.roles)}

    def mfa_resets(self, caller: Caller, limit: int, cursor: str | None) -> dict:
        """The support team's list of resets, newest first, with the names of whose app was reset and
        who reset it (read from the accounts, so a name corrected since shows as it is now)."""
        if not caller.has("admin"):
            raise Forbidden("Only the support team can see the resets of two-step sign-in.", code="wrong_role")
        records, next_cursor = self._mfa_resets.page(limit, cursor)
        ids = {r["user_id"] for r in records} | {r["by"] for r in records}
        people = self._users.many(ids)

        def named(uid):
            user = people.get(uid)
            return (user.full_name, user.email) if user else (None, None)

        resets = []
        for r in records:
            name, email = named(r["user_id"])
            by_name, _ = named(r["by"])
            resets.append({"user_id": r["user_id"], "full_name": name, "email": email, "reset_by": r["by"],
                           "reset_by_name": by_name, "reason": r["reason"], "at": r["at"]})
        return {"resets": resets, "next_cursor": next_cursor}

    def _guarded(self, email: str, attempt, signed_in=lambda answer: isinstance(answer, Tokens)):
        """One sign-in step under the lockout (rules/sign_in.py): refused unchecked while the address
        is locked, a wrong password or code counted, and the count cleared once `signed_in(answer)`
        (a challenge answered is not yet a sign-in: a wrong code after it still counts)."""
        now = self._clock.now()
        state = self._attempts.state(email)
        until = locked_until(state, now)
        if until:
            raise _locked(until, now)
        try:
            answer = attempt()
        except Unauthorized as refused:
            if refused.code not in COUNTED:
                raise
            after = self._attempts.record_failure(email, now)
            until = locked_until(after, now)
            if until:  # this failure locked it: say so now rather than at the next try
                raise _locked(until, now) from refused
            raise
        if state is not None and signed_in(answer):
            self._attempts.clear(email)
        return answer

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
        return authenticate(authorization, self._tokens, self._users)

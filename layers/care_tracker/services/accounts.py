"""Creating accounts: a Cognito login with a temporary password, the stored account, a welcome mail."""
from __future__ import annotations

from care_tracker import messages
from care_tracker.errors import Conflict
from care_tracker.ports import Clock, IdentityProvider, Mailer, UserRecord, UserRepository
from care_tracker.rules.passwords import temporary_password


class AccountService:
    def __init__(self, identity: IdentityProvider, users: UserRepository, mailer: Mailer, clock: Clock, login_url: str) -> None:
        self._identity = identity
        self._users = users
        self._mailer = mailer
        self._clock = clock
        self._login_url = login_url

    def create_account(
        self, *, email: str, full_name: str, roles: list[str], org_id: str | None = None,
        location_ids: list[str] | None = None, phone: str | None = None, job_title: str | None = None,
        comms_consent: bool = False, first_approver_of: str | None = None, local_authorities: list[str] | None = None,
    ) -> UserRecord:
        """`first_approver_of`: also record the account as that organisation's first approver, in the
        same transaction (Conflict if the organisation has one already or the email is taken)."""
        email = email.lower()
        if self._users.email_taken(email):
            raise Conflict("That email address is already registered.", code="username_taken")
        password = temporary_password()
        user_id = self._identity.create_user(email, password)
        user = UserRecord(
            user_id=user_id, email=email, full_name=full_name, roles=roles, org_id=org_id,
            location_ids=location_ids or [], phone=phone, job_title=job_title,
            comms_consent=comms_consent, created_at=self._clock.now(), local_authorities=local_authorities or [],
        )
        try:
            if first_approver_of is None:
                self._users.create(user)
            else:
                self._users.create(user, first_approver_of=first_approver_of)
        except Exception:
            # Nothing half-written: the login goes if the account could not be stored.
            self._identity.delete_user(email)
            raise
        self._mailer.send(messages.welcome(email, full_name, password, self._login_url))
        return user

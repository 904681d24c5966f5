"""The small interfaces services depend on; adapters/ implements them on AWS."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from care_tracker.rules.sign_in import Failures


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime (UTC)."""


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    def send(self, mail: Mail) -> None: ...


@dataclass(frozen=True)
class Tokens:
    id_token: str
    access_token: str
    refresh_token: str | None
    expires_in: int


@dataclass(frozen=True)
class Challenge:
    name: str
    session: str


class IdentityProvider(Protocol):
    """The login service (Cognito). Usernames are lower-cased emails."""

    def create_user(self, email: str, temporary_password: str) -> str:
        """Creates a user who must change the temporary password; returns their id (sub)."""

    def delete_user(self, email: str) -> None: ...

    def login(self, email: str, password: str) -> Tokens | Challenge: ...

    def answer_new_password(self, email: str, session: str, new_password: str) -> Tokens | Challenge: ...

    def answer_mfa(self, email: str, session: str, code: str) -> Tokens | Challenge: ...

    def refresh(self, refresh_token: str) -> Tokens: ...

    def start_totp(self, access_token: str) -> str:
        """A new authenticator secret (base32)."""

    def verify_totp(self, access_token: str, code: str) -> None:
        """Checks the app's first code and makes it required; Unauthorized(wrong_code) if wrong."""

    def user_of_access_token(self, access_token: str) -> str: ...

    def reset_totp(self, email: str) -> None: ...

    def forgot_password(self, email: str) -> str | None:
        """Starts a reset. Returns the code only where the backend discloses it (moto); Cognito mails it."""

    def reset_password(self, email: str, code: str, new_password: str) -> None: ...

    def disable_user(self, email: str) -> None: ...

    def enable_user(self, email: str) -> None: ...

    def set_temporary_password(self, email: str, temporary_password: str) -> None:
        """The user must choose a new password at their next login (a reactivated PA)."""


class SignInAttempts(Protocol):
    """Failed sign-ins per (lower-cased) address, for the lockout (rules/sign_in.py)."""

    def state(self, key: str) -> Failures | None: ...

    def record_failure(self, key: str, now: datetime) -> Failures:
        """Counts one failure atomically; returns the state after it."""

    def clear(self, key: str) -> None: ...


class MfaResets(Protocol):
    def record(self, user_id: str, by: str, reason: str, at: datetime) -> None: ...

    def page(self, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        """Every reset, newest first: (user_id, by, reason, at of each; the next page's cursor)."""


class Sealer(Protocol):
    """Encrypts and authenticates a small JSON value for a client to carry (errors.SealedError if changed or expired)."""

    def seal(self, value: dict, expires_at: datetime) -> str: ...

    def unseal(self, text: str, now: datetime) -> dict: ...


class TokenVerifier(Protocol):
    def claims(self, token: str) -> dict[str, Any]:
        """Verified claims of an ID token; raises Unauthorized."""


@dataclass
class UserRecord:
    user_id: str
    email: str
    full_name: str
    roles: list[str]
    org_id: str | None = None
    location_ids: list[str] = field(default_factory=list)
    active: bool = True
    phone: str | None = None
    job_title: str | None = None
    comms_consent: bool = False
    created_at: datetime | None = None
    version: int | None = None
    local_authorities: list[str] = field(default_factory=list)  # a commissioner's areas (CQC's names)
    mfa_enrolled: bool = False  # an authenticator app is in force for their sign-in


class UserRepository(Protocol):
    def get(self, user_id: str) -> UserRecord | None: ...

    def many(self, user_ids) -> dict[str, UserRecord]:
        """The accounts of these ids that exist, by id (one batch read)."""

    def create(self, user: UserRecord) -> None:
        """Stores a new user and claims their email; Conflict if the email is taken."""

    def email_taken(self, email: str) -> bool: ...

    def delete(self, user: UserRecord) -> None:
        """Deletes a deactivated account and its username claim (retention ended); nothing if it is
        gone already or active again."""


# ---------- employers, PAs and employments (issue 11; contract B: issues 12, 13 and 14 import these) ----------
@dataclass(frozen=True)
class EmployerSettings:
    employer_id: str
    funded_hours_per_week: Decimal | None
    pay_cycle: str | None              # rules.pay_periods.PayCycle values: weekly, two_weekly, four_weekly, monthly
    first_period_start: date | None
    leave_year_start: tuple[int, int]  # (month, day); default (4, 1)
    domestic_service: bool
    version: int
    earlier_cycles: tuple[tuple[str, date], ...] = ()  # (cycle, first period start) before pay_cycle's, in order


@dataclass(frozen=True)
class Employment:
    employer_id: str
    pa_id: str
    pa_name: str
    status: str                        # "active" | "details_missing" (reactivated, details not yet re-entered) | "archived"
    start_date: date
    leaving_date: date | None
    contracted_hours: Decimal | None   # None: irregular hours
    date_of_birth: date | None         # None once archived (young-worker checks)
    opt_out_start: date | None = None  # a signed 48-hour opt-out (kept when archived: work history)
    opt_out_cancelled: date | None = None


class EmploymentDirectory(Protocol):
    def employment(self, employer_id: str, pa_id: str) -> Employment | None: ...   # 1 GetItem
    def employments_of_pa(self, pa_id: str) -> list[Employment]: ...              # 1 Query (by_pa index)
    def employer_settings(self, employer_id: str) -> EmployerSettings | None: ... # 1 GetItem
    def employer_and_employments(self, employer_id: str) -> tuple[EmployerSettings | None, list[Employment]]: ...  # 1 Query


# ---------- audit packs made in the background (issue 12) ----------
@dataclass(frozen=True)
class PackRecord:
    """An audit pack asked for: one per employer and date range (services/audit_pack.AuditPackJobs)."""

    employer_id: str
    pack_id: str
    first: date
    last: date
    status: str
    token: str
    asked_at: datetime
    expires_at: int
    finished_at: datetime | None = None
    zip_key: str | None = None
    rows: int | None = None
    message: str | None = None

"""Who is calling: the verified ID token, then one read of the account. Every protected request
runs this and nothing else of the sign-in machinery, so it is kept apart from services.auth (whose
imports, the sealer, the sign-in store and the messages, a cold start would otherwise pay)."""
from __future__ import annotations

from dataclasses import dataclass, field

from care_tracker.errors import Forbidden, Unauthorized
from care_tracker.ports import TokenVerifier, UserRepository
from care_tracker.roles import MFA_ROLES


@dataclass(frozen=True)
class Caller:
    user_id: str
    email: str
    full_name: str
    roles: frozenset[str]
    org_id: str | None = None
    location_ids: tuple[str, ...] = field(default_factory=tuple)
    local_authorities: tuple[str, ...] = field(default_factory=tuple)  # a commissioner's areas
    # Roles held but not in force until the person sets up two-step sign-in (e.g. just promoted to
    # approver): `roles` leaves them out, so every check refuses their powers meanwhile.
    awaiting_mfa: frozenset[str] = frozenset()
    mfa_enrolled: bool = False

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def authenticate(authorization: str | None, tokens: TokenVerifier, users: UserRepository) -> Caller:
    """The caller behind a `Bearer <ID token>` header, so a deactivated account is refused at once
    even while its token is unexpired."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Log in first, then send the ID token as 'Authorization: Bearer <token>'.")
    claims = tokens.claims(token.strip())
    user = users.get(claims["sub"])
    if user is None:
        raise Unauthorized("There is no Care Tracker account for this login.", code="no_account")
    if not user.active:
        raise Forbidden("This account has been deactivated. Ask your approver or the support team.", code="account_deactivated")
    roles = frozenset(user.roles)
    awaiting = frozenset() if user.mfa_enrolled else roles & MFA_ROLES
    return Caller(
        user_id=user.user_id, email=user.email, full_name=user.full_name, roles=roles - awaiting,
        org_id=user.org_id, location_ids=tuple(user.location_ids), local_authorities=tuple(user.local_authorities),
        awaiting_mfa=awaiting, mfa_enrolled=user.mfa_enrolled,
    )

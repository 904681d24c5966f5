"""Settings read from the environment.

Deployed, the template sets these (infra/resources.yaml, `Globals.Function.Environment`);
locally, infra/local/provision.py resolves the same mapping against moto.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Settings:
    region: str
    users_table: str
    usernames_table: str
    organisations_table: str
    locations_table: str
    registrations_table: str
    announcements_table: str
    returns_table: str
    windows_table: str
    compliance_table: str
    cases_table: str
    idempotency_table: str
    feedback_table: str
    suggestions_table: str
    employers_table: str
    sign_in_table: str
    work_table: str
    audit_packs_table: str
    imports_bucket: str
    exports_bucket: str
    backups_bucket: str
    user_pool_id: str
    user_pool_client_id: str
    mail_sender: str
    # The Secrets Manager secret (ARN) keys are derived from: sealed sign-in sessions, emailed links.
    signing_key_secret: str
    # Where people log in; quoted in welcome emails.
    login_url: str
    # Where the API answers for people following links in emails: deployed <site>/api (the origin of
    # login_url, as CloudFront serves the API under /api/); on the local stack, its own address.
    public_api_url: str
    # The support team's shared mailbox: told of access requests where an organisation has no approver.
    support_email: str
    # Set only by the local stack: enables /_local/* routes and local mail of reset codes.
    local: bool
    # Where Cognito's signing keys are served; derived from the pool unless overridden (moto server).
    jwks_url: str
    token_issuer: str
    # Enforcement (RULES 1.6): days allowed for representations after a notice of intent, and the
    # penalty fee table as JSON ([{"max_locations": 1, "amount_pence": 203500}, ..., {"max_locations": null, ...}];
    # empty: the default table in rules/enforcement.py).
    representation_days: int = 28
    penalty_fees: str = ""
    # The customer-managed KMS key for PAs' personal data (it also seals the PA lists' page cursors).
    personal_data_key: str = ""
    # Where POST /employer/audit-pack sends its work (MakeAuditPack's queue; locally polled by the API server).
    audit_pack_queue_url: str = ""

    @property
    def table_names(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__ if name.endswith("_table")}


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


@lru_cache(maxsize=1)
def settings() -> Settings:
    region = _env("AWS_REGION") or _env("AWS_DEFAULT_REGION", "eu-west-2")
    pool = _env("USER_POOL_ID")
    issuer = f"https://cognito-idp.{region}.amazonaws.com/{pool}"
    return Settings(
        region=region,
        users_table=_env("USERS_TABLE"),
        usernames_table=_env("USERNAMES_TABLE"),
        organisations_table=_env("ORGANISATIONS_TABLE"),
        locations_table=_env("LOCATIONS_TABLE"),
        registrations_table=_env("REGISTRATIONS_TABLE"),
        announcements_table=_env("ANNOUNCEMENTS_TABLE"),
        returns_table=_env("RETURNS_TABLE"),
        windows_table=_env("WINDOWS_TABLE"),
        compliance_table=_env("COMPLIANCE_TABLE"),
        cases_table=_env("CASES_TABLE"),
        idempotency_table=_env("IDEMPOTENCY_TABLE"),
        feedback_table=_env("FEEDBACK_TABLE"),
        suggestions_table=_env("SUGGESTIONS_TABLE"),
        employers_table=_env("EMPLOYERS_TABLE"),
        sign_in_table=_env("SIGN_IN_TABLE"),
        work_table=_env("WORK_TABLE"),
        audit_packs_table=_env("AUDIT_PACKS_TABLE"),
        imports_bucket=_env("IMPORTS_BUCKET"),
        exports_bucket=_env("EXPORTS_BUCKET"),
        backups_bucket=_env("BACKUPS_BUCKET"),
        user_pool_id=pool,
        user_pool_client_id=_env("USER_POOL_CLIENT_ID"),
        mail_sender=_env("MAIL_SENDER", "no-reply@care-tracker.example.org"),
        signing_key_secret=_env("SIGNING_KEY_SECRET"),
        login_url=_env("LOGIN_URL", "https://care-tracker.example.org/login"),
        public_api_url=_env("PUBLIC_API_URL") or _origin(_env("LOGIN_URL", "https://care-tracker.example.org/login")) + "/api",
        support_email=_env("SUPPORT_EMAIL", "support@care-tracker.example.org"),
        local=_env("CARE_TRACKER_LOCAL") == "1",
        jwks_url=_env("JWKS_URL") or f"{issuer}/.well-known/jwks.json",
        token_issuer=issuer,
        representation_days=int(_env("REPRESENTATION_DAYS") or 28),
        penalty_fees=_env("PENALTY_FEES"),
        personal_data_key=_env("PERSONAL_DATA_KEY"),
        audit_pack_queue_url=_env("AUDIT_PACK_QUEUE_URL"),
    )

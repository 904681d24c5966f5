"""The composition root: builds services on their AWS adapters, once per container.

Adapters are imported here, on first use, so a handler's cold start pays only for what it calls.
"""
from __future__ import annotations

from functools import lru_cache

from care_tracker.config import settings


@lru_cache(maxsize=1)
def clock():
    from care_tracker.adapters.clock import SystemClock

    return SystemClock()


@lru_cache(maxsize=1)
def mailer():
    from care_tracker.adapters.ses_mailer import SesMailer

    return SesMailer(settings().mail_sender, settings().region)


@lru_cache(maxsize=1)
def identity():
    from care_tracker.adapters.cognito_identity import CognitoIdentity

    s = settings()
    return CognitoIdentity(s.user_pool_id, s.user_pool_client_id, s.region)


@lru_cache(maxsize=1)
def token_verifier():
    from care_tracker.adapters.jwt_verifier import CognitoTokenVerifier

    s = settings()
    return CognitoTokenVerifier(s.jwks_url, s.token_issuer, s.user_pool_client_id)


@lru_cache(maxsize=1)
def users():
    from care_tracker.adapters.user_store import DynamoUserRepository

    return DynamoUserRepository()


@lru_cache(maxsize=1)
def auth_service():
    from care_tracker.services.auth import AuthService

    return AuthService(identity(), users(), token_verifier(), mailer())


@lru_cache(maxsize=1)
def account_service():
    from care_tracker.services.accounts import AccountService

    return AccountService(identity(), users(), mailer(), clock(), settings().login_url)


@lru_cache(maxsize=1)
def location_directory():
    from care_tracker.adapters.location_store import DynamoLocationDirectory

    return DynamoLocationDirectory()


@lru_cache(maxsize=1)
def object_store():
    from care_tracker.adapters.object_store import S3ObjectStore

    return S3ObjectStore(settings().region)


def reset() -> None:
    """Forget built services (tests switch environments between sessions)."""
    for factory in (clock, mailer, identity, token_verifier, users, auth_service, account_service,
                    location_directory, object_store):
        factory.cache_clear()
    settings.cache_clear()

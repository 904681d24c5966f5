"""Verifies Cognito ID tokens: RS256 signature against the pool's JWKS, expiry, issuer, audience
(the app client) and token use. Keys are fetched once per container and on an unknown key id."""
from __future__ import annotations

from typing import Any

import jwt

from care_tracker.errors import Unauthorized


class CognitoTokenVerifier:
    def __init__(self, jwks_url: str, issuer: str, client_id: str) -> None:
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=3600, timeout=5)
        self._issuer = issuer
        self._client_id = client_id

    def claims(self, token: str) -> dict[str, Any]:
        try:
            key = self._jwks.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self._client_id,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "sub", "aud", "iss", "token_use"]},
                leeway=5,
            )
        except jwt.PyJWKClientConnectionError:
            raise  # our fault, not the caller's: a 5xx and an alarm, not a 401
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("Your session has expired. Log in again.", code="token_expired") from exc
        except (jwt.PyJWTError, ValueError) as exc:
            raise Unauthorized("The login token is not valid. Log in again.", code="invalid_token") from exc
        if claims.get("token_use") != "id":
            raise Unauthorized("This is not a sign-in token. Sign in again; the app sends the ID token it is given.", code="invalid_token")
        return claims

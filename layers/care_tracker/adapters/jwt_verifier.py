"""Verifies Cognito ID tokens: RS256 signature against the pool's JWKS, expiry, issuer, audience
(the app client) and token use. Keys are fetched once per container and on an unknown key id.

Written on cryptography's RSA alone rather than PyJWT: importing PyJWT loads every algorithm it
supports (X.509, EC, EdDSA, SSH keys), about 15 ms of every cold start, for the one algorithm Cognito
signs with. The checks are PyJWT's (tests/unit/test_jwt_verifier.py holds them to it).
"""
from __future__ import annotations

import base64
import binascii
import json
import threading
import time
import urllib.request
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.hashes import SHA256

from care_tracker.errors import Unauthorized

REQUIRED = ("exp", "iat", "sub", "aud", "iss", "token_use")


class JwksUnavailable(Exception):
    """The pool's keys could not be fetched: our fault, not the caller's (a 5xx and an alarm, not a 401)."""


def _invalid(reason: str) -> Unauthorized:
    # The caller is told only to log in again; the reason is a note for tracebacks and tests.
    error = Unauthorized("The login token is not valid. Log in again.", code="invalid_token")
    error.add_note(reason)
    return error


def _segment(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text.encode("ascii") + b"=" * (-len(text) % 4))
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise _invalid("a segment is not base64url") from exc


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise _invalid(f"the {what} is not JSON") from exc
    if not isinstance(value, dict):
        raise _invalid(f"the {what} is not a JSON object")
    return value


def _number(claims: dict[str, Any], name: str) -> int:
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _invalid(f"{name} is not a number")
    return int(value)


def _uint(text: str) -> int:
    return int.from_bytes(_segment(text), "big")


class CognitoTokenVerifier:
    def __init__(self, jwks_url: str, issuer: str, client_id: str, *, lifespan: float = 3600, timeout: float = 5,
                 leeway: float = 5, refetch: float = 60) -> None:
        self._jwks_url = jwks_url
        self._issuer = issuer
        self._client_id = client_id
        self._lifespan, self._timeout, self._leeway = lifespan, timeout, leeway
        self._refetch = refetch  # seconds at least between fetches for an unknown key id
        self._keys: dict[str, rsa.RSAPublicKey] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()

    def _fetch(self) -> None:
        try:
            with urllib.request.urlopen(self._jwks_url, timeout=self._timeout) as response:  # noqa: S310 - the pool's https URL
                document = json.load(response)
            keys = {}
            for jwk in document["keys"]:
                if jwk.get("kty") != "RSA" or jwk.get("use", "sig") != "sig" or jwk.get("alg", "RS256") != "RS256":
                    continue
                keys[jwk["kid"]] = rsa.RSAPublicNumbers(_uint(jwk["e"]), _uint(jwk["n"])).public_key()
        except (OSError, ValueError, KeyError, TypeError, Unauthorized) as exc:
            raise JwksUnavailable(f"Could not read the signing keys at {self._jwks_url}: {exc!r}") from exc
        self._keys, self._fetched_at = keys, time.monotonic()

    def _key(self, kid: str) -> rsa.RSAPublicKey:
        with self._lock:
            age = None if self._fetched_at is None else time.monotonic() - self._fetched_at
            # first use, keys older than their lifespan, or a key id not seen yet (a rotation) — but
            # not more often than `refetch`, so forged key ids cannot make every request fetch the keys
            if age is None or age > self._lifespan or (kid not in self._keys and age >= self._refetch):
                self._fetch()
            key = self._keys.get(kid)
        if key is None:
            raise _invalid("no signing key has this key id")
        return key

    def claims(self, token: str) -> dict[str, Any]:
        parts = token.split(".")
        if len(parts) != 3:
            raise _invalid("not three segments")
        header = _json_object(_segment(parts[0]), "header")
        if header.get("alg") != "RS256" or "crit" in header or not isinstance(header.get("kid"), str):
            raise _invalid("not an RS256 token with a key id")
        payload, signature = _segment(parts[1]), _segment(parts[2])
        try:
            self._key(header["kid"]).verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"), padding.PKCS1v15(), SHA256())
        except InvalidSignature as exc:
            raise _invalid("the signature does not match") from exc
        claims = _json_object(payload, "payload")
        missing = [name for name in REQUIRED if name not in claims]
        if missing:
            raise _invalid(f"missing {', '.join(missing)}")
        now = time.time()
        if _number(claims, "exp") <= now - self._leeway:
            raise Unauthorized("Your session has expired. Log in again.", code="token_expired")
        if _number(claims, "iat") > now + self._leeway or ("nbf" in claims and _number(claims, "nbf") > now + self._leeway):
            raise _invalid("not yet valid")
        audience = claims["aud"]
        if not (audience == self._client_id or (isinstance(audience, list) and self._client_id in audience)):
            raise _invalid("another audience")
        if claims["iss"] != self._issuer:
            raise _invalid("another issuer")
        if not isinstance(claims["sub"], str):
            raise _invalid("sub is not a string")
        if claims.get("token_use") != "id":
            raise Unauthorized("This is not a sign-in token. Sign in again; the app sends the ID token it is given.", code="invalid_token")
        return claims

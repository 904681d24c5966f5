"""Signed links in emails: a compact payload and its HMAC-SHA256 under a key of the service, both
base64url, joined by a dot. Pure: the key is given, the caller checks expiry with its own clock.

A link names what it may do (for "no change": the user, location, care type and month), when it
expires, and a random id that makes it single-use (the id is marked used when the link is used)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json

from care_tracker.errors import SealedError

MAX_TOKEN = 600  # characters; a real token is about 250


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: bytes, claims: dict) -> str:
    payload = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    return f"{payload}.{_b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())}"


def verify(key: bytes, token: str) -> dict:
    """The claims of a token signed with `key`; SealedError if it was changed, cut or forged."""
    if len(token) > MAX_TOKEN or token.count(".") != 1:
        raise SealedError("not a link token")
    payload, signature = token.split(".")
    expected = _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(expected, signature):
        raise SealedError("signature does not match")
    try:
        claims = json.loads(_unb64(payload))
    except ValueError as exc:
        raise SealedError("unreadable") from exc
    if not isinstance(claims, dict):
        raise SealedError("unreadable")
    return claims

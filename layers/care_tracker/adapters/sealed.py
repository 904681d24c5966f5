"""Sealed values: JSON encrypted and authenticated with AES-GCM under a key of the service, so a
client can carry state it can neither read nor change (the sign-in session of an MFA enrolment
holds a refresh token the client must not have until the enrolment is done)."""
from __future__ import annotations

import base64
import json
import os
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from care_tracker.errors import SealedError

PREFIX = "ct1."


class Sealer:
    def __init__(self, keys, purpose: str) -> None:
        self._keys = keys
        self._purpose = purpose

    def seal(self, value: dict, expires_at: datetime) -> str:
        nonce = os.urandom(12)
        plain = json.dumps({"v": value, "exp": int(expires_at.timestamp())}, separators=(",", ":")).encode()
        sealed = AESGCM(self._keys.key(self._purpose)).encrypt(nonce, plain, self._purpose.encode())
        return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")

    def unseal(self, text: str, now: datetime) -> dict:
        if not text.startswith(PREFIX):
            raise SealedError("not sealed by this service")
        try:
            raw = base64.urlsafe_b64decode(text[len(PREFIX):] + "=" * (-len(text) % 4))
            plain = AESGCM(self._keys.key(self._purpose)).decrypt(raw[:12], raw[12:], self._purpose.encode())
        except (ValueError, InvalidTag) as exc:
            raise SealedError("changed or not ours") from exc
        data = json.loads(plain)
        if data["exp"] <= now.timestamp():
            raise SealedError("expired")
        return data["v"]

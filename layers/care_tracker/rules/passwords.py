"""Password policy (RULES 1.2, NCSC / OWASP ASVS): at least 12 characters, at most 256, no
composition rules, common and easily guessed passwords refused, no forced expiry.

Cognito enforces the length; it cannot refuse common passwords, and moto checks no policy on
temporary passwords or resets, so every password the service accepts passes through here.
"""
from __future__ import annotations

import secrets

MIN_LENGTH = 12
MAX_LENGTH = 256
# zxcvbn's score 3 is "safely unguessable: moderate protection from offline attacks"; below that
# the password is built from common passwords, words, names, dates or keyboard patterns.
MIN_STRENGTH = 3


def password_problems(password: str, *, personal: tuple[str, ...] = ()) -> list[str]:
    """What is wrong with a new password, in words a person can act on; empty when it is fine."""
    if len(password) < MIN_LENGTH:
        return [f"Use at least {MIN_LENGTH} characters (a few unrelated words work well)."]
    if len(password) > MAX_LENGTH:
        return [f"Use at most {MAX_LENGTH} characters."]
    from zxcvbn import zxcvbn  # only the password routes pay for loading its word lists

    result = zxcvbn(password[:100], user_inputs=[p for p in personal if p])
    if result["score"] >= MIN_STRENGTH:
        return []
    feedback = result.get("feedback") or {}
    reasons = [feedback.get("warning") or "This password is too common or too easy to guess."]
    reasons += [s for s in feedback.get("suggestions", []) if s]
    return reasons


_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def temporary_password() -> str:
    """A random 16-character temporary password (about 92 bits), unambiguous to read from an email."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(16))

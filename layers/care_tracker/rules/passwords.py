"""Password policy (RULES 1.2, NCSC / OWASP ASVS): at least 12 characters, at most 256, no
composition rules, common and easily guessed passwords refused, no forced expiry.

Cognito enforces the length; it cannot refuse common passwords, and moto checks no policy on
temporary passwords or resets, so every password the service accepts passes through here.
"""
from __future__ import annotations

import re
import secrets

MIN_LENGTH = 12
MAX_LENGTH = 256
# zxcvbn's score 3 is "safely unguessable: moderate protection from offline attacks"; below that
# the password is built from common passwords, words, names, dates or keyboard patterns.
MIN_STRENGTH = 3
# zxcvbn refuses (ValueError) anything longer; what it cannot see of a longer password only adds to it.
ZXCVBN_MAX = 72


def password_problems(password: str, *, personal: tuple[str, ...] = ()) -> list[str]:
    """What is wrong with a new password, in words a person can act on; empty when it is fine."""
    if len(password) < MIN_LENGTH:
        return [f"Use at least {MIN_LENGTH} characters (a few unrelated words work well)."]
    if len(password) > MAX_LENGTH:
        return [f"Use at most {MAX_LENGTH} characters."]
    from zxcvbn import zxcvbn  # only the password routes pay for loading its word lists

    words = own_words(personal)
    result = zxcvbn(password[:ZXCVBN_MAX], user_inputs=list(words))
    if result["score"] >= MIN_STRENGTH:
        # zxcvbn scores "Rosalind Featherstone Deputy Manager" highly even given those words (the spaces
        # count as guesses): what is left once the account's own words are taken out must stand alone.
        used = [w for w in words if w in password.lower()]
        rest = without_own_words(password, words)
        if used and (not rest or zxcvbn(rest[:ZXCVBN_MAX])["score"] < MIN_STRENGTH):
            return ["Do not build the password from your own name, email address, job title or organisation: "
                    "add words that have nothing to do with you."]
        return []
    feedback = result.get("feedback") or {}
    reasons = [feedback.get("warning") or "This password is too common or too easy to guess."]
    reasons += [s for s in feedback.get("suggestions", []) if s]
    return reasons


def own_words(personal: tuple[str, ...]) -> tuple[str, ...]:
    """The words of the account's own details (name, email, job title, organisation), lower-case,
    three letters or more, longest first."""
    found = {w for text in personal if text for w in re.findall(r"[^\W_]+", text.lower()) if len(w) >= 3}
    return tuple(sorted(found, key=lambda w: (-len(w), w)))


def without_own_words(password: str, words: tuple[str, ...]) -> str:
    """The password, lower-case, with the account's words and everything but letters and digits taken out."""
    rest = password.lower()
    for word in words:
        rest = rest.replace(word, " ")
    return "".join(re.findall(r"[^\W_]+", rest))


_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def temporary_password() -> str:
    """A random 16-character temporary password (about 92 bits), unambiguous to read from an email."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(16))

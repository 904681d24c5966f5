"""National Insurance numbers (RULES 2.2; HMRC's National Insurance Manual, NIM39110).

Two prefix letters, six digits, one suffix letter A-D. Spaces are ignored and the number is stored
upper-case. The first letter is never D, F, I, Q, U or V; the second never D, F, I, O, Q, U or V;
the prefixes BG, GB, KN, NK, NT, TN and ZZ are never issued. (Temporary numbers, and the
administrative prefixes some employers see, are not valid NI numbers for payroll.)
"""
from __future__ import annotations

import re
import string

FIRST_NOT = frozenset("DFIQUV")
SECOND_NOT = frozenset("DFIOQUV")
NEVER_ISSUED = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
SUFFIXES = frozenset("ABCD")
FIRST_LETTERS = "".join(c for c in string.ascii_uppercase if c not in FIRST_NOT)
SECOND_LETTERS = "".join(c for c in string.ascii_uppercase if c not in SECOND_NOT)

_SHAPE = re.compile(r"[A-Z]{2}[0-9]{6}[A-Z]")


def normalise(raw: str) -> str:
    """Spaces (of any kind) removed, upper-case: "qq 12 34 56 c" -> "QQ123456C"."""
    return "".join(raw.split()).upper()


def problem(raw: str) -> str | None:
    """What is wrong with the number, in words a person can act on; None when it is valid.
    The words never repeat the number itself (they end up in error responses and logs)."""
    ni = normalise(raw)
    if not _SHAPE.fullmatch(ni):
        return "a National Insurance number is two letters, six digits and one letter A to D, like AB 12 34 56 C"
    if ni[0] in FIRST_NOT:
        return "a National Insurance number never starts with D, F, I, Q, U or V: check the first letter"
    if ni[1] in SECOND_NOT:
        return "the second letter of a National Insurance number is never D, F, I, O, Q, U or V: check it"
    if ni[:2] in NEVER_ISSUED:
        return "National Insurance numbers never start with BG, GB, KN, NK, NT, TN or ZZ: check the first two letters"
    if ni[-1] not in SUFFIXES:
        return "the last letter of a National Insurance number is A, B, C or D: check it"
    return None


def is_valid(raw: str) -> bool:
    return problem(raw) is None


def masked(ni: str) -> str:
    """For places that must refer to a number without showing it: the last three characters only."""
    ni = normalise(ni)
    return "•" * max(len(ni) - 3, 0) + ni[-3:]

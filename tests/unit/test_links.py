"""Signed links: what is signed verifies; any change, cut or other key does not."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from care_tracker.errors import SealedError
from care_tracker.rules.links import sign, verify

KEY = b"k" * 32
CLAIMS = {"u": "user-1", "l": "1-101", "c": "care_home", "p": "2026-12", "e": 1797206400, "n": "abc"}


def test_a_signed_link_verifies_to_its_claims():
    assert verify(KEY, sign(KEY, CLAIMS)) == CLAIMS


def test_another_key_or_a_changed_month_is_refused():
    token = sign(KEY, CLAIMS)
    with pytest.raises(SealedError):
        verify(b"x" * 32, token)
    forged = sign(b"x" * 32, {**CLAIMS, "p": "2027-01"}).split(".")[0] + "." + token.split(".")[1]
    with pytest.raises(SealedError):
        verify(KEY, forged)


@given(st.integers(min_value=0), st.characters(codec="ascii"))
def test_any_one_character_changed_is_refused(position, char):
    token = sign(KEY, CLAIMS)
    i = position % len(token)
    changed = token[:i] + char + token[i + 1:]
    if changed != token:
        with pytest.raises(SealedError):
            verify(KEY, changed)


@pytest.mark.parametrize("token", ["", ".", "a.b.c", "x" * 1000, "e30.", "bnVsbA." + "A" * 43])
def test_garbage_is_refused(token):
    with pytest.raises(SealedError):
        verify(KEY, token)

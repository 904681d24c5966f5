"""Postcode search (RULES 1.2 step 2): one lookup of the normalised key; spaces and case ignored."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from care_tracker.errors import BadRequest
from care_tracker.services.registrations import search_postcode


class Directory:
    def __init__(self, items):
        self.items = items
        self.asked: list[str] = []

    def at_postcode(self, key):
        self.asked.append(key)
        return [i for i in self.items if i.get("postcode_key") == key]


ITEMS = [
    {"location_id": "1-2", "name": "B home", "status": "active", "postcode_key": "LS62AB"},
    {"location_id": "1-1", "name": "A home", "status": "active", "postcode_key": "LS62AB"},
    {"location_id": "1-3", "name": "Stale", "status": "dormant", "postcode_key": "LS62AB"},  # belt and braces
]


@given(st.lists(st.sampled_from([" ", "\t", ""]), min_size=7, max_size=7), st.lists(st.booleans(), min_size=6, max_size=6))
def test_spaces_and_case_are_ignored_and_one_lookup_is_made(gaps, upper):
    letters = [c.upper() if u else c.lower() for c, u in zip("ls62ab", upper, strict=True)]
    text = "".join(g + c for g, c in zip(gaps[:6], letters, strict=True)) + gaps[-1]
    directory = Directory(ITEMS)
    key, found = search_postcode(directory, text)
    assert key == "LS62AB" and directory.asked == ["LS62AB"]
    assert [loc["location_id"] for loc in found] == ["1-1", "1-2"]


@pytest.mark.parametrize("text", ["", "abc 123", "LS6", "12345", "LS6 2AB1"])
def test_a_malformed_postcode_is_a_400_without_a_lookup(text):
    directory = Directory(ITEMS)
    with pytest.raises(BadRequest) as refused:
        search_postcode(directory, text)
    assert refused.value.code == "invalid_postcode" and directory.asked == []

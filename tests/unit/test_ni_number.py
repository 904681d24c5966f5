"""NI numbers (RULES 2.2, HMRC NIM39110): worked examples and properties."""
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from care_tracker.rules.ni_number import (
    FIRST_LETTERS,
    NEVER_ISSUED,
    SECOND_LETTERS,
    is_valid,
    masked,
    normalise,
    problem,
)

letters = st.sampled_from(string.ascii_uppercase)
digits6 = st.text("0123456789", min_size=6, max_size=6)


@pytest.mark.parametrize("raw", ["AB123456A", " ab\t123456 d ", "JG 10 37 59 A", "ce 00 00 00 b", "YZ999999C"])
def test_examples_that_are_valid(raw):
    assert is_valid(raw)


def test_hmrcs_format_example_qq_is_not_an_issued_number():
    assert "first letter" in problem("QQ 12 34 56 C")


def test_the_example_in_the_message_is_itself_a_valid_number():
    example = problem("AB12").split("like ", 1)[1]
    assert is_valid(example)


@pytest.mark.parametrize("raw, word", [
    ("DA123456A", "first letter"), ("FA123456A", "first letter"), ("VA123456A", "first letter"),
    ("AO123456A", "second letter"), ("AD123456A", "second letter"), ("AV123456A", "second letter"),
    ("BG123456A", "first two"), ("GB123456A", "first two"), ("NK123456A", "first two"), ("KN123456A", "first two"),
    ("NT123456A", "first two"), ("TN123456A", "first two"), ("ZZ123456A", "first two"),
    ("AB123456E", "last letter"), ("AB12345A", "like AB 12"), ("AB1234567A", "like AB 12"), ("A1123456A", "like AB 12"), ("", "like AB 12"),
])
def test_examples_that_are_refused_say_why(raw, word):
    assert word in problem(raw)
    assert raw.strip() == "" or raw not in problem(raw)  # the message never repeats the number


def test_normalise_removes_spaces_and_upper_cases():
    assert normalise(" ab 12 34 56 c ") == "AB123456C"
    assert masked("AB 12 34 56 C") == "••••••56C"


@given(st.sampled_from(FIRST_LETTERS), st.sampled_from(SECOND_LETTERS), digits6, st.sampled_from("ABCD"))
def test_every_number_of_the_issued_shape_is_valid_unless_its_prefix_is_never_issued(first, second, digits, suffix):
    ni = f"{first}{second}{digits}{suffix}"
    assert is_valid(ni) == (ni[:2] not in NEVER_ISSUED)


@given(letters, letters, digits6, letters)
def test_the_rule_matches_nim39110_letter_by_letter(first, second, digits, suffix):
    ni = f"{first}{second}{digits}{suffix}"
    expected = (first not in "DFIQUV" and second not in "DFIOQUV" and first + second not in
                {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"} and suffix in "ABCD")
    assert is_valid(ni) == expected


@given(st.sampled_from(FIRST_LETTERS), st.sampled_from(SECOND_LETTERS), digits6, st.sampled_from("ABCD"),
       st.lists(st.sampled_from([" ", "\t", "\u00a0"]), max_size=4), st.booleans())
def test_spaces_and_case_never_change_the_answer(first, second, digits, suffix, spaces, lower):
    ni = f"{first}{second}{digits}{suffix}"
    spaced = "".join(spaces) + ni[:2] + " " + ni[2:4] + "".join(spaces) + ni[4:]
    if lower:
        spaced = spaced.lower()
    assert normalise(spaced) == ni
    assert is_valid(spaced) == is_valid(ni)


@given(st.text(max_size=20))
def test_any_text_gets_an_answer_never_an_exception(raw):
    answer = problem(raw)
    assert answer is None or isinstance(answer, str)
    if answer is None:
        assert len(normalise(raw)) == 9

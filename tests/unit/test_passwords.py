"""The password check is given the account's own words (issue 9): a password built from them is refused."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from care_tracker.rules.passwords import own_words, password_problems, without_own_words

ACCOUNT = ("rosalind.featherstone@brightwater-care.example.org", "Rosalind Featherstone", "Deputy Manager",
           "Brightwater Care Homes Ltd")


def test_a_password_of_the_accounts_own_name_and_job_title_is_refused():
    password = "Rosalind Featherstone Deputy Manager"
    assert password_problems(password) == []  # strong to zxcvbn on its own...
    [problem] = password_problems(password, personal=ACCOUNT)  # ...but made of the account's words
    assert "your own name" in problem


def test_own_words_with_a_little_added_are_still_refused_and_unrelated_words_pass():
    assert password_problems("Brightwater Featherstone 2026!", personal=ACCOUNT)
    assert password_problems("copper meadow lantern ripple", personal=ACCOUNT) == []
    # the name may appear if enough else does
    assert password_problems("rosalind copper meadow lantern ripple", personal=ACCOUNT) == []


def test_the_words_of_an_account():
    assert own_words(("Jo Li", "jo@x.org", "Care-Home Manager")) == ("manager", "care", "home", "org")
    assert without_own_words("Care Home Manager 7", ("manager", "care", "home")) == "7"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(own_words(ACCOUNT)), min_size=1, max_size=6), st.sampled_from([" ", "-", "", "."]))
def test_any_password_made_only_of_the_accounts_words_is_refused(words, joiner):
    password = joiner.join(w.capitalize() for w in words)
    assert password_problems(password, personal=ACCOUNT)


def test_a_long_password_is_judged_not_an_error():
    # zxcvbn raises for more than 72 characters; the API answered 500 (found by schemathesis)
    assert password_problems("copper meadow lantern ripple " * 8) == []
    assert password_problems("a" * 256)  # long but trivial: refused in words
    assert password_problems("Rosalind Featherstone Deputy Manager " * 3, personal=ACCOUNT)

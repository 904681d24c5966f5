"""Feedback and suggestions (RULES 2.7): the 48-hour answer clock, the statuses a suggestion moves
through, the order suggestions are listed in, merge arithmetic, and what free text may contain.

Plain functions of plain data: no AWS, no clock reads (the caller passes `now`).

- **The 48-hour clock**: the support team answers feedback within 48 hours of it being sent —
  48 elapsed hours, not working hours (the seed promises "within 48 hours"). An answer or a close
  stops the clock; until then the time left shrinks and, once it is zero or less, the item is
  overdue (the hourly job then tells the support address, once).
- **Statuses**: open -> planned | in_progress | done | declined; planned -> in_progress | done |
  declined | open; in_progress -> done | planned | declined; done and declined are settled and can
  only be reopened (-> open). Setting the same status again changes only the comment.
- **Order**: most votes first; among equal votes the older first (it waited longer). `score`
  packs both into one number, so the listing is one index in one order and a vote is a plain
  `ADD score SCORE_STEP` in the same transaction that stores it.
- **Merge**: the duplicate's voters move to the target; a person who voted for both counts once.
  Moves are planned in chunks that fit one DynamoDB transaction (100 items).
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum

ANSWER_WITHIN = timedelta(hours=48)
FORMER_USER = "a former user"

CATEGORIES = ("something_wrong", "question", "other")
CATEGORY_NAMES = {"something_wrong": "Something is wrong", "question": "A question", "other": "Other"}


class SuggestionStatus(str, Enum):
    OPEN = "open"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DECLINED = "declined"


_S = SuggestionStatus
TRANSITIONS: dict[SuggestionStatus, frozenset[SuggestionStatus]] = {
    _S.OPEN: frozenset({_S.PLANNED, _S.IN_PROGRESS, _S.DONE, _S.DECLINED}),
    _S.PLANNED: frozenset({_S.IN_PROGRESS, _S.DONE, _S.DECLINED, _S.OPEN}),
    _S.IN_PROGRESS: frozenset({_S.DONE, _S.PLANNED, _S.DECLINED}),
    _S.DONE: frozenset({_S.OPEN}),
    _S.DECLINED: frozenset({_S.OPEN}),
}
STATUS_NAMES = {_S.OPEN: "open", _S.PLANNED: "planned", _S.IN_PROGRESS: "in progress", _S.DONE: "done",
                _S.DECLINED: "declined"}


def can_move(current: SuggestionStatus | str, new: SuggestionStatus | str) -> bool:
    """Whether a suggestion in `current` may be given `new` (the same status: a new comment only)."""
    current, new = SuggestionStatus(current), SuggestionStatus(new)
    return new == current or new in TRANSITIONS[current]


# ---------- the 48-hour clock ----------

def stamp(at: datetime) -> str:
    """How an instant is stored: one fixed width (microseconds, UTC), so the strings sort as the
    instants do (the inbox's order, the 48-hour cutoff)."""
    return at.astimezone(timezone.utc).isoformat(timespec="microseconds")


def answer_due(sent_at: datetime) -> datetime:
    return sent_at + ANSWER_WITHIN


def time_left(sent_at: datetime, now: datetime) -> timedelta:
    """What is left of the 48 hours: negative once overdue."""
    return answer_due(sent_at) - now


def is_overdue(sent_at: datetime, now: datetime) -> bool:
    return now >= answer_due(sent_at)


def overdue_cutoff(now: datetime) -> datetime:
    """Feedback sent at or before this instant is overdue at `now`."""
    return now - ANSWER_WITHIN


# ---------- order ----------

SCORE_STEP = 10 ** 13  # more than any epoch millisecond count until the year 2286
_TIME_PART = SCORE_STEP - 1


def score(votes: int, created_at: datetime) -> int:
    """Sorts descending as: most votes first, then the older first."""
    if votes < 0:
        raise ValueError("votes cannot be negative")
    millis = int(created_at.timestamp() * 1000)
    if not 0 <= millis <= _TIME_PART:
        raise ValueError("created_at out of range")
    return votes * SCORE_STEP + (_TIME_PART - millis)


def votes_of(score_value: int) -> int:
    return score_value // SCORE_STEP


# ---------- merging a duplicate ----------

TRANSACTION_LIMIT = 100  # items in one DynamoDB transaction


@dataclass(frozen=True)
class MergeChunk:
    """One transaction's worth: voters whose vote moves to the target, voters whose duplicate vote is
    only dropped (they had voted for the target too), and the counts' changes."""

    move: tuple[str, ...]
    drop: tuple[str, ...]

    @property
    def target_gain(self) -> int:
        return len(self.move)

    @property
    def duplicate_loss(self) -> int:
        return len(self.move) + len(self.drop)

    @property
    def items(self) -> int:
        # each move: put the target's vote + delete the duplicate's; each drop: delete; + both counts
        return 2 * len(self.move) + len(self.drop) + 2


def merged_votes(target_voters: Iterable[str], duplicate_voters: Iterable[str]) -> int:
    """The target's vote count after the merge: everyone who voted for either, once."""
    return len(set(target_voters) | set(duplicate_voters))


def plan_merge(duplicate_voters: Sequence[str], target_voters: Iterable[str],
               limit: int = TRANSACTION_LIMIT) -> list[MergeChunk]:
    """Chunks that each fit one transaction of at most `limit` items, in the duplicate's voter order."""
    if limit < 4:
        raise ValueError("a chunk needs room for one move and both counts")
    already = set(target_voters)
    chunks: list[MergeChunk] = []
    move: list[str] = []
    drop: list[str] = []
    for voter in dict.fromkeys(duplicate_voters):  # once each, order kept
        cost = 1 if voter in already else 2
        if 2 * len(move) + len(drop) + 2 + cost > limit:
            chunks.append(MergeChunk(tuple(move), tuple(drop)))
            move, drop = [], []
        (drop if voter in already else move).append(voter)
    if move or drop:
        chunks.append(MergeChunk(tuple(move), tuple(drop)))
    return chunks


# ---------- free text ----------

_JOINERS = ("\u200c", "\u200d")


def control_characters(text: str, *, multiline: bool) -> list[str]:
    """The control characters in `text` (and invisible format ones, such as right-to-left overrides
    that make text read differently from how it is stored), as U+XXXX. A line break is allowed
    where the text may have several lines; tabs never (a form does not type them). The joiners
    inside emoji and some scripts (U+200C, U+200D) are allowed."""
    found = []
    for char in text:
        if (multiline and char == "\n") or char in _JOINERS:
            continue
        if unicodedata.category(char) in ("Cc", "Cf", "Cs") or char in ("\u2028", "\u2029"):
            code = f"U+{ord(char):04X}"
            if code not in found:
                found.append(code)
    return found


def normalise_text(text: str) -> str:
    """Windows line ends become plain line breaks; leading and trailing space is dropped."""
    return text.replace("\r\n", "\n").strip()

"""Feedback and suggestions (RULES 2.7; issue 13), for everyone who signs in, and the support
team's side of them.

- **Feedback** (a category, the text, optionally the page it is about) is private between its
  sender and the support team. The sender sees their own with the team's answers and is emailed
  when an answer arrives. The team works an inbox of feedback not yet answered, oldest first, with
  the time left of the 48 hours; answers (emailed) and closes. Every hour `flag_unanswered` tells
  the support address once about each item that has waited 48 hours.
- **Suggestions** (a title and a description) are seen by everyone signed in: most votes first or
  newest first, with their status, the team's comment and whether the caller voted. One vote per
  person per suggestion, withdrawable; voting twice changes nothing and answers the same. The team
  sets a status with a comment, merges a duplicate into another (its votes move; a person who voted
  for both counts once) and hides one that holds personal data or abuse, with the reason kept.
- **Names**: each item stores its author's name as it was when written, so listing needs no read
  of the users table; `forget_author` (run when a PA is archived) replaces it with "a former user",
  keeping the text and the votes.
- **Export**: `author_rows(user_id)` are the rows "export my data" adds for the author.

The storage (adapters/feedback_store.py) says how each of these is one or two DynamoDB requests.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from care_tracker import messages
from care_tracker.errors import BadRequest, Conflict, NotFound
from care_tracker.ports import Clock, Mailer, UserRecord
from care_tracker.rules.feedback import (
    CATEGORIES,
    FORMER_USER,
    SuggestionStatus,
    can_move,
    is_overdue,
    overdue_cutoff,
    score,
    stamp,
    time_left,
)

PAGE_SIZE = 20
INBOX_PAGE_SIZE = 50
EXPORT_COLUMNS = ["item_id", "category", "title", "text", "about", "status", "votes", "team_comment", "answers",
                  "created_at"]


class FeedbackStore(Protocol):
    def add_feedback(self, fields: dict) -> dict: ...
    def feedback(self, feedback_id: str) -> dict | None: ...
    def feedback_of(self, author_id: str, limit: int = 100) -> list[dict]: ...
    def all_feedback_of(self, author_id: str) -> Iterator[dict]: ...
    def inbox(self, limit: int, cursor: str | None) -> tuple[list[dict], str | None]: ...
    def answer(self, feedback_id: str, answer: dict) -> dict: ...
    def close(self, feedback_id: str, at: datetime) -> dict: ...
    def unanswered_since(self, cutoff: datetime) -> Iterator[dict]: ...
    def mark_flagged(self, feedback_id: str, at: datetime) -> bool: ...
    def unmark_flagged(self, feedback_id: str, at: datetime) -> None: ...
    def add_suggestion(self, fields: dict) -> dict: ...
    def suggestion(self, suggestion_id: str) -> dict | None: ...
    def page(self, order: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]: ...
    def removed(self, kind: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]: ...
    def voted_among(self, voter_id: str, suggestion_ids: Sequence[str]) -> set[str]: ...
    def suggestions_of(self, author_id: str) -> Iterator[dict]: ...
    def vote(self, suggestion_id: str, voter_id: str, at: datetime) -> str: ...
    def withdraw(self, suggestion_id: str, voter_id: str) -> str: ...
    def set_status(self, suggestion_id: str, current: str, status: str, comment: str | None, at: datetime) -> dict: ...
    def hide(self, suggestion_id: str, reason: str, by: str, at: datetime) -> dict: ...
    def rename_author(self, author_id: str, name: str) -> int: ...
    def close_for_merge(self, duplicate_id: str, target_id: str, at: datetime) -> bool: ...
    def move_votes(self, duplicate_id: str, target_id: str, at: datetime) -> int: ...


class Users(Protocol):
    def get(self, user_id: str) -> UserRecord | None: ...


@dataclass(frozen=True)
class SuggestionPage:
    suggestions: list[dict]  # each with "voted"
    next_page: str | None


_NO_FEEDBACK = "There is no such feedback."
_NO_SUGGESTION = "There is no such suggestion."


_ID = re.compile(r"^[0-9a-f]{32}$")


def _feedback_id(feedback_id: str) -> str:
    if not _ID.match(feedback_id or ""):
        raise NotFound(_NO_FEEDBACK, code="no_such_feedback")
    return feedback_id


def _suggestion_id(suggestion_id: str) -> str:
    if not _ID.match(suggestion_id or ""):
        raise NotFound(_NO_SUGGESTION, code="no_such_suggestion")
    return suggestion_id


def _parse(at: str) -> datetime:
    return datetime.fromisoformat(at)


class FeedbackService:
    def __init__(self, store: FeedbackStore, users: Users, mailer: Mailer, clock: Clock, support_email: str,
                 login_url: str) -> None:
        self._store = store
        self._users = users
        self._mailer = mailer
        self._clock = clock
        self._support_email = support_email
        self._login_url = login_url

    # ---------- feedback ----------
    def send_feedback(self, caller: Any, category: str, text: str, about: str | None) -> dict:
        if category not in CATEGORIES:
            raise BadRequest("Choose what the feedback is: something is wrong, a question, or other.", code="bad_category")
        return self._store.add_feedback({
            "feedback_id": uuid.uuid4().hex, "author_id": caller.user_id, "author_name": caller.full_name,
            "category": category, "text": text, "about": about, "created_at": stamp(self._clock.now())})

    def my_feedback(self, caller: Any) -> list[dict]:
        return self._store.feedback_of(caller.user_id)

    def inbox(self, cursor: str | None = None, limit: int = INBOX_PAGE_SIZE) -> tuple[list[dict], str | None]:
        """Feedback not yet answered, oldest first, each with `time_left` (seconds; negative once overdue)."""
        now = self._clock.now()
        items, next_page = self._store.inbox(limit, cursor)
        for item in items:
            sent = _parse(item["created_at"])
            item["time_left_seconds"] = int(time_left(sent, now).total_seconds())
            item["overdue"] = is_overdue(sent, now)
        return items, next_page

    def answer(self, caller: Any, feedback_id: str, text: str) -> dict:
        if self._store.feedback(_feedback_id(feedback_id)) is None:
            raise NotFound(_NO_FEEDBACK, code="no_such_feedback")
        answered = self._store.answer(feedback_id, {"text": text, "at": stamp(self._clock.now()), "by": caller.user_id})
        sender = self._users.get(answered["author_id"])
        if sender is not None and sender.active and answered["author_name"] != FORMER_USER:
            self._mailer.send(messages.feedback_answered(sender.email, sender.full_name, answered["text"], text,
                                                        self._login_url))
        return answered

    def close(self, feedback_id: str) -> dict:
        found = self._store.feedback(_feedback_id(feedback_id))
        if found is None:
            raise NotFound(_NO_FEEDBACK, code="no_such_feedback")
        if found["status"] == "closed":
            return found
        return self._store.close(feedback_id, self._clock.now())

    def flag_unanswered(self, at: datetime) -> dict:
        """The hourly job: each piece of feedback unanswered after 48 hours is told to the support address
        once (the first run to set its marker sends; a failed send clears the marker for the next run)."""
        flagged: list[str] = []
        for item in self._store.unanswered_since(overdue_cutoff(at)):
            if not self._store.mark_flagged(item["feedback_id"], at):
                continue
            try:
                self._mailer.send(messages.feedback_overdue(self._support_email, item, self._login_url))
            except Exception:
                self._store.unmark_flagged(item["feedback_id"], at)
                raise
            flagged.append(item["feedback_id"])
        return {"flagged": flagged}

    # ---------- suggestions ----------
    def post_suggestion(self, caller: Any, title: str, description: str) -> dict:
        now = self._clock.now()
        return self._store.add_suggestion({
            "suggestion_id": uuid.uuid4().hex, "title": title, "description": description, "author_id": caller.user_id,
            "author_name": caller.full_name, "created_at": stamp(now), "status": SuggestionStatus.OPEN.value,
            "score": score(0, now)}) | {"voted": False}

    def suggestions(self, caller: Any, order: str = "votes", cursor: str | None = None,
                    limit: int = PAGE_SIZE) -> SuggestionPage:
        """One page: 1 Query, then 1 BatchGetItem for the caller's votes on it."""
        items, next_page = self._store.page(order, limit, cursor)
        mine = self._store.voted_among(caller.user_id, [s["suggestion_id"] for s in items])
        return SuggestionPage([{**s, "voted": s["suggestion_id"] in mine} for s in items], next_page)

    def removed_suggestions(self, kind: str, cursor: str | None = None,
                            limit: int = PAGE_SIZE) -> tuple[list[dict], str | None]:
        """The support team's list of what it hid or merged, most recent first: 1 Query."""
        return self._store.removed(kind, limit, cursor)

    def _not_visible(self, suggestion_id: str) -> Exception:
        found = self._store.suggestion(suggestion_id)
        if found is not None and found.get("merged_into"):
            return Conflict("This suggestion was merged into another one: vote for that one instead.",
                            code="suggestion_merged", details={"merged_into": found["merged_into"]})
        return NotFound(_NO_SUGGESTION, code="no_such_suggestion")

    def vote(self, caller: Any, suggestion_id: str) -> dict:
        """One transaction; a second vote changes nothing and answers the same."""
        if self._store.vote(_suggestion_id(suggestion_id), caller.user_id, self._clock.now()) == "not_visible":
            raise self._not_visible(suggestion_id)
        return {"suggestion_id": suggestion_id, "voted": True}

    def withdraw(self, caller: Any, suggestion_id: str) -> dict:
        if self._store.withdraw(_suggestion_id(suggestion_id), caller.user_id) == "not_visible":
            raise self._not_visible(suggestion_id)
        return {"suggestion_id": suggestion_id, "voted": False}

    def suggestion(self, suggestion_id: str) -> dict:
        """One suggestion as the support team manages it (hidden or merged ones too): 1 GetItem."""
        return self._existing(suggestion_id)

    def _existing(self, suggestion_id: str) -> dict:
        found = self._store.suggestion(_suggestion_id(suggestion_id))
        if found is None:
            raise NotFound(_NO_SUGGESTION, code="no_such_suggestion")
        return found

    def set_status(self, suggestion_id: str, status: str, comment: str | None) -> dict:
        found = self._existing(suggestion_id)
        if found.get("merged_into"):
            raise Conflict("This suggestion was merged into another one: change that one instead.",
                           code="suggestion_merged", details={"merged_into": found["merged_into"]})
        if not can_move(found["status"], status):
            raise Conflict(f"A suggestion that is {found['status'].replace('_', ' ')} cannot be marked "
                           f"{status.replace('_', ' ')}; reopen it first.", code="status_not_allowed",
                           details={"status": found["status"]})
        return self._store.set_status(suggestion_id, found["status"], status, comment, self._clock.now())

    def hide(self, caller: Any, suggestion_id: str, reason: str) -> dict:
        self._existing(suggestion_id)
        return self._store.hide(suggestion_id, reason, caller.user_id, self._clock.now())

    def merge(self, duplicate_id: str, target_id: str) -> dict:
        """Closes the duplicate to votes and moves its votes to the target (a person who voted for
        both counts once). `votes_left` > 0: a large merge stopped between transactions; ask again."""
        if duplicate_id == target_id:
            raise BadRequest("A suggestion cannot be merged into itself.", code="merge_into_itself")
        self._existing(duplicate_id)
        target = self._existing(target_id)
        if target.get("merged_into") or not target.get("visible"):
            raise Conflict("Merge into a suggestion that is shown to users (not hidden nor merged itself).",
                           code="target_not_visible")
        now = self._clock.now()
        if not self._store.close_for_merge(duplicate_id, target_id, now):
            raise Conflict("This suggestion is hidden or was merged into another one.", code="not_mergeable")
        left = self._store.move_votes(duplicate_id, target_id, now)
        return {"duplicate": self._store.suggestion(duplicate_id), "target": self._store.suggestion(target_id),
                "votes_left": left, "complete": left == 0}

    # ---------- people ----------
    def forget_author(self, user_id: str, at: datetime | None = None) -> int:
        """A former user: their name leaves their feedback and suggestions; text and votes stay.
        Safe to repeat. Fits wiring.pa_archived_hooks() as `lambda pa_id, at: forget_author(pa_id)`."""
        return self._store.rename_author(user_id, FORMER_USER)

    def author_rows(self, user_id: str) -> Iterator[Mapping[str, Any]]:
        """The author's feedback (with the team's answers) and suggestions, as export rows."""
        for item in self._store.all_feedback_of(user_id):
            yield {"record": "feedback", "item_id": item["feedback_id"], "category": item["category"],
                   "text": item["text"], "about": item.get("about"), "status": item["status"],
                   "answers": " | ".join(a["text"] for a in item.get("answers") or []), "created_at": item["created_at"]}
        for item in self._store.suggestions_of(user_id):
            yield {"record": "suggestion", "item_id": item["suggestion_id"], "title": item["title"],
                   "text": item["description"], "status": "hidden" if item.get("hidden_reason") else
                   ("merged" if item.get("merged_into") else item["status"]), "votes": item["votes"],
                   "team_comment": item.get("team_comment"), "created_at": item["created_at"]}


class FeedbackExportRows:
    """The author's feedback and suggestions as rows of their my_data export (services/exports.py)."""

    columns = EXPORT_COLUMNS

    def __init__(self, service: FeedbackService) -> None:
        self._service = service

    def rows_of(self, user_id: str) -> Iterator[Mapping[str, Any]]:
        return self._service.author_rows(user_id)

"""Feedback and suggestions in DynamoDB (RULES 2.7; the tables are described in infra/resources.yaml).

Access patterns, each the fewest requests DynamoDB allows, none a Scan:

- send feedback: 1 PutItem. My feedback: 1 Query of by_author. The support inbox (not yet answered,
  oldest first): 1 Query of the sparse by_inbox index. Answer / close: 1 UpdateItem that also drops
  `inbox`, so the item leaves the inbox and the 48-hour job's view at once.
- the 48-hour job: 1 Query of by_inbox up to the cutoff, then per overdue item one conditional
  UpdateItem setting `flagged_at` only if absent: the marker that makes "once" true under retries and
  overlapping runs.
- a vote: 1 TransactWriteItems: the vote item put only if absent, and `ADD votes 1, score 10^13` on a
  suggestion that is still visible. Withdraw: the vote deleted only if present, and the same ADD with
  -1. Voting twice cancels the transaction on the vote's condition: nothing changes and the answer is
  the same. A TransactionConflict (another vote on the same suggestion at the same instant) is
  retried: every vote counts.
- the first page of suggestions: 1 Query of by_votes (or by_newest) on the constant partition
  "visible", then 1 BatchGetItem of the caller's vote items for the page's suggestions.
  One partition is enough: a GSI partition takes 1,000 writes a second and suggestions change at a
  few per minute (votes included), and there is no size limit on a GSI partition (the 10 GB item
  collection limit applies to local indexes only); sharding would turn every first page into one
  Query per shard and a merge sort.
- merging a duplicate: it is first closed to votes (one transaction: the target must be visible);
  then its votes move in transactions of at most 100 items (rules.feedback.plan_merge: 49 moves each,
  fewer where a voter had voted for both), each atomic and keeping both counts exact. A merge larger
  than one request allows (MERGE_CHUNKS_PER_CALL) stops between transactions and says how many votes
  are left; asking again resumes it, and a merge interrupted in any way is resumed the same way.
"""
from __future__ import annotations

import base64
import json
import random
import re
import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.transactions import TransactWrite

from care_tracker.adapters.tables import Model, table_meta
from care_tracker.errors import BadRequest, Conflict
from care_tracker.rules.feedback import SCORE_STEP, MergeChunk, plan_merge
from care_tracker.rules.feedback import stamp as iso

VISIBLE = "visible"
UNANSWERED = "unanswered"
SUGGESTION_SK = "SUGGESTION"
VOTE_PREFIX = "VOTE#"
MERGE_CHUNKS_PER_CALL = 20  # about 1,000 votes per request; a larger merge continues on the next call
_RETRIES = 8


# ---------- models ----------

class Answer(MapAttribute):
    text = UnicodeAttribute()
    at = UnicodeAttribute()
    by = UnicodeAttribute()  # the support team member's user id (shown to the sender as "the support team")


class FeedbackByAuthor(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_author"
        projection = AllProjection()

    author_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class FeedbackByInbox(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_inbox"
        projection = AllProjection()

    inbox = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class FeedbackItem(Model):
    Meta = table_meta("feedback_table")
    feedback_id = UnicodeAttribute(hash_key=True)
    author_id = UnicodeAttribute()
    author_name = UnicodeAttribute()  # "a former user" once forgotten
    category = UnicodeAttribute()
    text = UnicodeAttribute()
    about = UnicodeAttribute(null=True)  # the page or route it is about
    created_at = UnicodeAttribute()
    status = UnicodeAttribute()  # open | answered | closed
    inbox = UnicodeAttribute(null=True)  # "unanswered" while open: the sparse by_inbox index
    answers = ListAttribute(of=Answer, default=list)
    closed_at = UnicodeAttribute(null=True)
    flagged_at = UnicodeAttribute(null=True)  # the 48-hour job told the support address
    by_author = FeedbackByAuthor()
    by_inbox = FeedbackByInbox()


class SuggestionsByVotes(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_votes"
        projection = AllProjection()

    visible = UnicodeAttribute(hash_key=True)
    score = NumberAttribute(range_key=True)


class SuggestionsByNewest(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_newest"
        projection = AllProjection()

    visible = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class SuggestionsByAuthor(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_author"
        projection = AllProjection()

    author_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class SuggestionsRemoved(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_removed"
        projection = AllProjection()

    removed = UnicodeAttribute(hash_key=True)
    removed_at = UnicodeAttribute(range_key=True)


class SuggestionItem(Model):
    Meta = table_meta("suggestions_table")
    pk = UnicodeAttribute(hash_key=True)  # SUG#<id>
    sk = UnicodeAttribute(range_key=True, default=SUGGESTION_SK)
    suggestion_id = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute()
    author_id = UnicodeAttribute()
    author_name = UnicodeAttribute()
    created_at = UnicodeAttribute()
    status = UnicodeAttribute()
    team_comment = UnicodeAttribute(null=True)
    status_changed_at = UnicodeAttribute(null=True)
    votes = NumberAttribute(default=0)
    score = NumberAttribute()
    visible = UnicodeAttribute(null=True)  # "visible" while shown: the sparse listing indexes
    merged_into = UnicodeAttribute(null=True)
    hidden_reason = UnicodeAttribute(null=True)
    hidden_by = UnicodeAttribute(null=True)
    hidden_at = UnicodeAttribute(null=True)
    removed = UnicodeAttribute(null=True)  # "hidden" or "merged": the sparse by_removed index
    removed_at = UnicodeAttribute(null=True)
    by_votes = SuggestionsByVotes()
    by_newest = SuggestionsByNewest()
    by_author = SuggestionsByAuthor()
    by_removed = SuggestionsRemoved()


class VoteItem(Model):
    Meta = table_meta("suggestions_table")
    pk = UnicodeAttribute(hash_key=True)  # SUG#<id>
    sk = UnicodeAttribute(range_key=True)  # VOTE#<user id>
    voter_id = UnicodeAttribute()
    voted_at = UnicodeAttribute()


def suggestion_key(suggestion_id: str) -> str:
    return f"SUG#{suggestion_id}"


def _feedback(item: FeedbackItem) -> dict:
    values = dict(item.attribute_values)
    values["answers"] = [dict(a.attribute_values) for a in item.answers or []]
    return values


def _suggestion(item: SuggestionItem) -> dict:
    values = dict(item.attribute_values)
    values["votes"] = int(item.votes or 0)
    values["score"] = int(item.score)
    return values


# ---------- page links (opaque cursors) ----------

_CURSOR_KEYS = {"by_votes": {"pk", "sk", "visible", "score"}, "by_newest": {"pk", "sk", "visible", "created_at"},
                "by_inbox": {"feedback_id", "inbox", "created_at"}, "by_removed": {"pk", "sk", "removed", "removed_at"}}
_BAD_CURSOR = "That page link is damaged or out of date: start again from the first page."


def encode_cursor(index: str, last_key: dict | None) -> str | None:
    if not last_key:
        return None
    return base64.urlsafe_b64encode(json.dumps({"i": index, "k": last_key}, separators=(",", ":")).encode()).decode()


def _is_key_value(value: Any) -> bool:
    """One DynamoDB key attribute as DynamoDB would take it back: a string, or a number that is one."""
    if not (isinstance(value, dict) and len(value) == 1 and set(value) <= {"S", "N"}):
        return False
    (kind, text), = value.items()
    return isinstance(text, str) and (kind == "S" or re.fullmatch(r"-?[0-9]{1,38}(\.[0-9]{1,38})?", text) is not None)


def decode_cursor(index: str, cursor: str | None) -> dict | None:
    if not cursor:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        key = data["k"]
        ok = (data["i"] == index and isinstance(key, dict) and set(key) == _CURSOR_KEYS[index]
              and all(_is_key_value(v) for v in key.values()))
    except (ValueError, KeyError, TypeError, UnicodeError):
        ok = False
    if not ok:
        raise BadRequest(_BAD_CURSOR, code="bad_page_link")
    return key


def _reasons(exc: TransactWriteError) -> list[str | None]:
    return [reason.code if reason is not None else None for reason in (exc.cancellation_reasons or [])]


def _pause(attempt: int) -> None:
    time.sleep(random.uniform(0, 0.02 * (2 ** attempt)))  # noqa: S311 - jitter, not security


class DynamoFeedbackStore:
    def __init__(self) -> None:
        self._connection = Connection(region=SuggestionItem.Meta.region)

    # ---------- feedback ----------
    def add_feedback(self, fields: dict) -> dict:
        item = FeedbackItem(**fields, status="open", inbox=UNANSWERED)
        item.save(condition=FeedbackItem.feedback_id.does_not_exist())
        return _feedback(item)

    def feedback(self, feedback_id: str) -> dict | None:
        try:
            return _feedback(FeedbackItem.get(feedback_id, consistent_read=True))
        except DoesNotExist:
            return None

    def feedback_of(self, author_id: str, limit: int = 100) -> list[dict]:
        return [_feedback(i) for i in FeedbackItem.by_author.query(author_id, scan_index_forward=False, limit=limit)]

    def all_feedback_of(self, author_id: str) -> Iterator[dict]:
        for item in FeedbackItem.by_author.query(author_id):
            yield _feedback(item)

    def inbox(self, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        result = FeedbackItem.by_inbox.query(UNANSWERED, limit=limit, page_size=limit,
                                             last_evaluated_key=decode_cursor("by_inbox", cursor))
        items = [_feedback(i) for i in result]
        return items, encode_cursor("by_inbox", result.last_evaluated_key)

    def answer(self, feedback_id: str, answer: dict) -> dict:
        item = FeedbackItem(feedback_id)
        try:
            item.update(actions=[FeedbackItem.answers.set((FeedbackItem.answers | []).append([Answer(**answer)])),
                                 FeedbackItem.status.set("answered"), FeedbackItem.inbox.remove()],
                        condition=FeedbackItem.feedback_id.exists() & (FeedbackItem.status != "closed"))
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                raise Conflict("This feedback has been closed: it cannot be answered.", code="feedback_closed") from exc
            raise
        return _feedback(item)

    def close(self, feedback_id: str, at: datetime) -> dict:
        item = FeedbackItem(feedback_id)
        item.update(actions=[FeedbackItem.status.set("closed"), FeedbackItem.inbox.remove(),
                             FeedbackItem.closed_at.set(iso(at))], condition=FeedbackItem.feedback_id.exists())
        return _feedback(item)

    def unanswered_since(self, cutoff: datetime) -> Iterator[dict]:
        """Feedback still in the inbox, sent at or before `cutoff`, not yet flagged (the job: 1 Query a page)."""
        for item in FeedbackItem.by_inbox.query(UNANSWERED, FeedbackItem.created_at <= iso(cutoff),
                                                filter_condition=FeedbackItem.flagged_at.does_not_exist()):
            yield _feedback(item)

    def mark_flagged(self, feedback_id: str, at: datetime) -> bool:
        """True for exactly one caller: the one whose write set the marker."""
        try:
            FeedbackItem(feedback_id).update(
                actions=[FeedbackItem.flagged_at.set(iso(at))],
                condition=FeedbackItem.flagged_at.does_not_exist() & FeedbackItem.inbox.exists())
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def unmark_flagged(self, feedback_id: str, at: datetime) -> None:
        FeedbackItem(feedback_id).update(actions=[FeedbackItem.flagged_at.remove()],
                                         condition=FeedbackItem.flagged_at == iso(at))

    # ---------- suggestions ----------
    def add_suggestion(self, fields: dict) -> dict:
        item = SuggestionItem(suggestion_key(fields["suggestion_id"]), SUGGESTION_SK, **fields, visible=VISIBLE, votes=0)
        item.save(condition=SuggestionItem.pk.does_not_exist())
        return _suggestion(item)

    def suggestion(self, suggestion_id: str) -> dict | None:
        try:
            return _suggestion(SuggestionItem.get(suggestion_key(suggestion_id), SUGGESTION_SK, consistent_read=True))
        except DoesNotExist:
            return None

    def page(self, order: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        index = SuggestionItem.by_votes if order == "votes" else SuggestionItem.by_newest
        name = "by_votes" if order == "votes" else "by_newest"
        result = index.query(VISIBLE, scan_index_forward=False, limit=limit, page_size=limit,
                             last_evaluated_key=decode_cursor(name, cursor))
        items = [_suggestion(i) for i in result]
        return items, encode_cursor(name, result.last_evaluated_key)

    def removed(self, kind: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        """Hidden or merged suggestions, most recently removed first: 1 Query of the sparse by_removed index."""
        result = SuggestionItem.by_removed.query(kind, scan_index_forward=False, limit=limit, page_size=limit,
                                                 last_evaluated_key=decode_cursor("by_removed", cursor))
        return [_suggestion(i) for i in result], encode_cursor("by_removed", result.last_evaluated_key)

    def voted_among(self, voter_id: str, suggestion_ids: Sequence[str]) -> set[str]:
        """Which of these suggestions the voter voted for: 1 BatchGetItem per 100."""
        if not suggestion_ids:
            return set()
        keys = [(suggestion_key(s), f"{VOTE_PREFIX}{voter_id}") for s in suggestion_ids]
        return {item.pk.removeprefix("SUG#") for item in VoteItem.batch_get(keys, attributes_to_get=["pk", "sk"])}

    def suggestions_of(self, author_id: str) -> Iterator[dict]:
        for item in SuggestionItem.by_author.query(author_id):
            yield _suggestion(item)

    def _transact(self, write) -> list[str | None] | None:
        """Runs write(tx) in a transaction, retrying conflicts with concurrent transactions; returns
        None on success or the cancellation reasons of a refused condition."""
        for attempt in range(_RETRIES):
            try:
                with TransactWrite(connection=self._connection) as tx:
                    write(tx)
                return None
            except TransactWriteError as exc:
                reasons = _reasons(exc)
                if "ConditionalCheckFailed" in reasons:
                    return reasons
                if exc.cause_response_code not in ("TransactionCanceledException", "TransactionConflictException") \
                        or attempt == _RETRIES - 1:
                    raise
                _pause(attempt)
        raise AssertionError("unreachable")

    def vote(self, suggestion_id: str, voter_id: str, at: datetime) -> str:
        """"voted", "already" (nothing changed) or "not_visible"."""
        pk = suggestion_key(suggestion_id)

        def write(tx: TransactWrite) -> None:
            tx.save(VoteItem(pk, f"{VOTE_PREFIX}{voter_id}", voter_id=voter_id, voted_at=iso(at)),
                    condition=VoteItem.pk.does_not_exist())
            tx.update(SuggestionItem(pk, SUGGESTION_SK), actions=[SuggestionItem.votes.add(1),
                                                                  SuggestionItem.score.add(SCORE_STEP)],
                      condition=SuggestionItem.visible == VISIBLE)

        reasons = self._transact(write)
        if reasons is None:
            return "voted"
        return "not_visible" if reasons[1] == "ConditionalCheckFailed" else "already"

    def withdraw(self, suggestion_id: str, voter_id: str) -> str:
        """"withdrawn", "already" (there was no vote) or "not_visible"."""
        pk = suggestion_key(suggestion_id)

        def write(tx: TransactWrite) -> None:
            tx.delete(VoteItem(pk, f"{VOTE_PREFIX}{voter_id}"), condition=VoteItem.pk.exists())
            tx.update(SuggestionItem(pk, SUGGESTION_SK), actions=[SuggestionItem.votes.add(-1),
                                                                  SuggestionItem.score.add(-SCORE_STEP)],
                      condition=SuggestionItem.visible == VISIBLE)

        reasons = self._transact(write)
        if reasons is None:
            return "withdrawn"
        return "not_visible" if reasons[1] == "ConditionalCheckFailed" else "already"

    def set_status(self, suggestion_id: str, current: str, status: str, comment: str | None, at: datetime) -> dict:
        item = SuggestionItem(suggestion_key(suggestion_id), SUGGESTION_SK)
        try:
            item.update(actions=[SuggestionItem.status.set(status),
                                 SuggestionItem.team_comment.set(comment) if comment else SuggestionItem.team_comment.remove(),
                                 SuggestionItem.status_changed_at.set(iso(at))],
                        condition=(SuggestionItem.status == current) & SuggestionItem.merged_into.does_not_exist())
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                raise Conflict("Someone changed this suggestion meanwhile: look at it again, then decide.",
                               code="changed_meanwhile") from exc
            raise
        return _suggestion(item)

    def hide(self, suggestion_id: str, reason: str, by: str, at: datetime) -> dict:
        item = SuggestionItem(suggestion_key(suggestion_id), SUGGESTION_SK)
        item.update(actions=[SuggestionItem.visible.remove(), SuggestionItem.hidden_reason.set(reason),
                             SuggestionItem.hidden_by.set(by), SuggestionItem.hidden_at.set(iso(at)),
                             SuggestionItem.removed.set("hidden"), SuggestionItem.removed_at.set(iso(at))],
                    condition=SuggestionItem.pk.exists())
        return _suggestion(item)

    def rename_author(self, author_id: str, name: str) -> int:
        """Every feedback and suggestion of the author shows `name`; text and votes are kept."""
        changed = 0
        for feedback in FeedbackItem.by_author.query(author_id, attributes_to_get=["feedback_id", "author_name"]):
            if feedback.author_name != name:
                feedback.update(actions=[FeedbackItem.author_name.set(name)], condition=FeedbackItem.feedback_id.exists())
                changed += 1
        for suggestion in SuggestionItem.by_author.query(author_id, attributes_to_get=["pk", "sk", "author_name"]):
            if suggestion.author_name != name:
                SuggestionItem(suggestion.pk, suggestion.sk).update(actions=[SuggestionItem.author_name.set(name)],
                                                                    condition=SuggestionItem.pk.exists())
                changed += 1
        return changed

    # ---------- merging ----------
    def close_for_merge(self, duplicate_id: str, target_id: str, at: datetime) -> bool:
        """Closes the duplicate to votes, pointing at the target (which must be visible). False if the
        target is not visible or the duplicate is neither visible nor already merged into it."""
        dup = SuggestionItem(suggestion_key(duplicate_id), SUGGESTION_SK)

        def write(tx: TransactWrite) -> None:
            tx.condition_check(SuggestionItem, suggestion_key(target_id), SUGGESTION_SK,
                               condition=SuggestionItem.visible == VISIBLE)
            tx.update(dup, actions=[SuggestionItem.visible.remove(), SuggestionItem.merged_into.set(target_id),
                                    SuggestionItem.status_changed_at.set(iso(at)),
                                    SuggestionItem.removed.set("merged"), SuggestionItem.removed_at.set(iso(at))],
                      condition=(SuggestionItem.visible == VISIBLE) | (SuggestionItem.merged_into == target_id))

        return self._transact(write) is None

    def _voters(self, suggestion_id: str) -> list[str]:
        return [v.voter_id for v in VoteItem.query(suggestion_key(suggestion_id), VoteItem.sk.startswith(VOTE_PREFIX),
                                                   attributes_to_get=["voter_id"])]

    def move_votes(self, duplicate_id: str, target_id: str, at: datetime,
                   max_chunks: int = MERGE_CHUNKS_PER_CALL) -> int:
        """Moves the duplicate's votes to the target (at most max_chunks transactions); returns how
        many of the duplicate's votes are left to move (0: done)."""
        for _ in range(_RETRIES):
            voters = self._voters(duplicate_id)
            already = self.voted_among_voters(target_id, voters)
            chunks = plan_merge(voters, already)
            done = 0
            for chunk in chunks[:max_chunks]:
                if self._move_chunk(duplicate_id, target_id, chunk, at) is not None:
                    break  # a voter voted for the target meanwhile: read again
                done += 1
            else:
                return sum(c.duplicate_loss for c in chunks[max_chunks:])
        raise Conflict("The suggestions kept changing during the merge: ask again to finish it.", code="changed_meanwhile")

    def voted_among_voters(self, suggestion_id: str, voters: Sequence[str]) -> set[str]:
        pk = suggestion_key(suggestion_id)
        found: set[str] = set()
        for start in range(0, len(voters), 100):
            keys = [(pk, f"{VOTE_PREFIX}{v}") for v in voters[start:start + 100]]
            found |= {item.voter_id for item in VoteItem.batch_get(keys, attributes_to_get=["voter_id"])}
        return found

    def _move_chunk(self, duplicate_id: str, target_id: str, chunk: MergeChunk, at: datetime) -> list | None:
        dup_pk, target_pk = suggestion_key(duplicate_id), suggestion_key(target_id)

        def write(tx: TransactWrite) -> None:
            for voter in chunk.move:
                tx.save(VoteItem(target_pk, f"{VOTE_PREFIX}{voter}", voter_id=voter, voted_at=iso(at)),
                        condition=VoteItem.pk.does_not_exist())
            for voter in (*chunk.move, *chunk.drop):
                tx.delete(VoteItem(dup_pk, f"{VOTE_PREFIX}{voter}"), condition=VoteItem.pk.exists())
            tx.update(SuggestionItem(target_pk, SUGGESTION_SK),
                      actions=[SuggestionItem.votes.add(chunk.target_gain),
                               SuggestionItem.score.add(chunk.target_gain * SCORE_STEP)],
                      condition=SuggestionItem.visible == VISIBLE)
            tx.update(SuggestionItem(dup_pk, SUGGESTION_SK),
                      actions=[SuggestionItem.votes.add(-chunk.duplicate_loss),
                               SuggestionItem.score.add(-chunk.duplicate_loss * SCORE_STEP)],
                      condition=SuggestionItem.merged_into == target_id)

        return self._transact(write)


__all__ = ["DynamoFeedbackStore", "FeedbackItem", "SuggestionItem", "VoteItem"]

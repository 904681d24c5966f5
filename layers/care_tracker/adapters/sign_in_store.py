"""Sign-in state in DynamoDB (SignInTable, pk + sk, TTL on expires_at):

- `LOGIN#<email>` / `FAILURES`: the failed-sign-in count of an address (known or not, so a lockout
  says nothing about which accounts exist). One GetItem per sign-in; per failure one UpdateItem (ADD,
  atomic, so concurrent failures count exactly), a second to start a new window, and one more on the
  failure that locks. Deleted by a successful sign-in; TTL removes the rest.
- `USER#<user_id>` / `MFA_RESET#<ISO instant>`: who reset a person's two-step sign-in, and why (kept).
- `MFA_RESETS` / `<ISO instant>#<user_id>`: the same record again, in one partition for the support
  team's list of every reset, newest first (resets are rare: a few a week, not a hot partition).
- `LINK#<link id>` / `USED`: an emailed single-use link that was used (TTL: when it would expire).
"""
from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.transactions import TransactWrite

from care_tracker.adapters.tables import Model, table_meta
from care_tracker.errors import BadRequest
from care_tracker.rules.sign_in import WINDOW, Failures, expires, lock_for


class SignInItem(Model):
    Meta = table_meta("sign_in_table")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    failures = NumberAttribute(null=True)
    window_start = NumberAttribute(null=True)  # epoch seconds
    locked_until = NumberAttribute(null=True)
    expires_at = NumberAttribute(null=True)
    # an MFA reset's record, or a used link's
    by = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    at = UnicodeAttribute(null=True)
    user_id = UnicodeAttribute(null=True)  # whose app was reset (in the MFA_RESETS list)


FAILURES = "FAILURES"


def _epoch(at: datetime) -> int:
    return int(at.timestamp())


def _time(value) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value is not None else None


def _state(item: SignInItem) -> Failures:
    return Failures(count=int(item.failures or 0), window_start=_time(item.window_start),
                    locked_until=_time(item.locked_until))


def _conditional(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", "") == "ConditionalCheckFailedException"


class DynamoSignInAttempts:
    def state(self, key: str) -> Failures | None:
        try:
            return _state(SignInItem.get(f"LOGIN#{key}", FAILURES, consistent_read=True))
        except SignInItem.DoesNotExist:
            return None

    def record_failure(self, key: str, now: datetime) -> Failures:
        """Counts one failure at `now`; returns the count as stored after it (exact under concurrency)."""
        item = SignInItem(f"LOGIN#{key}", FAILURES)
        cutoff = _epoch(now - WINDOW)
        while True:
            try:  # inside the current window: add one, atomically
                item.update(actions=[SignInItem.failures.add(1)], condition=SignInItem.window_start > cutoff)
                break
            except UpdateError as exc:
                if not _conditional(exc):
                    raise
            fresh = Failures(1, now)
            try:  # no window, or an old one: start a new window at 1, unless another failure just did
                item.update(actions=[SignInItem.failures.set(1), SignInItem.window_start.set(_epoch(now)),
                                     SignInItem.locked_until.remove(), SignInItem.expires_at.set(_epoch(expires(fresh)))],
                            condition=SignInItem.window_start.does_not_exist() | (SignInItem.window_start <= cutoff))
                break
            except UpdateError as exc:
                if not _conditional(exc):
                    raise
        state = _state(item)
        lock = lock_for(state.count, now)
        if lock:  # exactly one failure sees the count reach the limit
            state = Failures(state.count, state.window_start, lock)
            item.update(actions=[SignInItem.locked_until.set(_epoch(lock)), SignInItem.expires_at.set(_epoch(expires(state)))])
        return state

    def clear(self, key: str) -> None:
        SignInItem(f"LOGIN#{key}", FAILURES).delete()


RESETS = "MFA_RESETS"
# A list's sort key: an instant (isoformat, UTC) then '#' and a user id.
_RESET_SK = re.compile(r"^\d{4}-\d{2}-\d{2}T[0-9:.]+\+00:00#[A-Za-z0-9-]{1,64}$")
_BAD_CURSOR = "That page link is damaged or out of date: start again from the first page."


def _reset_cursor(last_key: dict | None) -> str | None:
    return base64.urlsafe_b64encode(last_key["sk"]["S"].encode()).decode().rstrip("=") if last_key else None


def _reset_key(cursor: str | None) -> dict | None:
    if not cursor:
        return None
    try:
        sk = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, binascii.Error, UnicodeError):
        sk = ""
    if not _RESET_SK.match(sk):
        raise BadRequest(_BAD_CURSOR, code="bad_page_link")
    return {"pk": {"S": RESETS}, "sk": {"S": sk}}


class DynamoMfaResets:
    def record(self, user_id: str, by: str, reason: str, at: datetime) -> None:
        when = at.astimezone(UTC).isoformat()
        # one transaction: the person's record and the support team's list never disagree
        with TransactWrite(connection=SignInItem._get_connection().connection) as tx:
            tx.save(SignInItem(f"USER#{user_id}", f"MFA_RESET#{when}", by=by, reason=reason, at=when))
            tx.save(SignInItem(RESETS, f"{when}#{user_id}", by=by, reason=reason, at=when, user_id=user_id))

    def page(self, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        """Every reset, newest first, `limit` at a time: (records, the next page's cursor or None)."""
        result = SignInItem.query(RESETS, scan_index_forward=False, limit=limit, page_size=limit,
                                  last_evaluated_key=_reset_key(cursor))
        items = [{"user_id": i.user_id, "by": i.by, "reason": i.reason, "at": i.at} for i in result]
        return items, _reset_cursor(result.last_evaluated_key)

    def of(self, user_id: str) -> list[dict]:
        return [{"by": i.by, "reason": i.reason, "at": i.at}
                for i in SignInItem.query(f"USER#{user_id}", SignInItem.sk.startswith("MFA_RESET#"))]


class DynamoUsedLinks:
    def use(self, link_id: str, at: datetime, expires_at: datetime) -> bool:
        """Marks the link used; False if it already was (a conditional put: one use wins a race)."""
        try:
            SignInItem(f"LINK#{link_id}", "USED", at=at.astimezone(UTC).isoformat(),
                       expires_at=_epoch(expires_at)).save(condition=SignInItem.pk.does_not_exist())
        except PutError as exc:
            if _conditional(exc):
                return False
            raise
        return True

    def release(self, link_id: str) -> None:
        """Undoes use() when the save it guarded failed, so nothing is half-written."""
        SignInItem(f"LINK#{link_id}", "USED").delete()

    def used(self, link_id: str) -> bool:
        try:
            SignInItem.get(f"LINK#{link_id}", "USED", consistent_read=True)
        except SignInItem.DoesNotExist:
            return False
        return True

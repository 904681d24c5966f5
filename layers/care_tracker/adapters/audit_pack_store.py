"""The audit packs being made (AuditPacksTable, pk <employer_id> + sk <pack id>, TTL on expires_at) and
the queue their work goes through (AuditPackQueue, SQS).

One item per employer and date range (the pack id is derived from both): `claim` puts it only when
there is none that counts (none yet, a failed one, one past its TTL but not yet removed, or one
still "making" long after the worker's timeout), so the same range asked twice while one is made
or ready answers the same pack, and only the request that claimed it sends a message. Each claim
carries a fresh `token`; the worker marks the pack only if the token is still the item's, so a
message from an earlier attempt, or the same message delivered twice, changes nothing.
"""
from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from care_tracker.adapters.tables import Model, table_meta
from care_tracker.ports import PackRecord


class AuditPackItem(Model):
    Meta = table_meta("audit_packs_table")
    pk = UnicodeAttribute(hash_key=True)  # the employer's user id
    sk = UnicodeAttribute(range_key=True)  # the pack id
    first = UnicodeAttribute()
    last = UnicodeAttribute()
    status = UnicodeAttribute()  # making | ready | failed
    token = UnicodeAttribute()
    asked_at = UnicodeAttribute()  # ISO instant (UTC)
    finished_at = UnicodeAttribute(null=True)
    zip_key = UnicodeAttribute(null=True)
    rows = NumberAttribute(null=True)
    message = UnicodeAttribute(null=True)
    expires_at = NumberAttribute()  # epoch seconds (TTL)


def _record(item: AuditPackItem) -> PackRecord:
    return PackRecord(employer_id=item.pk, pack_id=item.sk, first=date.fromisoformat(item.first),
                      last=date.fromisoformat(item.last), status=item.status, token=item.token,
                      asked_at=datetime.fromisoformat(item.asked_at), expires_at=int(item.expires_at),
                      finished_at=datetime.fromisoformat(item.finished_at) if item.finished_at else None,
                      zip_key=item.zip_key, rows=int(item.rows) if item.rows is not None else None, message=item.message)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def _conditional(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", "") == "ConditionalCheckFailedException"


class DynamoAuditPacks:
    def claim(self, record: PackRecord, *, now: datetime, stale_before: datetime) -> tuple[PackRecord, bool]:
        """Puts `record` unless a pack that counts is there; returns the pack in force and whether it is `record`."""
        item = AuditPackItem(record.employer_id, record.pack_id, first=record.first.isoformat(),
                             last=record.last.isoformat(), status=record.status, token=record.token,
                             asked_at=_iso(record.asked_at), expires_at=record.expires_at)
        counts_none = (AuditPackItem.pk.does_not_exist() | (AuditPackItem.status == "failed")
                       | (AuditPackItem.expires_at < int(now.timestamp()))
                       | ((AuditPackItem.status == "making") & (AuditPackItem.asked_at < _iso(stale_before))))
        try:
            item.save(condition=counts_none)
            return record, True
        except PutError as exc:
            if not _conditional(exc):
                raise
        existing = self.get(record.employer_id, record.pack_id)
        if existing is None:  # removed between the two requests: claim again
            return self.claim(record, now=now, stale_before=stale_before)
        return existing, False

    def get(self, employer_id: str, pack_id: str) -> PackRecord | None:
        try:
            return _record(AuditPackItem.get(employer_id, pack_id, consistent_read=True))
        except DoesNotExist:
            return None

    def finish(self, employer_id: str, pack_id: str, token: str, *, status: str, at: datetime,
               zip_key: str | None = None, rows: int | None = None, message: str | None = None) -> bool:
        """Marks a pack still being made under `token` ready or failed; False when it was not (done already)."""
        item = AuditPackItem(employer_id, pack_id)
        actions = [AuditPackItem.status.set(status), AuditPackItem.finished_at.set(_iso(at))]
        actions += [AuditPackItem.zip_key.set(zip_key)] if zip_key else []
        actions += [AuditPackItem.rows.set(rows)] if rows is not None else []
        actions += [AuditPackItem.message.set(message)] if message else []
        try:
            item.update(actions=actions, condition=(AuditPackItem.status == "making") & (AuditPackItem.token == token))
            return True
        except UpdateError as exc:
            if _conditional(exc):
                return False
            raise


class SqsQueue:
    """Sends one JSON message per piece of work."""

    def __init__(self, url: str, region: str) -> None:
        import boto3

        self._url = url
        self._sqs = boto3.client("sqs", region_name=region)

    def send(self, body: dict[str, Any]) -> None:
        self._sqs.send_message(QueueUrl=self._url, MessageBody=json.dumps(body, sort_keys=True))

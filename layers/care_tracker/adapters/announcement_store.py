"""Announcements in DynamoDB: one partition ("announcement"), sorted by when each ends, so the
current ones are one Query (ends after now; starts filtered). Items expire (TTL) 90 days after
they end."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from care_tracker.adapters.tables import Model, table_meta

PARTITION = "announcement"


class AnnouncementItem(Model):
    Meta = table_meta("announcements_table")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)  # "<ends_at ISO UTC>#<id>"
    announcement_id = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    starts_at = UnicodeAttribute()
    ends_at = UnicodeAttribute()
    posted_by = UnicodeAttribute()
    posted_at = UnicodeAttribute()
    expires_at = NumberAttribute()


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


class DynamoAnnouncementStore:
    def add(self, announcement_id: str, title: str, body: str, starts_at: datetime, ends_at: datetime,
            posted_by: str, posted_at: datetime) -> dict:
        item = AnnouncementItem(
            PARTITION, f"{_utc(ends_at)}#{announcement_id}", announcement_id=announcement_id, title=title, body=body,
            starts_at=_utc(starts_at), ends_at=_utc(ends_at), posted_by=posted_by, posted_at=_utc(posted_at),
            expires_at=int((ends_at + timedelta(days=90)).timestamp()),
        )
        item.save(condition=AnnouncementItem.pk.does_not_exist())
        return item.attribute_values

    def current(self, now: datetime) -> list[dict]:
        now_text = _utc(now)
        return [item.attribute_values for item in AnnouncementItem.query(
            PARTITION, AnnouncementItem.sk > now_text, filter_condition=AnnouncementItem.starts_at <= now_text)]

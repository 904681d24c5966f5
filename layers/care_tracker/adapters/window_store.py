"""Window state and the window jobs' bookkeeping in DynamoDB (WindowsTable, pk/sk), and the one-pass
reads the jobs make of the users and locations tables (scans: jobs only, never on a request path).

- `WINDOW#<period>` / `STATE`: the window's record (closed_at once closed, create-only; counted_at once
  close_window's compliance hook has run for it).
- `JOB#<job>#<period>` / `LEASE`: who is running that job for that month, until when (a conditional
  put, so two runs at once cannot both send).
- `JOB#<job>#<period>` / `SENT#<uuid>`: the users mailed, a chunk at a time (one write per chunk,
  written right after the chunk is sent).
- `JOB#<job>#<period>` / `DONE`: the run finished; a repeated run stops at this one read.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DeleteError, PutError

from care_tracker.adapters.tables import Model, table_meta


class WindowRow(Model):
    Meta = table_meta("windows_table")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    closed_at = UTCDateTimeAttribute(null=True)
    counted_at = UTCDateTimeAttribute(null=True)  # compliance counted for the window (close_window's hook)
    lease_owner = UnicodeAttribute(null=True)
    lease_until = UTCDateTimeAttribute(null=True)
    finished_at = UTCDateTimeAttribute(null=True)
    sent = NumberAttribute(null=True)
    recipients = UnicodeSetAttribute(null=True)


def job_pk(job: str, period: str) -> str:
    return f"JOB#{job}#{period}"


def _conditional_failed(exc: PutError) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


class DynamoWindowStore:
    # --- the window's record --------------------------------------------------------------------
    def record_closed(self, period: str, at: datetime) -> bool:
        """Records the window as closed; False if it already was (nothing is written twice)."""
        try:
            WindowRow(f"WINDOW#{period}", "STATE", closed_at=at).save(condition=WindowRow.pk.does_not_exist())
            return True
        except PutError as exc:
            if _conditional_failed(exc):
                return False
            raise

    def compliance_counted(self, period: str) -> bool:
        try:
            return WindowRow.get(f"WINDOW#{period}", "STATE", consistent_read=True).counted_at is not None
        except WindowRow.DoesNotExist:
            return False

    def mark_compliance_counted(self, period: str, at: datetime) -> None:
        WindowRow(f"WINDOW#{period}", "STATE").update(actions=[WindowRow.counted_at.set(at)],
                                                       condition=WindowRow.pk.exists())

    def closed_at(self, period: str) -> datetime | None:
        try:
            return WindowRow.get(f"WINDOW#{period}", "STATE", consistent_read=True).closed_at
        except WindowRow.DoesNotExist:
            return None

    # --- a job's run for a month -------------------------------------------------------------------
    def finished(self, job: str, period: str) -> int | None:
        """How many were mailed, if the job has finished for that month."""
        try:
            return int(WindowRow.get(job_pk(job, period), "DONE", consistent_read=True).sent or 0)
        except WindowRow.DoesNotExist:
            return None

    def take_lease(self, job: str, period: str, owner: str, now: datetime, until: datetime) -> bool:
        """Claims the run; False while another run holds an unexpired lease."""
        try:
            WindowRow(job_pk(job, period), "LEASE", lease_owner=owner, lease_until=until).save(
                condition=WindowRow.pk.does_not_exist() | (WindowRow.lease_until < now) | (WindowRow.lease_owner == owner))
            return True
        except PutError as exc:
            if _conditional_failed(exc):
                return False
            raise

    def release_lease(self, job: str, period: str, owner: str) -> None:
        try:
            WindowRow(job_pk(job, period), "LEASE").delete(condition=WindowRow.lease_owner == owner)
        except DeleteError as exc:
            # Another run took the expired lease over: it is theirs to release.
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise

    def already_sent(self, job: str, period: str) -> set[str]:
        sent: set[str] = set()
        for row in WindowRow.query(job_pk(job, period), WindowRow.sk.startswith("SENT#"), consistent_read=True):
            sent.update(row.recipients or ())
        return sent

    def record_sent(self, job: str, period: str, user_ids: Iterable[str]) -> None:
        ids = set(user_ids)
        if ids:
            WindowRow(job_pk(job, period), f"SENT#{uuid.uuid4().hex}", recipients=ids).save()

    def mark_finished(self, job: str, period: str, at: datetime, sent: int) -> None:
        try:
            WindowRow(job_pk(job, period), "DONE", finished_at=at, sent=sent).save(condition=WindowRow.pk.does_not_exist())
        except PutError as exc:
            if not _conditional_failed(exc):
                raise


class DynamoJobDirectory:
    """Every location and every user, one scan each (paged), with only the attributes the jobs use."""

    def locations(self) -> Iterator[dict]:
        from care_tracker.adapters.location_store import LocationItem

        for item in LocationItem.scan(attributes_to_get=["location_id", "org_id", "name", "care_types", "status",
                                                          "registered_on"]):
            yield {"location_id": item.location_id, "org_id": item.org_id, "name": item.name,
                   "care_types": list(item.care_types or []), "status": item.status,
                   "registered_on": item.registered_on}

    def users(self) -> Iterator[dict]:
        from care_tracker.adapters.user_store import UserItem

        for item in UserItem.scan(attributes_to_get=["user_id", "email", "full_name", "roles", "org_id", "location_ids",
                                                      "active"]):
            yield {"user_id": item.user_id, "email": item.email, "full_name": item.full_name,
                   "roles": list(item.roles or []), "org_id": item.org_id,
                   "location_ids": list(item.location_ids or []), "active": item.active}

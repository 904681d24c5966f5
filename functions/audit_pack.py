"""The audit pack (RULES 2.6; issue 12): an employer's timesheets, hours against funded hours,
holiday ledgers, PAs and working-time warnings for a date range, as CSV files in one zip
(services/audit_pack.py). Made in the background: POST answers 202 with the pack's id at once, the
worker (functions/audit_pack_worker.py) makes it from the queue, and GET gives its status and, once
ready, a download link valid 15 minutes."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from chalice import Blueprint
from pydantic import BaseModel, ConfigDict, Field

from functions.http import route
from functions.schema import Strict

bp = Blueprint(__name__)


class AuditPackRequest(Strict):
    from_: date = Field(alias="from", description="First day of the range")
    to: date = Field(description="Last day of the range (at most 800 days after from)")


class AuditPackStatus(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    pack_id: str
    status: Literal["making", "ready", "failed"] = Field(
        description="making: ask again in a few seconds; ready: download_url is there; failed: message says what to do")
    from_: date = Field(alias="from")
    to: date
    asked_at: datetime
    message: str | None = Field(default=None, description="When failed: why, and what to do")
    download_url: str | None = Field(default=None, description="When ready: GET this URL (no Authorization header) for the zip")
    expires_at: datetime | None = Field(default=None, description="When ready: the download URL stops working then (15 minutes)")
    rows: int | None = Field(default=None, description="When ready: data rows in all the pack's files")


def _answer(pack) -> AuditPackStatus:
    return AuditPackStatus(pack_id=pack.pack_id, status=pack.status, from_=pack.first, to=pack.last,
                           asked_at=pack.asked_at, message=pack.message, download_url=pack.download_url,
                           expires_at=pack.expires_at, rows=pack.rows)


@route(bp, "/employer/audit-pack", "POST", roles=("employer",), body=AuditPackRequest, response=AuditPackStatus,
       status=202, tag="exports",
       summary="Ask for the audit pack of a date range: CSV files in one zip (timesheets with submission and approval, "
               "hours against funded hours, holiday ledgers, PAs, working-time warnings), made in the background; "
               "the same range asked again while it is made or ready (a day) answers the same pack")
def audit_pack(caller, body: AuditPackRequest):
    from care_tracker.wiring import audit_pack_jobs

    return _answer(audit_pack_jobs().start(caller, body.from_, body.to))


@route(bp, "/employer/audit-pack/{pack_id}", roles=("employer",), response=AuditPackStatus, tag="exports",
       summary="One of my audit packs: making, ready (with a download link valid 15 minutes) or failed (with what to do)")
def audit_pack_status(pack_id: str, caller):
    from care_tracker.wiring import audit_pack_jobs

    return _answer(audit_pack_jobs().status(caller, pack_id))

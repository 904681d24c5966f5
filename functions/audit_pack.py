"""The audit pack (RULES 2.6; issue 12): an employer's timesheets, hours against funded hours,
holiday ledgers, PAs and working-time warnings for a date range, as CSV files in one zip
(services/audit_pack.py), answered with a download link valid 15 minutes."""
from __future__ import annotations

from datetime import date

from chalice import Blueprint
from pydantic import Field

from functions.exports import ExportResponse
from functions.http import Strict, route

bp = Blueprint(__name__)


class AuditPackRequest(Strict):
    from_: date = Field(alias="from", description="First day of the range")
    to: date = Field(description="Last day of the range (at most 800 days after from)")


@route(bp, "/employer/audit-pack", "POST", roles=("employer",), body=AuditPackRequest, response=ExportResponse,
       status=201, tag="exports",
       summary="The audit pack for a date range: CSV files in one zip (timesheets with submission and approval, hours "
               "against funded hours, holiday ledgers, PAs, working-time warnings)")
def audit_pack(caller, body: AuditPackRequest):
    from care_tracker.wiring import audit_pack_service

    export = audit_pack_service().create(caller, body.from_, body.to)
    return ExportResponse(export_id=export.export_id, kind=export.kind, period=export.period, rows=export.rows,
                          download_url=export.download_url, expires_at=export.expires_at)

"""CSV exports: ask for one, get a download link valid 15 minutes."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from chalice import Blueprint
from pydantic import BaseModel, Field

from functions.http import route
from functions.schema import Strict, text

bp = Blueprint(__name__)


class ExportRequest(Strict):
    kind: Literal["my_data", "returns_month", "daily_changes"] = Field(
        description="my_data: anyone, their account and (providers) their locations' returns with history; "
                    "returns_month: support team, every location's returns of `period`; "
                    "daily_changes: support team, the returns saved on the day `period` (written by the 03:00 job)")
    period: text(10, multiline=False) | None = Field(default=None,
                               description="YYYY-MM for my_data (optional) and returns_month; YYYY-MM-DD for daily_changes")


class ExportResponse(BaseModel):
    export_id: str
    kind: str
    period: str | None
    rows: int | None = Field(description="Data rows in the file (None when an existing file is handed out again)")
    download_url: str = Field(description="GET this URL (no Authorization header) to download the CSV")
    expires_at: datetime = Field(description="The download URL stops working at this instant (15 minutes)")


def _answer(export) -> ExportResponse:
    return ExportResponse(export_id=export.export_id, kind=export.kind, period=export.period, rows=export.rows,
                          download_url=export.download_url, expires_at=export.expires_at)


@route(bp, "/exports", "POST", summary="Export data as CSV; answers with a download link valid 15 minutes",
       body=ExportRequest, response=ExportResponse, status=201, tag="exports")
def create_export(caller, body: ExportRequest):
    from care_tracker.wiring import export_service

    return _answer(export_service().create(caller, body.kind, body.period))


@route(bp, "/exports/{export_id}", summary="A fresh download link for one of my exports (kept 7 days)",
       response=ExportResponse, tag="exports")
def export_link(export_id: str, caller):
    from care_tracker.wiring import export_service

    return _answer(export_service().link(caller, export_id))

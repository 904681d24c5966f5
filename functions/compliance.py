"""Compliance after each window (RULES 1.6): a location's months, an organisation's, the window
report, locations at risk, the support team's escalation tasks, and corrections. Reports also as
CSV with ?format=csv."""
from __future__ import annotations

import re
from typing import Any, Literal

from chalice import Blueprint
from pydantic import BaseModel, Field

from functions.http import route
from functions.schema import Strict, text

bp = Blueprint(__name__)

ADMIN, OFFICER, APPROVER, USER = "admin", "enforcement_officer", "approver", "provider_user"
CareType = Literal["care_home", "home_care", "supported_living"]
Reason = text(2000, multiline=True, min_length=3)
_PERIOD = re.compile(r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$")


def checked_period(period: str) -> str:
    from care_tracker.errors import BadRequest

    if not _PERIOD.match(period or ""):
        raise BadRequest(f"A month is written YYYY-MM (e.g. 2026-05), not {period!r}.", code="invalid_period")
    return period


class Format(Strict):
    format: Literal["json", "csv"] = Field(default="json", description="csv: the same report as a CSV file")


class PeriodQuery(Format):
    period: str | None = Field(default=None, description="YYYY-MM; default: the most recent window that has closed")


class Month(BaseModel):
    location_id: str
    period: str
    status: str = Field(description="completed | missed | not_due")
    consecutive_misses: int
    misses_last_12: int
    stage: str = Field(description="none | help_offered | at_risk | eligible")
    care_types: list[str]
    accepted_late: list[str] = Field(description="Care types whose late return the support team accepted")


class LocationCompliance(BaseModel):
    location_id: str
    name: str | None
    organisation_id: str | None
    public_body: bool
    months: list[Month] = Field(description="Newest first")


class OrgLocation(BaseModel):
    location_id: str
    name: str
    latest_period: str | None
    status: str | None = None
    consecutive_misses: int | None = None
    misses_last_12: int | None = None
    stage: str | None = None
    months: list[Month]


class OrgCompliance(BaseModel):
    organisation_id: str
    locations: list[OrgLocation]


class GroupFigures(BaseModel):
    name: str
    expected: int
    completed: int
    missed: int
    not_due: int
    completion_rate: float | None = Field(description="completed / expected; null when nothing was expected")


class WindowReport(BaseModel):
    period: str
    overall: GroupFigures
    by_local_authority: list[GroupFigures]
    by_region: list[GroupFigures]


class AtRiskLocation(BaseModel):
    location_id: str
    name: str
    organisation_id: str | None
    local_authority: str | None
    region: str | None
    public_body: bool
    period: str
    stage: str | None
    consecutive_misses: int | None
    misses_last_12: int | None


class AtRisk(BaseModel):
    period: str
    locations: list[AtRiskLocation]


class Tasks(BaseModel):
    period: str
    tasks: list[dict[str, Any]]


class Correction(Strict):
    care_type: CareType
    reason: Reason = Field(description="Why the late return counts (an outage, a reasonable excuse)")


def _csv(name: str, columns, rows):
    from chalice import Response

    from care_tracker.rules.csv_export import csv_rows

    return Response(body="".join(csv_rows(columns, rows)), status_code=200,
                    headers={"Content-Type": "text/csv; charset=utf-8", "Content-Disposition": f'attachment; filename="{name}.csv"'})


def _default_period(period: str | None) -> str:
    if period:
        return checked_period(period)
    from care_tracker.rules.reporting_window import previous_window
    from care_tracker.wiring import clock

    return previous_window(clock().now()).period


@route(bp, "/locations/{location_id}/compliance", summary="A location's compliance: each month's status, consecutive "
       "misses, misses in the last 12 months, escalation stage", query=Format, response=LocationCompliance,
       roles=(USER, APPROVER, ADMIN, OFFICER), tag="compliance")
def location_compliance(location_id: str, caller, query: Format):
    from care_tracker.services.compliance_reports import MONTH_COLUMNS, month_rows
    from care_tracker.wiring import compliance_reports

    report = compliance_reports().location(caller, location_id)
    if query.format == "csv":
        return _csv(f"compliance-{location_id}", MONTH_COLUMNS, month_rows(report))
    return LocationCompliance.model_validate(report)


@route(bp, "/organisations/{org_id}/compliance", summary="Compliance of every location of an organisation (its approvers; "
       "support team; enforcement officers)", query=Format, response=OrgCompliance, roles=(APPROVER, ADMIN, OFFICER),
       tag="compliance")
def organisation_compliance(org_id: str, caller, query: Format):
    from care_tracker.services.compliance_reports import MONTH_COLUMNS, organisation_rows
    from care_tracker.wiring import compliance_reports

    report = compliance_reports().organisation(caller, org_id)
    if query.format == "csv":
        return _csv(f"compliance-{org_id}", MONTH_COLUMNS, organisation_rows(report))
    return OrgCompliance.model_validate(report)


@route(bp, "/compliance/windows/{period}", summary="A window's expected, completed and missed returns and completion "
       "rate, overall and by local authority and region", query=Format, response=WindowReport, roles=(ADMIN, OFFICER),
       tag="compliance")
def window_report(period: str, caller, query: Format):
    from care_tracker.services.compliance_reports import WINDOW_COLUMNS, window_rows
    from care_tracker.wiring import compliance_reports

    report = compliance_reports().window(checked_period(period))
    if query.format == "csv":
        return _csv(f"compliance-window-{period}", WINDOW_COLUMNS, window_rows(report))
    return WindowReport.model_validate(report)


@route(bp, "/compliance/at-risk", summary="Locations whose stage is at_risk or eligible after a window", query=PeriodQuery,
       response=AtRisk, roles=(ADMIN, OFFICER), tag="compliance")
def at_risk(caller, query: PeriodQuery):
    from care_tracker.services.compliance_reports import AT_RISK_COLUMNS
    from care_tracker.wiring import compliance_reports

    report = compliance_reports().at_risk(_default_period(query.period))
    if query.format == "csv":
        return _csv(f"at-risk-{report['period']}", AT_RISK_COLUMNS, report["locations"])
    return AtRisk.model_validate(report)


@route(bp, "/compliance/tasks", summary="Support team: escalation steps taken after a window (help offered, warnings, cases)",
       query=PeriodQuery, response=Tasks, roles=(ADMIN,), tag="compliance")
def tasks(caller, query: PeriodQuery):
    from care_tracker.wiring import compliance_reports

    return Tasks.model_validate(compliance_reports().tasks(_default_period(query.period)))


@route(bp, "/locations/{location_id}/compliance/{period}/corrections", "POST", summary="Support team: accept a late return "
       "for a month (with the reason); the month is counted again and later months follow", body=Correction,
       response=Month, roles=(ADMIN,), status=201, tag="compliance")
def correct(location_id: str, period: str, caller, body: Correction):
    from care_tracker.wiring import compliance_service

    result = compliance_service().correct(location_id, checked_period(period), body.care_type, body.reason, caller.user_id)
    return Month.model_validate(result)

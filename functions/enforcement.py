"""Enforcement cases (RULES 1.6) for enforcement officers; the support team may read them."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from chalice import Blueprint
from pydantic import BaseModel, Field, StringConstraints

from care_tracker.rules.enforcement import CaseAction, CaseState
from functions.http import route
from functions.schema import Strict, text

bp = Blueprint(__name__)

ADMIN, OFFICER = "admin", "enforcement_officer"
# The states and steps come from the rules, so the actions a case offers (allowed_actions) and the
# actions this route accepts (and /openapi.json lists) are one list.
State = Literal[tuple(s.value for s in CaseState)]  # type: ignore[valid-type]
Action = Literal[tuple(a.value for a in CaseAction)]  # type: ignore[valid-type]


class CaseLocation(BaseModel):
    location_id: str
    months: list[str]


class Step(BaseModel):
    action: str
    from_state: str | None
    to_state: str
    by: str
    by_name: str | None = Field(description="Who acted, by name (the system's own steps: Care Tracker)")
    at: str
    reason: str
    details: dict[str, Any]


class CaseView(BaseModel):
    case_id: str
    organisation_id: str
    organisation_name: str | None
    state: str
    version: int = Field(description="Send back with a step: a stale version is a 409")
    opened_at: str
    active: bool
    locations: list[CaseLocation]
    notice_issued_on: str | None
    representations_due: str | None
    penalty_pence: int | None
    allowed_actions: list[str]
    log: list[Step] = Field(description="Every step: who, when, why")


class CaseList(BaseModel):
    cases: list[CaseView]


class CaseQuery(Strict):
    state: State | None = None
    organisation_id: Annotated[str, StringConstraints(pattern=r"^1-[0-9]{1,15}$")] | None = None
    format: Literal["json", "csv"] = "json"


class Summary(BaseModel):
    by_state: dict[str, int]


class StepRequest(Strict):
    action: Action = Field(description="A step the case's state allows (see allowed_actions); any other is a 409")
    reason: text(4000, multiline=True, min_length=3) = Field(
        description="Why: every step records who, when and why")
    version: int | None = Field(default=None, description="The version you read; a stale one is a 409")
    reference: text(200, multiline=False) | None = Field(
        default=None, description="e.g. the notice's or the tribunal's reference")


@route(bp, "/enforcement/cases", summary="Enforcement cases, by state or organisation", query=CaseQuery, response=CaseList,
       roles=(OFFICER, ADMIN), tag="enforcement")
def list_cases(caller, query: CaseQuery):
    from care_tracker.wiring import enforcement_service

    service = enforcement_service()
    cases = service.of_organisation(query.organisation_id) if query.organisation_id else service.list(query.state)
    if query.organisation_id and query.state:
        cases = [c for c in cases if c["state"] == query.state]
    if query.format == "csv":
        from chalice import Response

        from care_tracker.rules.csv_export import csv_rows
        from care_tracker.services.compliance_reports import CASE_COLUMNS, case_rows

        return Response(body="".join(csv_rows(CASE_COLUMNS, case_rows(cases))), status_code=200,
                        headers={"Content-Type": "text/csv; charset=utf-8",
                                 "Content-Disposition": 'attachment; filename="enforcement-cases.csv"'})
    return CaseList(cases=[CaseView.model_validate(c) for c in cases])


@route(bp, "/enforcement/summary", summary="How many cases are in each state", response=Summary, roles=(OFFICER, ADMIN),
       tag="enforcement")
def summary(caller):
    from care_tracker.wiring import enforcement_service

    return Summary(by_state=enforcement_service().summary())


@route(bp, "/enforcement/cases/{case_id}", summary="One case with its log", response=CaseView, roles=(OFFICER, ADMIN),
       tag="enforcement")
def get_case(case_id: str, caller):
    from care_tracker.wiring import enforcement_service

    return CaseView.model_validate(enforcement_service().get(case_id))


@route(bp, "/enforcement/cases/{case_id}/steps", "POST", summary="Take the next step on a case (notice of intent, "
       "representations, decision, final notice, appeal, close); a step the state does not allow is 409",
       body=StepRequest, response=CaseView, roles=(OFFICER,), tag="enforcement")
def take_step(case_id: str, caller, body: StepRequest):
    from care_tracker.wiring import enforcement_service

    details = {"reference": body.reference} if body.reference else None
    return CaseView.model_validate(enforcement_service().take_step(case_id, body.action, by=caller.user_id,
                                                                   reason=body.reason, version=body.version, details=details))

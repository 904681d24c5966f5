"""Timesheets and hours (RULES 2.3; issue 12). Each route calls one TimesheetService function
(services/timesheets.py): the PA edits and submits; the employer approves or returns with a reason;
either corrects an approved one with a reason. Every step names the version it was made on."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from chalice import Blueprint
from pydantic import Field, StringConstraints

from functions.http import route
from functions.rota import BOTH, EMPLOYER, ShiftFields, path_date, user_id
from functions.schema import Strict, text

bp = Blueprint(__name__)

Reason = text(2000, multiline=True)
BASE = "/employers/{employer_id}/pas/{pa_id}/timesheets/{period_start}"


class Line(ShiftFields):
    shift_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9:._-]{1,80}$")] | None = Field(
        default=None, description="The planned shift's id when the line is one of the plan")

    def fields(self) -> dict:
        return {**super().fields(), "shift_id": self.shift_id}


class Edit(Strict):
    version: int = Field(description="The version you read (a stale one is 409)")
    shifts: list[Line] = Field(max_length=200, description="Every shift actually worked in the period")


class Step(Strict):
    version: int = Field(description="The version you read (a stale one is 409)")


class Return(Step):
    reason: Reason = Field(description="Why it goes back to the PA (kept with the timesheet)")


class Correction(Edit):
    reason: Reason = Field(description="Why the approved timesheet is corrected (kept with the new version)")


def _ids(employer_id: str, pa_id: str, period_start: str):
    return user_id(employer_id), user_id(pa_id), path_date(period_start, "pay period start")


@route(bp, BASE, roles=BOTH, tag="timesheets",
       summary="A PA's timesheet for a pay period (as planned until the PA changes it), with every version, hours "
               "against contracted hours, the differences from the plan and working-time warnings")
def get_timesheet(employer_id: str, pa_id: str, period_start: str, caller):
    from care_tracker.wiring import timesheet_service

    return timesheet_service().timesheet(caller, *_ids(employer_id, pa_id, period_start))


@route(bp, BASE, "PUT", roles=BOTH, body=Edit, tag="timesheets",
       summary="PA: record the hours actually worked (the whole list of shifts) on a draft or returned timesheet")
def edit_timesheet(employer_id: str, pa_id: str, period_start: str, caller, body: Edit):
    from care_tracker.wiring import timesheet_service

    return timesheet_service().step(caller, *_ids(employer_id, pa_id, period_start), "edit", body.version,
                                    shifts=[line.fields() for line in body.shifts])


@route(bp, BASE + "/submit", "POST", roles=BOTH, body=Step, tag="timesheets", summary="PA: submit the timesheet")
def submit_timesheet(employer_id: str, pa_id: str, period_start: str, caller, body: Step):
    from care_tracker.wiring import timesheet_service

    return timesheet_service().step(caller, *_ids(employer_id, pa_id, period_start), "submit", body.version)


@route(bp, BASE + "/approve", "POST", roles=BOTH, body=Step, tag="timesheets",
       summary="Employer: approve a submitted timesheet (it is locked; an irregular-hours PA is credited 12.07% "
               "of its hours in the same transaction)")
def approve_timesheet(employer_id: str, pa_id: str, period_start: str, caller, body: Step):
    from care_tracker.wiring import timesheet_service

    return timesheet_service().step(caller, *_ids(employer_id, pa_id, period_start), "approve", body.version)


@route(bp, BASE + "/return", "POST", roles=BOTH, body=Return, tag="timesheets",
       summary="Employer: send a submitted timesheet back to the PA with a reason")
def return_timesheet(employer_id: str, pa_id: str, period_start: str, caller, body: Return):
    from care_tracker.wiring import timesheet_service

    return timesheet_service().step(caller, *_ids(employer_id, pa_id, period_start), "return", body.version,
                                    reason=body.reason)


@route(bp, BASE + "/correct", "POST", roles=BOTH, body=Correction, tag="timesheets",
       summary="Correct an approved timesheet with a reason: a new version, approved at once when the employer "
               "makes it, submitted for approval when the PA does")
def correct_timesheet(employer_id: str, pa_id: str, period_start: str, caller, body: Correction):
    from care_tracker.wiring import timesheet_service

    return timesheet_service().step(caller, *_ids(employer_id, pa_id, period_start), "correct", body.version,
                                    shifts=[line.fields() for line in body.shifts], reason=body.reason)


@route(bp, "/employer/hours/{period_start}", roles=EMPLOYER, tag="timesheets",
       summary="Every PA's hours in a pay period against my funded hours, per week and for the period")
def employer_hours(period_start: str, caller):
    from care_tracker.wiring import timesheet_service

    return timesheet_service().employer_hours(caller, path_date(period_start, "pay period start"))


class PayCycleChange(Strict):
    version: int = Field(description="The settings version you read (a stale one is 409)")
    pay_cycle: Literal["weekly", "two_weekly", "four_weekly", "monthly"]
    first_period_start: date = Field(description="The first day paid on the new cycle: the start of a pay period of "
                                                 "the cycle it replaces; the periods before it stay as they were")


@route(bp, "/employers/{employer_id}/settings/pay-cycle", "POST", roles=EMPLOYER, body=PayCycleChange, tag="timesheets",
       summary="Change the pay cycle from a date: the periods before it stay as they were; no timesheet from it may "
               "be started yet (409 naming the first); drafts as planned from it are redrawn on the new periods")
def change_pay_cycle(employer_id: str, caller, body: PayCycleChange):
    from care_tracker.wiring import timesheet_service

    return timesheet_service().change_pay_cycle(caller, user_id(employer_id), body.version, body.pay_cycle,
                                                body.first_period_start)

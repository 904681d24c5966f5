"""Holiday (RULES 2.4; issue 12): the ledger of a PA and leave year, bookings, and the balance
brought forward. Each route calls one HolidayService function (services/holiday.py)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from chalice import Blueprint
from pydantic import Field

from functions.http import route
from functions.rota import BOTH, EMPLOYER, user_id
from functions.schema import Strict, text

bp = Blueprint(__name__)

BASE = "/employers/{employer_id}/pas/{pa_id}/holiday"
Hours = Annotated[Decimal, Field(gt=0, le=9000, decimal_places=4, description="Hours, up to 4 decimal places")]


class LedgerQuery(Strict):
    leave_year_start: date | None = Field(default=None, description="The leave year (its first day); default: today's")


class NewBooking(Strict):
    first_day: date
    last_day: date
    hours: Hours
    note: text(500, multiline=True, min_length=0) | None = None


class Decision(Strict):
    version: int = Field(description="The booking's version you read (a stale one is 409)")
    leave_year_start: date


class BroughtForward(Strict):
    leave_year_start: date
    hours: Hours


@route(bp, BASE, roles=BOTH, query=LedgerQuery, tag="holiday",
       summary="The holiday ledger of a leave year, itemised per pay period (brought forward, accrued, taken, carried "
               "forward), with its bookings")
def ledger(employer_id: str, pa_id: str, caller, query: LedgerQuery):
    from care_tracker.wiring import holiday_service

    return holiday_service().ledger(caller, user_id(employer_id), user_id(pa_id), query.leave_year_start)


@route(bp, BASE + "/bookings", "POST", roles=BOTH, body=NewBooking, status=201, tag="holiday",
       summary="Book holiday: the PA asks (the employer approves), or the employer records it; more than the balance "
               "comes back with a warning")
def book(employer_id: str, pa_id: str, caller, body: NewBooking):
    from care_tracker.wiring import holiday_service

    return holiday_service().book(caller, user_id(employer_id), user_id(pa_id), body.first_day, body.last_day,
                                  body.hours, body.note)


@route(bp, BASE + "/bookings/{booking_id}/{decision}", "POST", roles=BOTH, body=Decision, tag="holiday",
       summary="approve or decline (the employer), or cancel a booking")
def decide(employer_id: str, pa_id: str, booking_id: str, decision: str, caller, body: Decision):
    from care_tracker.errors import BadRequest
    from care_tracker.wiring import holiday_service

    if decision not in ("approve", "decline", "cancel"):
        raise BadRequest("The decision is approve, decline or cancel.", code="bad_decision")
    return holiday_service().decide(caller, user_id(employer_id), user_id(pa_id), body.leave_year_start, booking_id,
                                    decision, body.version)


@route(bp, BASE + "/brought-forward", "POST", roles=EMPLOYER, body=BroughtForward, status=201, tag="holiday",
       summary="Employer: record the balance brought forward into a leave year (once)")
def brought_forward(employer_id: str, pa_id: str, caller, body: BroughtForward):
    from care_tracker.wiring import holiday_service

    return holiday_service().bring_forward(caller, user_id(employer_id), user_id(pa_id), body.leave_year_start,
                                           body.hours)


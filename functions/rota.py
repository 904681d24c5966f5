"""The rota (RULES 2.3; issue 12): employers plan their PAs' shifts; employers and PAs read the rota
of a week or month. Each route calls one RotaService function (services/rota.py); who may see
which employment is decided there, through EmploymentDirectory.employment (contract B)."""
from __future__ import annotations

from datetime import date, time
from typing import Literal

from chalice import Blueprint
from pydantic import Field

from care_tracker.errors import BadRequest, NotFound
from functions.http import route
from functions.schema import Strict

bp = Blueprint(__name__)

EMPLOYER = ("employer",)
BOTH = ("employer", "pa")


def user_id(value: str) -> str:
    """Path ids are user ids (contract B); anything else is no employment of anyone's."""
    import re

    if not re.fullmatch(r"[A-Za-z0-9-]{1,64}", value or ""):
        raise NotFound("There is no such employment among yours.", code="unknown_employment")
    return value


def path_date(value: str, what: str = "date") -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise BadRequest(f"The {what} in the address must be a date like 2026-01-05.", code="bad_date") from exc


class Interval(Strict):
    start: time = Field(description="HH:MM, local (UK) time")
    end: time = Field(description="HH:MM; inside the shift, read on its own timeline (23:30-00:15 is fine at night)")


class ShiftFields(Strict):
    day: date = Field(description="The local date the shift starts on")
    start: time = Field(description="HH:MM, Europe/London")
    end: time = Field(description="HH:MM; at or before the start means the next day (a night shift)")
    kind: Literal["day", "waking_night", "sleep_in"] = "day"
    breaks: list[Interval] = Field(default_factory=list, max_length=12)
    disturbances: list[Interval] = Field(default_factory=list, max_length=24,
                                         description="Sleep-in only: the times the PA was woken to work (paid)")

    def fields(self) -> dict:
        return {"day": self.day, "start": self.start, "end": self.end, "kind": self.kind,
                "breaks": [(b.start, b.end) for b in self.breaks],
                "disturbances": [(d.start, d.end) for d in self.disturbances]}


class PlanShift(ShiftFields):
    repeat_until: date | None = Field(default=None, description="Repeat weekly up to and including this date (a year at most)")


class EditShift(Strict):
    version: int = Field(description="The version of the shift you read (a stale one is 409)")
    scope: Literal["one", "rest"] = Field(default="one", description="This occurrence only, or the rest of its series")
    day: date | None = Field(default=None, description="Move this occurrence to another day (scope one only)")
    start: time | None = None
    end: time | None = None
    kind: Literal["day", "waking_night", "sleep_in"] | None = None
    breaks: list[Interval] | None = Field(default=None, max_length=12)
    disturbances: list[Interval] | None = Field(default=None, max_length=24)

    def changes(self) -> dict:
        out = {k: getattr(self, k) for k in ("day", "start", "end", "kind") if getattr(self, k) is not None}
        for k in ("breaks", "disturbances"):
            if getattr(self, k) is not None:
                out[k] = [(i.start, i.end) for i in getattr(self, k)]
        return out


class RemoveQuery(Strict):
    version: int = Field(description="The version of the shift you read")
    scope: Literal["one", "rest"] = "one"


class RangeQuery(Strict):
    from_: date = Field(alias="from", description="First day shown")
    to: date = Field(description="Last day shown (at most 62 days after from)")


@route(bp, "/employers/{employer_id}/pas/{pa_id}/shifts", "POST", roles=EMPLOYER, body=PlanShift, status=201, tag="rota",
       summary="Plan a shift for one of my PAs, or a weekly series of it (overlapping shifts are refused; "
               "working-time warnings come back, never a refusal)")
def plan_shift(employer_id: str, pa_id: str, caller, body: PlanShift):
    from care_tracker.wiring import rota_service

    return rota_service().plan(caller, user_id(employer_id), user_id(pa_id), body.fields(), body.repeat_until)


@route(bp, "/employers/{employer_id}/pas/{pa_id}/shifts/{day}/{shift_id}", "PUT", roles=EMPLOYER, body=EditShift,
       tag="rota", summary="Change a shift: this occurrence, or the rest of its series (a stale version is 409)")
def edit_shift(employer_id: str, pa_id: str, day: str, shift_id: str, caller, body: EditShift):
    from care_tracker.wiring import rota_service

    return rota_service().edit(caller, user_id(employer_id), user_id(pa_id), path_date(day), shift_id, body.version,
                               body.changes(), body.scope)


@route(bp, "/employers/{employer_id}/pas/{pa_id}/shifts/{day}/{shift_id}", "DELETE", roles=EMPLOYER, query=RemoveQuery,
       tag="rota", summary="Remove a shift, or it and the rest of its series")
def remove_shift(employer_id: str, pa_id: str, day: str, shift_id: str, caller, query: RemoveQuery):
    from care_tracker.wiring import rota_service

    return rota_service().remove(caller, user_id(employer_id), user_id(pa_id), path_date(day), shift_id, query.version,
                                 query.scope)


@route(bp, "/employer/rota", roles=EMPLOYER, query=RangeQuery, tag="rota",
       summary="My rota, every PA, day by day from `from` to `to` (days with no one on shift are listed empty), with "
               "working-time warnings")
def employer_rota(caller, query: RangeQuery):
    from care_tracker.wiring import rota_service

    return rota_service().employer_rota(caller, query.from_, query.to)


@route(bp, "/pa/rota", roles=("pa",), query=RangeQuery, tag="rota",
       summary="My shifts as a PA, for every employer I work for, day by day, with working-time warnings")
def pa_rota(caller, query: RangeQuery):
    from care_tracker.wiring import rota_service

    return rota_service().pa_rota(caller, query.from_, query.to)

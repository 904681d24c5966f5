"""The monthly reporting window (RULES 1.4), public."""
from __future__ import annotations

from chalice import Blueprint
from pydantic import Field

from care_tracker.errors import BadRequest
from functions.http import route
from functions.schema import BaseModel  # pydantic's, with deferred building set (see schema.py)

bp = Blueprint(__name__)


class Window(BaseModel):
    period: str = Field(description="YYYY-MM")
    opens_at: str = Field(description="First instant inside the window, ISO 8601 with the Europe/London offset")
    closes_at: str = Field(description="First instant after the window")
    last_day: str = Field(description="Last local date inside the window")


@route(bp, "/windows/current", summary="The window in force, or the next one to open", public=True, response=Window, tag="windows")
def current_window():
    from care_tracker.rules.reporting_window import window_in_force_or_next
    from care_tracker.wiring import clock

    return Window(**window_in_force_or_next(clock().now()).as_dict())


@route(bp, "/windows/{period}", summary="The reporting window of a month", public=True, response=Window, tag="windows")
def window(period: str):
    from care_tracker.rules.reporting_window import window_for_period

    try:
        found = window_for_period(period)
    except ValueError as exc:
        raise BadRequest(str(exc), code="invalid_period") from exc
    return Window(**found.as_dict())

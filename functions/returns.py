"""Monthly returns (RULES 1.5; API.md): save one, read a month with its history, bulk save, what is owed."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalice import Blueprint
from pydantic import BaseModel, ConfigDict, Field, RootModel

from functions.http import json_response, route
from functions.schema import Strict
from functions.windows import Window

bp = Blueprint(__name__)
ROLES = ("provider_user", "approver", "admin")


def _body_schema(schema: dict[str, Any]) -> None:
    from care_tracker.rules.returns import FIGURES_MODELS, NilReturn, NoChange

    version = {"type": "integer", "minimum": 1, "description": "The version you are updating (or send If-Match)"}
    choices = []
    for model in (*FIGURES_MODELS.values(), NilReturn, NoChange):
        one = model.model_json_schema()
        one["properties"]["version"] = version
        choices.append(one)
    schema.clear()
    schema.update({"description": "The return's fields for the care type in the path (care_home: "
                                  f"{', '.join(FIGURES_MODELS['care_home'].model_fields)}; home_care and supported_living: "
                                  f"{', '.join(FIGURES_MODELS['home_care'].model_fields)}), or "
                                  '{"nil_return": true}, or {"no_change": true}. Unknown fields are refused.',
                   "oneOf": choices})


class ReturnBody(RootModel[dict[str, Any]]):
    """Validated per care type by the service (rules/returns.py), so one route serves every care type."""

    model_config = ConfigDict(json_schema_extra=_body_schema)


class SavedBy(BaseModel):
    user_id: str
    name: str | None


class SavedReturnView(BaseModel):
    location_id: str
    period: str
    care_type: str
    version: int = Field(description="Send it back as If-Match (or 'version') to update this return")
    nil_return: bool
    no_change: bool = Field(description="Saved as 'no change': a copy of the return of copied_from")
    copied_from: str | None
    figures: dict[str, Any] | None
    saved_at: datetime
    saved_by: SavedBy
    in_window: bool = Field(description="Saved inside the month's window, by the server's clock (counts for compliance)")


class MonthView(BaseModel):
    location_id: str
    location_name: str
    period: str
    window: Window
    care_types: list[str]
    current: dict[str, SavedReturnView | None] = Field(description="The latest save per care type")
    done_in_window: list[str] = Field(description="Care types with a return saved inside the window")
    history: list[SavedReturnView] = Field(description="Every save of the month, oldest first per care type")


class BulkSave(Strict):
    items: list[Any] = Field(min_length=1, max_length=100, description=(
        "Each {location_id, period, care_type, version?, return: {...fields} | {nil_return: true} | {no_change: true}}"))


class BulkItemResult(BaseModel):
    index: int
    location_id: str
    period: str
    care_type: str
    status: int = Field(description="200 saved; otherwise the status this item alone would have had")
    saved: SavedReturnView | None = None
    error: dict[str, Any] | None = None


class BulkResult(BaseModel):
    saved: int
    failed: int
    results: list[BulkItemResult]


class OwedCareTypeView(BaseModel):
    care_type: str
    done: bool = Field(description="A return saved inside the window")
    saved: bool
    version: int | None


class OwedLocationView(BaseModel):
    location_id: str
    name: str
    owes: bool = Field(description="Whether the location owes returns this month (active, registered by the window)")
    care_types: list[OwedCareTypeView]


class OwedView(BaseModel):
    window: Window
    all_done: bool
    locations: list[OwedLocationView]


def _view(saved) -> SavedReturnView:
    return SavedReturnView(location_id=saved.location_id, period=saved.period, care_type=saved.care_type,
                           version=saved.version, nil_return=saved.kind == "nil", no_change=saved.no_change,
                           copied_from=saved.copied_from, figures=saved.figures, saved_at=saved.saved_at,
                           saved_by=SavedBy(user_id=saved.saved_by, name=saved.saved_by_name), in_window=saved.in_window)


@route(bp, "/locations/{location_id}/returns/{period}/{care_type}", "PUT", roles=ROLES, body=ReturnBody,
       response=SavedReturnView, tag="returns",
       summary="Save a month's return for one care type: its fields, {nil_return: true} or {no_change: true}; "
               "send the version you update as If-Match or 'version' (a stale one is 409)")
def save_return(location_id: str, period: str, care_type: str, caller, body: ReturnBody):
    from care_tracker.errors import BadRequest
    from care_tracker.wiring import returns_service

    data = dict(body.root)
    version = data.pop("version", None)
    if_match = bp.current_request.headers.get("if-match")
    if if_match is not None:
        if version is not None and str(version) != if_match.strip().removeprefix("W/").strip('"'):
            raise BadRequest("If-Match and 'version' disagree: send one of them.", code="invalid_version")
        version = if_match
    saved = returns_service().save(caller, location_id, period, care_type, data, version)
    return json_response(_view(saved), 200, headers={"ETag": f'"{saved.version}"'})


@route(bp, "/locations/{location_id}/returns/{period}", roles=ROLES, response=MonthView, tag="returns",
       summary="A location's returns for a month: the current one per care type, and every save")
def month_returns(location_id: str, period: str, caller):
    from care_tracker.wiring import returns_service

    location, window, state, history = returns_service().month(caller, location_id, period)
    current = {ct: (_view(state.current[ct]) if state and ct in state.current else None) for ct in location.care_types}
    return MonthView(location_id=location_id, location_name=location.name, period=period, window=Window(**window.as_dict()),
                     care_types=location.care_types, current=current,
                     done_in_window=sorted(state.in_window_types) if state else [], history=[_view(s) for s in history])


@route(bp, "/returns/bulk", "POST", roles=ROLES, body=BulkSave, response=BulkResult, tag="returns",
       summary="Save returns for several of your locations at once; each item is checked and answered on its own")
def bulk_save(caller, body: BulkSave):
    from care_tracker.wiring import returns_service

    outcomes = returns_service().bulk(caller, body.items)
    results = [BulkItemResult(index=i, location_id=o.location_id, period=o.period, care_type=o.care_type, status=o.status,
                              saved=_view(o.saved) if o.saved else None, error=o.error) for i, o in enumerate(outcomes)]
    ok = sum(1 for r in results if r.status == 200)
    return BulkResult(saved=ok, failed=len(results) - ok, results=results)


@route(bp, "/returns/owed", roles=ROLES, response=OwedView, tag="returns",
       summary="What is owed: the current window and, for each of my locations and care types, done or not yet")
def owed(caller):
    from care_tracker.wiring import returns_service

    answer = returns_service().owed(caller)
    locations = [OwedLocationView(location_id=loc.location_id, name=loc.name, owes=loc.owes,
                                  care_types=[OwedCareTypeView(**ct.__dict__) for ct in loc.care_types])
                 for loc in answer.locations]
    all_done = all(ct.done for loc in locations if loc.owes for ct in loc.care_types)
    return OwedView(window=Window(**answer.window.as_dict()), all_done=all_done, locations=locations)

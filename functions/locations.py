"""Finding locations by postcode, for self-registration (API.md)."""
from __future__ import annotations

from typing import Annotated

from chalice import Blueprint
from pydantic import BaseModel, Field, StringConstraints

from functions.http import route
from functions.schema import Strict

bp = Blueprint(__name__)


class PostcodeQuery(Strict):
    postcode: Annotated[str, StringConstraints(min_length=5, max_length=12)] = Field(
        description="A full UK postcode; spaces and case are ignored")


class FoundLocation(BaseModel):
    location_id: str
    name: str
    organisation_id: str
    provider_name: str | None
    address_lines: list[str]
    town: str | None
    postcode: str
    care_types: list[str]


class SearchResult(BaseModel):
    postcode: str
    locations: list[FoundLocation]


@route(bp, "/locations/search", summary="Active locations at a postcode (spaces and case ignored)", public=True,
       query=PostcodeQuery, response=SearchResult, tag="registration")
def search(query: PostcodeQuery):
    from care_tracker.services.registrations import search_postcode
    from care_tracker.wiring import location_directory

    key, found = search_postcode(location_directory(), query.postcode)
    return SearchResult(postcode=key, locations=[FoundLocation(
        location_id=loc["location_id"], name=loc["name"], organisation_id=loc["org_id"], provider_name=loc.get("provider_name"),
        address_lines=list(loc.get("address_lines") or []), town=loc.get("town"), postcode=loc["postcode"],
        care_types=list(loc.get("care_types") or [])) for loc in found])

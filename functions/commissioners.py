"""Commissioners' reads (RULES 1.5a): vacancies in their areas, each location's latest return, and the
area's completeness per window; each also as CSV with ?format=csv. Read-only: every route is a GET
(functions.http.route refuses commissioners anywhere else)."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from chalice import Blueprint
from pydantic import BaseModel, Field, StringConstraints

from functions.compliance import Format, GroupFigures, PeriodQuery, _csv, _default_period
from functions.http import route

bp = Blueprint(__name__)
ROLES = ("commissioner", "admin")
Area = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class AreaQuery(Format):
    local_authority: Area | None = Field(default=None, description="One of your areas (default: all of them); "
                                                                   "the support team must name one")


class VacancySearch(AreaQuery):
    care: Literal["any", "nursing", "no_nursing"] = Field(default="any", description="Care homes with nursing, without, or both")
    min_vacant: int = Field(default=1, ge=1, le=1000, description="At least this many beds vacant and accepting admissions")
    postcode: Annotated[str, StringConstraints(strip_whitespace=True, max_length=10)] | None = Field(
        default=None, description="Sort by distance from this postcode (placed at the CQC locations registered there)")
    near_location_id: Annotated[str, StringConstraints(pattern=r"^1-[0-9]{1,15}$")] | None = Field(
        default=None, description="Or sort by distance from this location of your areas")


class CompletenessQuery(AreaQuery, PeriodQuery):
    pass


class Age(BaseModel):
    period: str
    saved_at: datetime
    age: str = Field(description='How old the figures are, e.g. "saved 3 days ago"')
    out_of_date: bool = Field(description="Saved before the most recent reporting window opened")


class Place(BaseModel):
    location_id: str
    name: str | None
    provider_name: str | None
    postcode: str | None
    local_authority: str | None
    status: str | None


class Vacancy(Age, Place):
    nursing: bool
    beds_vacant_accepting: int | None
    beds_max_capacity: int | None
    beds_occupied: int | None
    distance_km: float | None = Field(description="From the postcode or location asked for, when both have coordinates")


class Vacancies(BaseModel):
    local_authorities: list[str]
    origin: str | None
    sorted_by: Literal["distance", "name"] = Field(description="name when no origin was given or it has no coordinates")
    homes: list[Vacancy]


class LatestReturn(Age):
    care_type: str
    nil_return: bool
    figures: dict[str, Any] | None


class AreaLocation(Place):
    care_types: list[str]
    nursing: bool
    latest_returns: list[LatestReturn] = Field(description="The latest return of each care type (none yet: empty)")


class AreaLocations(BaseModel):
    local_authorities: list[str]
    locations: list[AreaLocation]


class Missed(BaseModel):
    period: str
    local_authority: str
    location_id: str
    name: str
    status: str
    care_types: list[str]


class Completeness(BaseModel):
    period: str
    local_authorities: list[str]
    figures: list[GroupFigures] = Field(description="The window's figures for each area (the compliance report's)")
    missed: list[Missed] = Field(description="The locations of the areas that missed the window")


@route(bp, "/commissioner/vacancies", summary="Care homes in my areas with vacant beds accepting admissions, from each one's "
       "latest return; nearest first from a postcode or location, else by name", roles=ROLES, query=VacancySearch,
       response=Vacancies, tag="commissioners")
def vacancies(caller, query: VacancySearch):
    from care_tracker.services.commissioners import VACANCY_COLUMNS, VacancyQuery
    from care_tracker.wiring import commissioner_reads

    report = commissioner_reads().vacancies(caller, VacancyQuery(
        local_authority=query.local_authority, nursing={"any": None, "nursing": True, "no_nursing": False}[query.care],
        min_vacant=query.min_vacant, postcode=query.postcode, near_location_id=query.near_location_id))
    if query.format == "csv":
        return _csv("vacancies", VACANCY_COLUMNS, report["homes"])
    return Vacancies.model_validate(report)


@route(bp, "/commissioner/locations", summary="Every location in my areas with its latest return of each care type and "
       "when it was saved", roles=ROLES, query=AreaQuery, response=AreaLocations, tag="commissioners")
def area_locations(caller, query: AreaQuery):
    from care_tracker.services.commissioners import LOCATION_COLUMNS, location_rows
    from care_tracker.wiring import commissioner_reads

    report = commissioner_reads().locations(caller, query.local_authority)
    if query.format == "csv":
        return _csv("locations", LOCATION_COLUMNS, location_rows(report))
    return AreaLocations.model_validate(report)


@route(bp, "/commissioner/locations/{location_id}", summary="One location of my areas with its latest returns (404 outside "
       "them)", roles=ROLES, response=AreaLocation, tag="commissioners")
def area_location(location_id: str, caller):
    from care_tracker.wiring import commissioner_reads

    return AreaLocation.model_validate(commissioner_reads().location(caller, location_id))


@route(bp, "/commissioner/completeness", summary="My areas' completeness for a window (the compliance report's figures) "
       "and the locations that missed it", roles=ROLES, query=CompletenessQuery, response=Completeness, tag="commissioners")
def completeness(caller, query: CompletenessQuery):
    from care_tracker.services.commissioners import COMPLETENESS_COLUMNS, completeness_rows
    from care_tracker.wiring import commissioner_reads

    report = commissioner_reads().completeness(caller, query.local_authority, _default_period(query.period))
    if query.format == "csv":
        return _csv(f"completeness-{report['period']}", COMPLETENESS_COLUMNS, completeness_rows(report))
    return Completeness.model_validate(report)

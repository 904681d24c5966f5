"""What commissioners read (RULES 1.5a): vacancies in their areas, each location's latest return, and
the area's completeness per window; the support team may read any area the same way.

Nothing here returns a provider user's details: the latest items carry who saved a return, and that
is dropped (`_figures`). Every read is for areas the caller holds (`areas`), and a location outside
them is "not found" whether or not it exists.

DynamoDB requests (the caller's account read by authentication not included):
- vacancies: 1 Query of the area's latest care-home returns, + 1 Query of the postcode index (from a
  postcode) or 1 GetItem (from a location); one more Query per further area searched.
- locations: 1 Query of the area's locations + 1 Query of its latest returns (per area).
- one location: 1 GetItem + 1 Query of its latest returns.
- completeness: 1 Query of the window's figures + 1 Query of the area's compliance (per area).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from care_tracker.errors import BadRequest, Forbidden, NotFound
from care_tracker.ports import Clock
from care_tracker.rules.commissioners import Home, age_text, centre, out_of_date, vacancies

COMMISSIONER, ADMIN = "commissioner", "admin"
VACANCY_COLUMNS = ("location_id", "name", "provider_name", "postcode", "local_authority", "status", "nursing", "beds_vacant_accepting",
                   "beds_max_capacity", "beds_occupied", "distance_km", "period", "saved_at", "age", "out_of_date")
LOCATION_COLUMNS = ("location_id", "name", "provider_name", "postcode", "local_authority", "status", "care_type", "period",
                    "nil_return", "saved_at", "age", "out_of_date", "figures")
COMPLETENESS_COLUMNS = ("period", "local_authority", "expected", "completed", "missed", "not_due", "completion_rate",
                        "location_id", "name", "status", "care_types")


@dataclass(frozen=True)
class VacancyQuery:
    local_authority: str | None = None
    nursing: bool | None = None
    min_vacant: int = 1
    postcode: str | None = None
    near_location_id: str | None = None


def areas(caller, local_authority: str | None) -> list[str]:
    """The areas a read covers: the one asked for (which must be the caller's), else all the caller's.
    The support team names one."""
    if caller.has(ADMIN):
        if not local_authority:
            raise BadRequest("Choose a local authority (local_authority=...).", code="choose_local_authority")
        return [local_authority]
    mine = list(caller.local_authorities)
    if local_authority is None:
        return mine
    if local_authority not in mine:
        raise Forbidden(f"Your account covers {', '.join(mine) or 'no local authority'}, not {local_authority}.",
                        code="not_your_area")
    return [local_authority]


def _figures(latest, now) -> dict[str, Any]:
    """A latest return as commissioners see it: figures and when, never who."""
    s = latest.saved
    return {"care_type": latest.care_type, "period": s.period, "nil_return": s.kind == "nil", "figures": s.figures,
            "saved_at": s.saved_at, "age": age_text(s.saved_at, now), "out_of_date": out_of_date(s.saved_at, now)}


def _place(location_id: str, place: dict, local_authority: str | None) -> dict[str, Any]:
    return {"location_id": location_id, "name": place.get("name"), "provider_name": place.get("provider_name"),
            "postcode": place.get("postcode"), "local_authority": local_authority, "status": place.get("status")}


class CommissionerReads:
    def __init__(self, returns, directory, compliance_store, compliance_reports, clock: Clock) -> None:
        self._returns = returns
        self._directory = directory
        self._compliance = compliance_store
        self._reports = compliance_reports
        self._clock = clock

    # --- vacancies ------------------------------------------------------------------------------------
    def _origin(self, caller, query: VacancyQuery) -> tuple[tuple[float, float] | None, str]:
        if query.postcode and query.near_location_id:
            raise BadRequest("Search near a postcode or near a location, not both.", code="one_origin")
        if query.postcode:
            from care_tracker.services.registrations import search_postcode

            key, found = search_postcode(self._directory, query.postcode)
            point = centre((loc["latitude"], loc["longitude"]) for loc in found
                           if loc.get("latitude") is not None and loc.get("longitude") is not None)
            return point, f"postcode {key}"
        if query.near_location_id:
            found = self._directory.get_locations([query.near_location_id]).get(query.near_location_id)
            self._in_areas(caller, found, query.near_location_id)
            if found.get("latitude") is None or found.get("longitude") is None:
                return None, found["name"]
            return (float(found["latitude"]), float(found["longitude"])), found["name"]
        return None, ""

    def vacancies(self, caller, query: VacancyQuery) -> dict[str, Any]:
        searched = areas(caller, query.local_authority)
        origin, origin_name = self._origin(caller, query)
        now = self._clock.now()
        latest = {}
        for area in searched:
            for item in self._returns.latest_in_authority(area, "care_home"):
                latest[item.location_id] = item
        homes = []
        for lid, item in latest.items():
            figures = item.saved.figures or {}
            lat, lon = item.place.get("latitude"), item.place.get("longitude")
            homes.append(Home(location_id=lid, name=item.place.get("name") or lid, nursing=bool(item.place.get("nursing")),
                              kind=item.saved.kind, vacant_accepting=figures.get("beds_vacant_accepting"),
                              latitude=float(lat) if lat is not None else None,
                              longitude=float(lon) if lon is not None else None))
        rows = []
        for home, distance in vacancies(homes, nursing=query.nursing, min_vacant=query.min_vacant, origin=origin):
            item = latest[home.location_id]
            figures = item.saved.figures or {}
            seen = _figures(item, now)
            rows.append({**_place(home.location_id, item.place, item.local_authority), "nursing": home.nursing,
                         "beds_vacant_accepting": figures.get("beds_vacant_accepting"),
                         "beds_max_capacity": figures.get("beds_max_capacity"), "beds_occupied": figures.get("beds_occupied"),
                         "distance_km": round(distance, 2) if distance is not None else None,
                         **{k: seen[k] for k in ("period", "saved_at", "age", "out_of_date")}})
        return {"local_authorities": searched, "origin": origin_name or None,
                "sorted_by": "distance" if origin is not None else "name", "homes": rows}

    # --- locations ------------------------------------------------------------------------------------
    def locations(self, caller, local_authority: str | None) -> dict[str, Any]:
        searched = areas(caller, local_authority)
        now = self._clock.now()
        answer = []
        for area in searched:
            latest: dict[str, list] = {}
            for item in self._returns.latest_in_authority(area):
                latest.setdefault(item.location_id, []).append(item)
            for loc in self._directory.in_local_authority(area):
                if loc.get("status") == "deregistered" and loc["location_id"] not in latest:
                    continue
                answer.append(self._location_view(loc["location_id"], loc, area, latest.get(loc["location_id"], []), now))
        answer.sort(key=lambda r: (r["name"] or "", r["location_id"]))
        return {"local_authorities": searched, "locations": answer}

    @staticmethod
    def _location_view(location_id: str, loc: dict, area: str, latest: list, now) -> dict[str, Any]:
        returns = sorted((_figures(item, now) for item in latest), key=lambda r: r["care_type"])
        return {**_place(location_id, loc, area), "care_types": list(loc.get("care_types") or []),
                "nursing": bool(loc.get("nursing")), "latest_returns": returns}

    def _in_areas(self, caller, found: dict | None, location_id: str) -> None:
        allowed = caller.has(ADMIN) or (found is not None and found.get("local_authority") in caller.local_authorities)
        if found is None or not allowed:  # the same answer whether or not it exists
            raise NotFound(f"There is no location {location_id} in your areas.", code="not_in_your_areas")

    def location(self, caller, location_id: str) -> dict[str, Any]:
        found = self._directory.get_locations([location_id]).get(location_id)
        self._in_areas(caller, found, location_id)
        return self._location_view(location_id, found, found.get("local_authority"),
                                   self._returns.latest_of_location(location_id), self._clock.now())

    # --- completeness ---------------------------------------------------------------------------------
    def completeness(self, caller, local_authority: str | None, period: str) -> dict[str, Any]:
        searched = areas(caller, local_authority)
        report = self._reports.window(period)
        figures = [g for g in report["by_local_authority"] if g["name"] in searched]
        missed = []
        for area in searched:
            for state in self._compliance.in_local_authority(area):
                month = state.history.get(period)
                if month and month.get("status") == "missed":
                    missed.append({"period": period, "local_authority": area, "location_id": state.location_id,
                                   "name": state.name, "status": "missed", "care_types": list(month.get("care_types", []))})
        missed.sort(key=lambda r: (r["local_authority"], r["name"], r["location_id"]))
        return {"period": period, "local_authorities": searched, "figures": figures, "missed": missed}


# --- CSV rows --------------------------------------------------------------------------------------------

def location_rows(report: dict[str, Any]):
    for loc in report["locations"]:
        base = {k: loc[k] for k in ("location_id", "name", "provider_name", "postcode", "local_authority", "status")}
        if not loc["latest_returns"]:
            yield base
        for r in loc["latest_returns"]:
            figures = r["figures"] or {}
            yield {**base, **{k: r[k] for k in ("care_type", "period", "nil_return", "saved_at", "age", "out_of_date")},
                   "figures": "; ".join(f"{k}={v}" for k, v in sorted(figures.items()))}


def completeness_rows(report: dict[str, Any]):
    """One row per area with its figures, then one per location that missed (figures blank)."""
    for g in report["figures"]:
        yield {"period": report["period"], "local_authority": g["name"],
               **{k: g[k] for k in ("expected", "completed", "missed", "not_due", "completion_rate")}}
    for row in report["missed"]:
        yield {**row, "care_types": " ".join(row["care_types"])}

"""Names beside ids in what people read (issue 9): an organisation's and locations' names from the
directory, in as few reads as the answer allows (one GetItem, one BatchGet per 100 locations)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol


class Directory(Protocol):
    def organisation(self, org_id: str) -> dict | None: ...
    def get_locations(self, location_ids: Iterable[str]) -> dict[str, dict]: ...


def of_account(directory: Directory, org_id: str | None, location_ids: Iterable[str]) -> dict[str, Any]:
    """/me's names: the organisation's and the locations' in one request where the directory can."""
    ids = list(dict.fromkeys(location_ids))
    if not org_id and not ids:
        return {"organisation_name": None, "locations": []}
    if hasattr(directory, "names"):
        org_name, found = directory.names(org_id, ids)
        return {"organisation_name": org_name, "locations": [{"location_id": lid, "name": found.get(lid)} for lid in ids]}
    return {"organisation_name": organisation_name(directory, org_id), "locations": named_locations(directory, ids)}


def organisation_name(directory: Directory, org_id: str | None) -> str | None:
    org = directory.organisation(org_id) if org_id else None
    return (org or {}).get("name")


def named_locations(directory: Directory, location_ids: Iterable[str]) -> list[dict[str, Any]]:
    """[{"location_id", "name"}] in the order given; a location no longer in the directory has name None."""
    ids = list(dict.fromkeys(location_ids))
    found = directory.get_locations(ids) if ids else {}
    return [{"location_id": lid, "name": (found.get(lid) or {}).get("name")} for lid in ids]


def with_location_names(directory: Directory, items: list[dict]) -> list[dict]:
    """Each item (with `location_ids` and `org_id`) gains `locations` and `organisation_name`: one BatchGet
    for every location of the list, one GetItem per organisation."""
    ids = [lid for item in items for lid in item.get("location_ids") or []]
    names = {n["location_id"]: n["name"] for n in named_locations(directory, ids)}
    orgs: dict[str, str | None] = {}
    out = []
    for item in items:
        org_id = item.get("org_id")
        if org_id and org_id not in orgs:
            orgs[org_id] = organisation_name(directory, org_id)
        out.append({**item, "organisation_name": orgs.get(org_id) if org_id else None,
                    "locations": [{"location_id": lid, "name": names.get(lid)} for lid in item.get("location_ids") or []]})
    return out

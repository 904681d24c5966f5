"""More than one person per location (RULES 1.3): locations with fewer than two active users are
flagged to their organisation and to the support team, so a holiday or sickness never leaves a
location unable to make its return."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

MIN_ACTIVE_USERS = 2
REGISTERED = ("active", "dormant")


def thinly_staffed(locations: Iterable[Mapping], grants: Iterable[tuple[bool, Iterable[str]]]) -> list[dict]:
    """Registered locations with fewer than MIN_ACTIVE_USERS active users, by location id.

    `grants` is one (active, location ids) pair per account."""
    active_users: Counter[str] = Counter()
    for active, location_ids in grants:
        if active:
            active_users.update(set(location_ids))
    return [
        {"location_id": loc["location_id"], "name": loc["name"], "organisation_id": loc["org_id"],
         "active_users": active_users[loc["location_id"]]}
        for loc in sorted(locations, key=lambda loc: loc["location_id"])
        if loc.get("status") in REGISTERED and active_users[loc["location_id"]] < MIN_ACTIVE_USERS
    ]

"""What a CQC file changes (RULES 1.1): the plan of writes, as a pure function of what is stored
and what the file says. No I/O, no clock: the service feeds it and carries the plan out.

- A location is written only when what the file says about it differs from what is stored (a
  ``digest`` of the file-sourced fields is stored with each item), so running the same file again
  plans nothing.
- Status: ``deregistered`` when the row has an end date (the deactivated-locations file), else
  ``dormant`` / ``active`` from ``Dormant (Y/N)``. Only an active location carries a
  ``postcode_key``: the postcode index holds active locations only.
- Change of owner: a location whose provider differs from the stored one moves; the plan lists
  ``(location, old org, new org)`` so the old organisation's users lose access to it.
- A *full* active-locations file deregisters every stored, not yet deregistered location that it
  does not list, on ``file_date``. As a guard against a truncated file, when that would deregister
  more than ``max_missing_fraction`` of the stored registered locations, nothing is deregistered
  for being missing and the plan says why (the support team looks at the file).
- The deactivated-locations file (it has ``Location HSCA End Date``) only updates locations
  already stored: a location never seen active is not created from it.
- Organisations: name, and ``public_body`` / ``contact_email`` where the file says (blank keeps
  what is stored, so a value the support team set is never erased). Written when those differ.
- First approvers: each organisation with a contact email, no first approver and at least one
  registered (active or dormant) location gets one, with access to those locations.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from care_tracker.rules.cqc_locations import CqcLocation

ACTIVE, DORMANT, DEREGISTERED = "active", "dormant", "deregistered"
_MONTHS = {m: i for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"), start=1)}
_FILE_DATE = re.compile(r"(\d{1,2})[_\- ]([A-Za-z]+)[_\- ](\d{4})")


def file_date_from_name(name: str) -> date | None:
    """The date in a CQC file name like ``01_October_2026_HSCA_Active_Locations.csv``, or None."""
    for day, month, year in _FILE_DATE.findall(name):
        number = _MONTHS.get(month.lower())
        if number:
            try:
                return date(int(year), number, int(day))
            except ValueError:
                return None
    return None


def digest(fields: dict) -> str:
    """A short fingerprint of an item's file-sourced fields (order-independent)."""
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def location_item(loc: CqcLocation) -> dict:
    """The location item to store for a row (without None values), its digest included."""
    status = DEREGISTERED if loc.deregistered_on else (DORMANT if loc.dormant else ACTIVE)
    row = {
        "location_id": loc.location_id, "org_id": loc.provider_id, "provider_name": loc.provider_name,
        "name": loc.name, "address_lines": list(loc.address_lines), "town": loc.town, "county": loc.county,
        "postcode": loc.postcode, "postcode_key": loc.postcode_key if status == ACTIVE else None,
        "local_authority": loc.local_authority, "region": loc.region, "care_types": list(loc.care_types),
        "nursing": loc.nursing, "beds": loc.beds, "status": status,
        "registered_on": loc.registered_on.isoformat() if loc.registered_on else None,
        "deregistered_on": loc.deregistered_on.isoformat() if loc.deregistered_on else None,
        "public_body": loc.public_body, "latitude": loc.latitude, "longitude": loc.longitude,
    }
    row = {k: v for k, v in row.items() if v is not None}
    row["digest"] = digest(row)
    return row


def org_fields(loc: CqcLocation) -> dict:
    """What one row says about its organisation (blank cells say nothing)."""
    fields = {"org_id": loc.provider_id, "name": loc.provider_name}
    if loc.public_body is not None:
        fields["public_body"] = loc.public_body
    if loc.contact_email:
        fields["contact_email"] = loc.contact_email
    return fields


@dataclass(frozen=True, slots=True)
class KnownLocation:
    """What is stored about a location, as much as planning needs."""

    org_id: str
    status: str
    digest: str | None = None


@dataclass(frozen=True)
class Move:
    location_id: str
    from_org: str
    to_org: str


@dataclass(frozen=True)
class Deregistration:
    location_id: str
    org_id: str
    on: date


@dataclass(frozen=True)
class FirstApprover:
    org_id: str
    org_name: str
    email: str
    location_ids: tuple[str, ...]
    manager_name: str | None = None  # the file's registered manager of one of its locations, to greet them by name


@dataclass
class Plan:
    organisations: list[dict] = field(default_factory=list)  # whole items to put (stored values kept)
    deregistrations: list[Deregistration] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    first_approvers: list[FirstApprover] = field(default_factory=list)
    skipped_unknown_deregistered: int = 0
    missing_guard: str | None = None  # why locations missing from a full file were not deregistered


class ImportPlanner:
    """Streams the rows of one file: `add` answers the location item to write (or None), `finish`
    the rest of the plan. ``known_locations`` is updated in place to the state after the plan."""

    def __init__(self, known_locations: dict[str, KnownLocation], known_orgs: dict[str, dict], *,
                 full_file: bool, file_date: date, max_missing_fraction: float = 0.2) -> None:
        self.known = known_locations
        self.known_orgs = known_orgs
        self.full_file = full_file
        self.file_date = file_date
        self.max_missing_fraction = max_missing_fraction
        self.seen: set[str] = set()
        self.org_updates: dict[str, dict] = {}
        self.managers: dict[str, str] = {}  # provider id -> the first registered manager named in this file
        self.plan = Plan()
        self._registered_before = sum(1 for k in known_locations.values() if k.status != DEREGISTERED)

    def add(self, loc: CqcLocation) -> dict | None:
        if loc.location_id in self.seen:
            return None  # a repeated row: the first one counts
        self.seen.add(loc.location_id)
        before = self.known.get(loc.location_id)
        if before is None and loc.deregistered_on is not None and not self.full_file:
            self.plan.skipped_unknown_deregistered += 1
            return None
        item = location_item(loc)
        if item["status"] != DEREGISTERED and loc.registered_manager:
            self.managers.setdefault(loc.provider_id, loc.registered_manager.strip())
        if item["status"] != DEREGISTERED:
            merged = {**self.org_updates.get(loc.provider_id, {}), **{k: v for k, v in org_fields(loc).items()
                                                                      if k not in self.org_updates.get(loc.provider_id, {})}}
            self.org_updates[loc.provider_id] = merged
        elif loc.provider_id not in self.known_orgs and loc.provider_id not in self.org_updates:
            self.org_updates[loc.provider_id] = {"org_id": loc.provider_id, "name": loc.provider_name}
        if before is not None and before.org_id != loc.provider_id:
            self.plan.moves.append(Move(loc.location_id, before.org_id, loc.provider_id))
        if before is not None and before.digest == item["digest"]:
            return None
        self.known[loc.location_id] = KnownLocation(item["org_id"], item["status"], item["digest"])
        return item

    def finish(self) -> Plan:
        plan = self.plan
        for org_id, fields in self.org_updates.items():
            stored = self.known_orgs.get(org_id)
            merged = {**(stored or {}), **fields}
            if stored is None or any(stored.get(k) != v for k, v in fields.items()):
                plan.organisations.append(merged)
                self.known_orgs[org_id] = merged
        if self.full_file:
            missing = [(lid, k) for lid, k in self.known.items() if lid not in self.seen and k.status != DEREGISTERED]
            limit = self.max_missing_fraction * self._registered_before
            if missing and len(missing) > limit:
                plan.missing_guard = (f"the file leaves out {len(missing)} of {self._registered_before} registered "
                                      f"locations (more than {self.max_missing_fraction:.0%}): is it complete? "
                                      "None were deregistered for being missing.")
            else:
                for lid, k in sorted(missing):
                    plan.deregistrations.append(Deregistration(lid, k.org_id, self.file_date))
                    self.known[lid] = KnownLocation(k.org_id, DEREGISTERED, None)
        registered: dict[str, list[str]] = {}
        for lid, k in self.known.items():
            if k.status != DEREGISTERED:
                registered.setdefault(k.org_id, []).append(lid)
        for org_id, org in sorted(self.known_orgs.items()):
            if org.get("contact_email") and not org.get("first_approver_id") and registered.get(org_id):
                plan.first_approvers.append(FirstApprover(org_id, org.get("name", org_id), org["contact_email"],
                                                          tuple(sorted(registered[org_id])), self.managers.get(org_id)))
        return plan


def plan_changes(known_locations: dict[str, KnownLocation], known_orgs: dict[str, dict],
                 records: Iterable[CqcLocation], *, full_file: bool, file_date: date,
                 max_missing_fraction: float = 0.2) -> tuple[list[dict], Plan]:
    """The whole plan at once (for tests and small files): location items to write, and the rest."""
    planner = ImportPlanner(dict(known_locations), {k: dict(v) for k, v in known_orgs.items()},
                            full_file=full_file, file_date=file_date, max_missing_fraction=max_missing_fraction)
    items = [item for item in (planner.add(r) for r in records) if item is not None]
    return items, planner.finish()

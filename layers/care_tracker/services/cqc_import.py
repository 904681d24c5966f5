"""Auto-registration from CQC's active-locations file (RULES 1.1): create or update organisations
and locations, writing only what changed, and give each organisation with a contact email and no
account its first approver."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from care_tracker.roles import Role
from care_tracker.rules.cqc_locations import CqcLocation, RowError, parse_cqc_file


@dataclass
class ImportReport:
    locations_read: int = 0
    organisations_written: int = 0
    locations_written: int = 0
    accounts_created: int = 0
    errors: list[dict] = field(default_factory=list)


def _location_row(loc: CqcLocation) -> dict:
    status = "deregistered" if loc.deregistered_on else ("dormant" if loc.dormant else "active")
    row = {
        "location_id": loc.location_id, "org_id": loc.provider_id, "name": loc.name,
        "address_lines": list(loc.address_lines), "town": loc.town, "county": loc.county,
        "postcode": loc.postcode, "postcode_key": None if status == "deregistered" else loc.postcode_key,
        "local_authority": loc.local_authority, "region": loc.region, "care_types": list(loc.care_types),
        "nursing": loc.nursing, "beds": loc.beds, "status": status,
        "registered_on": loc.registered_on.isoformat() if loc.registered_on else None,
        "deregistered_on": loc.deregistered_on.isoformat() if loc.deregistered_on else None,
        "public_body": loc.public_body,
    }
    return {k: v for k, v in row.items() if v is not None}


def _changed(existing: dict | None, row: dict) -> bool:
    if existing is None:
        return True
    return any(existing.get(k) != v for k, v in row.items()) or any(k not in row for k in existing if k in _LOCATION_KEYS)


_LOCATION_KEYS = {"postcode_key", "deregistered_on", "beds", "town", "county", "local_authority", "region", "public_body"}


def import_cqc_locations(lines: Iterable[str], directory, accounts) -> ImportReport:
    report = ImportReport()
    known_orgs = directory.organisations()
    known_locations = directory.locations()
    org_rows: dict[str, dict] = {}
    location_rows: list[dict] = []
    org_locations: dict[str, list[str]] = {}
    for parsed in parse_cqc_file(lines):
        if isinstance(parsed, RowError):
            report.errors.append({"line": parsed.line_number, "problem": parsed.message})
            continue
        report.locations_read += 1
        row = _location_row(parsed)
        if row["status"] != "deregistered":
            org_locations.setdefault(parsed.provider_id, []).append(parsed.location_id)
        if _changed(known_locations.get(parsed.location_id), row):
            location_rows.append(row)
        org = {"org_id": parsed.provider_id, "name": parsed.provider_name}
        if parsed.public_body is not None:
            org["public_body"] = parsed.public_body
        if parsed.contact_email:
            org["contact_email"] = parsed.contact_email
        before = known_orgs.get(parsed.provider_id) or org_rows.get(parsed.provider_id)
        merged = {**(before or {}), **org}
        if merged != (known_orgs.get(parsed.provider_id) or {}):
            org_rows[parsed.provider_id] = merged
    report.locations_written = len(location_rows)
    report.organisations_written = len(org_rows)
    directory.write(org_rows.values(), location_rows)

    for org_id, org in {**known_orgs, **org_rows}.items():
        if org.get("contact_email") and not org.get("first_approver_id"):
            user = accounts.create_account(
                email=org["contact_email"], full_name=f"Registered manager, {org['name']}",
                roles=[Role.APPROVER.value, Role.PROVIDER_USER.value], org_id=org_id,
                location_ids=sorted(org_locations.get(org_id, [])),
            )
            directory.set_first_approver(org_id, user.user_id)
            report.accounts_created += 1
    return report

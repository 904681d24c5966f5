"""Auto-registration from CQC's files (RULES 1.1): carries out the plan of `rules.cqc_changes`.

Streams the file: location items are batch-written (25 a request) as the rows are read; only the
stored location ids, owners, statuses and digests are held in memory. Running the same file again
writes nothing and sends nothing (digests; first approvers are created once, guarded by the
organisation's `first_approver_id` and the email claim).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from care_tracker.errors import Conflict
from care_tracker.roles import Role
from care_tracker.rules.cqc_changes import ImportPlanner, KnownLocation
from care_tracker.rules.cqc_locations import ParseStats, RowError, parse_cqc_file


@dataclass
class ImportReport:
    file_kind: str = "active"  # active | deactivated
    locations_read: int = 0
    organisations_written: int = 0
    locations_written: int = 0
    locations_deregistered_missing: int = 0
    locations_moved: int = 0
    user_accesses_removed: int = 0
    accounts_created: int = 0
    skipped_not_adult_social_care: int = 0
    skipped_unknown_deregistered: int = 0
    latest_returns_refreshed: int = 0
    warnings: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)


def import_cqc_locations(lines: Iterable[str], directory, accounts, *, file_date: date,
                         users=None, returns=None, max_missing_fraction: float = 0.2) -> ImportReport:
    """`directory`: the location store; `accounts`: AccountService; `users`: the user store (for
    removing a moved location from the old organisation's users); `returns`: the return store (its
    latest items copy each location's area and place for commissioners)."""
    report = ImportReport()
    stats = ParseStats()
    records = parse_cqc_file(lines, stats)  # reads the header now: ValueError if a column is missing
    known = {lid: KnownLocation(org, status, dig) for lid, org, status, dig in directory.known_locations()}
    changed_known: list[dict] = []  # locations we had before whose facts changed: their latest returns follow
    known_before = set(known)  # the planner updates `known` as it goes
    planner = ImportPlanner(known, directory.organisations(), full_file=not stats.deactivated_file,
                            file_date=file_date, max_missing_fraction=max_missing_fraction)
    report.file_kind = "deactivated" if stats.deactivated_file else "active"

    def changed_items() -> Iterator[dict]:
        for parsed in records:
            if isinstance(parsed, RowError):
                report.errors.append({"line": parsed.line_number, "problem": parsed.message})
                continue
            report.locations_read += 1
            item = planner.add(parsed)
            if item is not None:
                report.locations_written += 1
                if parsed.location_id in known_before:
                    changed_known.append(item)
                yield item

    directory.write((), changed_items())
    plan = planner.finish()
    report.skipped_not_adult_social_care = stats.skipped_not_adult_social_care
    report.skipped_unknown_deregistered = plan.skipped_unknown_deregistered
    if plan.missing_guard:
        report.warnings.append(plan.missing_guard)

    directory.write(plan.organisations, ())
    report.organisations_written = len(plan.organisations)
    for gone in plan.deregistrations:
        directory.deregister(gone.location_id, gone.on)
    report.locations_deregistered_missing = len(plan.deregistrations)
    if returns is not None:  # a new location has no returns yet: only known ones are looked at
        for item in changed_known:
            report.latest_returns_refreshed += returns.refresh_latest(item["location_id"], item)
        for gone in plan.deregistrations:
            report.latest_returns_refreshed += returns.refresh_latest(gone.location_id, None)

    report.locations_moved = len(plan.moves)
    if users is not None:
        for move in plan.moves:
            report.user_accesses_removed += users.remove_location(move.from_org, move.location_id)

    for first in plan.first_approvers:
        try:
            accounts.create_account(
                email=first.email, full_name=first.manager_name or f"Registered manager, {first.org_name}",
                roles=[Role.APPROVER.value, Role.PROVIDER_USER.value], org_id=first.org_id,
                location_ids=list(first.location_ids), first_approver_of=first.org_id,
            )
        except Conflict as exc:
            # The address already has an account (or a pending request), or another run got there
            # first: nothing is sent; the support team adds the first approver.
            report.errors.append({"organisation": first.org_id, "problem": f"no first approver created: {exc.message}"})
            continue
        report.accounts_created += 1
    return report

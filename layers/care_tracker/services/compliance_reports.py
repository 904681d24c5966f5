"""Compliance reports (RULES 1.6), all served from stored items: a location's months (one GetItem),
an organisation's locations (one Query), a window's aggregates (one Query), the locations at risk
(one Query of a sparse index), and cases by state; each also as CSV rows."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from care_tracker.errors import Forbidden, NotFound

ADMIN, OFFICER, APPROVER = "admin", "enforcement_officer", "approver"
MONTH_COLUMNS = ("location_id", "location_name", "period", "status", "consecutive_misses", "misses_last_12", "stage", "care_types", "accepted_late")
WINDOW_COLUMNS = ("period", "group", "name", "expected", "completed", "missed", "not_due", "completion_rate")
AT_RISK_COLUMNS = ("location_id", "name", "organisation_id", "local_authority", "region", "public_body", "period",
                   "stage", "consecutive_misses", "misses_last_12")
CASE_COLUMNS = ("case_id", "organisation_id", "organisation_name", "state", "opened_at", "locations", "notice_issued_on", "representations_due",
                "penalty_pence", "steps")


def _rate(completed: int, expected: int) -> float | None:
    return round(completed / expected, 4) if expected else None


def _month_rows(location_id: str, history: dict[str, dict]) -> list[dict[str, Any]]:
    return [{"location_id": location_id, "period": p, "status": e["status"], "consecutive_misses": e["consecutive_misses"],
             "misses_last_12": e["misses_last_12"], "stage": e["stage"], "care_types": list(e.get("care_types", [])),
             "accepted_late": list(e.get("accepted_late", []))} for p, e in sorted(history.items(), reverse=True)]


def sees_everything(caller) -> bool:
    return caller.has(ADMIN, OFFICER)


class ComplianceReports:
    def __init__(self, store, directory) -> None:
        self._store = store
        self._directory = directory

    def _org_of(self, location_id: str) -> str | None:
        found = self._directory.get_locations([location_id]).get(location_id)
        if found is None:
            raise NotFound(f"There is no location {location_id!r}.", code="no_such_location")
        return found.get("org_id")

    def location(self, caller, location_id: str) -> dict[str, Any]:
        """API.md: each month's status, consecutive misses, misses in the last 12 months, escalation stage."""
        state = self._store.get(location_id)
        org_id = state.org_id if state is not None else None
        allowed = sees_everything(caller) or location_id in caller.location_ids
        if not allowed and caller.has(APPROVER) and caller.org_id:
            allowed = caller.org_id == (org_id or self._org_of(location_id))
        if not allowed:
            raise Forbidden("Only users of this location, its organisation's approvers and the support team can see "
                            "its compliance.", code="not_your_location")
        if state is None:
            self._org_of(location_id)  # 404 for an unknown location
            return {"location_id": location_id, "name": None, "organisation_id": None, "public_body": False, "months": []}
        return {"location_id": location_id, "name": state.name, "organisation_id": state.org_id,
                "public_body": state.public_body, "months": _month_rows(location_id, state.history)}

    def organisation(self, caller, org_id: str) -> dict[str, Any]:
        if not (sees_everything(caller) or (caller.has(APPROVER) and caller.org_id == org_id)):
            raise Forbidden("Only the organisation's approvers and the support team can see its compliance.",
                            code="not_your_organisation")
        locations = []
        for state in sorted(self._store.of_organisation(org_id), key=lambda s: s.location_id):
            latest = state.latest()
            locations.append({"location_id": state.location_id, "name": state.name,
                              "latest_period": latest[0] if latest else None,
                              **({k: latest[1][k] for k in ("status", "consecutive_misses", "misses_last_12", "stage")}
                                 if latest else {}),
                              "months": _month_rows(state.location_id, state.history)})
        return {"organisation_id": org_id, "locations": locations}

    def window(self, period: str) -> dict[str, Any]:
        groups = self._store.window(period)
        if not groups:
            raise NotFound(f"Compliance for {period} has not been counted yet (the window may still be open).",
                           code="not_counted")

        def entry(name: str, c: dict[str, int]) -> dict[str, Any]:
            return {"name": name, **c, "completion_rate": _rate(c["completed"], c["expected"])}

        by = {"LA": [], "REGION": []}
        for key, counts in sorted(groups.items()):
            kind, _, name = key.partition("#")
            if kind in by:
                by[kind].append(entry(name, counts))
        overall = groups.get("ALL", {"expected": 0, "completed": 0, "missed": 0, "not_due": 0})
        return {"period": period, "overall": entry("England", overall), "by_local_authority": by["LA"], "by_region": by["REGION"]}

    def at_risk(self, period: str) -> dict[str, Any]:
        rows = []
        for state in sorted(self._store.at_risk(period), key=lambda s: s.location_id):
            e = state.history.get(period, {})
            rows.append({"location_id": state.location_id, "name": state.name, "organisation_id": state.org_id,
                         "local_authority": state.local_authority, "region": state.region, "public_body": state.public_body,
                         "period": period, "stage": e.get("stage"), "consecutive_misses": e.get("consecutive_misses"),
                         "misses_last_12": e.get("misses_last_12")})
        return {"period": period, "locations": rows}

    def tasks(self, period: str) -> dict[str, Any]:
        return {"period": period, "tasks": [{"location_id": loc, "action": action, **detail}
                                            for (loc, action), detail in sorted(self._store.tasks(period).items())]}


# --- CSV rows ---------------------------------------------------------------------------------------------

def window_rows(report: dict[str, Any]) -> Iterable[dict[str, Any]]:
    period = report["period"]
    yield {"period": period, "group": "overall", **report["overall"]}
    for group, key in (("local_authority", "by_local_authority"), ("region", "by_region")):
        for entry in report[key]:
            yield {"period": period, "group": group, **entry}


def month_rows(report: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for month in report["months"]:
        yield {**month, "location_name": report.get("name"), "care_types": " ".join(month["care_types"]),
               "accepted_late": " ".join(month["accepted_late"])}


def organisation_rows(report: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for location in report["locations"]:
        yield from month_rows(location)


def case_rows(cases: list[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    for c in cases:
        yield {"case_id": c["case_id"], "organisation_id": c["organisation_id"], "organisation_name": c.get("organisation_name"),
               "state": c["state"], "opened_at": c["opened_at"],
               "locations": "; ".join(f"{loc['location_id']} ({' '.join(loc['months'])})" for loc in c["locations"]),
               "notice_issued_on": c["notice_issued_on"], "representations_due": c["representations_due"],
               "penalty_pence": c["penalty_pence"], "steps": len(c["log"])}

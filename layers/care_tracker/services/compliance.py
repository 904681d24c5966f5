"""Counting compliance after each window, corrections, and escalation (RULES 1.6).

`count_window(period)` reads everything in bulk — the month's returns (one paged Query of the returns
table's `by_period` index), the month's corrections (one Query), every location (a projected Scan),
every compliance state (a Scan of STATE items) and the month's escalation tasks (one Query) — then
writes only the states that changed (BatchWrite) and the window's aggregates. No per-location
request. Running it twice changes nothing and sends nothing twice: escalation steps already
recorded as tasks for the month are not taken again.

Escalation steps are recorded (as tasks, status "sending") before mail goes out and marked "done"
after: a crash between the two leaves tasks in "sending" for the support team to check, rather than
a second email.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from care_tracker import messages
from care_tracker.errors import BadRequest, Conflict, NotFound
from care_tracker.ports import Clock, Mailer
from care_tracker.rules.compliance import (
    EscalationAction,
    MonthStatus,
    escalation_actions,
    figures_after,
    month_status,
    periods_back,
    recount,
)
from care_tracker.rules.reporting_window import next_period, window_for_period

AGGREGATE_FIELDS = ("expected", "completed", "missed", "not_due")
_ACTION_RANK = {EscalationAction.OFFER_HELP: 1, EscalationAction.WARN_AT_RISK: 2, EscalationAction.OPEN_CASE: 3}


class ReturnsByPeriod(Protocol):
    """The returns repository (adapters/return_store.py)."""

    def done_by_location(self, period: str) -> dict[str, tuple[set[str], set[str]]]:
        """location -> (care types saved, care types saved inside the window)."""

    def read(self, location_ids: Iterable[str], period_keys: Iterable[tuple[str, str]]) -> tuple[dict, dict]: ...


class CountingInputs(Protocol):
    def locations(self) -> Iterable[dict[str, Any]]: ...
    def accounts(self) -> Iterable[dict[str, Any]]: ...


class CaseOpener(Protocol):
    def open_or_extend(self, org_id: str, locations: dict[str, list[str]], period: str, at: datetime) -> str: ...


def _day(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def location_month_status(loc: dict[str, Any], window, on_time: set[str], accepted_late: Iterable[str]) -> MonthStatus:
    """A location's status for the window, from its stored facts (RULES 1.6)."""
    status = loc.get("status")
    deregistered_on = _day(loc.get("deregistered_on"))
    if status == "dormant" or (status == "deregistered" and deregistered_on is None):
        return MonthStatus.NOT_DUE
    return month_status(care_types=loc.get("care_types") or [], on_time_care_types=on_time,
                        registered_on=_day(loc.get("registered_on")), deregistered_on=deregistered_on,
                        window_opens=window.first_day, window_last_day=window.last_day,
                        accepted_late_care_types=accepted_late)


def _registered_during(loc: dict[str, Any], window) -> bool:
    """Registered at some point of the window (so counted as not due rather than left out)."""
    deregistered_on = _day(loc.get("deregistered_on"))
    if loc.get("status") == "deregistered":
        return deregistered_on is not None and deregistered_on >= window.first_day
    return True


def _statuses(history: dict[str, dict]) -> dict[str, str]:
    return {p: e["status"] for p, e in history.items()}


def _apply_figures(history: dict[str, dict], from_period: str) -> None:
    for p, figures in recount(_statuses(history), from_period).items():
        history[p].update(consecutive_misses=figures.consecutive_misses, misses_last_12=figures.misses_last_12,
                          stage=figures.stage.value)


def _groups(la: str | None, region: str | None) -> list[str]:
    return ["ALL", f"LA#{la or 'Unknown'}", f"REGION#{region or 'Unknown'}"]


@dataclass
class LocationCompliance:
    """A location's stored compliance: facts copied at the last count, and every counted month."""

    location_id: str
    org_id: str | None
    name: str
    local_authority: str | None
    region: str | None
    public_body: bool
    # period -> {"status", "consecutive_misses", "misses_last_12", "stage", "accepted_late": [...], "care_types": [...]}
    history: dict[str, dict[str, Any]] = field(default_factory=dict)
    version: int = 0

    def latest(self) -> tuple[str, dict[str, Any]] | None:
        if not self.history:
            return None
        period = max(self.history)
        return period, self.history[period]

    @classmethod
    def from_data(cls, location_id: str, org_id: str | None, data: str | None, version: int) -> LocationCompliance:
        d = json.loads(data or "{}")
        return cls(location_id, org_id, d.get("name", ""), d.get("la"), d.get("region"), bool(d.get("public_body")),
                   d.get("history", {}), int(version or 0))

    def to_data(self) -> str:
        return json.dumps({"name": self.name, "la": self.local_authority, "region": self.region, "public_body": self.public_body,
                           "history": dict(sorted(self.history.items()))}, separators=(",", ":"), sort_keys=True)


@dataclass
class _Action:
    location_id: str
    org_id: str | None
    name: str
    action: EscalationAction
    figures: dict[str, Any]
    missed_months: list[str]


class ComplianceService:
    def __init__(self, store, inputs: CountingInputs, returns: ReturnsByPeriod, cases: CaseOpener, mailer: Mailer,
                 clock: Clock) -> None:
        self._store = store
        self._inputs = inputs
        self._returns = returns
        self._cases = cases
        self._mailer = mailer
        self._clock = clock

    # --- counting -------------------------------------------------------------------------------------
    def count_window(self, period: str, at: datetime | None = None) -> dict[str, Any]:
        """Counts one window; a second count running at the same time leaves it to the first."""
        with self._store.counting(self._clock.now()) as held:
            if not held:
                return {"period": period, "skipped": "another count is running and will do this one"}
            return self._count_window(period, at or self._clock.now())

    def _count_window(self, period: str, at: datetime) -> dict[str, Any]:
        window = window_for_period(period)
        done = self._returns.done_by_location(period)
        corrections = self._store.corrections(period)
        states = self._store.all_states_raw()  # unparsed: each history is parsed, updated and written in turn
        tasks: dict[str, int] = {}  # location -> the highest escalation step already taken for this month
        for location_id, action in self._store.tasks(period):
            tasks[location_id] = max(tasks.get(location_id, 0), _ACTION_RANK[EscalationAction(action)])
        groups: dict[str, Counter] = defaultdict(Counter)
        actions: list[_Action] = []
        counted = written = 0
        with self._store.state_writer() as write:
            for loc in self._inputs.locations():
                was_counted, was_written = self._count_one(loc, window, period, done, corrections, states, tasks, groups,
                                                           actions, write)
                counted += was_counted
                written += was_written
        self._store.put_window(period, {k: {f: int(v.get(f, 0)) for f in AGGREGATE_FIELDS} for k, v in groups.items()})
        outcome = self._escalate(period, actions, at)
        totals = groups.get("ALL", Counter())
        return {"period": period, "locations_counted": counted, "states_written": written,
                **{f: int(totals.get(f, 0)) for f in AGGREGATE_FIELDS}, **outcome}

    def _count_one(self, loc, window, period, done, corrections, states, tasks, groups, actions, write) -> tuple[bool, bool]:
        """Counts one location: (counted in this window?, state written?)."""
        location_id = loc["location_id"]
        on_time = set(done.get(location_id, ((), ()))[1])
        late = sorted(corrections.get(location_id, {}))
        status = location_month_status(loc, window, on_time, late)
        if status is MonthStatus.NOT_DUE and not _registered_during(loc, window):
            return False, False  # gone before the window opened: not part of this month at all
        for key in _groups(loc.get("local_authority"), loc.get("region")):
            g = groups[key]
            g["expected"] += status is not MonthStatus.NOT_DUE
            g[status.value] += 1
        raw = states.pop(location_id, None)
        if raw is None:
            if status is MonthStatus.NOT_DUE:
                return True, False  # owes nothing and has no history: nothing to store
            state = LocationCompliance(location_id, None, "", None, None, False)
        else:
            state = self._store.parse(location_id, raw)
        before = (state.org_id, state.to_data())
        state.org_id, state.name = loc.get("org_id"), loc.get("name") or ""
        state.local_authority, state.region = loc.get("local_authority"), loc.get("region")
        state.public_body = bool(loc.get("public_body"))
        previous = figures_after(_statuses(state.history), periods_back(period, 2)[0])
        if status is MonthStatus.NOT_DUE:
            # Not stored (an absent month is a month owed nothing), so the history of a month does not
            # depend on which other months were counted first: a re-run finds the same items.
            state.history.pop(period, None)
        else:
            state.history[period] = {"status": status.value, "care_types": sorted(loc.get("care_types") or []),
                                     "accepted_late": [c for c in late if c in (loc.get("care_types") or [])]}
        _apply_figures(state.history, period)
        changed = (state.org_id, state.to_data()) != before
        if changed:
            write(state)
        if status is MonthStatus.NOT_DUE:
            return True, changed
        current = figures_after(_statuses(state.history), period)
        # A step is taken once per location and month, and never below one already taken that month
        # (after a correction lowers the stage, a re-run sends no new, lesser warning).
        taken = tasks.get(location_id, 0)
        for action in escalation_actions(previous, current, public_body=state.public_body):
            if _ACTION_RANK[action] > taken:
                missed = [p for p in periods_back(period, 12) if state.history.get(p, {}).get("status") == "missed"]
                actions.append(_Action(location_id, state.org_id, state.name, action,
                                       {k: state.history[period][k] for k in ("consecutive_misses", "misses_last_12", "stage")},
                                       missed))
        return True, changed

    def _escalate(self, period: str, actions: list[_Action], at: datetime) -> dict[str, Any]:
        if not actions:
            return {"actions": {}, "cases": {}}
        stamp = at.isoformat()
        self._store.put_tasks(period, {(a.location_id, a.action.value): {
            "status": "sending", "org_id": a.org_id, "location_name": a.name, "created_at": stamp, **a.figures}
            for a in actions})
        mailing = [a for a in actions if a.action is not EscalationAction.OPEN_CASE]
        recipients = self._recipients({a.location_id: a.org_id for a in mailing}) if mailing else {}
        done: dict[tuple[str, str], dict] = {}
        next_window = window_for_period(next_period(period))  # the dates the mails quote, from the calendar
        for a in mailing:
            to = recipients.get(a.location_id, [])
            for email in to:
                if a.action is EscalationAction.OFFER_HELP:
                    self._mailer.send(messages.compliance_help(email, a.name, period, next_window))
                else:
                    self._mailer.send(messages.compliance_at_risk(email, a.name, period, a.figures["consecutive_misses"],
                                                                  next_window))
            done[(a.location_id, a.action.value)] = {"status": "done" if to else "no_recipient", "emails_sent": len(to)}
        by_org: dict[str, dict[str, list[str]]] = defaultdict(dict)
        for a in actions:
            if a.action is EscalationAction.OPEN_CASE and a.org_id:
                by_org[a.org_id][a.location_id] = a.missed_months
        cases = Counter()
        for org_id, locations in sorted(by_org.items()):
            outcome = self._cases.open_or_extend(org_id, locations, period, at)
            cases[outcome] += 1
            for location_id in locations:
                done[(location_id, EscalationAction.OPEN_CASE.value)] = {"status": "done", "case": outcome,
                                                                         "case_id": f"{org_id}.{period}" if outcome == "opened" else None}
        base = {(a.location_id, a.action.value): a for a in actions}
        self._store.put_tasks(period, {key: {"org_id": base[key].org_id, "location_name": base[key].name, "created_at": stamp,
                                             **base[key].figures, **detail} for key, detail in done.items()})
        return {"actions": dict(Counter(a.action.value for a in actions)), "cases": dict(cases)}

    def _recipients(self, locations: dict[str, str | None]) -> dict[str, list[str]]:
        """Active users of each location, else the approvers of its organisation: one bulk read of accounts."""
        of_location: dict[str, set[str]] = defaultdict(set)
        approvers: dict[str, set[str]] = defaultdict(set)
        orgs = set(locations.values())
        for account in self._inputs.accounts():
            if account.get("active") is False or account.get("org_id") not in orgs:
                continue
            for location_id in account.get("location_ids") or []:
                if location_id in locations:
                    of_location[location_id].add(account["email"])
            if "approver" in (account.get("roles") or []):
                approvers[account["org_id"]].add(account["email"])
        return {loc: sorted(of_location.get(loc) or approvers.get(org, set())) for loc, org in locations.items()}

    # --- corrections --------------------------------------------------------------------------------------
    def correct(self, location_id: str, period: str, care_type: str, reason: str, by: str) -> dict[str, Any]:
        """The support team accepts a late return for a month: the month is counted again as if the
        return had been on time, and the figures of later months follow."""
        window = window_for_period(period)
        if not reason.strip():
            raise BadRequest("Give the reason the late return counts (e.g. an outage).", code="reason_required")
        state = self._store.get(location_id)
        if state is None or period not in state.history:
            raise NotFound(f"Compliance for {period} has not been counted for location {location_id} yet.",
                           code="not_counted")
        entry = state.history[period]
        if care_type not in entry["care_types"]:
            raise BadRequest(f"Location {location_id} did not owe a {care_type} return for {period}; it owed: "
                             f"{', '.join(entry['care_types']) or 'nothing'}.", code="care_type_not_owed")
        if care_type in entry.get("accepted_late", []):
            raise Conflict(f"A late {care_type} return is already accepted for {period}.", code="already_corrected")
        if entry["status"] != MonthStatus.MISSED.value:
            raise Conflict(f"{period} is {entry['status']} for this location: there is nothing to correct.",
                           code="not_missed")
        _, periods = self._returns.read([], [(location_id, period)])
        saved = periods.get((location_id, period))
        if saved is None or care_type not in saved.current:
            raise Conflict(f"No {care_type} return has been saved for {period}. The provider must save it first; "
                           "then it can be accepted as late.", code="no_late_return")
        late = sorted(set(entry.get("accepted_late", [])) | {care_type})
        status = month_status(care_types=entry["care_types"], on_time_care_types=set(saved.in_window_types),
                              registered_on=None, deregistered_on=None, window_opens=window.first_day,
                              window_last_day=window.last_day, accepted_late_care_types=late)
        old_status = entry["status"]
        entry.update(status=status.value, accepted_late=late)
        _apply_figures(state.history, period)
        deltas = {}
        if status.value != old_status:
            deltas = {key: {old_status: -1, status.value: 1} for key in _groups(state.local_authority, state.region)}
        now = self._clock.now()
        self._store.save_correction(period, state, care_type, {"reason": reason.strip(), "by": by, "at": now.isoformat()}, deltas,
                                    now)
        return {"location_id": location_id, "period": period, "care_type": care_type, **entry}

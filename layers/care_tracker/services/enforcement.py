"""Enforcement cases (RULES 1.6): opened by the counting job, worked by enforcement officers."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from care_tracker import messages
from care_tracker.errors import BadRequest, Conflict, NotFound
from care_tracker.ports import Clock, Mailer
from care_tracker.rules.enforcement import (
    DEFAULT_FEE_TABLE,
    DEFAULT_REPRESENTATION_DAYS,
    Case,
    CaseAction,
    CaseState,
    FeeBand,
    StepNotAllowed,
    add_locations,
    allowed_actions,
    apply_step,
    open_case,
    representations_overdue,
)
from care_tracker.rules.reporting_window import LONDON

SYSTEM = "system"


class CaseStore(Protocol):
    def get(self, case_id: str) -> tuple[Case, int] | None: ...
    def active_case_id(self, org_id: str) -> str | None: ...
    def create(self, case: Case) -> bool: ...
    def update(self, case: Case, version: int, release_claim: bool = False) -> int: ...
    def by_state(self, state: str): ...
    def of_organisation(self, org_id: str) -> list[tuple[Case, int]]: ...


class Organisations(Protocol):
    def of_organisation(self, org_id: str) -> list[dict]: ...
    def organisation(self, org_id: str) -> dict | None: ...


class People(Protocol):
    """The users repository: names for a case's log, approvers to tell about a case."""

    def get(self, user_id: str): ...
    def of_organisation(self, org_id: str) -> list: ...


# Steps the organisation's approvers are emailed about (RULES 1.6), besides the case opening.
NOTICES = (CaseAction.ISSUE_NOTICE, CaseAction.IMPOSE_PENALTY, CaseAction.ISSUE_FINAL_NOTICE)


def case_view(case: Case, version: int) -> dict[str, Any]:
    return {
        "case_id": case.case_id, "organisation_id": case.org_id, "state": case.state.value, "version": version,
        "opened_at": case.opened_at.isoformat(), "active": case.active,
        "locations": [{"location_id": k, "months": list(v)} for k, v in sorted(case.locations.items())],
        "notice_issued_on": case.notice_issued_on.isoformat() if case.notice_issued_on else None,
        "representations_due": case.representations_due.isoformat() if case.representations_due else None,
        "penalty_pence": case.penalty_pence,
        "allowed_actions": [a.value for a in allowed_actions(case.state)],
        "log": [s.as_dict() for s in case.log],
    }


class EnforcementService:
    def __init__(self, cases: CaseStore, organisations: Organisations, clock: Clock, *,
                 representation_days: int = DEFAULT_REPRESENTATION_DAYS, fee_table: Sequence[FeeBand] = DEFAULT_FEE_TABLE,
                 people: People | None = None, mailer: Mailer | None = None, login_url: str = ""):
        self._cases = cases
        self._organisations = organisations
        self._clock = clock
        self._days = representation_days
        self._fees = tuple(fee_table)
        self._people = people
        self._mailer = mailer
        self._login_url = login_url

    # --- names and mail ---------------------------------------------------------------------------------
    def _view(self, case: Case, version: int, names: dict[str, str | None] | None = None) -> dict[str, Any]:
        """The case with the organisation's name and each step's actor by name (one read per distinct
        organisation and person; `names` is shared across a list)."""
        names = {} if names is None else names
        view = case_view(case, version)
        org_key = f"org#{case.org_id}"
        if org_key not in names:
            org = self._organisations.organisation(case.org_id) if hasattr(self._organisations, "organisation") else None
            names[org_key] = (org or {}).get("name")
        view["organisation_name"] = names[org_key]
        for step in view["log"]:
            by = step["by"]
            if by not in names:
                user = self._people.get(by) if (self._people is not None and by != SYSTEM) else None
                names[by] = "Care Tracker (automatic)" if by == SYSTEM else (user.full_name if user else None)
            step["by_name"] = names[by]
        return view

    def _tell_approvers(self, org_id: str, mail_for) -> int:
        if self._mailer is None or self._people is None:
            return 0
        approvers = sorted(u.email for u in self._people.of_organisation(org_id) if u.active and "approver" in u.roles)
        org = self._organisations.organisation(org_id) if hasattr(self._organisations, "organisation") else None
        name = (org or {}).get("name") or org_id
        for email in approvers:
            self._mailer.send(mail_for(email, name))
        return len(approvers)

    def _location_names(self, case: Case) -> dict[str, list[str]]:
        known = {loc["location_id"]: loc.get("name") for loc in self._organisations.of_organisation(case.org_id)}
        return {known.get(lid) or lid: list(months) for lid, months in sorted(case.locations.items())}

    # --- from the counting job ---------------------------------------------------------------------
    def open_or_extend(self, org_id: str, locations: Mapping[str, Sequence[str]], period: str, at: datetime) -> str:
        """Opens a case for the organisation, or lists the locations and months on its active case.
        Returns "opened", "extended" or "unchanged". The case id is `<org>.<period>`, so a second run
        for the same month never opens a second case."""
        active = self._cases.active_case_id(org_id)
        if active is None:
            case = open_case(f"{org_id}.{period}", org_id, locations, at,
                             reason=f"eligible for a penalty after the {period} window")
            if self._cases.create(case):  # created once (the id is per month), so mailed once
                self._tell_approvers(org_id, lambda to, name: messages.case_opened(
                    to, name, self._location_names(case), self._login_url))
                return "opened"
            active = self._cases.active_case_id(org_id)
            if active is None:  # this month's case exists and was already withdrawn or closed
                return "unchanged"
        found = self._cases.get(active)
        if found is None:
            return "unchanged"
        case, version = found
        extended = add_locations(case, locations, at)
        if extended is case:
            return "unchanged"
        self._cases.update(extended, version)
        return "extended"

    # --- officers ---------------------------------------------------------------------------------------
    def get(self, case_id: str) -> dict[str, Any]:
        found = self._cases.get(case_id)
        if found is None:
            raise NotFound(f"There is no enforcement case {case_id!r}.", code="no_such_case")
        return self._view(*found)

    def take_step(self, case_id: str, action: str, *, by: str, reason: str, version: int | None = None,
                  details: Mapping[str, Any] | None = None) -> dict[str, Any]:
        found = self._cases.get(case_id)
        if found is None:
            raise NotFound(f"There is no enforcement case {case_id!r}.", code="no_such_case")
        case, stored = found
        if version is not None and version != stored:
            raise Conflict(f"This case is at version {stored}, not {version}: someone changed it since you read it. "
                           "Reload it and try again.", code="stale_case", details={"version": stored})
        at = self._clock.now()
        size = 1
        if CaseAction(action) is CaseAction.IMPOSE_PENALTY:
            size = len(self._organisations.of_organisation(case.org_id)) or len(case.locations)
        try:
            changed = apply_step(case, action, by=by, at=at, reason=reason, today=at.astimezone(LONDON).date(),
                                 provider_locations=size, fee_table=self._fees, representation_days=self._days,
                                 details=details)
        except StepNotAllowed as exc:
            raise Conflict(str(exc), code="step_not_allowed",
                           details={"state": case.state.value, "allowed_actions": [a.value for a in allowed_actions(case.state)]}) from exc
        except ValueError as exc:
            raise BadRequest(str(exc), code="invalid_step") from exc
        new_version = self._cases.update(changed, stored, release_claim=case.active and not changed.active)
        if CaseAction(action) in NOTICES:  # after the conditional update: a stale or repeated step mails nothing
            due = changed.representations_due.isoformat() if (changed.representations_due and
                                                               CaseAction(action) is CaseAction.ISSUE_NOTICE) else None
            self._tell_approvers(case.org_id, lambda to, name: messages.notice_issued(
                to, name, CaseAction(action).value, reason, due, self._login_url))
        return self._view(changed, new_version)

    def list(self, state: str | None = None) -> list[dict[str, Any]]:
        states = [CaseState(state)] if state else list(CaseState)
        names: dict[str, str | None] = {}
        return [self._view(c, v, names) for s in states for c, v in self._cases.by_state(s.value)]

    def of_organisation(self, org_id: str) -> list[dict[str, Any]]:
        names: dict[str, str | None] = {}
        return [self._view(c, v, names) for c, v in self._cases.of_organisation(org_id)]

    def summary(self) -> dict[str, int]:
        """Cases by state: one Query per state."""
        return {s.value: sum(1 for _ in self._cases.by_state(s.value)) for s in CaseState}

    # --- the daily job -----------------------------------------------------------------------------------
    def flag_overdue(self, at: datetime) -> dict[str, Any]:
        """Moves every case whose representation period ran out by `at` to
        representations_deadline_passed. A second run finds none left to move."""
        today = at.astimezone(LONDON).date()
        flagged = []
        for case, version in list(self._cases.by_state(CaseState.NOTICE_OF_INTENT.value)):
            if not representations_overdue(case, today):
                continue
            changed = apply_step(case, CaseAction.MARK_DEADLINE_PASSED, by=SYSTEM, at=at, today=today,
                                 reason=f"no representations received by {case.representations_due.isoformat()}")
            try:
                self._cases.update(changed, version)
            except Conflict:
                continue  # changed meanwhile (e.g. representations recorded): the next run looks again
            flagged.append(case.case_id)
        return {"flagged": flagged, "date": today.isoformat()}

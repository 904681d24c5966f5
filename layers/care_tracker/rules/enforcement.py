"""The enforcement case (RULES 1.6) as a pure state machine: no I/O, no clock reads.

A case is opened for an organisation when one of its private locations becomes eligible for a
penalty. It then moves:

    open --issue_notice--> notice_of_intent            (representations due after a set period)
    notice_of_intent --record_representations--> representations_received   (on or before the due date)
    notice_of_intent --mark_deadline_passed--> representations_deadline_passed (only after the due date)
    representations_* --withdraw--> withdrawn           (decision)
    representations_* --impose_penalty--> penalty_imposed (amount from the fee table by provider size)
    penalty_imposed --issue_final_notice--> final_notice
    final_notice --record_appeal--> appealed           (First-tier Tribunal)
    final_notice | appealed | withdrawn --close--> closed

Every step records who took it, when and why (a reason is required); any other step is refused
with `StepNotAllowed` (the service answers 409). A case is *active* until it is withdrawn or
closed: an organisation has at most one active case.
"""
from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

__all__ = [
    "CaseState", "CaseAction", "CaseStep", "Case", "FeeBand", "DEFAULT_FEE_TABLE",
    "DEFAULT_REPRESENTATION_DAYS", "StepNotAllowed", "TRANSITIONS", "allowed_actions", "apply_step",
    "open_case", "penalty_amount", "representations_overdue", "parse_fee_table", "ACTIVE_STATES",
]

DEFAULT_REPRESENTATION_DAYS = 28


class CaseState(str, Enum):
    OPEN = "open"
    NOTICE_OF_INTENT = "notice_of_intent"
    REPRESENTATIONS_RECEIVED = "representations_received"
    REPRESENTATIONS_DEADLINE_PASSED = "representations_deadline_passed"
    WITHDRAWN = "withdrawn"
    PENALTY_IMPOSED = "penalty_imposed"
    FINAL_NOTICE = "final_notice"
    APPEALED = "appealed"
    CLOSED = "closed"


class CaseAction(str, Enum):
    ISSUE_NOTICE = "issue_notice"
    RECORD_REPRESENTATIONS = "record_representations"
    MARK_DEADLINE_PASSED = "mark_deadline_passed"
    WITHDRAW = "withdraw"
    IMPOSE_PENALTY = "impose_penalty"
    ISSUE_FINAL_NOTICE = "issue_final_notice"
    RECORD_APPEAL = "record_appeal"
    CLOSE = "close"


S, A = CaseState, CaseAction
_AFTER_REPRESENTATIONS = (S.REPRESENTATIONS_RECEIVED, S.REPRESENTATIONS_DEADLINE_PASSED)

# action -> (states it may be taken from, state it leads to)
TRANSITIONS: dict[CaseAction, tuple[tuple[CaseState, ...], CaseState]] = {
    A.ISSUE_NOTICE: ((S.OPEN,), S.NOTICE_OF_INTENT),
    A.RECORD_REPRESENTATIONS: ((S.NOTICE_OF_INTENT,), S.REPRESENTATIONS_RECEIVED),
    A.MARK_DEADLINE_PASSED: ((S.NOTICE_OF_INTENT,), S.REPRESENTATIONS_DEADLINE_PASSED),
    A.WITHDRAW: (_AFTER_REPRESENTATIONS, S.WITHDRAWN),
    A.IMPOSE_PENALTY: (_AFTER_REPRESENTATIONS, S.PENALTY_IMPOSED),
    A.ISSUE_FINAL_NOTICE: ((S.PENALTY_IMPOSED,), S.FINAL_NOTICE),
    A.RECORD_APPEAL: ((S.FINAL_NOTICE,), S.APPEALED),
    A.CLOSE: ((S.FINAL_NOTICE, S.APPEALED, S.WITHDRAWN), S.CLOSED),
}

ACTIVE_STATES = frozenset(s for s in CaseState if s not in (S.WITHDRAWN, S.CLOSED))


class StepNotAllowed(ValueError):
    """The case's state (or its dates) does not allow this step."""

    def __init__(self, message: str, state: CaseState, action: CaseAction):
        super().__init__(message)
        self.state = state
        self.action = action


@dataclass(frozen=True)
class FeeBand:
    """Providers with up to `max_locations` registered locations pay `amount_pence` a year
    (None: no upper limit)."""

    max_locations: int | None
    amount_pence: int


# PLACEHOLDER amounts, not CQC's published fees: the shape (annual registration fee by provider
# size, in registered locations) is real, the numbers are not. Before any penalty is imposed for
# real, set the stack parameter PenaltyFees (PENALTY_FEES) to the current CQC fee scheme.
DEFAULT_FEE_TABLE: tuple[FeeBand, ...] = (
    FeeBand(1, 2_035_00),
    FeeBand(3, 5_088_00),
    FeeBand(5, 8_140_00),
    FeeBand(10, 15_262_00),
    FeeBand(20, 30_523_00),
    FeeBand(None, 61_046_00),
)


def parse_fee_table(raw: Sequence[Mapping[str, Any]]) -> tuple[FeeBand, ...]:
    """[{"max_locations": 1, "amount_pence": 203500}, ..., {"max_locations": null, ...}] -> bands.
    Bands must rise strictly, amounts be whole pence >= 0 and not fall, and the last be open-ended."""
    bands = tuple(FeeBand(None if r.get("max_locations") is None else int(r["max_locations"]), int(r["amount_pence"]))
                  for r in raw)
    if not bands or bands[-1].max_locations is not None:
        raise ValueError("the fee table needs a last band with no upper limit (max_locations null)")
    limits = [b.max_locations for b in bands[:-1]]
    if any(limit is None or limit < 1 for limit in limits) or limits != sorted(set(limits)):  # type: ignore[type-var]
        raise ValueError("the fee table's max_locations must be whole numbers >= 1, strictly rising")
    amounts = [b.amount_pence for b in bands]
    if any(a < 0 for a in amounts) or amounts != sorted(amounts):
        raise ValueError("the fee table's amounts must be >= 0 and must not fall as providers grow")
    return bands


def penalty_amount(locations: int, table: Sequence[FeeBand] = DEFAULT_FEE_TABLE) -> int:
    """The penalty in pence for a provider with this many registered locations (at least 1 is
    assumed: a provider with a case has had a location)."""
    size = max(int(locations), 1)
    limits = [b.max_locations for b in table[:-1]]
    return table[bisect.bisect_left(limits, size)].amount_pence  # type: ignore[arg-type]


@dataclass(frozen=True)
class CaseStep:
    action: str  # a CaseAction value, or "opened" / "locations_added" for the system's entries
    from_state: str | None
    to_state: str
    by: str  # a user id, or "system"
    at: datetime
    reason: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"action": self.action, "from_state": self.from_state, "to_state": self.to_state, "by": self.by,
                "at": self.at.isoformat(), "reason": self.reason, "details": dict(self.details)}


@dataclass(frozen=True)
class Case:
    case_id: str
    org_id: str
    state: CaseState
    opened_at: datetime
    # location id -> the months (YYYY-MM) that made it eligible, sorted
    locations: Mapping[str, tuple[str, ...]]
    log: tuple[CaseStep, ...] = ()
    notice_issued_on: date | None = None
    representations_due: date | None = None
    penalty_pence: int | None = None

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES


def open_case(case_id: str, org_id: str, locations: Mapping[str, Sequence[str]], at: datetime,
              reason: str = "eligible for a penalty") -> Case:
    step = CaseStep("opened", None, S.OPEN.value, "system", at, reason, {"locations": {k: sorted(v) for k, v in locations.items()}})
    return Case(case_id, org_id, S.OPEN, at, {k: tuple(sorted(set(v))) for k, v in locations.items()}, (step,))


def add_locations(case: Case, locations: Mapping[str, Sequence[str]], at: datetime) -> Case:
    """Lists more locations/months on an active case (the same organisation became eligible again
    elsewhere). Returns the case unchanged when nothing is new."""
    merged = {k: set(v) for k, v in case.locations.items()}
    added: dict[str, list[str]] = {}
    for loc, months in locations.items():
        new = set(months) - merged.get(loc, set())
        if new:
            merged.setdefault(loc, set()).update(new)
            added[loc] = sorted(new)
    if not added:
        return case
    step = CaseStep("locations_added", case.state.value, case.state.value, "system", at, "more months missed", {"locations": added})
    return replace(case, locations={k: tuple(sorted(v)) for k, v in merged.items()}, log=case.log + (step,))


def allowed_actions(state: CaseState) -> list[CaseAction]:
    return [action for action, (sources, _) in TRANSITIONS.items() if state in sources]


def representations_overdue(case: Case, today: date) -> bool:
    """True when the notice's representation period has run out (today is after the due date)."""
    return case.state is S.NOTICE_OF_INTENT and case.representations_due is not None and today > case.representations_due


def apply_step(case: Case, action: CaseAction | str, *, by: str, at: datetime, reason: str, today: date,
               provider_locations: int = 1, fee_table: Sequence[FeeBand] = DEFAULT_FEE_TABLE,
               representation_days: int = DEFAULT_REPRESENTATION_DAYS, details: Mapping[str, Any] | None = None) -> Case:
    """The case after `action`, with the step appended to its log; `StepNotAllowed` if the state
    (or, for representations, the due date) does not allow it. `today` is the local date of `at`."""
    action = CaseAction(action)
    if not reason or not reason.strip():
        raise ValueError("every step needs a reason")
    sources, target = TRANSITIONS[action]
    if case.state not in sources:
        allowed = ", ".join(a.value for a in allowed_actions(case.state)) or "none"
        raise StepNotAllowed(f"A case in state {case.state.value!r} cannot take the step {action.value!r} "
                             f"(allowed now: {allowed}).", case.state, action)
    extra: dict[str, Any] = dict(details or {})
    changes: dict[str, Any] = {}
    if action is A.ISSUE_NOTICE:
        if representation_days < 1:
            raise ValueError("the representation period must be at least one day")
        due = today + timedelta(days=representation_days)
        changes.update(notice_issued_on=today, representations_due=due)
        extra.update(issued_on=today.isoformat(), representations_due=due.isoformat())
    elif action is A.RECORD_REPRESENTATIONS and case.representations_due is not None and today > case.representations_due:
        raise StepNotAllowed(f"Representations were due by {case.representations_due.isoformat()}; the period has run out.",
                             case.state, action)
    elif action is A.MARK_DEADLINE_PASSED and not representations_overdue(case, today):
        raise StepNotAllowed(f"Representations are due by {case.representations_due}; the period has not run out yet.",
                             case.state, action)
    elif action is A.IMPOSE_PENALTY:
        amount = penalty_amount(provider_locations, fee_table)
        changes["penalty_pence"] = amount
        extra.update(amount_pence=amount, provider_locations=max(int(provider_locations), 1))
    step = CaseStep(action.value, case.state.value, target.value, by, at, reason.strip(), extra)
    return replace(case, state=target, log=case.log + (step,), **changes)

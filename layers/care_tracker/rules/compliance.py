"""Monthly compliance and escalation (RULES.md 1.4–1.6): pure functions of plain data.

No I/O, no clock reads, no AWS. The caller (the ``close_window`` job) loads a location's
returns and history, calls these functions, and stores what they return.

Periods are calendar months written ``"YYYY-MM"`` (e.g. ``"2024-09"``).

How the pieces fit, for one location and one month ``period``:

1. ``month_status(...)`` -> COMPLETED / MISSED / NOT_DUE for that month.
2. Put it into the location's history ``{period: status}`` (replacing any earlier value: the
   job may run twice, or be re-run after a correction).
3. ``figures_after(history, period)`` -> the running figures stored with the status.
4. ``escalation_actions_for_period(history, period, public_body=...)`` -> the steps to take
   (``offer_help`` / ``warn_at_risk`` / ``open_case``). The same history always gives the same
   actions, so the caller deduplicates by ``(location, period, action)``.
5. After a correction (a late return accepted for a month), recompute that month's status and
   call ``recount(history, period)`` to get the figures of that month and every later stored
   month.

Choices (the rules leave them open; each is applied in one place):

* **Consecutive** means consecutive *calendar* months, as the seed FAQ says ("3 consecutive
  months"). A run of misses is ended by any month that is not MISSED: COMPLETED, NOT_DUE, or a
  month absent from the history (never counted, i.e. owed nothing). A month in which a location
  owed nothing is not a failure, and reading a penalty rule narrowly favours the provider; it also
  stops misses years apart (e.g. either side of a period of deregistration) from joining up.
  Consequence: a run of more than 12 misses has ``consecutive_misses > misses_last_12``; in
  general ``min(consecutive_misses, 12) <= misses_last_12 <= 12``.
* **Misses in the last 12 months** are the MISSED months among the 12 calendar months ending with
  ``period`` (inclusive). Checking this at every month is the same as checking "any 12-month
  period": every 12-month window is the last 12 months of the month that ends it.
* **Stage** is a function of the two figures at that month (not a sticky flag): ELIGIBLE if 3 or
  more consecutive misses or 4 or more in the last 12 months; else AT_RISK if 2 consecutive; else
  HELP_OFFERED if the month itself was missed (a run of 1); else NONE. So the stage may fall after
  completions, and rise again later (a new escalation, with new actions).
* **Actions** are taken only when the stage rises compared with the previous month, and escalation
  never skips a step: every stage passed gets its action (a first miss that also makes a location
  eligible, by reaching 4 in 12 months, gives ``offer_help`` and ``warn_at_risk`` and
  ``open_case``). Staying at a stage, or falling, gives nothing.
* **Public bodies** (a local authority, the NHS) have their figures and stage computed and stored
  like anyone else, and still get ``offer_help`` and ``warn_at_risk`` (the issue only excludes
  "escalated to a case"), but never ``open_case``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum

__all__ = [
    "CONSECUTIVE_MISSES_FOR_ELIGIBILITY",
    "MISSES_IN_12_FOR_ELIGIBILITY",
    "LOOKBACK_MONTHS",
    "MonthStatus",
    "EscalationStage",
    "EscalationAction",
    "ComplianceFigures",
    "month_status",
    "escalation_stage",
    "is_eligible",
    "figures_after",
    "escalation_actions",
    "escalation_actions_for_period",
    "recount",
    "previous_period",
    "periods_back",
]

CONSECUTIVE_MISSES_FOR_ELIGIBILITY = 3
MISSES_IN_12_FOR_ELIGIBILITY = 4
LOOKBACK_MONTHS = 12


class MonthStatus(str, Enum):
    """A location's compliance for one month."""

    COMPLETED = "completed"
    MISSED = "missed"
    NOT_DUE = "not_due"


class EscalationStage(str, Enum):
    """Where a location stands, as of one month. Declared in increasing order."""

    NONE = "none"
    HELP_OFFERED = "help_offered"  # this month missed (a run of 1)
    AT_RISK = "at_risk"  # 2 consecutive misses
    ELIGIBLE = "eligible"  # 3 consecutive misses, or 4+ in the last 12 months

    @property
    def rank(self) -> int:
        return _STAGE_ORDER.index(self)


_STAGE_ORDER: tuple[EscalationStage, ...] = tuple(EscalationStage)


class EscalationAction(str, Enum):
    """A step to take when a location reaches a stage."""

    OFFER_HELP = "offer_help"  # support task + email offering help
    WARN_AT_RISK = "warn_at_risk"  # at-risk warning email
    OPEN_CASE = "open_case"  # enforcement case for the organisation (private providers only)


_ACTION_FOR_STAGE: dict[EscalationStage, EscalationAction] = {
    EscalationStage.HELP_OFFERED: EscalationAction.OFFER_HELP,
    EscalationStage.AT_RISK: EscalationAction.WARN_AT_RISK,
    EscalationStage.ELIGIBLE: EscalationAction.OPEN_CASE,
}


@dataclass(frozen=True)
class ComplianceFigures:
    """Running figures for a location as of one month."""

    consecutive_misses: int
    misses_last_12: int
    stage: EscalationStage


# --------------------------------------------------------------------------- periods

_PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _period_index(period: str) -> int:
    """``"YYYY-MM"`` -> months since year 0 (so consecutive months differ by 1)."""
    if not isinstance(period, str):
        raise TypeError(f"period must be a 'YYYY-MM' string, got {type(period).__name__}")
    match = _PERIOD_RE.match(period)
    if match is None or int(match.group(1)) < 1:
        raise ValueError(f"period must look like 'YYYY-MM', got {period!r}")
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def _period_from_index(index: int) -> str:
    year, month0 = divmod(index, 12)
    return f"{year:04d}-{month0 + 1:02d}"


def previous_period(period: str) -> str:
    """The calendar month before ``period``: ``previous_period("2024-01") == "2023-12"``."""
    index = _period_index(period) - 1
    if index < 12:
        raise ValueError("no period before 0001-01")
    return _period_from_index(index)


def periods_back(period: str, n: int) -> list[str]:
    """The ``n`` months ending with ``period`` (inclusive), oldest first.

    ``periods_back("2024-02", 3) == ["2023-12", "2024-01", "2024-02"]``.
    """
    if n < 0:
        raise ValueError("n must be zero or more")
    end = _period_index(period)
    return [_period_from_index(i) for i in range(end - n + 1, end + 1) if i >= 12]


# --------------------------------------------------------------------------- one month


def month_status(
    *,
    care_types: Iterable[str],
    on_time_care_types: Iterable[str],
    registered_on: date | None,
    deregistered_on: date | None,
    window_opens: date,
    window_last_day: date,
    accepted_late_care_types: Iterable[str] = (),
) -> MonthStatus:
    """A location's status for one month, once that month's window has closed.

    ``window_opens`` is the window's first day (the 8th; it opens at 00:00 Europe/London) and
    ``window_last_day`` its last day (the 14th or the next working day; it closes at the end of
    that day), both as computed by the reporting-window rules.

    A location owes a return only if it was active throughout the window. Dates are whole days:

    * ``registered_on`` is the day the registration took effect, taken as from the start of that
      day. Registered on or before ``window_opens`` -> owes; registered on any later day (i.e.
      after the window opened) -> NOT_DUE. ``None`` (date unknown) is treated as registered long
      before the window.
    * ``deregistered_on`` is the day the registration ended (CQC's end date), taken as happening
      during that day. Deregistered on or before ``window_last_day`` (i.e. before the window
      closed at the end of that day) -> NOT_DUE; deregistered on a later day -> owes. ``None``
      means still registered.
    * A location with no care types has no return to make -> NOT_DUE.

    If it owes: COMPLETED when every one of its ``care_types`` is in ``on_time_care_types``
    (care types with a return, nil returns included, saved inside the window) or in
    ``accepted_late_care_types`` (late returns the support team has recorded as counting for this
    month); MISSED otherwise. Passing a care type as accepted late gives exactly the result of
    passing it as on time. Care types the location no longer has are ignored.
    """
    if window_last_day < window_opens:
        raise ValueError("window_last_day is before window_opens")
    if registered_on is not None and registered_on > window_opens:
        return MonthStatus.NOT_DUE
    if deregistered_on is not None and deregistered_on <= window_last_day:
        return MonthStatus.NOT_DUE
    owed = set(care_types)
    if not owed:
        return MonthStatus.NOT_DUE
    counted = set(on_time_care_types) | set(accepted_late_care_types)
    return MonthStatus.COMPLETED if owed <= counted else MonthStatus.MISSED


# --------------------------------------------------------------------------- figures


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a whole number, zero or more, got {value!r}")


def is_eligible(consecutive_misses: int, misses_last_12: int) -> bool:
    """Eligible for a penalty: 3+ consecutive misses, or 4+ misses in the last 12 months."""
    _check_count("consecutive_misses", consecutive_misses)
    _check_count("misses_last_12", misses_last_12)
    return (
        consecutive_misses >= CONSECUTIVE_MISSES_FOR_ELIGIBILITY
        or misses_last_12 >= MISSES_IN_12_FOR_ELIGIBILITY
    )


def escalation_stage(consecutive_misses: int, misses_last_12: int) -> EscalationStage:
    """The stage for these figures (see the module docstring)."""
    if is_eligible(consecutive_misses, misses_last_12):
        return EscalationStage.ELIGIBLE
    if consecutive_misses >= 2:
        return EscalationStage.AT_RISK
    if consecutive_misses == 1:
        return EscalationStage.HELP_OFFERED
    return EscalationStage.NONE


def _is_missed(history: Mapping[str, MonthStatus | str], period: str) -> bool:
    value = history.get(period)
    return value is not None and MonthStatus(value) is MonthStatus.MISSED


def figures_after(history: Mapping[str, MonthStatus | str], period: str) -> ComplianceFigures:
    """The running figures as of ``period``, from the statuses of that month and earlier.

    ``history`` maps ``"YYYY-MM"`` to a status (the enum or its string value). Months after
    ``period`` are ignored; months absent from it count as NOT_DUE. Only the 12 months ending
    with ``period`` and the unbroken run of misses ending at ``period`` are read.
    """
    end = _period_index(period)
    consecutive = 0
    while _is_missed(history, _period_from_index(end - consecutive)):
        consecutive += 1
    last_12 = sum(1 for p in periods_back(period, LOOKBACK_MONTHS) if _is_missed(history, p))
    return ComplianceFigures(
        consecutive_misses=consecutive,
        misses_last_12=last_12,
        stage=escalation_stage(consecutive, last_12),
    )


def recount(
    history: Mapping[str, MonthStatus | str], from_period: str
) -> dict[str, ComplianceFigures]:
    """Figures for every month in ``history`` from ``from_period`` on (inclusive), oldest first.

    Use after a correction changes the status of ``from_period``: these are the figures to store
    again. Every key of ``history`` must be a valid period.
    """
    start = _period_index(from_period)
    periods = sorted((p for p in history if _period_index(p) >= start), key=_period_index)
    return {p: figures_after(history, p) for p in periods}


# --------------------------------------------------------------------------- actions


def escalation_actions(
    previous: ComplianceFigures | None,
    current: ComplianceFigures,
    *,
    public_body: bool,
) -> list[EscalationAction]:
    """The steps to take for the current month, given the previous month's figures.

    ``previous`` is the figures as of the month before (``None``: none stored, taken as stage
    NONE). Nothing happens unless the stage rose; then each stage above the previous one, up to
    and including the current one, gives its action, in order. Public bodies never get
    ``open_case``. Deterministic, so re-running a month gives the same list.
    """
    before = previous.stage.rank if previous is not None else EscalationStage.NONE.rank
    actions = [
        _ACTION_FOR_STAGE[stage]
        for stage in _STAGE_ORDER[before + 1 : current.stage.rank + 1]
    ]
    if public_body:
        actions = [a for a in actions if a is not EscalationAction.OPEN_CASE]
    return actions


def escalation_actions_for_period(
    history: Mapping[str, MonthStatus | str], period: str, *, public_body: bool
) -> list[EscalationAction]:
    """``escalation_actions`` for ``period``, with both figures computed from ``history``."""
    return escalation_actions(
        figures_after(history, previous_period(period)),
        figures_after(history, period),
        public_body=public_body,
    )

"""Monthly returns (RULES 1.5) and the calendar of the window jobs (RULES 1.4), as pure functions.

- One pydantic model per care type with the fields of RULES 1.5: whole numbers >= 0 (JSON integers
  only: no "3", no 3.0, no true), unknown fields refused; then the cross-field checks.
- `{"nil_return": true}` and `{"no_change": true}` are their own tiny models.
- Who may read or write a location's returns, which locations owe returns for a window, and which
  window each scheduled job acts on for a given instant.

No clock reads and no I/O: callers pass the instant and the data.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError

from care_tracker.rules.reporting_window import (
    LONDON,
    ReportingWindow,
    is_working_day,
    previous_window,
    reporting_window,
    window_in_force_or_next,
)

CARE_HOME, HOME_CARE, SUPPORTED_LIVING = "care_home", "home_care", "supported_living"
CARE_TYPES = (CARE_HOME, HOME_CARE, SUPPORTED_LIVING)
CARE_TYPE_NAMES = {CARE_HOME: "care home", HOME_CARE: "home care", SUPPORTED_LIVING: "supported living"}

# A count: a JSON integer, 0 or more. The upper bound only stops absurd input.
Count = Annotated[int, Field(ge=0, le=1_000_000, strict=True)]
HOURS_IN_A_WEEK = 168


class _Figures(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CareHomeReturn(_Figures):
    """Care home return (mandatory fields since July 2023)."""

    beds_max_capacity: Count = Field(description="Beds: maximum capacity")
    beds_occupied: Count = Field(description="Beds: occupied")
    beds_vacant_reserved: Count = Field(description="Beds: vacant and reserved")
    beds_vacant_accepting: Count = Field(description="Beds: vacant and accepting admissions")
    staff_nurses_direct: Count = Field(description="Directly employed registered nurses (headcount)")
    staff_care_direct: Count = Field(description="Directly employed care-providing staff (headcount)")
    staff_non_care_direct: Count = Field(description="Directly employed non-care-providing staff (headcount)")
    staff_nurses_agency: Count = Field(description="Agency or bank registered nurses (headcount)")
    staff_care_agency: Count = Field(description="Agency or bank care-providing staff (headcount)")
    staff_non_care_agency: Count = Field(description="Agency or bank non-care-providing staff (headcount)")
    staff_absent: Count = Field(description="Staff absent (headcount)")


class HomeCareReturn(_Figures):
    """Home care (domiciliary) return."""

    people_receiving_care: Count = Field(description="People receiving care")
    hours_delivered_last_week: Count = Field(description="Hours of care delivered in the last week")
    staff_direct: Count = Field(description="Directly employed staff (headcount)")
    staff_agency: Count = Field(description="Agency staff (headcount)")
    staff_absent: Count = Field(description="Staff absent (headcount)")
    accepting_new_packages: StrictBool = Field(description="Whether new packages of care can be accepted")


class SupportedLivingReturn(HomeCareReturn):
    """Supported living return: the same fields as home care."""


class NilReturn(_Figures):
    nil_return: Literal[True] = Field(description="The service is supporting nobody at the moment")


class NoChange(_Figures):
    no_change: Literal[True] = Field(description="Nothing changed: copy the latest earlier return")


FIGURES_MODELS: dict[str, type[_Figures]] = {
    CARE_HOME: CareHomeReturn, HOME_CARE: HomeCareReturn, SUPPORTED_LIVING: SupportedLivingReturn,
}

FIGURES, NIL, NO_CHANGE = "figures", "nil", "no_change"


@dataclass(frozen=True)
class Submission:
    """A validated body: kind is figures, nil or no_change; figures only for kind == figures."""

    kind: str
    figures: dict[str, Any] | None = None


class InvalidReturn(ValueError):
    """The body is not a valid return; `problems` is a list of {"field", "problem"}."""

    def __init__(self, problems: list[dict[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p['field']}: {p['problem']}" for p in problems))


def _field_list(care_type: str) -> str:
    return ", ".join(FIGURES_MODELS[care_type].model_fields)


def _problem(err: Mapping[str, Any], care_type: str) -> dict[str, str]:
    name = ".".join(str(part) for part in err["loc"]) or "return"
    kind = err["type"]
    if kind == "extra_forbidden":
        text = (f"is not a field of a {CARE_TYPE_NAMES[care_type]} return (the fields are: {_field_list(care_type)}; "
                'or send {"nil_return": true} or {"no_change": true} on its own)')
    elif kind == "missing":
        text = "is required"
    elif kind in ("int_type", "int_parsing", "int_from_float", "greater_than_equal"):
        text = "must be a whole number, 0 or more"
    elif kind == "less_than_equal":
        text = f"is too large (at most {err.get('ctx', {}).get('le', 1_000_000)})"
    elif kind in ("bool_type", "bool_parsing"):
        text = "must be true or false"
    elif kind == "literal_error":
        text = "must be true (leave it out otherwise)"
    else:
        text = str(err["msg"])
    return {"field": name, "problem": text}


def cross_field_problems(care_type: str, figures: Mapping[str, int]) -> list[dict[str, str]]:
    """Checks between fields of an otherwise valid return."""
    problems = []
    if care_type == CARE_HOME:
        used = figures["beds_occupied"] + figures["beds_vacant_reserved"] + figures["beds_vacant_accepting"]
        if used > figures["beds_max_capacity"]:
            problems.append({"field": "beds_occupied", "problem": (
                f"beds occupied + vacant (reserved and accepting) is {used}, more than the maximum capacity of "
                f"{figures['beds_max_capacity']}")})
        staff = sum(figures[k] for k in ("staff_nurses_direct", "staff_care_direct", "staff_non_care_direct",
                                         "staff_nurses_agency", "staff_care_agency", "staff_non_care_agency"))
    else:
        staff = figures["staff_direct"] + figures["staff_agency"]
        if figures["hours_delivered_last_week"] > HOURS_IN_A_WEEK * staff:
            problems.append({"field": "hours_delivered_last_week", "problem": (
                f"{figures['hours_delivered_last_week']} hours is more than {staff} staff could deliver in a week "
                f"({HOURS_IN_A_WEEK} hours each)")})
    if figures["staff_absent"] > staff:
        problems.append({"field": "staff_absent", "problem": f"staff absent ({figures['staff_absent']}) is more than "
                                                             f"the staff headcount ({staff})"})
    return problems


def parse_submission(care_type: str, data: Mapping[str, Any]) -> Submission:
    """Validates a return body for `care_type`; raises InvalidReturn with every problem found."""
    if care_type not in CARE_TYPES:
        raise InvalidReturn([{"field": "care_type", "problem": f"must be one of {', '.join(CARE_TYPES)}"}])
    if not isinstance(data, Mapping):
        raise InvalidReturn([{"field": "return", "problem": "must be a JSON object"}])
    if "nil_return" in data:
        model: type[_Figures] = NilReturn
    elif "no_change" in data:
        model = NoChange
    else:
        model = FIGURES_MODELS[care_type]
    try:
        parsed = model.model_validate(dict(data))
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=True, include_input=False)
        if model in (NilReturn, NoChange):  # a nil/no-change marker sent with other fields
            for err in errors:
                if err["type"] == "extra_forbidden":
                    err["msg"] = "cannot be sent with nil_return or no_change"
                    err["type"] = "custom"
        raise InvalidReturn([_problem(e, care_type) for e in errors]) from None
    if model is NilReturn:
        return Submission(NIL)
    if model is NoChange:
        return Submission(NO_CHANGE)
    figures = parsed.model_dump()
    problems = cross_field_problems(care_type, figures)
    if problems:
        raise InvalidReturn(problems)
    return Submission(FIGURES, figures)


def parse_version(raw: Any) -> int | None:
    """The version a save is based on, from If-Match (`"3"`, `W/"3"`, `3`) or a `version` field."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueError("version must be a whole number (the version you are updating)")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str):
        text = raw.strip()
        if text.startswith("W/"):
            text = text[2:]
        text = text.strip('"')
        if not text.isdigit():
            raise ValueError(f"version must be a whole number (the version you are updating), got {raw!r}")
        value = int(text)
    else:
        raise ValueError("version must be a whole number (the version you are updating)")
    if value < 1:
        raise ValueError("version must be 1 or more")
    return value


# --- who may see a location's returns -------------------------------------------------------------

ADMIN, APPROVER = "admin", "approver"


def may_access(roles: frozenset[str] | set[str], caller_org: str | None, caller_locations: tuple[str, ...] | list[str],
               location_id: str, location_org: str | None) -> bool:
    """Users of the location; approvers for every location of their organisation; the support team."""
    if ADMIN in roles or location_id in caller_locations:
        return True
    return APPROVER in roles and caller_org is not None and caller_org == location_org


# --- who owes what -----------------------------------------------------------------------------------

def owes_returns(status: str | None, care_types: list[str] | tuple[str, ...], registered_on: str | None,
                 window: ReportingWindow) -> bool:
    """An active location with at least one care type, registered by the day the window opened."""
    if status != "active" or not any(ct in CARE_TYPES for ct in care_types):
        return False
    if registered_on:
        try:
            if date.fromisoformat(registered_on) > window.first_day:
                return False
        except ValueError:
            pass
    return True


def missing_care_types(care_types: list[str] | tuple[str, ...], done: set[str] | frozenset[str]) -> list[str]:
    return [ct for ct in CARE_TYPES if ct in care_types and ct not in done]


# --- the calendar of the window jobs -------------------------------------------------------------------

def remind_day(window: ReportingWindow) -> date:
    """The last working day before the window's last day."""
    day = window.last_day - timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instant must be timezone-aware")
    return instant.astimezone(timezone.utc)


def window_to_open(at: datetime) -> ReportingWindow | None:
    """The window open at `at` (a late run on the 10th still announces it), else None."""
    window = window_in_force_or_next(at)
    return window if window.contains(at) else None


def window_to_remind(at: datetime) -> ReportingWindow | None:
    """The window whose reminder is due at `at`: from the start of its remind day until it closes."""
    window = window_in_force_or_next(at)
    if not window.contains(at):
        return None
    return window if _utc(at).astimezone(LONDON).date() >= remind_day(window) else None


def window_to_close(at: datetime) -> ReportingWindow:
    """The most recent window that has closed by `at`."""
    return previous_window(at)


def period_of(year: int, month: int) -> str:
    return reporting_window(year, month).period

"""Shifts on the rota (RULES 2.3), as pure functions of plain data.

A shift is a PA, a local date and start/end wall-clock times in Europe/London. An end at or
before the start means the next day (a night shift; equal times mean 24 hours). Durations are
real elapsed time, in whole minutes: a night shift into the last Sunday of October lasts an hour
longer than its clock times say, into the last Sunday of March an hour shorter.

Clock changes, the documented choice:
- A wall-clock time that happens twice (01:00-01:59 on the last Sunday of October) means its
  FIRST occurrence (still British Summer Time), as a person reading the rota would assume.
- A wall-clock time that never happens (01:00-01:59 on the last Sunday of March) is refused
  with a message saying so; no shift can start, end or break at a time the clock skips.

Times are whole minutes. Hours are Decimal, converted from the summed minutes once
(`minutes_to_hours`), never summed from rounded hours.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from functools import lru_cache
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
UTC = timezone.utc
HOURS_PLACES = Decimal("0.0001")


class ShiftError(ValueError):
    """A shift that cannot exist, with a reason in plain words."""


class ShiftType(str, Enum):
    DAY = "day"
    WAKING_NIGHT = "waking_night"
    SLEEP_IN = "sleep_in"


TYPE_WORDS = {ShiftType.DAY: "day shift", ShiftType.WAKING_NIGHT: "waking night", ShiftType.SLEEP_IN: "sleep-in"}


@dataclass(frozen=True)
class LocalInterval:
    """A break or a sleep-in disturbance: wall-clock times inside the shift (end after start,
    read on the shift's own timeline, so 23:30-00:15 inside a night shift is fine)."""

    start: time
    end: time


@dataclass(frozen=True)
class Shift:
    shift_id: str
    pa_id: str
    day: date  # the local date the shift starts on
    start: time
    end: time  # at or before `start`: the next day
    kind: ShiftType = ShiftType.DAY
    breaks: tuple[LocalInterval, ...] = ()
    disturbances: tuple[LocalInterval, ...] = ()  # sleep-in only: the times the PA was woken to work
    series_id: str | None = None
    detached: bool = False  # an occurrence edited on its own: later series edits leave it alone

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", ShiftType(self.kind))
        object.__setattr__(self, "breaks", tuple(self.breaks))
        object.__setattr__(self, "disturbances", tuple(self.disturbances))
        for t in (self.start, self.end, *(x for i in (*self.breaks, *self.disturbances) for x in (i.start, i.end))):
            if t.second or t.microsecond or t.tzinfo is not None:
                raise ShiftError("Shift times are whole minutes of the local (UK) clock.")
        if self.disturbances and self.kind is not ShiftType.SLEEP_IN:
            raise ShiftError("Only a sleep-in records times the PA was woken to work.")
        span = shift_span(self)
        for label, intervals in (("break", self.breaks), ("time woken", self.disturbances)):
            placed = sorted(_place_interval(self, i, label) for i in intervals)
            for a, b in placed:
                if not (span[0] <= a and b <= span[1]):
                    raise ShiftError(f"A {label} must be inside the shift ({describe_shift(self)}).")
            for (_, end_a), (start_b, _) in zip(placed, placed[1:], strict=False):
                if start_b < end_a:
                    raise ShiftError(f"Two {label}s overlap in the shift {describe_shift(self)}.")


@lru_cache(maxsize=8192)
def _steady_offset(day: date) -> timedelta | None:
    """London's UTC offset on a day without a clock change (None on the two days a year with one)."""
    first = datetime.combine(day, time(0), tzinfo=LONDON).utcoffset()
    last = datetime.combine(day, time(23, 59), tzinfo=LONDON).utcoffset()
    return first if first == last else None


def _instant(day: date, t: time) -> datetime:
    """The UTC instant of a London wall-clock time (first occurrence when it happens twice)."""
    steady = _steady_offset(day)
    if steady is not None:  # the fast path, for all but two days a year
        return datetime.combine(day, t, tzinfo=UTC) - steady
    local = datetime.combine(day, t, tzinfo=LONDON)  # fold=0: the first occurrence
    utc = local.astimezone(UTC)
    if utc.astimezone(LONDON).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ShiftError(
            f"{t:%H:%M} does not exist on {long_date(day)}: the clocks go forward an hour at 01:00 "
            "that night. Choose a time before 01:00 or from 02:00.")
    return utc


def shift_span(shift: Shift) -> tuple[datetime, datetime]:
    """The shift's real start and end as UTC instants."""
    start = _instant(shift.day, shift.start)
    end_day = shift.day if shift.end > shift.start else shift.day + timedelta(days=1)
    return start, _instant(end_day, shift.end)


def _place_interval(shift: Shift, interval: LocalInterval, label: str) -> tuple[datetime, datetime]:
    crosses = shift.end <= shift.start

    def place(t: time) -> datetime:
        on_next_day = crosses and t < shift.start
        return _instant(shift.day + timedelta(days=1) if on_next_day else shift.day, t)

    a, b = place(interval.start), place(interval.end)
    if b <= a:
        raise ShiftError(f"A {label} must end after it starts ({interval.start:%H:%M}-{interval.end:%H:%M}).")
    return a, b


def break_spans(shift: Shift) -> list[tuple[datetime, datetime]]:
    return sorted(_place_interval(shift, i, "break") for i in shift.breaks)


def disturbance_spans(shift: Shift) -> list[tuple[datetime, datetime]]:
    return sorted(_place_interval(shift, i, "time woken") for i in shift.disturbances)


def _minutes(spans: Iterable[tuple[datetime, datetime]]) -> int:
    return sum(int((b - a).total_seconds()) // 60 for a, b in spans)


def duration_minutes(shift: Shift) -> int:
    """Real elapsed minutes from start to end (clock changes included)."""
    return _minutes([shift_span(shift)])


def break_minutes(shift: Shift) -> int:
    return _minutes(break_spans(shift))


def working_time_minutes(shift: Shift) -> int:
    """Working time for the Working Time Regulations: the shift less its breaks. A sleep-in counts
    whole (the PA must be there), as RULES 2.3 says."""
    return duration_minutes(shift) - break_minutes(shift)


def paid_minutes(shift: Shift) -> int:
    """Hours to pay: a sleep-in is paid only for the times the PA was woken to work; other shifts
    for their working time."""
    if shift.kind is ShiftType.SLEEP_IN:
        return _minutes(disturbance_spans(shift))
    return working_time_minutes(shift)


def minutes_to_hours(minutes: int) -> Decimal:
    """Minutes as Decimal hours, ROUND_HALF_UP at 4 places (exact for multiples of 3 minutes)."""
    return (Decimal(minutes) / 60).quantize(HOURS_PLACES, rounding=ROUND_HALF_UP)


# --- words ---------------------------------------------------------------------------------------

def long_date(d: date) -> str:
    return f"{d:%A} {d.day} {d:%B %Y}"


def describe_shift(shift: Shift) -> str:
    """e.g. "the waking night on Saturday 25 October 2025, 22:00 to 07:00 the next day"."""
    next_day = " the next day" if shift.end <= shift.start else ""
    return f"the {TYPE_WORDS[shift.kind]} on {long_date(shift.day)}, {shift.start:%H:%M} to {shift.end:%H:%M}{next_day}"


# --- a weekly repeating pattern ------------------------------------------------------------------

def repeat_weekly(first: Shift, until: date, series_id: str) -> list[Shift]:
    """The occurrences of `first` every 7 days up to and including `until`. Each occurrence's id is
    "<series_id>:<YYYY-MM-DD>", so the same pattern always gives the same ids (saving it twice
    creates nothing twice)."""
    if until < first.day:
        raise ShiftError(f"The repeat must end on or after the first shift ({long_date(first.day)}).")
    out = []
    day = first.day
    while day <= until:
        out.append(dataclasses.replace(first, shift_id=occurrence_id(series_id, day), day=day,
                                       series_id=series_id, detached=False))
        day += timedelta(days=7)
    return out


def occurrence_id(series_id: str, day: date) -> str:
    return f"{series_id}:{day.isoformat()}"


_EDITABLE = {"start", "end", "kind", "breaks", "disturbances", "pa_id"}


def _check_changes(changes: dict, allowed: set[str]) -> None:
    unknown = set(changes) - allowed
    if unknown:
        raise ShiftError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")


def edit_occurrence(shifts: Sequence[Shift], shift_id: str, **changes) -> list[Shift]:
    """Change one occurrence only (it may also move to another day); it leaves the series' later
    edits alone from now on. Any other shift passes through unchanged."""
    _check_changes(changes, _EDITABLE | {"day"})
    if not any(s.shift_id == shift_id for s in shifts):
        raise ShiftError("That shift is not on the rota.")
    return [dataclasses.replace(s, **changes, detached=s.series_id is not None) if s.shift_id == shift_id else s
            for s in shifts]


def edit_rest_of_series(shifts: Sequence[Shift], shift_id: str, **changes) -> list[Shift]:
    """Change this occurrence and every later one of its series, except occurrences already edited
    on their own. The day cannot change here (end the series and start a new one instead)."""
    _check_changes(changes, _EDITABLE)
    chosen = next((s for s in shifts if s.shift_id == shift_id), None)
    if chosen is None:
        raise ShiftError("That shift is not on the rota.")
    if chosen.series_id is None:
        return edit_occurrence(shifts, shift_id, **changes)
    return [dataclasses.replace(s, **changes)
            if s.series_id == chosen.series_id and s.day >= chosen.day and (not s.detached or s is chosen) else s
            for s in shifts]


def end_series(shifts: Sequence[Shift], series_id: str, last_day: date) -> list[Shift]:
    """Stop a series after `last_day`: its later occurrences (edited ones too) are removed."""
    return [s for s in shifts if not (s.series_id == series_id and s.day > last_day)]


# --- overlaps ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Overlap:
    first: Shift
    second: Shift
    message: str


def find_overlaps(shifts: Iterable[Shift]) -> list[Overlap]:
    """Pairs of one PA's shifts that overlap in real time (touching end to start is fine).

    A sorted sweep, O(n log n): each shift that overlaps an earlier one is paired with the earlier
    shift that reaches furthest, so every shift involved in any overlap appears in some pair."""
    by_pa: dict[str, list[tuple[datetime, datetime, Shift]]] = {}
    for s in shifts:
        a, b = shift_span(s)
        by_pa.setdefault(s.pa_id, []).append((a, b, s))
    found = []
    for items in by_pa.values():
        items.sort(key=lambda x: (x[0], x[1], x[2].shift_id))
        reach: tuple[datetime, datetime, Shift] | None = None
        for item in items:
            if reach is not None and item[0] < reach[1]:
                found.append(_overlap(reach[2], item[2]))
            if reach is None or item[1] > reach[1]:
                reach = item
    return found


def overlaps_with(existing: Iterable[Shift], candidates: Iterable[Shift]) -> list[Overlap]:
    """Overlaps that involve a new or changed shift (the save is refused on any). Shifts in
    `existing` with a candidate's id are the versions being replaced and are ignored."""
    candidates = list(candidates)
    replaced = {c.shift_id for c in candidates}
    pool = [s for s in existing if s.shift_id not in replaced] + candidates
    return [o for o in find_overlaps(pool) if o.first.shift_id in replaced or o.second.shift_id in replaced]


def _overlap(first: Shift, second: Shift) -> Overlap:
    words = describe_shift(second)
    return Overlap(first, second, f"{words[0].upper()}{words[1:]} overlaps {describe_shift(first)}: "
                                  "a PA cannot work two shifts at the same time.")

"""The rota (RULES 2.3; issue 12): shifts an employer plans for their PAs, one at a time or as a
weekly series until a date, edited one occurrence at a time or for the rest of the series; and the
rota of a week or month for the employer (every PA, days with no one on shift listed empty) and
for a PA (only theirs, across their employments). Working-time warnings (rules.working_time) come
with every view and never refuse a save; overlapping shifts of one PA with this employer are refused.

What the working-time checks see: the employer's views check each PA's shifts with that employer
only (another employer's rota is not theirs to see), over the range shown and the 4 weeks before it,
with the PA's date of birth (the young-worker limits, RULES 2.4), start date and 48-hour opt-out;
the PA's view checks the PA's shifts for every employment together, as domestic service is not known
across employers there (the 48-hour and night checks are warnings in the PA's view).
"""
from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, time, timedelta
from typing import Any, Protocol

from care_tracker.errors import BadRequest, Conflict, NotFound
from care_tracker.ports import Clock, EmploymentDirectory
from care_tracker.rules import shifts as rules
from care_tracker.rules.employment import DETAILS_MISSING
from care_tracker.rules.pay_periods import periods_overlapping
from care_tracker.rules.shifts import LocalInterval, Shift, ShiftError, ShiftType
from care_tracker.rules.timesheets import Actor
from care_tracker.rules.working_time import WorkerProfile, working_time_warnings
from care_tracker.services.work_access import (
    access,
    check_range,
    cycle_of,
    details_missing,
    purge_mark,
    require_employer,
    require_pa,
    worker_profile,
)

MAX_OCCURRENCES = 53  # a year of weekly shifts: one transaction (at most 100 items)
WARNING_LOOKBACK = timedelta(days=28)
_ONE = frozenset({Actor.EMPLOYER})


class WorkStore(Protocol):
    def shifts_between(self, employer_id: str, pa_id: str, first: date, last: date) -> list: ...
    def series_from(self, employer_id: str, pa_id: str, series_id: str, first: date) -> list: ...
    def shift(self, employer_id: str, pa_id: str, shift_id: str, day: date) -> Any: ...
    def save_shifts(self, employer_id: str, writes: Sequence, heads: Sequence, domestic: bool = False,
                    purge_at: int | None = None) -> None: ...
    def employer_range(self, employer_id: str, first: date, last: date) -> tuple[list, list]: ...
    def pa_range(self, pa_id: str, first: date, last: date) -> list: ...


def _interval(pair: Sequence | dict) -> LocalInterval:
    a, b = (pair["start"], pair["end"]) if isinstance(pair, dict) else pair
    return LocalInterval(*(x if isinstance(x, time) else time.fromisoformat(x) for x in (a, b)))


def shift_view(s: Shift, version: int | None = None, pa_name: str | None = None, employer_id: str | None = None) -> dict:
    out = {"shift_id": s.shift_id, "pa_id": s.pa_id, "day": s.day.isoformat(), "start": f"{s.start:%H:%M}",
           "end": f"{s.end:%H:%M}", "kind": s.kind.value,
           "breaks": [{"start": f"{i.start:%H:%M}", "end": f"{i.end:%H:%M}"} for i in s.breaks],
           "disturbances": [{"start": f"{i.start:%H:%M}", "end": f"{i.end:%H:%M}"} for i in s.disturbances],
           "series_id": s.series_id, "detached": s.detached, "description": rules.describe_shift(s),
           "hours": str(rules.minutes_to_hours(rules.working_time_minutes(s))),
           "paid_hours": str(rules.minutes_to_hours(rules.paid_minutes(s)))}
    if version is not None:
        out["version"] = version
    if pa_name is not None:
        out["pa_name"] = pa_name
    if employer_id is not None:
        out["employer_id"] = employer_id
    return out


def warning_view(w) -> dict:
    return {"rule": w.rule.value, "regulation": w.regulation, "severity": w.severity.value, "message": w.message,
            "first_day": w.first_day.isoformat(), "last_day": w.last_day.isoformat(), "shift_ids": list(w.shift_ids)}


def build_shift(shift_id: str, pa_id: str, fields: dict, series_id: str | None = None) -> Shift:
    try:
        return Shift(shift_id, pa_id, fields["day"], fields["start"], fields["end"], ShiftType(fields.get("kind", "day")),
                     tuple(_interval(b) for b in fields.get("breaks") or ()),
                     tuple(_interval(d) for d in fields.get("disturbances") or ()), series_id)
    except ShiftError as exc:
        raise BadRequest(str(exc), code="invalid_shift") from exc


def warnings_for(shifts: Sequence[Shift], profile: WorkerProfile | Mapping[str, WorkerProfile], first: date,
                 last: date) -> list[dict]:
    """Each PA's warnings over their shifts, with one profile for all or each PA's own (a PA missing
    from the mapping is checked with the adult limits)."""
    by_pa: dict[str, list[Shift]] = {}
    for s in shifts:
        by_pa.setdefault(s.pa_id, []).append(s)
    out = []
    for pa_id, items in by_pa.items():
        mine = profile if isinstance(profile, WorkerProfile) else profile.get(pa_id, WorkerProfile())
        out += [warning_view(w) for w in working_time_warnings(items, mine) if w.last_day >= first and w.first_day <= last]
    return out


class RotaService:
    def __init__(self, store: WorkStore, directory: EmploymentDirectory, clock: Clock) -> None:
        self._store = store
        self._directory = directory
        self._clock = clock

    # ---------- planning ----------

    def plan(self, caller, employer_id: str, pa_id: str, fields: dict, repeat_until: date | None = None) -> dict:
        """A shift, or a weekly series of it until `repeat_until` (at most a year)."""
        employment, _ = access(self._directory, caller, employer_id, pa_id, allow=_ONE)
        if employment.status == "archived":
            raise Conflict("This PA is archived: their rota cannot take new shifts.", code="pa_archived")
        if repeat_until is None:
            planned = [build_shift(uuid.uuid4().hex, pa_id, fields)]
        else:
            first = build_shift("first", pa_id, fields)
            try:
                planned = rules.repeat_weekly(first, repeat_until, uuid.uuid4().hex)
            except ShiftError as exc:
                raise BadRequest(str(exc), code="invalid_shift") from exc
            if len(planned) > MAX_OCCURRENCES:
                raise BadRequest(f"A weekly series can run for at most a year ({MAX_OCCURRENCES} shifts): end it by "
                                 f"{(first.day + timedelta(weeks=MAX_OCCURRENCES - 1)).isoformat()} and plan another.",
                                 code="series_too_long")
        if employment.leaving_date and planned[-1].day > employment.leaving_date:
            raise BadRequest(f"The PA leaves on {employment.leaving_date.isoformat()}: plan shifts up to then.",
                             code="after_leaving_date")
        self._refuse_overlaps(employer_id, pa_id, planned)
        from care_tracker.adapters.work_store import ShiftWrite

        self._save(employer_id, pa_id, [ShiftWrite("put", s, employment.pa_name) for s in planned], planned)
        return {"shifts": [shift_view(s, 1, employment.pa_name) for s in planned],
                "warnings": self._warnings(employer_id, pa_id, employment, planned)}

    def edit(self, caller, employer_id: str, pa_id: str, day: date, shift_id: str, expected_version: int,
             changes: dict, scope: str = "one") -> dict:
        """Changes one occurrence (it may move to another day), or this and the later occurrences of its
        series that were not edited on their own ("rest"). 409 when the shift changed since it was read."""
        employment, _ = access(self._directory, caller, employer_id, pa_id, allow=_ONE)
        stored = self._store.shift(employer_id, pa_id, shift_id, day)
        if stored is None:
            raise NotFound("That shift is not on the rota (it may have been removed).", code="unknown_shift")
        if stored.version != expected_version:
            raise Conflict("This shift changed since you opened it: reload the rota and try again.", code="stale")
        if "breaks" in changes:
            changes["breaks"] = tuple(_interval(b) for b in changes["breaks"] or ())
        if "disturbances" in changes:
            changes["disturbances"] = tuple(_interval(b) for b in changes["disturbances"] or ())
        if "kind" in changes:
            changes["kind"] = ShiftType(changes["kind"])
        from care_tracker.adapters.work_store import ShiftWrite

        if scope == "rest" and stored.shift.series_id:
            if "day" in changes:
                raise BadRequest("The rest of a series keeps its days: end the series and plan a new one to move it.",
                                 code="invalid_shift")
            series = self._store.series_from(employer_id, pa_id, stored.shift.series_id, day)
            current = {s.shift.shift_id: s for s in series}
            try:
                changed = rules.edit_rest_of_series([s.shift for s in series], shift_id, **changes)
            except ShiftError as exc:
                raise BadRequest(str(exc), code="invalid_shift") from exc
            new = [s for s in changed if s != current[s.shift_id].shift]
            if not new:  # nothing differs: nothing to write
                return {"shifts": [], "warnings": []}
            writes = [ShiftWrite("update", s, employment.pa_name, current[s.shift_id].version, s.day) for s in new]
        else:
            try:
                new = rules.edit_occurrence([stored.shift], shift_id, **changes)
            except ShiftError as exc:
                raise BadRequest(str(exc), code="invalid_shift") from exc
            writes = [ShiftWrite("update", new[0], employment.pa_name, stored.version, day)]
        self._refuse_overlaps(employer_id, pa_id, new)
        self._save(employer_id, pa_id, writes, new, purge_mark(employment))
        return {"shifts": [shift_view(w.shift, w.expected + 1, employment.pa_name) for w in writes],
                "warnings": self._warnings(employer_id, pa_id, employment, new)}

    def remove(self, caller, employer_id: str, pa_id: str, day: date, shift_id: str, expected_version: int,
               scope: str = "one") -> dict:
        """Removes one occurrence, or this and every later one of its series ("rest")."""
        access(self._directory, caller, employer_id, pa_id, allow=_ONE)
        stored = self._store.shift(employer_id, pa_id, shift_id, day)
        if stored is None:
            raise NotFound("That shift is not on the rota (it may have been removed).", code="unknown_shift")
        if stored.version != expected_version:
            raise Conflict("This shift changed since you opened it: reload the rota and try again.", code="stale")
        from care_tracker.adapters.work_store import ShiftWrite

        gone = [stored]
        if scope == "rest" and stored.shift.series_id:
            gone = self._store.series_from(employer_id, pa_id, stored.shift.series_id, day)
        self._store.save_shifts(employer_id, [ShiftWrite("delete", s.shift, expected=s.version) for s in gone], ())
        return {"removed": [s.shift.shift_id for s in gone]}

    def _refuse_overlaps(self, employer_id: str, pa_id: str, candidates: Sequence[Shift]) -> None:
        first = min(s.day for s in candidates) - timedelta(days=1)
        last = max(s.day for s in candidates) + timedelta(days=1)
        existing = [s.shift for s in self._store.shifts_between(employer_id, pa_id, first, last)]
        found = rules.overlaps_with(existing, candidates)
        if found:
            raise Conflict(found[0].message, code="overlapping_shifts",
                           details={"shift_ids": sorted({found[0].first.shift_id, found[0].second.shift_id})})

    def _save(self, employer_id: str, pa_id: str, writes: Sequence, planned: Sequence[Shift],
              purge_at: int | None = None) -> None:
        """The change, then a timesheet (as planned) for each pay period the shifts fall in that has none."""
        found = self._directory.employer_settings(employer_id)
        heads = []
        if found is not None and found.pay_cycle and found.first_period_start and planned:
            days = sorted({s.day for s in planned})
            periods = periods_overlapping(cycle_of(found), None, days[0], days[-1])
            heads = [(pa_id, p.start, p.end) for p in periods if any(p.contains(d) for d in days)]
        self._store.save_shifts(employer_id, writes, heads, bool(found and found.domestic_service), purge_at=purge_at)

    def _warnings(self, employer_id: str, pa_id: str, employment, changed: Sequence[Shift]) -> list[dict]:
        first, last = min(s.day for s in changed), max(s.day for s in changed)
        around = [s.shift for s in self._store.shifts_between(employer_id, pa_id, first - WARNING_LOOKBACK,
                                                              last + timedelta(days=7))]
        ids = {s.shift_id for s in changed}
        settings = self._directory.employer_settings(employer_id)
        profile = worker_profile(employment, bool(settings and settings.domestic_service))
        return [w for w in warnings_for(around, profile, first, last) if ids & set(w["shift_ids"]) or not w["shift_ids"]]

    # ---------- views ----------

    def employer_rota(self, caller, first: date, last: date) -> dict:
        """Every PA's shifts day by day (empty days listed), with working-time warnings, each PA's
        checked with their date of birth (the young-worker limits) and start: 2 requests (the rota;
        the settings with every employment, one Query of the employer's partition)."""
        employer_id = require_employer(caller)
        check_range(first, last)
        shifts, _heads = self._store.employer_range(employer_id, first - WARNING_LOOKBACK, last)
        settings, employments = self._directory.employer_and_employments(employer_id)
        domestic = bool(settings and settings.domestic_service)
        profile = {e.pa_id: worker_profile(e, domestic) for e in employments}
        shown = [s for s in shifts if first <= s.shift.day <= last]
        days = []
        d = first
        while d <= last:
            on = [shift_view(s.shift, s.version, s.pa_name) for s in shown if s.shift.day == d]
            days.append({"day": d.isoformat(), "shifts": on, "nobody_on_shift": not on})
            d += timedelta(days=1)
        return {"employer_id": employer_id, "from": first.isoformat(), "to": last.isoformat(), "days": days,
                "warnings": warnings_for([s.shift for s in shifts], profile, first, last)}

    def pa_rota(self, caller, first: date, last: date) -> dict:
        """The PA's own shifts for every employment that is not archived: 2 requests."""
        pa_id = require_pa(caller)
        check_range(first, last)
        employments = {e.employer_id: e for e in self._directory.employments_of_pa(pa_id) if e.status != "archived"}
        waiting = sorted(e.employer_id for e in employments.values() if e.status == DETAILS_MISSING)
        if waiting:  # their sign-in leads only to the details form until it is filled in (RULES 2.5)
            raise details_missing(waiting[0])
        shifts = [s for s in self._store.pa_range(pa_id, first - WARNING_LOOKBACK, last) if s.employer_id in employments]
        births = [e.date_of_birth for e in employments.values() if e.date_of_birth]
        profile = WorkerProfile(date_of_birth=births[0] if births else None)
        days = []
        d = first
        while d <= last:
            days.append({"day": d.isoformat(), "shifts": [shift_view(s.shift, s.version, employer_id=s.employer_id)
                                                           for s in shifts if s.shift.day == d]})
            d += timedelta(days=1)
        return {"pa_id": pa_id, "from": first.isoformat(), "to": last.isoformat(), "days": days,
                "warnings": warnings_for([s.shift for s in shifts], profile, first, last)}


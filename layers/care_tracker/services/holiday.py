"""Holiday (RULES 2.4; issue 12): the ledger per PA and leave year, itemised per pay period, and
holiday bookings (the PA books and the employer approves, or the employer records it).

- The ledger is one request: the employment (the tenant check), the employer's settings and the
  leave year's stored entries and bookings (one item) in one TransactGetItems. Without a leave year
  asked for, the year is guessed from the default start (1 April); an employer whose leave year
  starts on another day costs one GetItem more. Irregular-hours accruals are stored when timesheets are approved
  (services/timesheets.py); a regular-hours PA's accruals follow from the contract
  (rules.holiday.regular_accrual_entries) and are worked out, never stored, so a change of contracted
  hours shows at once. Nothing is recomputed from earlier years: the balance brought forward is an
  entry the employer records (what may be carried is their contract's to say).
- Booking more than the balance is allowed, with a warning saying by how much; never a silent
  negative. Approving or recording writes the booking and its ledger entry in one transaction.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from care_tracker.errors import BadRequest, Conflict, Forbidden, NotFound
from care_tracker.ports import Clock, EmploymentDirectory
from care_tracker.rules import holiday as rules
from care_tracker.rules.hours import display_hours
from care_tracker.rules.pay_periods import LeaveYear, leave_year_containing, period_containing
from care_tracker.rules.timesheets import Actor
from care_tracker.services.work_access import access, checked, cycle_of, party, purge_mark, require_cycle, settings_of

LONDON = ZoneInfo("Europe/London")
_EMPLOYER = frozenset({Actor.EMPLOYER})


class HolidayStore(Protocol):
    def ledger(self, employer_id: str, pa_id: str, year_start: date) -> Any: ...
    def ledger_with_employment(self, employer_id: str, pa_id: str, year_start: date) -> tuple: ...
    def save_booking(self, employer_id: str, pa_id: str, year_start: date, booking: dict, expected: int | None,
                     entries=(), purge_at: int | None = None) -> None: ...
    def add_entries(self, employer_id: str, pa_id: str, year_start: date, entries, purge_at: int | None = None) -> None: ...


def _entry_view(e: rules.LedgerEntry) -> dict:
    return {"entry_id": e.entry_id, "kind": e.kind.value, "on": e.on.isoformat(), "hours": _exact(e.hours),
            "shown": display_hours(e.hours), "note": e.note}


def _exact(x: Decimal) -> str:
    """A stored figure as its exact 4 places ("50.0000"): sums of stored figures need no rounding."""
    return str(Decimal(x).quantize(Decimal("0.0001")))


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value))
    except InvalidOperation as exc:
        raise BadRequest("Hours must be a number, e.g. 7.5.", code="invalid_hours") from exc
    if not hours.is_finite() or hours <= 0 or hours > 24 * 366 or hours != hours.quantize(Decimal("0.0001")):
        raise BadRequest("Hours must be more than 0, with at most 4 decimal places.", code="invalid_hours")
    return hours


class HolidayService:
    def __init__(self, store: HolidayStore, directory: EmploymentDirectory, clock: Clock) -> None:
        self._store = store
        self._directory = directory
        self._clock = clock

    def _today(self) -> date:
        return self._clock.now().astimezone(LONDON).date()

    def _year(self, settings, start: date | None) -> LeaveYear:
        year = leave_year_containing(start or self._today(), settings.leave_year_start)
        if start is not None and year.start != start:
            raise BadRequest(f"No leave year starts on {start.isoformat()}: the one containing it starts on "
                             f"{year.start.isoformat()}.", code="not_a_leave_year_start")
        return year

    def _entries(self, employment, settings, year: LeaveYear, records) -> list[rules.LedgerEntry]:
        entries = list(records.entries)
        if employment.contracted_hours is not None:
            terms = rules.HolidayTerms(employment.start_date, employment.contracted_hours)
            entries += rules.regular_accrual_entries(terms, year, cycle_of(settings), None)
        return entries

    def ledger(self, caller, employer_id: str, pa_id: str, year_start: date | None = None) -> dict:
        actor = party(caller, employer_id, pa_id)
        guess = year_start or leave_year_containing(self._today()).start
        employment, settings, records = self._store.ledger_with_employment(employer_id, pa_id, guess)
        employment = checked(employment, actor)
        if settings is None:
            raise NotFound("The employer's settings are not set up yet.", code="no_employer_settings")
        require_cycle(settings)
        year = self._year(settings, year_start)
        if year.start != guess:
            records = self._store.ledger(employer_id, pa_id, year.start)
        entries = self._entries(employment, settings, year, records)
        try:
            statement = rules.ledger_statement(entries, year, cycle_of(settings), None,
                                               as_of=max(self._today(), year.start) if self._today() <= year.end else None)
        except rules.HolidayError as exc:
            raise BadRequest(str(exc), code="holiday_not_worked_out") from exc

        def money(x: Decimal) -> dict:
            return {"hours": _exact(x), "shown": display_hours(x)}

        return {
            "employer_id": employer_id, "pa_id": pa_id, "pa_name": employment.pa_name,
            "regime": "regular" if employment.contracted_hours is not None else "irregular",
            "leave_year_start": year.start.isoformat(), "leave_year_end": year.end.isoformat(),
            "brought_forward": money(statement.brought_forward), "accrued": money(statement.accrued),
            "taken": money(statement.taken), "carried_forward": money(statement.carried_forward),
            "periods": [{"period_start": r.period.start.isoformat(), "period_end": r.period.end.isoformat(),
                         "brought_forward": _exact(r.brought_forward), "accrued": _exact(r.accrued),
                         "taken": _exact(r.taken), "carried_forward": _exact(r.carried_forward), "entries": [_entry_view(e) for e in r.entries]}
                        for r in statement.rows],
            "bookings": sorted(records.bookings, key=lambda b: b["first_day"]),
        }

    def book(self, caller, employer_id: str, pa_id: str, first_day: date, last_day: date, hours, note: str | None) -> dict:
        """The PA asks (requested), or the employer records it (approved at once)."""
        employment, actor = access(self._directory, caller, employer_id, pa_id)
        if last_day < first_day:
            raise BadRequest("The holiday ends before it starts.", code="bad_range")
        hours = _hours(hours)
        settings = settings_of(self._directory, employer_id)
        require_cycle(settings)
        year = leave_year_containing(first_day, settings.leave_year_start)
        if not year.contains(last_day):
            raise BadRequest(f"Book holiday within one leave year (this one ends on {year.end.isoformat()}): split it "
                             "into two bookings.", code="crosses_leave_year")
        records = self._store.ledger(employer_id, pa_id, year.start)
        entries = self._entries(employment, settings, year, records)
        period = period_containing(cycle_of(settings), None, first_day)
        booking_id = uuid.uuid4().hex
        planned = rules.book_holiday(entries, booking_id, first_day, hours, period)
        now = self._clock.now()
        booking = {"booking_id": booking_id, "first_day": first_day.isoformat(), "last_day": last_day.isoformat(),
                   "hours": str(hours), "note": note, "by": caller.user_id, "at": now.isoformat(),
                   "status": "approved" if actor is Actor.EMPLOYER else "requested",
                   "decided_by": caller.user_id if actor is Actor.EMPLOYER else None,
                   "leave_year_start": year.start.isoformat()}
        self._store.save_booking(employer_id, pa_id, year.start, booking, None,
                                 [planned.entry] if actor is Actor.EMPLOYER else [], purge_at=purge_mark(employment))
        return {"booking": {**booking, "version": 1}, "warning": planned.warning,
                "balance_after": _exact(planned.balance_after), "balance_after_shown": display_hours(planned.balance_after)}

    def decide(self, caller, employer_id: str, pa_id: str, year_start: date, booking_id: str, decision: str,
               expected_version: int) -> dict:
        """approve | decline (the employer, a requested booking) or cancel (the PA their request; the
        employer any booking, an approved one giving its hours back)."""
        employment, actor = access(self._directory, caller, employer_id, pa_id)
        settings = settings_of(self._directory, employer_id)
        require_cycle(settings)
        year = self._year(settings, year_start)
        records = self._store.ledger(employer_id, pa_id, year.start)
        booking = next((b for b in records.bookings if b["booking_id"] == booking_id), None)
        if booking is None:
            raise NotFound("There is no such holiday booking in this leave year.", code="unknown_booking")
        if booking["version"] != expected_version:
            raise Conflict("This holiday booking changed since you opened it: reload it and try again.", code="stale")
        status = booking["status"]
        entries = self._entries(employment, settings, year, records)
        warning = None
        new_entries: list[rules.LedgerEntry] = []
        if decision in ("approve", "decline"):
            if actor is not Actor.EMPLOYER:
                raise Forbidden("Only the employer approves or declines holiday.", code="wrong_party")
            if status != "requested":
                raise Conflict(f"This booking is {status}: only a requested one can be {decision}d.", code="booking_decided")
            if decision == "approve":
                period = period_containing(cycle_of(settings), None,
                                           date.fromisoformat(booking["first_day"]))
                planned = rules.book_holiday(entries, booking_id, date.fromisoformat(booking["first_day"]),
                                             Decimal(booking["hours"]), period)
                new_entries, warning = [planned.entry], planned.warning
            new_status = "approved" if decision == "approve" else "declined"
        elif decision == "cancel":
            if status not in ("requested", "approved"):
                raise Conflict(f"This booking is {status} already.", code="booking_decided")
            if actor is Actor.PA and status != "requested":
                raise Forbidden("Approved holiday is cancelled by the employer: ask them.", code="wrong_party")
            if status == "approved":
                new_entries = rules.cancel_holiday(entries, booking_id, self._today())
            new_status = "cancelled"
        else:
            raise BadRequest(f"Unknown decision {decision!r}.", code="bad_request")
        updated = {**{k: v for k, v in booking.items() if k != "version"}, "status": new_status,
                   "decided_by": caller.user_id, "decided_at": self._clock.now().isoformat()}
        self._store.save_booking(employer_id, pa_id, year.start, updated, expected_version, new_entries,
                                 purge_at=purge_mark(employment))
        return {"booking": {**updated, "version": expected_version + 1}, "warning": warning}

    def bring_forward(self, caller, employer_id: str, pa_id: str, year_start: date, hours) -> dict:
        """The employer records the balance brought into a leave year (once)."""
        employment, _ = access(self._directory, caller, employer_id, pa_id, allow=_EMPLOYER)
        settings = settings_of(self._directory, employer_id)
        year = self._year(settings, year_start)
        hours = _hours(hours)
        require_cycle(settings)
        first = period_containing(cycle_of(settings), None, year.start)
        records = self._store.ledger(employer_id, pa_id, year.start)
        entry = rules.brought_forward_entry(year, hours, first)
        if any(e.entry_id == entry.entry_id for e in records.entries):
            raise Conflict("The balance brought forward into this leave year is recorded already.", code="already_recorded")
        self._store.add_entries(employer_id, pa_id, year.start, [entry], purge_at=purge_mark(employment))
        return {"entry": _entry_view(entry)}


class WorkExportRows:
    """Shifts, timesheets with every version, and holiday, as rows of "export my data": for an
    employer every PA of theirs, for a PA every employment of theirs (services/exports.py)."""

    columns = ["employer_id", "pa_id", "work_item_id", "day", "start", "end", "shift_kind", "breaks", "disturbances",
               "series_id", "period_start", "timesheet_version", "action", "work_status", "by", "at", "reason",
               "hours", "shifts", "entry_kind", "note"]

    def __init__(self, store, directory: EmploymentDirectory) -> None:
        self._store = store
        self._directory = directory

    def rows_of(self, user_id: str) -> Iterator[Mapping[str, Any]]:
        for pa_id in self._store.pas_of_employer(user_id):
            yield from self._store.export_rows(user_id, pa_id)
        for employment in self._directory.employments_of_pa(user_id):
            yield from self._store.export_rows(employment.employer_id, user_id)

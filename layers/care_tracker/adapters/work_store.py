"""A PA's work history in DynamoDB (RULES 2.3-2.5; issue 12): shifts, timesheets with every version,
holiday ledger entries and bookings, in one table (infra/resources.yaml `WorkTable`).

Everything one employer keeps about one PA shares the partition `pk = <employer_id>#<pa_id>`:

    sk D#<day>#S#<shift_id>            a shift on the rota (version-checked on every change)
    sk D#<period start>#T              a timesheet's head: status, version, current shifts, reminders
    sk D#<period start>#T#V<0001>      each version of it (who, when, what, why), written once
    sk L#<leave year start>            the leave year's holiday ledger, one item: an attribute
                                       E#<entry id> per ledger entry (JSON, ids from rules.holiday,
                                       each written once), B#<booking id> per booking (JSON) with
                                       its version in V#<booking id>

so a timesheet with its planned shifts and every version is one Query (sk between D#<start> and
D#<end>#~), a ledger with its bookings is one GetItem, and with the employment and the employer's
settings (the tenant check and the pay cycle, in the employers table) one TransactGetItems: each
write to a ledger is one UpdateItem of that item (SET of the new attributes, each entry's absence
and the booking's version checked), inside the timesheet's or booking's transaction, so two
writers of different entries never conflict and nothing is read back first. An overlap check is one
consistent Query of the days around the change, and the purge of a PA is one paged Query plus
batched deletes. Two sparse indexes carry shifts and timesheet heads only:

- by_employer (employer_id, emp_sk = <day>#<pa_id>#<shift_id> or <period start>#T#<pa_id>): the rota
  of a week or month for the employer, every PA, is one Query; so are hours against funded hours.
- by_pa (pa_id, pa_sk = <day>#<employer_id>#<shift_id>): a PA's rota across employments, one Query.

and by_due (due = "pa" | "employer" | "done", due_on) on heads, for the daily reminder job: the
timesheets whose period ended unsubmitted, and those submitted waiting for approval.

by_purge (purge_shard = "purging", purge_at; keys only) holds every item of an archived employment:
marked after the PA is archived (mark_for_purge, from the follow_up_archives job), written with the mark while
the employment stays archived (the employer may still approve or correct), unmarked when the PA is
reactivated. The purge job reads what is due from it a page at a time and deletes it in batches of
25, instead of one Query per expired employment.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError
from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, TransactWriteError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.transactions import TransactWrite

from care_tracker.adapters.tables import Model, table_meta
from care_tracker.errors import Conflict
from care_tracker.ports import EmployerSettings, Employment
from care_tracker.rules.holiday import EntryKind, LedgerEntry
from care_tracker.rules.shifts import LocalInterval, Shift, ShiftType
from care_tracker.rules.timesheets import Action, Status, Version

TRANSACTION_LIMIT = 100


class ByEmployer(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_employer"
        projection = AllProjection()

    employer_id = UnicodeAttribute(hash_key=True)
    emp_sk = UnicodeAttribute(range_key=True)


class ByPa(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_pa"
        projection = AllProjection()

    pa_id = UnicodeAttribute(hash_key=True)
    pa_sk = UnicodeAttribute(range_key=True)


class ByDue(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_due"
        projection = AllProjection()

    due = UnicodeAttribute(hash_key=True)
    due_on = UnicodeAttribute(range_key=True)


class ByPurge(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_purge"
        projection = KeysOnlyProjection()

    purge_shard = UnicodeAttribute(hash_key=True)
    purge_at = NumberAttribute(range_key=True)


PURGING = "purging"


class WorkItem(Model):
    Meta = table_meta("work_table")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute()  # shift | timesheet | version | ledger
    # index keys (only shifts carry pa_sk; shifts and heads emp_sk; heads due)
    employer_id = UnicodeAttribute(null=True)
    emp_sk = UnicodeAttribute(null=True)
    pa_id = UnicodeAttribute(null=True)
    pa_sk = UnicodeAttribute(null=True)
    due = UnicodeAttribute(null=True)
    due_on = UnicodeAttribute(null=True)
    version = NumberAttribute(null=True)
    # shift
    pa_name = UnicodeAttribute(null=True)
    shift = UnicodeAttribute(null=True)  # JSON of the shift (see shift_to_json)
    # timesheet head / version
    period_start = UnicodeAttribute(null=True)
    period_end = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    shifts = UnicodeAttribute(null=True)  # JSON list
    action = UnicodeAttribute(null=True)
    by = UnicodeAttribute(null=True)
    at = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    reminded = UnicodeAttribute(null=True)  # the due it was reminded of (cleared when due changes)
    domestic = BooleanAttribute(null=True)  # heads: the employer's domestic-service setting when last written
    # an archived employment's items: when the purge job deletes them (epoch seconds, as the employment's)
    purge_shard = UnicodeAttribute(null=True)
    purge_at = NumberAttribute(null=True)
    by_employer = ByEmployer()
    by_pa = ByPa()
    by_due = ByDue()
    by_purge = ByPurge()


def _marked(item: WorkItem, purge_at: int | None) -> WorkItem:
    """An archived employment's item carries its purge date (by_purge); others carry none."""
    if purge_at is not None:
        item.purge_shard, item.purge_at = PURGING, purge_at
    return item


def partition(employer_id: str, pa_id: str) -> str:
    return f"{employer_id}#{pa_id}"


def shift_sk(day: date, shift_id: str) -> str:
    return f"D#{day.isoformat()}#S#{shift_id}"


def head_sk(period_start: date) -> str:
    return f"D#{period_start.isoformat()}#T"


def version_sk(period_start: date, number: int) -> str:
    return f"D#{period_start.isoformat()}#T#V{number:04d}"


# ---------- (de)serialising ----------

def _hm(t: time) -> str:
    return f"{t:%H:%M}"


def _intervals(items: Iterable[LocalInterval]) -> list[list[str]]:
    return [[_hm(i.start), _hm(i.end)] for i in items]


def shift_to_dict(s: Shift) -> dict[str, Any]:
    return {"id": s.shift_id, "pa_id": s.pa_id, "day": s.day.isoformat(), "start": _hm(s.start), "end": _hm(s.end),
            "kind": s.kind.value, "breaks": _intervals(s.breaks), "disturbances": _intervals(s.disturbances),
            "series_id": s.series_id, "detached": s.detached}


def shift_from_dict(d: dict[str, Any]) -> Shift:
    def t(x: str) -> time:
        return time.fromisoformat(x)

    return Shift(d["id"], d["pa_id"], date.fromisoformat(d["day"]), t(d["start"]), t(d["end"]), ShiftType(d["kind"]),
                 tuple(LocalInterval(t(a), t(b)) for a, b in d.get("breaks", [])),
                 tuple(LocalInterval(t(a), t(b)) for a, b in d.get("disturbances", [])),
                 d.get("series_id"), bool(d.get("detached")))


def _entry_json(e: LedgerEntry) -> str:
    return json.dumps({"entry_id": e.entry_id, "kind": e.kind.value, "on": e.on.isoformat(),
                       "period_start": e.period_start.isoformat(), "hours": str(e.hours), "note": e.note,
                       "source": e.source})


def _entry(text: str) -> LedgerEntry:
    d = json.loads(text)
    return LedgerEntry(d["entry_id"], EntryKind(d["kind"]), date.fromisoformat(d["on"]),
                       date.fromisoformat(d["period_start"]), Decimal(d["hours"]), d["note"], d.get("source"))


@dataclass(frozen=True)
class StoredShift:
    shift: Shift
    employer_id: str
    pa_name: str
    version: int


@dataclass(frozen=True)
class Head:
    employer_id: str
    pa_id: str
    period_start: date
    period_end: date
    status: str
    version: int  # 0: no version stored yet (the draft is the rota's shifts, as planned)
    shifts: tuple[Shift, ...]
    due: str
    due_on: str
    reminded: str | None = None
    domestic: bool = False


@dataclass(frozen=True)
class PeriodRecords:
    planned: list[StoredShift]
    head: Head | None
    versions: list[Version]


@dataclass(frozen=True)
class LedgerRecords:
    entries: list[LedgerEntry]
    bookings: list[dict]


@dataclass
class ShiftWrite:
    """One change of the rota: put (new, version 1), update (expected version), or delete (expected version)."""

    op: str  # put | update | delete
    shift: Shift
    pa_name: str = ""
    expected: int | None = None
    old_day: date | None = None  # update that moves the shift to another day: delete + put
    fields: dict = field(default_factory=dict)


def _stored_shift(item: WorkItem) -> StoredShift:
    return StoredShift(shift_from_dict(json.loads(item.shift)), item.employer_id, item.pa_name or "", int(item.version))


def _head(item: WorkItem) -> Head:
    employer_id, pa_id = item.pk.split("#", 1)
    return Head(employer_id, pa_id, date.fromisoformat(item.period_start), date.fromisoformat(item.period_end),
                item.status, int(item.version or 0),
                tuple(shift_from_dict(d) for d in json.loads(item.shifts or "[]")), item.due or "", item.due_on or "",
                item.reminded, bool(item.domestic))


def _version(item: WorkItem) -> Version:
    return Version(int(item.version), Action(item.action), Status(item.status),
                   tuple(shift_from_dict(d) for d in json.loads(item.shifts or "[]")), item.by,
                   datetime.fromisoformat(item.at), item.reason)


def _conflict(message: str) -> Conflict:
    return Conflict(message, code="stale")


class DynamoWorkStore:
    def __init__(self) -> None:
        self._connection = Connection()

    # ---------- reads ----------

    def shifts_between(self, employer_id: str, pa_id: str, first: date, last: date) -> list[StoredShift]:
        """One consistent Query: this employment's shifts starting first..last (for overlap checks)."""
        items = WorkItem.query(partition(employer_id, pa_id),
                               WorkItem.sk.between(f"D#{first.isoformat()}", f"D#{last.isoformat()}#~"),
                               filter_condition=WorkItem.kind == "shift", consistent_read=True)
        return [_stored_shift(i) for i in items]

    def series_from(self, employer_id: str, pa_id: str, series_id: str, first: date) -> list[StoredShift]:
        items = WorkItem.query(partition(employer_id, pa_id), WorkItem.sk >= f"D#{first.isoformat()}",
                               filter_condition=(WorkItem.kind == "shift"), consistent_read=True)
        return [s for s in (_stored_shift(i) for i in items) if s.shift.series_id == series_id]

    def shift(self, employer_id: str, pa_id: str, shift_id: str, day: date) -> StoredShift | None:
        try:
            return _stored_shift(WorkItem.get(partition(employer_id, pa_id), shift_sk(day, shift_id), consistent_read=True))
        except WorkItem.DoesNotExist:
            return None

    def period(self, employer_id: str, pa_id: str, start: date, end: date) -> PeriodRecords:
        """One Query: the planned shifts, the head and every version of one PA's timesheet. With `end`
        unknown (pass the longest a period can be), the head's period_end cuts the shifts."""
        planned, head, versions = [], None, []
        for item in WorkItem.query(partition(employer_id, pa_id),
                                   WorkItem.sk.between(f"D#{start.isoformat()}", f"D#{end.isoformat()}#~"),
                                   consistent_read=True):
            if item.kind == "shift":
                planned.append(_stored_shift(item))
            elif item.kind == "timesheet" and item.sk == head_sk(start):
                head = _head(item)
            elif item.kind == "version" and item.sk.startswith(head_sk(start) + "#"):
                versions.append(_version(item))
        if head is not None:
            planned = [s for s in planned if s.shift.day <= head.period_end]
        return PeriodRecords(planned, head, sorted(versions, key=lambda v: v.number))

    def employer_range(self, employer_id: str, first: date, last: date) -> tuple[list[StoredShift], list[Head]]:
        """One Query of by_employer: every PA's shifts and timesheet heads from first to last."""
        shifts, heads = [], []
        for item in WorkItem.by_employer.query(employer_id, WorkItem.emp_sk.between(first.isoformat(),
                                                                                    f"{last.isoformat()}#~")):
            (shifts if item.kind == "shift" else heads).append(_stored_shift(item) if item.kind == "shift" else _head(item))
        return shifts, heads

    def pa_range(self, pa_id: str, first: date, last: date) -> list[StoredShift]:
        """One Query of by_pa: a PA's shifts for every employer."""
        return [_stored_shift(i) for i in WorkItem.by_pa.query(pa_id, WorkItem.pa_sk.between(first.isoformat(),
                                                                                             f"{last.isoformat()}#~"))]

    def ledger(self, employer_id: str, pa_id: str, year_start: date) -> LedgerRecords:
        """One consistent GetItem: the leave year's entries and bookings."""
        found = self._connection.dispatch("GetItem", {"TableName": WorkItem.Meta.table_name, "ConsistentRead": True,
                                                      "Key": _ledger_key(partition(employer_id, pa_id), year_start)})
        return ledger_records(found.get("Item"))

    def ledger_with_employment(self, employer_id: str, pa_id: str,
                               year_start: date) -> tuple[Employment | None, EmployerSettings | None, LedgerRecords]:
        """One TransactGetItems (consistent): the employment, the employer's settings and the leave
        year's ledger, for a ledger read in one request (issue 12)."""
        from care_tracker.adapters import employer_store as people

        keys = [people.EmployersItem.get_operation_kwargs_from_class(people.employer_pk(employer_id), people.EMPLOYER_SK),
                people.EmployersItem.get_operation_kwargs_from_class(people.employer_pk(employer_id), people.pa_sk(pa_id)),
                {"TableName": WorkItem.Meta.table_name, "Key": _ledger_key(partition(employer_id, pa_id), year_start)}]
        employer, employment, ledger = (r.get("Item") for r in
                                        self._connection.transact_get_items(get_items=keys)["Responses"])

        def record(raw, fields):
            return people._as_dict(people.EmployersItem.from_raw_data(raw), fields) if raw else None

        employer, employment = record(employer, people.EMPLOYER_FIELDS), record(employment, people.EMPLOYMENT_FIELDS)
        return (people.employment_of(employment) if employment else None,
                people.settings_of(employer) if employer else None, ledger_records(ledger))

    def due(self, who: str, before: date) -> Iterator[Head]:
        """Timesheet heads due for `who` ("pa": period ended before `before`; "employer": submitted before)."""
        for item in WorkItem.by_due.query(who, WorkItem.due_on < before.isoformat(),
                                          filter_condition=WorkItem.reminded.does_not_exist()):
            yield _head(item)

    def everything(self, employer_id: str, pa_id: str) -> Iterator[WorkItem]:
        yield from WorkItem.query(partition(employer_id, pa_id))

    def export_rows(self, employer_id: str, pa_id: str) -> Iterator[dict[str, Any]]:
        """Every shift, timesheet version, ledger entry and booking of the employment, as export rows."""
        from care_tracker.rules.shifts import minutes_to_hours, paid_minutes

        base = {"employer_id": employer_id, "pa_id": pa_id}
        for item in self.everything(employer_id, pa_id):
            if item.kind == "shift":
                s = json.loads(item.shift)
                yield {"record": "shift", **base, "work_item_id": s["id"], "day": s["day"], "start": s["start"],
                       "end": s["end"], "shift_kind": s["kind"], "breaks": _pairs(s["breaks"]),
                       "disturbances": _pairs(s["disturbances"]), "series_id": s.get("series_id")}
            elif item.kind == "version":
                worked = [shift_from_dict(d) for d in json.loads(item.shifts or "[]")]
                yield {"record": "timesheet_version", **base, "period_start": item.sk[2:12],
                       "timesheet_version": int(item.version), "action": item.action, "work_status": item.status,
                       "by": item.by, "at": item.at, "reason": item.reason,
                       "hours": str(minutes_to_hours(sum(paid_minutes(s) for s in worked))),
                       "shifts": "; ".join(f"{s.day.isoformat()} {s.start:%H:%M}-{s.end:%H:%M} {s.kind.value}"
                                           for s in worked)}
            elif item.kind == "ledger":  # the model holds none of its E#/B# attributes: read it whole
                records = self.ledger(employer_id, pa_id, date.fromisoformat(item.sk[2:12]))
                for e in records.entries:
                    yield {"record": "holiday_entry", **base, "work_item_id": e.entry_id, "day": e.on.isoformat(),
                           "period_start": e.period_start.isoformat(), "entry_kind": e.kind.value, "hours": str(e.hours),
                           "note": e.note}
                for b in records.bookings:
                    yield {"record": "holiday_booking", **base, "work_item_id": b["booking_id"], "day": b["first_day"],
                           "end": b["last_day"], "hours": b["hours"], "work_status": b["status"], "by": b.get("by"),
                           "at": b.get("at"), "note": b.get("note")}

    def range_items(self, employer_id: str, pa_id: str, first: date, last: date) -> tuple[list, list, dict]:
        """Shifts, timesheet heads and versions (by period start) filed first..last: one paged Query."""
        shifts, heads, versions = [], [], {}
        for item in WorkItem.query(partition(employer_id, pa_id),
                                   WorkItem.sk.between(f"D#{first.isoformat()}", f"D#{last.isoformat()}#~")):
            if item.kind == "shift":
                shifts.append(_stored_shift(item))
            elif item.kind == "timesheet":
                heads.append(_head(item))
            elif item.kind == "version":
                versions.setdefault(date.fromisoformat(item.sk[2:12]), []).append(_version(item))
        return shifts, heads, versions

    def pas_in_range(self, employer_id: str, first: date, last: date) -> list[str]:
        """The PAs with a shift or timesheet filed first..last on this employer's rota (by_employer, paged)."""
        seen: dict[str, None] = {}
        for item in WorkItem.by_employer.query(employer_id, WorkItem.emp_sk.between(first.isoformat(), f"{last.isoformat()}#~"),
                                               attributes_to_get=["pk"]):
            seen[item.pk.split("#", 1)[1]] = None
        return list(seen)

    def pas_of_employer(self, employer_id: str) -> list[str]:
        """The PAs with anything on this employer's rota (for the employer's export)."""
        seen: dict[str, None] = {}
        for item in WorkItem.by_employer.query(employer_id, attributes_to_get=["pk"]):
            seen[item.pk.split("#", 1)[1]] = None
        return list(seen)

    # ---------- writes ----------

    def _transact(self, write, stale: str) -> None:
        try:
            with TransactWrite(connection=self._connection) as tx:
                write(tx)
        except TransactWriteError as exc:
            reasons = [getattr(r, "code", None) if not isinstance(r, dict) else r.get("Code")
                       for r in (exc.cancellation_reasons or [])]
            if any(r == "ConditionalCheckFailed" for r in reasons):
                raise _conflict(stale) from exc
            raise

    def save_shifts(self, employer_id: str, writes: Sequence[ShiftWrite], heads: Sequence[tuple[str, date, date]],
                    domestic: bool = False, purge_at: int | None = None) -> None:
        """The rota change in one transaction, each shift's version checked; then a timesheet head (as
        planned, version 0) for each pay period it touched, created only where there is none yet."""
        def write(tx: TransactWrite) -> None:
            for w in writes:
                pk = partition(employer_id, w.shift.pa_id)
                if w.op == "delete" or (w.op == "update" and w.old_day not in (None, w.shift.day)):
                    day = w.old_day or w.shift.day
                    tx.delete(WorkItem(pk, shift_sk(day, w.shift.shift_id)), condition=WorkItem.version == w.expected)
                if w.op == "delete":
                    continue
                moved = w.op == "update" and w.old_day not in (None, w.shift.day)
                item = _marked(shift_item(employer_id, w.shift, w.pa_name, 1 if w.op == "put" else (w.expected or 0) + 1),
                               purge_at)
                if w.op == "put" or moved:
                    tx.save(item, condition=WorkItem.sk.does_not_exist())
                else:
                    tx.save(item, condition=WorkItem.version == w.expected)

        if not writes:
            return
        if len(writes) > TRANSACTION_LIMIT:
            raise ValueError("a rota change is at most 100 shifts")  # the service caps series below this
        self._transact(write, "The rota changed since you opened it: reload it and try again.")
        for pa_id, start, end in heads:
            self._ensure_head(employer_id, pa_id, start, end, domestic, purge_at)

    def _ensure_head(self, employer_id: str, pa_id: str, start: date, end: date, domestic: bool,
                     purge_at: int | None = None) -> None:
        item = WorkItem(partition(employer_id, pa_id), head_sk(start))
        # if_not_exists throughout: an existing head (edited, submitted, approved) is left as it is
        marks = [WorkItem.purge_shard.set(PURGING), WorkItem.purge_at.set(purge_at)] if purge_at is not None else []
        item.update(actions=[
            WorkItem.kind.set("timesheet"), WorkItem.employer_id.set(employer_id),
            WorkItem.emp_sk.set(f"{start.isoformat()}#T#{pa_id}"),
            WorkItem.period_start.set(start.isoformat()), WorkItem.period_end.set(end.isoformat()),
            WorkItem.status.set(WorkItem.status | Status.DRAFT.value), WorkItem.version.set(WorkItem.version | 0),
            WorkItem.due.set(WorkItem.due | "pa"), WorkItem.due_on.set(WorkItem.due_on | end.isoformat()),
            WorkItem.domestic.set(domestic), *marks,
        ])

    def save_timesheet(self, head_before: Head | None, new: Sequence[Version], employer_id: str, pa_id: str,
                       start: date, end: date, due: str, due_on: str, entries: Sequence[tuple[date, LedgerEntry]] = (),
                       domestic: bool = False, purge_at: int | None = None) -> None:
        """One transaction: the head (checked against the version read), the new versions (each written
        once) and any ledger entries the step credits (each written once)."""
        pk = partition(employer_id, pa_id)
        current = new[-1]

        def write(tx: TransactWrite) -> None:
            head = _marked(head_item(employer_id, pa_id, start, end, current, due, due_on, domestic,
                                     head_before.reminded if head_before and head_before.due == due else None), purge_at)
            if head_before is None:
                tx.save(head, condition=WorkItem.sk.does_not_exist())
            else:
                tx.save(head, condition=WorkItem.version == head_before.version)
            for v in new:
                tx.save(_marked(version_item(pk, start, v), purge_at), condition=WorkItem.sk.does_not_exist())
            years: dict[date, list[LedgerEntry]] = {}
            for year_start, e in entries:
                years.setdefault(year_start, []).append(e)
            for year_start, those in years.items():  # one operation per item in a transaction
                # a raw UpdateItem: PynamoDB's update actions name only the model's attributes, not E#<id>
                tx._update_items.append(ledger_update(pk, year_start, those, purge_at=purge_at))

        self._transact(write, "This timesheet changed since you opened it: reload it and try again.")

    def add_entries(self, employer_id: str, pa_id: str, year_start: date, entries: Sequence[LedgerEntry],
                    purge_at: int | None = None) -> None:
        pk = partition(employer_id, pa_id)
        for e in entries:
            try:
                self._connection.dispatch("UpdateItem", ledger_update(pk, year_start, [e], purge_at=purge_at))
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise  # already there: the same entry written twice changes nothing

    def save_booking(self, employer_id: str, pa_id: str, year_start: date, booking: dict, expected: int | None,
                     entries: Sequence[LedgerEntry] = (), purge_at: int | None = None) -> None:
        """One transaction: the booking (new, or checked against its version) and its ledger entries."""
        pk = partition(employer_id, pa_id)

        def write(tx: TransactWrite) -> None:
            tx._update_items.append(ledger_update(pk, year_start, entries, booking, expected, purge_at))

        self._transact(write, "This holiday booking changed since you opened it: reload it and try again.")

    def redraw_heads(self, employer_id: str, drop: Sequence[Head], add: Sequence[tuple[str, date, date]],
                     domestic: bool) -> None:
        """After a change of pay cycle: the drafts as planned (version 0) in `drop` are deleted, each
        only while still version 0, then a draft head for each (PA, period) in `add` where none is."""
        for head in drop:
            if head.version:
                continue
            try:
                WorkItem(partition(head.employer_id, head.pa_id), head_sk(head.period_start)).delete(
                    condition=WorkItem.version == 0)
            except DeleteError as exc:
                if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
                    raise  # started meanwhile: it stays as it is
        for pa_id, start, end in add:
            self._ensure_head(employer_id, pa_id, start, end, domestic)

    def mark_reminded(self, head: Head) -> bool:
        """Records that `head.due` was reminded; False if it already was (or the timesheet moved on)."""
        try:
            WorkItem(partition(head.employer_id, head.pa_id), head_sk(head.period_start)).update(
                actions=[WorkItem.reminded.set(head.due)],
                condition=WorkItem.reminded.does_not_exist() & (WorkItem.due == head.due) & (WorkItem.version == head.version))
            return True
        except UpdateError as exc:
            if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
                return False
            raise

    def unmark_reminded(self, head: Head) -> None:
        WorkItem(partition(head.employer_id, head.pa_id), head_sk(head.period_start)).update(
            actions=[WorkItem.reminded.remove()])

    def shifts_after(self, employer_id: str, pa_id: str, last_day: date) -> list[WorkItem]:
        """The keys of the shifts starting after `last_day` (a leaving date), earliest first: one
        consistent Query, for the archive to delete them in its own transaction."""
        items = WorkItem.query(partition(employer_id, pa_id), WorkItem.sk > f"D#{last_day.isoformat()}#~",
                               filter_condition=WorkItem.kind == "shift", consistent_read=True,
                               attributes_to_get=["pk", "sk", "kind"])
        return [WorkItem(item.pk, item.sk) for item in items if item.sk.startswith("D#")]

    def remove_shifts_after(self, employer_id: str, pa_id: str, last_day: date) -> int:
        """Shifts starting after `last_day` (a leaving date) are deleted; timesheets and holiday stay."""
        count = 0
        with WorkItem.batch_write() as batch:
            for item in WorkItem.query(partition(employer_id, pa_id), WorkItem.sk > f"D#{last_day.isoformat()}#~",
                                       filter_condition=WorkItem.kind == "shift"):
                if item.sk.startswith("D#"):
                    batch.delete(item)
                    count += 1
        return count

    def mark_for_purge(self, employer_id: str, pa_id: str, purge_at: int | None) -> int:
        """Every item of the employment gets its purge date (archived), or loses it (None: reactivated):
        1 Query plus 1 UpdateItem an item whose mark changes (conditional, so an item deleted meanwhile
        is not written back)."""
        changed = 0
        for item in WorkItem.query(partition(employer_id, pa_id), attributes_to_get=["pk", "sk", "purge_at"]):
            if item.purge_at == purge_at:
                continue
            marks = ([WorkItem.purge_shard.set(PURGING), WorkItem.purge_at.set(purge_at)] if purge_at is not None else
                     [WorkItem.purge_shard.remove(), WorkItem.purge_at.remove()])
            try:
                WorkItem(item.pk, item.sk).update(actions=marks, condition=WorkItem.pk.exists())
                changed += 1
            except UpdateError as exc:
                if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
                    raise
        return changed

    def purge_due(self, at_epoch: int) -> int:
        """Every item of the employments whose retention ended by `at_epoch`: a keys-only Query of
        by_purge, a 1 MB page at a time, and BatchWriteItem deletes of 25."""
        count = 0
        with WorkItem.batch_write() as batch:
            for item in WorkItem.by_purge.query(PURGING, WorkItem.purge_at <= at_epoch):
                batch.delete(WorkItem(item.pk, item.sk))
                count += 1
        return count

    def delete_all(self, employer_id: str, pa_id: str) -> int:
        """Every item of the employment, in batches of 25 (the purge after 7 years)."""
        count = 0
        with WorkItem.batch_write() as batch:
            for item in WorkItem.query(partition(employer_id, pa_id), attributes_to_get=["pk", "sk"]):
                batch.delete(item)
                count += 1
        return count


def _pairs(items: Iterable[Sequence[str]]) -> str:
    return " ".join(f"{a}-{b}" for a, b in items)


def shift_item(employer_id: str, s: Shift, pa_name: str, version: int) -> WorkItem:
    return WorkItem(partition(employer_id, s.pa_id), shift_sk(s.day, s.shift_id), kind="shift",
                    employer_id=employer_id, emp_sk=f"{s.day.isoformat()}#{s.pa_id}#{s.shift_id}", pa_id=s.pa_id,
                    pa_sk=f"{s.day.isoformat()}#{employer_id}#{s.shift_id}", pa_name=pa_name, version=version,
                    shift=json.dumps(shift_to_dict(s)))


def head_item(employer_id: str, pa_id: str, start: date, end: date, current: Version, due: str, due_on: str,
              domestic: bool, reminded: str | None = None) -> WorkItem:
    return WorkItem(partition(employer_id, pa_id), head_sk(start), kind="timesheet", employer_id=employer_id,
                    emp_sk=f"{start.isoformat()}#T#{pa_id}", period_start=start.isoformat(), period_end=end.isoformat(),
                    status=current.status.value, version=current.number,
                    shifts=json.dumps([shift_to_dict(s) for s in current.shifts]), due=due, due_on=due_on,
                    domestic=domestic, reminded=reminded)


def version_item(pk: str, start: date, v: Version) -> WorkItem:
    return WorkItem(pk, version_sk(start, v.number), kind="version", version=v.number, action=v.action.value,
                    status=v.status.value, shifts=json.dumps([shift_to_dict(s) for s in v.shifts]), by=v.by,
                    at=v.at.isoformat(), reason=v.reason)


def ledger_sk(year_start: date) -> str:
    return f"L#{year_start.isoformat()}"


def _ledger_key(pk: str, year_start: date) -> dict:
    return {"pk": {"S": pk}, "sk": {"S": ledger_sk(year_start)}}


def ledger_records(raw: dict | None) -> LedgerRecords:
    """The ledger item (DynamoDB JSON) as its entries and bookings, each in id order."""
    raw = raw or {}
    entries = [_entry(raw[name]["S"]) for name in sorted(raw) if name.startswith("E#")]
    bookings = [{**json.loads(raw[name]["S"]), "version": int(raw["V#" + name[2:]]["N"])}
                for name in sorted(raw) if name.startswith("B#")]
    return LedgerRecords(entries, bookings)


def ledger_update(pk: str, year_start: date, entries: Sequence[LedgerEntry] = (), booking: dict | None = None,
                  expected: int | None = None, purge_at: int | None = None) -> dict:
    """The UpdateItem (alone or in a transaction) adding entries (each only if absent) and writing a
    booking (new, or checked against the version read) on a leave year's ledger item; an archived
    employment's ledger also carries its purge date (by_purge)."""
    names, values = {"#kind": "kind"}, {":kind": {"S": "ledger"}}
    sets, checks = ["#kind = :kind"], []
    if purge_at is not None:
        names["#ps"], names["#pa"] = "purge_shard", "purge_at"
        values[":ps"], values[":pa"] = {"S": PURGING}, {"N": str(purge_at)}
        sets += ["#ps = :ps", "#pa = :pa"]
    for n, e in enumerate(entries):
        names[f"#e{n}"], values[f":e{n}"] = f"E#{e.entry_id}", {"S": _entry_json(e)}
        sets.append(f"#e{n} = :e{n}")
        checks.append(f"attribute_not_exists(#e{n})")
    if booking is not None:
        names["#b"], names["#v"] = f"B#{booking['booking_id']}", f"V#{booking['booking_id']}"
        values[":b"], values[":v"] = {"S": json.dumps(booking)}, {"N": str((expected or 0) + 1)}
        sets += ["#b = :b", "#v = :v"]
        if expected is None:
            checks.append("attribute_not_exists(#b)")
        else:
            values[":expected"] = {"N": str(expected)}
            checks.append("#v = :expected")
    op = {"TableName": WorkItem.Meta.table_name, "Key": _ledger_key(pk, year_start),
          "UpdateExpression": "SET " + ", ".join(sets), "ExpressionAttributeNames": names,
          "ExpressionAttributeValues": values}
    if checks:
        op["ConditionExpression"] = " AND ".join(checks)
    return op

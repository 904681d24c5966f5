"""CSV exports (RULES 2 "Export"; the support team's reports), streamed to S3 and handed out
through a presigned URL valid 15 minutes.

Kinds, and who may ask for them (nobody exports what they cannot see):

- `my_data` - anyone: their own account, then (providers) every saved version of every return of
  the locations they were granted, then what they authored (`personal` sources: their feedback with
  the team's answers, and their suggestions). One CSV; the first column, `record`, says what a row is.
- `returns_month` - the support team: the current return of every location for one month.
- `daily_changes` - the support team: every return saved on one Europe/London day. The daily
  `export_changes` job writes the previous day's file at 03:00; asking for a day whose file exists
  hands out that file again instead of writing it twice.

Every file is written by `care_tracker.rules.csv_export` (RFC 4180, UTF-8, header row, ISO 8601,
formula-like text neutralised) as a stream of lines into a multipart upload: never the whole file
in memory. Returns are read page by page through the returns repository (Query on request paths).
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from care_tracker.errors import BadRequest, Forbidden, NotFound
from care_tracker.ports import Clock, UserRecord
from care_tracker.roles import Role
from care_tracker.rules.csv_export import csv_rows

LONDON = ZoneInfo("Europe/London")
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
SUPPORT_OWNER = "support"

ACCOUNT_COLUMNS = ["user_id", "email", "full_name", "roles", "organisation_id", "location_ids", "phone",
                   "job_title", "comms_consent", "created_at"]


class ExportFiles(Protocol):
    def key(self, owner: str, export_id: str) -> str: ...

    def write_lines(self, key: str, lines: Iterable[str], *, filename: str, metadata: dict[str, str]) -> int: ...

    def exists(self, key: str) -> dict[str, str] | None: ...

    def download_url(self, key: str, now: datetime) -> tuple[str, datetime]: ...


class Users(Protocol):
    def get(self, user_id: str) -> UserRecord | None: ...


class ReturnRows(Protocol):
    """Returns as flat rows (one mapping per saved version), read page by page."""

    columns: Sequence[str]

    def history(self, location_ids: Sequence[str], period: str | None = None) -> Iterator[Mapping[str, Any]]:
        """Every saved version of every return of these locations (optionally of one month)."""

    def month(self, period: str) -> Iterator[Mapping[str, Any]]:
        """The current return of every location for the month."""

    def saved_between(self, start: datetime, end: datetime) -> Iterator[Mapping[str, Any]]:
        """Every version saved in [start, end) (jobs only: may scan)."""


class PersonalRows(Protocol):
    """Other records a person authored, added to their my_data export (e.g. feedback, issue 13)."""

    columns: Sequence[str]

    def rows_of(self, user_id: str) -> Iterator[Mapping[str, Any]]:
        """Rows with a "record" key saying what each is, and keys among `columns`."""


@dataclass(frozen=True)
class Export:
    export_id: str
    kind: str
    download_url: str
    expires_at: datetime
    rows: int | None = None
    period: str | None = None


def check_period(period: str | None) -> str:
    if not period or not PERIOD.match(period):
        raise BadRequest("Give the month as YYYY-MM, e.g. 2026-10.", code="invalid_period")
    return period


def check_day(day: str | None) -> date:
    try:
        return date.fromisoformat(day or "")
    except ValueError:
        raise BadRequest("Give the day as YYYY-MM-DD, e.g. 2026-11-21.", code="invalid_day") from None


def _list(values: Iterable[str] | None) -> str:
    return ";".join(values or [])


def _account_row(user: UserRecord) -> dict[str, Any]:
    return {"record": "account", "user_id": user.user_id, "email": user.email, "full_name": user.full_name,
            "roles": _list(sorted(user.roles)), "organisation_id": user.org_id, "location_ids": _list(user.location_ids),
            "phone": user.phone, "job_title": user.job_title, "comms_consent": user.comms_consent,
            "created_at": user.created_at}


class _Counted:
    def __init__(self, rows: Iterable[Any]) -> None:
        self._rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[Any]:
        for row in self._rows:
            self.count += 1
            yield row


class ExportService:
    def __init__(self, files: ExportFiles, users: Users, returns: ReturnRows | None, clock: Clock,
                 org_locations: Callable[[str], list[str]] | None = None,
                 personal: Sequence[PersonalRows] = ()) -> None:
        self._files = files
        self._personal = tuple(personal)
        self._users = users
        self._returns = returns
        self._clock = clock
        self._org_locations = org_locations

    def _visible_locations(self, caller: Any) -> list[str]:
        """Users see the locations they were granted; approvers every location of their organisation."""
        visible = set(caller.location_ids)
        if caller.has(Role.APPROVER.value) and caller.org_id and self._org_locations is not None:
            visible.update(self._org_locations(caller.org_id))
        return sorted(visible)

    def _need_returns(self) -> ReturnRows:
        if self._returns is None:
            raise NotFound("Returns cannot be exported yet: this service does not hold returns.", code="no_returns")
        return self._returns

    # ---------- on request ----------
    def create(self, caller: Any, kind: str, period: str | None = None) -> Export:
        if kind == "my_data":
            if period is not None:
                check_period(period)
            return self._my_data(caller, period)
        if kind == "returns_month":
            self._support_only(caller)
            return self._returns_month(caller, check_period(period))
        if kind == "daily_changes":
            self._support_only(caller)
            return self._written_daily_changes(check_day(period))
        raise BadRequest(f"There is no export called {kind!r}.", code="unknown_export")

    def link(self, caller: Any, export_id: str) -> Export:
        """A fresh download URL for one of the caller's own exports (while the bucket keeps it: 7 days),
        or, for the support team, a day's changes by the id POST /exports answered (changes-YYYY-MM-DD)."""
        day = re.fullmatch(r"changes-(\d{4}-\d{2}-\d{2})", export_id or "")
        if day and caller.has(Role.ADMIN.value):
            try:
                return self._written_daily_changes(date.fromisoformat(day.group(1)))
            except ValueError:
                raise NotFound("There is no such export.", code="no_export") from None
        if not re.fullmatch(r"[0-9a-f]{32}", export_id or ""):
            raise NotFound("There is no such export.", code="no_export")
        key = self._files.key(caller.user_id, export_id)
        metadata = self._files.exists(key)
        if metadata is None:
            raise NotFound("There is no such export, or it has expired (exports are kept 7 days).", code="no_export")
        url, expires = self._files.download_url(key, self._clock.now())
        return Export(export_id=export_id, kind=metadata.get("kind", ""), download_url=url, expires_at=expires,
                      period=metadata.get("period") or None)

    @staticmethod
    def _support_only(caller: Any) -> None:
        if not caller.has(Role.ADMIN.value):
            raise Forbidden("Only the support team can export every location's returns.", code="wrong_role")

    def _write(self, owner: str, kind: str, header: Sequence[str], rows: Iterable[Mapping[str, Any]],
               period: str | None, export_id: str | None = None) -> Export:
        export_id = export_id or uuid.uuid4().hex
        key = self._files.key(owner, export_id)
        counted = _Counted(rows)
        stamp = self._clock.now().astimezone(LONDON).strftime("%Y-%m-%d")
        filename = f"care-tracker-{kind.replace('_', '-')}-{period or stamp}.csv"
        self._files.write_lines(key, csv_rows(header, counted), filename=filename,
                                metadata={"kind": kind, "period": period or ""})
        url, expires = self._files.download_url(key, self._clock.now())
        return Export(export_id=export_id, kind=kind, download_url=url, expires_at=expires, rows=counted.count,
                      period=period)

    def _my_data(self, caller: Any, period: str | None) -> Export:
        user = self._users.get(caller.user_id)
        if user is None:
            raise NotFound("There is no Care Tracker account for this login.", code="no_account")
        locations = self._visible_locations(caller) if caller.has(Role.PROVIDER_USER.value, Role.APPROVER.value) else []
        provider = bool(locations)
        return_columns = list(self._returns.columns) if (provider and self._returns is not None) else []
        personal_columns = [c for source in self._personal for c in source.columns]
        header = list(dict.fromkeys(["record", *ACCOUNT_COLUMNS, *return_columns, *personal_columns]))

        def rows() -> Iterator[Mapping[str, Any]]:
            yield _account_row(user)
            if return_columns:
                for row in self._returns.history(locations, period):
                    yield {"record": "return", **row}
            for source in self._personal:
                yield from source.rows_of(user.user_id)

        return self._write(caller.user_id, "my_data", header, rows(), period)

    def _returns_month(self, caller: Any, period: str) -> Export:
        returns = self._need_returns()
        return self._write(caller.user_id, "returns_month", list(returns.columns), returns.month(period), period)

    # ---------- the daily job ----------
    def _written_daily_changes(self, day: date) -> Export:
        """The file the export_changes job wrote for `day`: a request never scans for it."""
        export_id = f"changes-{day.isoformat()}"
        key = self._files.key(SUPPORT_OWNER, export_id)
        if self._files.exists(key) is None:
            raise NotFound(f"The changes of {day.isoformat()} are exported at 03:00 (UK time) the next day. For a day "
                           "that was missed, run the export_changes job for it from the console.", code="export_not_ready")
        url, expires = self._files.download_url(key, self._clock.now())
        return Export(export_id=export_id, kind="daily_changes", download_url=url, expires_at=expires, period=day.isoformat())

    def daily_changes(self, day: date) -> Export:
        """The returns saved on `day` (Europe/London) for the support team; written once per day."""
        returns = self._need_returns()
        export_id = f"changes-{day.isoformat()}"
        key = self._files.key(SUPPORT_OWNER, export_id)
        if self._files.exists(key) is not None:
            url, expires = self._files.download_url(key, self._clock.now())
            return Export(export_id=export_id, kind="daily_changes", download_url=url, expires_at=expires,
                          period=day.isoformat())
        start = datetime.combine(day, time(0), LONDON)
        end = datetime.combine(day + timedelta(days=1), time(0), LONDON)
        return self._write(SUPPORT_OWNER, "daily_changes", list(returns.columns), returns.saved_between(start, end),
                           day.isoformat(), export_id=export_id)


def previous_day(at: datetime) -> date:
    return at.astimezone(LONDON).date() - timedelta(days=1)


"""The scheduled window jobs (RULES 1.4): announce a window, remind those with returns missing, close it.

Each job works out its window from the calendar and its `at`, so a late run does the right thing.

Sending each email once: a run for (job, month) first takes a lease (a conditional write, so two
runs at once cannot both send), skips the job if its DONE marker exists, reads the users already
mailed, and mails the rest a chunk at a time, recording each chunk of recipients right after
sending it; at the end it writes DONE. A repeated run therefore sends nothing, and a run that
crashed half way is finished by the next run without mailing anyone recorded. (The only mail that
can go twice is one SES accepted in the very chunk a crash interrupted before its record was
written: SES has no idempotency key, so exactly-once is not possible; the chunk size bounds it.)

DynamoDB work per run is a fixed number of scans/queries plus one write per chunk of recipients:
never a request per user or per location.
"""
from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any, Protocol

from care_tracker import messages
from care_tracker.observability import logger
from care_tracker.ports import Clock, Mail, Mailer
from care_tracker.rules.reporting_window import ReportingWindow, previous_period
from care_tracker.rules.returns import (
    missing_care_types,
    owes_returns,
    remind_day,
    window_to_close,
    window_to_open,
    window_to_remind,
)

LEASE = timedelta(minutes=15)  # a Lambda's longest run
CHUNK = 50  # recipients recorded per write


class JobDirectory(Protocol):
    def locations(self) -> Iterable[dict]: ...

    def users(self) -> Iterable[dict]: ...


class WindowStore(Protocol):
    def record_closed(self, period: str, at: datetime) -> bool: ...

    def compliance_counted(self, period: str) -> bool: ...

    def mark_compliance_counted(self, period: str, at: datetime) -> None: ...

    def finished(self, job: str, period: str) -> int | None: ...

    def take_lease(self, job: str, period: str, owner: str, now: datetime, until: datetime) -> bool: ...

    def release_lease(self, job: str, period: str, owner: str) -> None: ...

    def already_sent(self, job: str, period: str) -> set[str]: ...

    def record_sent(self, job: str, period: str, user_ids: Iterable[str]) -> None: ...

    def mark_finished(self, job: str, period: str, at: datetime, sent: int) -> None: ...


class DoneByLocation(Protocol):
    def done_by_location(self, period: str) -> dict[str, tuple[set[str], set[str]]]: ...


def count_compliance(window: ReportingWindow, at: datetime) -> dict[str, Any]:
    """HOOK for compliance counting (issue 5): called by every close_window run for the window that
    closed, after the window is recorded as closed. Must be idempotent (a repeated run changes
    nothing). Which care types each location saved inside the window is in the returns table's
    `by_period` index: `return_store().done_by_location(window.period)` ->
    {location_id: (saved_types, in_window_types)}."""
    return {"counted": False, "reason": "compliance counting is not built yet"}


def _recipients(users: Iterable[dict], locations: dict[str, dict]) -> Iterator[tuple[dict, list[dict]]]:
    """(user, their locations among `locations`) for every active user with at least one: their granted
    locations, and for an approver every location of their organisation."""
    by_org: dict[str, list[str]] = defaultdict(list)
    for lid, loc in locations.items():
        if loc.get("org_id"):
            by_org[loc["org_id"]].append(lid)
    for user in users:
        if not user.get("active", True) or not user.get("email"):
            continue
        ids = {lid for lid in user.get("location_ids") or () if lid in locations}
        if "approver" in (user.get("roles") or ()) and user.get("org_id"):
            ids.update(by_org.get(user["org_id"], ()))
        if ids:
            yield user, [locations[lid] for lid in sorted(ids)]


class WindowJobs:
    def __init__(self, directory: JobDirectory, windows: WindowStore, returns: DoneByLocation, mailer: Mailer,
                 clock: Clock, login_url: str, compliance: Callable[[ReportingWindow, datetime], dict] | None = None,
                 chunk: int = CHUNK, no_change_link: Callable[[str, str, str, str], str] | None = None) -> None:
        self._directory = directory
        self._windows = windows
        self._returns = returns
        self._mailer = mailer
        self._clock = clock
        self._login_url = login_url
        self._compliance = compliance or count_compliance
        self._chunk = chunk
        # (user_id, location_id, care_type, period) -> the URL that saves "no change" (services/no_change_links.py)
        self._no_change_link = no_change_link

    def _owing(self, window: ReportingWindow) -> dict[str, dict]:
        return {loc["location_id"]: loc for loc in self._directory.locations()
                if owes_returns(loc.get("status"), loc.get("care_types") or [], loc.get("registered_on"), window)}

    # --- the jobs -------------------------------------------------------------------------------------
    def open_window(self, at: datetime) -> dict[str, Any]:
        window = window_to_open(at)
        if window is None:
            return {"job": "open_window", "window": None, "reason": "no window is open at this time"}

        def mails() -> Iterator[tuple[str, Mail]]:
            owing = self._owing(window)
            for user, locs in _recipients(self._directory.users(), owing):
                yield user["user_id"], messages.window_open(user["email"], user["full_name"], window,
                                                            [(loc["name"], loc.get("care_types") or []) for loc in locs],
                                                            self._login_url)

        return {"job": "open_window", "window": window.period, **self._send_once("open_window", window, mails)}

    def remind(self, at: datetime) -> dict[str, Any]:
        window = window_to_remind(at)
        if window is None:
            return {"job": "remind", "window": None, "reason": "no reminder is due at this time"}

        def mails() -> Iterator[tuple[str, Mail]]:
            owing = self._owing(window)
            done = self._returns.done_by_location(window.period)
            # what had a return last month can be saved as "no change" from the email (one more query)
            last = self._returns.done_by_location(previous_period(window.period)) if self._no_change_link else {}
            missing: dict[str, dict] = {}
            for lid, loc in owing.items():
                lacking = missing_care_types(loc["care_types"], done.get(lid, (set(), set()))[1])
                if lacking:
                    missing[lid] = {**loc, "missing": lacking, "copyable": last.get(lid, (set(), set()))[0]}
            for user, locs in _recipients(self._directory.users(), missing):
                lines = [(loc["name"], ct, self._link(user, loc, ct, window) if ct in loc["copyable"] else None)
                         for loc in locs for ct in loc["missing"]]
                yield user["user_id"], messages.returns_missing(user["email"], user["full_name"], window, lines,
                                                                self._login_url)

        return {"job": "remind", "window": window.period, "remind_day": remind_day(window).isoformat(),
                **self._send_once("remind", window, mails)}

    def _link(self, user: dict, loc: dict, care_type: str, window: ReportingWindow) -> str:
        return self._no_change_link(user["user_id"], loc["location_id"], care_type, window.period)

    def close_window(self, at: datetime) -> dict[str, Any]:
        """Records the most recent ended window as closed (once), then runs the compliance hook for it
        until one run of the hook has completed (a failed or crashed count is retried by the next run;
        re-counting after corrections is the compliance side's own job)."""
        window = window_to_close(at)
        newly = self._windows.record_closed(window.period, at)
        if self._windows.compliance_counted(window.period):
            return {"job": "close_window", "window": window.period, "newly_closed": newly,
                    "compliance": {"already_counted": True}}
        compliance = self._compliance(window, at)  # HOOK (issue 5); must itself be idempotent
        if not (isinstance(compliance, dict) and compliance.get("counted") is False):
            self._windows.mark_compliance_counted(window.period, self._clock.now())
        return {"job": "close_window", "window": window.period, "newly_closed": newly, "compliance": compliance}

    # --- each email once ----------------------------------------------------------------------------
    def _send_once(self, job: str, window: ReportingWindow, mails: Callable[[], Iterable[tuple[str, Mail]]]) -> dict:
        period = window.period
        done = self._windows.finished(job, period)
        if done is not None:
            return {"sent": 0, "already_done": True, "sent_before": done}
        owner = uuid.uuid4().hex
        now = self._clock.now()
        if not self._windows.take_lease(job, period, owner, now, now + LEASE):
            return {"sent": 0, "already_running": True}
        try:
            skip = self._windows.already_sent(job, period)
            sent, failed, chunk = 0, 0, []
            for user_id, mail in mails():
                if user_id in skip:
                    continue
                try:
                    self._mailer.send(mail)
                except Exception:  # noqa: BLE001 - one bad address must not stop the others
                    failed += 1
                    logger.exception("window mail failed", extra={"job": job, "period": period, "user_id": user_id})
                    continue
                chunk.append(user_id)
                sent += 1
                if len(chunk) >= self._chunk:
                    self._windows.record_sent(job, period, chunk)
                    chunk = []
            self._windows.record_sent(job, period, chunk)
            if failed == 0:  # failures are retried by the next run
                self._windows.mark_finished(job, period, self._clock.now(), sent + len(skip))
            logger.info("window job ran", extra={"job": job, "period": period, "sent": sent, "failed": failed,
                                                 "skipped": len(skip)})
            return {"sent": sent, "failed": failed, "skipped_already_sent": len(skip)}
        finally:
            self._windows.release_lease(job, period, owner)

"""The local stack's clock: the system clock, unless a test has set it with PUT /_local/clock.

Only wired when CARE_TRACKER_LOCAL=1 (wiring.clock), so deployed code always reads the real time.
The setting lives in this process (the API under `chalice local`, where /_local/jobs runs too).
"""
from __future__ import annotations

from datetime import datetime, timezone

_set_to: dict[str, datetime | None] = {"at": None}


def set_time(at: datetime | None) -> None:
    """Fixes the clock at `at` (aware), or back to the system clock with None."""
    if at is not None and at.utcoffset() is None:
        raise ValueError("the time needs a UTC offset")
    _set_to["at"] = at.astimezone(timezone.utc) if at else None


class AdjustableClock:
    def now(self) -> datetime:
        return _set_to["at"] or datetime.now(timezone.utc)

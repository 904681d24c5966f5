"""When repeated sign-in failures lock an account (ASVS 6.3.1 / 6.1.1), and which roles must use
two-step sign-in. Pure: the caller passes the time and the stored count.

Failures count in a window that starts at the first failure and lasts 15 minutes. The 5th failure
in a window locks the account for 15 minutes from that failure; while locked, tries are refused
without being checked (and without being counted, so a lockout does not extend itself). Once the
window has passed, the next failure starts a new window at 1. A successful sign-in clears the count.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from care_tracker.roles import MFA_ROLES

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
LONDON = ZoneInfo("Europe/London")



@dataclass(frozen=True)
class Failures:
    count: int
    window_start: datetime
    locked_until: datetime | None = None


def locked_until(state: Failures | None, now: datetime) -> datetime | None:
    """The end of the lockout in force at `now`, or None when a try may go ahead."""
    if state is None or state.locked_until is None or state.locked_until <= now:
        return None
    return state.locked_until


def window_open(state: Failures | None, now: datetime) -> bool:
    """Whether a failure at `now` adds to `state`'s count (else it starts a new window)."""
    return state is not None and now < state.window_start + WINDOW


def lock_for(count: int, now: datetime) -> datetime | None:
    """The lockout that a failure bringing the window's count to `count` at `now` starts."""
    return now + LOCKOUT if count == MAX_FAILURES else None


def expires(state: Failures) -> datetime:
    """When the stored count stops mattering (its TTL)."""
    end = state.window_start + WINDOW
    return max(end, state.locked_until) if state.locked_until else end


def locked_message(until: datetime) -> str:
    local = until.astimezone(LONDON)
    return (f"Too many sign-in attempts for this account went wrong, so it is locked for 15 minutes. "
            f"Try again after {local:%H:%M} (UK time). If you have forgotten your password, reset it then.")


def needs_mfa(roles) -> bool:
    return bool(MFA_ROLES.intersection(roles))

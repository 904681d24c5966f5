"""'No change' straight from the reminder email (RULES 1.4, the notice's "save the page").

A reminder carries, for each location and care type that had a return last month and has none yet,
a signed link (rules/links.py; the key from Secrets Manager) naming the user, location, care type
and month, expiring when that month's window closes, single-use by its random id.

- `open` (GET) shows last month's figures and changes nothing: mail scanners follow links.
- `use` (POST, the page's one button) saves the no-change return as that user, inside the window.
Refused, with nothing written: a changed or forged link, an expired one (the window closed), one
for a month whose window is not open now, one already used, and one whose user has been
deactivated since (or lost the location). A failed save releases the link so it can be used again.

DynamoDB requests: open = the used-link mark (1 GetItem) + the user (1 GetItem) + the location and
last month (1 BatchGetItem, 1 Query); use = mark (1 PutItem) + user + the returns save (as PUT .../returns).
"""
from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from care_tracker.errors import AppError, Conflict, SealedError
from care_tracker.ports import Clock, UserRepository
from care_tracker.rules.links import sign, verify
from care_tracker.rules.reporting_window import previous_period, window_for_period
from care_tracker.rules.returns import CARE_TYPE_NAMES, CARE_TYPES

PURPOSE = "no-change-links"


class UsedLinks(Protocol):
    def use(self, link_id: str, at: datetime, expires_at: datetime) -> bool: ...

    def release(self, link_id: str) -> None: ...

    def used(self, link_id: str) -> bool: ...


class Keys(Protocol):
    def key(self, purpose: str) -> bytes: ...


@dataclass
class LinkPage:
    """What the page shows. `outcome`: ready (GET, may save), saved, already_saved, invalid,
    expired, wrong_month, not_available (deactivated or no longer at the location), refused."""

    outcome: str
    status: int
    message: str
    location_name: str | None = None
    care_type: str | None = None
    period: str | None = None
    last_period: str | None = None
    figures: dict[str, Any] = field(default_factory=dict)
    kind: str | None = None


def month_name(period: str) -> str:
    return f"{window_for_period(period).first_day:%B %Y}"


class NoChangeLinks:
    def __init__(self, keys: Keys, used: UsedLinks, users: UserRepository, returns, clock: Clock) -> None:
        self._keys = keys
        self._used = used
        self._users = users
        self._returns = returns  # ReturnsService
        self._clock = clock

    def issue(self, user_id: str, location_id: str, care_type: str, period: str) -> str:
        claims = {"u": user_id, "l": location_id, "c": care_type, "p": period,
                  "e": int(window_for_period(period).closes_at.timestamp()),
                  "n": base64.urlsafe_b64encode(os.urandom(12)).decode()}
        return sign(self._keys.key(PURPOSE), claims)

    # --- the checks both pages make ------------------------------------------------------------------
    def _check(self, token: str, now: datetime):
        try:
            claims = verify(self._keys.key(PURPOSE), token)
            user_id, location_id, care_type, period = (str(claims[k]) for k in ("u", "l", "c", "p"))
            link_id, expires = str(claims["n"]), int(claims["e"])
            window = window_for_period(period)
        except (SealedError, KeyError, ValueError, TypeError):
            return None, LinkPage("invalid", 400, "This link is not valid: it may have been cut short or changed. "
                                  "Use the link in the email again, or sign in to Care Tracker to make the return.")
        if care_type not in CARE_TYPES:
            return None, LinkPage("invalid", 400, "This link is not valid. Sign in to Care Tracker to make the return.")
        about = {"care_type": CARE_TYPE_NAMES[care_type], "period": month_name(period)}
        if now.timestamp() >= expires or now >= window.closes_at:
            return None, LinkPage("expired", 410, f"This link has expired: the window for {month_name(period)} returns "
                                  f"closed at the end of {window.last_day:%A %-d %B %Y}. Sign in to Care Tracker "
                                  "to see what to do now.", **about)
        if not window.contains(now):
            return None, LinkPage("wrong_month", 409, f"This link is for the {month_name(period)} return, and that "
                                  "month's window is not open now. Use the link in the latest reminder, or sign in "
                                  "to Care Tracker.", **about)
        return (user_id, location_id, care_type, period, link_id, window), None

    def _caller(self, user_id: str):
        from care_tracker.services.callers import Caller

        user = self._users.get(user_id)
        if user is None or not user.active:
            return None
        # The link is a capability for this one save, so the person's roles count in full here
        # (an approver's access to the organisation's locations included).
        return Caller(user_id=user.user_id, email=user.email, full_name=user.full_name, roles=frozenset(user.roles),
                      org_id=user.org_id, location_ids=tuple(user.location_ids), mfa_enrolled=user.mfa_enrolled)

    @staticmethod
    def _gone() -> LinkPage:
        return LinkPage("not_available", 403, "This link no longer works. If you still make returns for this "
                        "location, sign in to Care Tracker; if your account was deactivated, ask your approver.")

    def open(self, token: str) -> LinkPage:
        """The GET page: last month's figures and the button; writes nothing."""
        now = self._clock.now()
        checked, refused = self._check(token, now)
        if refused:
            return refused
        user_id, location_id, care_type, period, link_id, _window = checked
        about = {"care_type": CARE_TYPE_NAMES[care_type], "period": month_name(period)}
        if self._used.used(link_id):
            return LinkPage("already_saved", 200, f"The {month_name(period)} return was already saved from this link. "
                            "There is nothing more to do.", **about)
        caller = self._caller(user_id)
        if caller is None:
            return self._gone()
        last = previous_period(period)
        try:
            location, _w, state, _history = self._returns.month(caller, location_id, last)
        except AppError:
            return self._gone()
        current = state.current.get(care_type) if state else None
        if current is None:
            return LinkPage("refused", 409, f"There is no {month_name(last)} return to copy for this care type. "
                            "Sign in to Care Tracker to make this month's return.", location_name=location.name, **about)
        return LinkPage("ready", 200, f"If nothing has changed since {month_name(last)}, press the button to save the "
                        f"{month_name(period)} return with the same figures.", location_name=location.name,
                        last_period=month_name(last), figures=dict(current.figures or {}), kind=current.kind, **about)

    def use(self, token: str) -> LinkPage:
        """The POST: saves the no-change return as the link's user, once."""
        now = self._clock.now()
        checked, refused = self._check(token, now)
        if refused:
            return refused
        user_id, location_id, care_type, period, link_id, window = checked
        about = {"care_type": CARE_TYPE_NAMES[care_type], "period": month_name(period)}
        caller = self._caller(user_id)
        if caller is None:
            return self._gone()
        if not self._used.use(link_id, now, window.closes_at):
            return LinkPage("already_saved", 200, f"The {month_name(period)} return was already saved from this link. "
                            "There is nothing more to do.", **about)
        try:
            saved = self._returns.save(caller, location_id, period, care_type, {"no_change": True})
        except Conflict as exc:
            self._used.release(link_id)
            if exc.code == "version_required":
                return LinkPage("already_saved", 409, f"A {month_name(period)} return for this care type has already "
                                "been saved, so nothing was changed. To change it, sign in to Care Tracker.", **about)
            return LinkPage("refused", 409, exc.message, **about)
        except AppError as exc:
            self._used.release(link_id)
            if exc.status in (403, 404):
                return self._gone()
            return LinkPage("refused", exc.status, exc.message, **about)
        except Exception:
            self._used.release(link_id)  # nothing half-written: the link works again
            raise
        return LinkPage("saved", 200, f"Saved: the {month_name(period)} return says nothing has changed since "
                        f"{month_name(saved.copied_from or previous_period(period))}. Thank you.",
                        figures=dict(saved.figures or {}), kind=saved.kind, **about)

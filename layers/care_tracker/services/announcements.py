"""Announcements (RULES 1, support team): notices such as webinars that logged-in users see while
they are current."""
from __future__ import annotations

import uuid
from datetime import datetime

from care_tracker.errors import BadRequest
from care_tracker.ports import Clock


class AnnouncementService:
    def __init__(self, store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def post(self, caller, title: str, body: str, starts_at: datetime, ends_at: datetime) -> dict:
        if ends_at <= starts_at:
            raise BadRequest("An announcement must end after it starts.", code="ends_before_start")
        if ends_at <= self._clock.now():
            raise BadRequest("That announcement would already be over: choose an end in the future.", code="already_over")
        return self._store.add(str(uuid.uuid4()), title, body, starts_at, ends_at, caller.user_id, self._clock.now())

    def current(self) -> list[dict]:
        return sorted(self._store.current(self._clock.now()), key=lambda a: a["starts_at"])

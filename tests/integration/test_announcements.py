"""Announcements on moto: the support team posts; logged-in users see the current ones."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from care_tracker.errors import BadRequest
from care_tracker.services.auth import Caller
from tests.support import FixedClock

SUPPORT = Caller(user_id="support-1", email="s@example.org", full_name="Support", roles=frozenset({"admin"}))


def test_only_current_announcements_are_shown(aws):
    from care_tracker.adapters.announcement_store import DynamoAnnouncementStore
    from care_tracker.services.announcements import AnnouncementService

    clock = FixedClock(datetime(2026, 3, 1, 9, tzinfo=UTC))
    service = AnnouncementService(DynamoAnnouncementStore(), clock)
    day = timedelta(days=1)
    webinar = service.post(SUPPORT, "Webinar", "Tuesday 2pm", clock.at - day, clock.at + day)
    service.post(SUPPORT, "Later", "Next month", clock.at + 10 * day, clock.at + 20 * day)
    assert [a["announcement_id"] for a in service.current()] == [webinar["announcement_id"]]
    clock.at += 11 * day
    assert [a["title"] for a in service.current()] == ["Later"]
    clock.at += 30 * day
    assert service.current() == []
    with pytest.raises(BadRequest):
        service.post(SUPPORT, "Backwards", "x", clock.at + day, clock.at)
    with pytest.raises(BadRequest):
        service.post(SUPPORT, "Over", "x", clock.at - 2 * day, clock.at - day)
    # times in another offset are compared as instants
    bst = timezone(timedelta(hours=1))
    service.post(SUPPORT, "BST", "x", (clock.at - day).astimezone(bst), (clock.at + day).astimezone(bst))
    assert [a["title"] for a in service.current()] == ["BST"]

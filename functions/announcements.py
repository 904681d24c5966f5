"""Announcements from the support team (e.g. webinars), shown to logged-in users while current."""
from __future__ import annotations

from chalice import Blueprint
from pydantic import BaseModel

from functions.http import route
from functions.schema import Instant, Strict, text

bp = Blueprint(__name__)


class NewAnnouncement(Strict):
    title: text(200, multiline=False, min_length=3)
    body: text(5000, multiline=True)
    starts_at: Instant
    ends_at: Instant


class Announcement(BaseModel):
    id: str
    title: str
    body: str
    starts_at: str
    ends_at: str


class Announcements(BaseModel):
    announcements: list[Announcement]


def _view(a: dict) -> Announcement:
    return Announcement(id=a["announcement_id"], title=a["title"], body=a["body"], starts_at=a["starts_at"], ends_at=a["ends_at"])


@route(bp, "/announcements", "POST", summary="Support team: post an announcement shown between two instants",
       roles=("admin",), body=NewAnnouncement, response=Announcement, status=201, tag="announcements")
def post_announcement(caller, body: NewAnnouncement):
    from care_tracker.wiring import announcement_service

    return _view(announcement_service().post(caller, body.title, body.body, body.starts_at, body.ends_at))


@route(bp, "/announcements", summary="The current announcements", response=Announcements, tag="announcements",
       commissioners=True)
def current_announcements(caller):
    from care_tracker.wiring import announcement_service

    return Announcements(announcements=[_view(a) for a in announcement_service().current()])

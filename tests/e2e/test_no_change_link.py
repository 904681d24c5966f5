"""'No change' from the reminder email, over HTTP on the local stack (issue 15's "Done when"): a
provider user saves "no change" from the link in a reminder in the outbox, without signing in, and
every bad link is refused with nothing written. Months of 2027 that no other module uses; the
service's clock is set with PUT /_local/clock and set back afterwards."""
from __future__ import annotations

import re

import pytest

from tests.e2e.test_returns import ANNA, HOME_LOC

# Home care at Anna's supported-living location: the commissioners' module reads the care homes' latest returns.
HOME_CARE = {"people_receiving_care": 18, "hours_delivered_last_week": 410, "staff_direct": 14, "staff_agency": 1,
             "staff_absent": 0, "accepting_new_packages": True}

pytestmark = pytest.mark.e2e

IN_MAY_WINDOW = "2027-05-10T09:00:00+00:00"
JUNE_REMIND = "2027-06-11T08:00:00+00:00"  # the June 2027 window runs 8th-14th; its reminder goes on Friday 11th


@pytest.fixture
def clock(api):
    def set_to(at: str | None) -> None:
        assert api.call("PUT", "/_local/clock", json={"at": at}).status_code == 200

    try:
        yield set_to
    finally:
        set_to(None)


def _june(api, token) -> dict:
    month = api.call("GET", f"/locations/{HOME_LOC}/returns/2027-06", token=token)
    assert month.status_code == 200, month.text
    return month.json()


def test_no_change_from_the_reminder_in_the_outbox(api, clock):
    token = api.token(ANNA)
    clock(IN_MAY_WINDOW)
    saved = api.call("PUT", f"/locations/{HOME_LOC}/returns/2027-05/home_care", token=token, json=HOME_CARE)
    assert saved.status_code == 200, saved.text

    clock(JUNE_REMIND)
    run = api.call("POST", "/_local/jobs/remind", json={"at": JUNE_REMIND})
    assert run.status_code == 200 and run.json()["result"]["window"] == "2027-06", run.text
    [mail] = [m for m in api.outbox() if m["to"] == ANNA and m["subject"] == "Reminder: June 2027 returns still missing"]
    line = next(x for x in mail["body"].splitlines() if "Harbour Lights Supported Living: home care" in x)
    link = re.search(r"(https?://\S+/no-change/\S+)$", line).group(1)
    path = "/no-change/" + link.rsplit("/no-change/", 1)[1]
    assert link == api.base + path  # the local stack's links lead to its own API

    anonymous = __import__("requests").Session()  # no token, no cookie: the link is the authority
    page = anonymous.get(api.base + path, timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "May 2027 figures" in page.text and ">Nothing has changed</button>" in page.text
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"] and "<script" not in page.text
    assert _june(api, token)["current"].get("home_care") is None  # opening the page wrote nothing

    # a changed link and a link for a month whose window is not open are refused, and write nothing
    payload, signature = path.rsplit("/", 1)[1].split(".")
    tampered = anonymous.post(api.base + f"/no-change/{payload}.{signature[::-1]}", data={}, timeout=30)
    assert tampered.status_code == 400 and "not valid" in tampered.text
    clock("2027-06-01T09:00:00+00:00")
    early = anonymous.post(api.base + path, data={}, timeout=30)
    assert early.status_code == 409 and "not open now" in early.text
    clock("2027-06-15T00:00:00+01:00")
    late = anonymous.post(api.base + path, data={}, timeout=30)
    assert late.status_code == 410 and "expired" in late.text
    assert _june(api, token)["current"].get("home_care") is None

    clock(JUNE_REMIND)
    pressed = anonymous.post(api.base + path, data={}, timeout=30)  # the page's form: urlencoded, empty
    assert pressed.status_code == 200 and "Saved" in pressed.text, pressed.text
    current = _june(api, token)["current"]["home_care"]
    assert current["no_change"] is True and current["version"] == 1 and current["figures"] == HOME_CARE
    assert current["saved_by"]["user_id"] == api.call("GET", "/me", token=token).json()["user_id"]  # as the link's user
    again = anonymous.post(api.base + path, data={}, timeout=30)
    assert again.status_code == 200 and "already saved" in again.text
    assert _june(api, token)["current"]["home_care"]["version"] == 1

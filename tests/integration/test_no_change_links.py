"""'No change' from the reminder email, on moto: the remind job's links, the GET page that writes
nothing, the POST that saves once as the link's user, and every bad link refused with nothing written."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from care_tracker import wiring
from tests.integration.test_returns import CARE_HOME, HOME
from tests.support import FixedClock, dynamodb_requests

NOVEMBER = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)
REMIND = datetime(2026, 12, 11, 9, 0, tzinfo=UTC)  # the December 2026 window runs to the 14th


@pytest.fixture
def world(aws, sent_mail, monkeypatch):
    clock = FixedClock(NOVEMBER)
    monkeypatch.setattr(wiring, "clock", lambda: clock)
    wiring.location_directory().write(
        [{"org_id": "1-100", "name": "Org"}],
        [{"location_id": "1-10", "org_id": "1-100", "name": "Oak House", "postcode": "LS1 1AA", "care_types": ["care_home"],
          "status": "active", "registered_on": "2020-01-01"},
         {"location_id": "1-11", "org_id": "1-100", "name": "Oak Home Care", "postcode": "LS1 1AA",
          "care_types": ["home_care", "supported_living"], "status": "active", "registered_on": "2020-01-01"}])
    pat = wiring.account_service().create_account(email="pat@example.org", full_name="Pat", roles=["provider_user"],
                                                  org_id="1-100", location_ids=["1-10", "1-11"])
    from care_tracker.services.auth import Caller

    me = Caller(user_id=pat.user_id, email=pat.email, full_name="Pat", roles=frozenset({"provider_user"}), org_id="1-100",
                location_ids=("1-10", "1-11"))
    wiring.returns_service().save(me, "1-10", "2026-11", "care_home", CARE_HOME)
    wiring.returns_service().save(me, "1-11", "2026-11", "home_care", HOME)
    clock.at = REMIND
    result = wiring.window_jobs().remind(REMIND)
    assert result["sent"] == 1, result
    [mail] = [m for m in sent_mail() if "still missing" in m.subject]
    return {"clock": clock, "pat": pat, "mail": mail}


def _links(mail) -> dict[str, str]:
    """care type line -> the link's path (the API's base stripped)."""
    found = {}
    for line in mail.body.splitlines():
        match = re.match(r"\s+- (.+?) - nothing changed\? \S+?(/no-change/\S+)$", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def _call(method: str, path: str, content_type: str = "application/x-www-form-urlencoded"):
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        response = client.http.request(method, path, headers={"Content-Type": content_type} if method == "POST" else {},
                                       body=b"" if method == "POST" else None)
    return response


def _december(location_id: str):
    state, _ = wiring.return_store().period_with_history(location_id, "2026-12")
    return state.current if state else {}


def test_the_reminder_has_one_line_per_location_and_care_type_with_a_link_where_last_month_had_a_return(world):
    body = world["mail"].body
    assert "Oak House: care home - nothing changed? " in body
    assert "Oak Home Care: home care - nothing changed? " in body
    assert re.search(r"- Oak Home Care: supported living\n", body)  # no return last month: no link
    assert set(_links(world["mail"])) == {"Oak House: care home", "Oak Home Care: home care"}
    assert "pat@example.org" not in "".join(_links(world["mail"]).values())


def test_the_page_shows_last_months_figures_and_changes_nothing(world):
    path = _links(world["mail"])["Oak House: care home"]
    with dynamodb_requests() as calls:
        page = _call("GET", path)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    text = page.body.decode()
    assert "November 2026 figures" in text and "Beds: occupied</dt><dd class=\"govuk-summary-list__value\">30" in text
    assert '<form method="post"><button type="submit" class="govuk-button">Nothing has changed</button></form>' in text
    assert "<script" not in text and "style=" not in text
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert calls["PutItem"] == calls["UpdateItem"] == calls["TransactWriteItems"] == calls["DeleteItem"] == 0
    assert _december("1-10") == {}


def test_pressing_the_button_saves_no_change_as_that_user_once(world):
    path = _links(world["mail"])["Oak House: care home"]
    saved = _call("POST", path)
    assert saved.status_code == 200 and "Saved" in saved.body.decode(), saved.body
    current = _december("1-10")["care_home"]
    assert (current.no_change, current.copied_from, current.saved_by, current.in_window, current.version) == (
        True, "2026-11", world["pat"].user_id, True, 1)
    assert current.figures == CARE_HOME
    again = _call("POST", path)
    assert again.status_code == 200 and "already saved" in again.body.decode()
    assert _december("1-10")["care_home"].version == 1
    assert "already saved" in _call("GET", path).body.decode()


def test_a_return_saved_meanwhile_is_not_overwritten(world):
    from care_tracker.services.auth import Caller

    path = _links(world["mail"])["Oak Home Care: home care"]
    me = Caller(user_id=world["pat"].user_id, email="pat@example.org", full_name="Pat", roles=frozenset({"provider_user"}),
                org_id="1-100", location_ids=("1-11",))
    wiring.returns_service().save(me, "1-11", "2026-12", "home_care", {**HOME, "staff_absent": 5})
    answer = _call("POST", path)
    assert answer.status_code == 409 and "already been saved" in answer.body.decode()
    assert _december("1-11")["home_care"].figures["staff_absent"] == 5


@pytest.mark.parametrize("case", ["tampered", "cut", "expired", "wrong_month", "deactivated", "lost_location"])
def test_bad_links_get_a_clear_page_and_write_nothing(world, case):
    path = _links(world["mail"])["Oak House: care home"]
    expected = {"tampered": (400, "not valid"), "cut": (400, "not valid"), "expired": (410, "expired"),
                "wrong_month": (409, "not open now"), "deactivated": (403, "no longer works"),
                "lost_location": (403, "no longer works")}[case]
    if case == "tampered":
        payload, signature = path.rsplit("/", 1)[1].split(".")
        import base64
        import json

        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        forged = base64.urlsafe_b64encode(json.dumps({**claims, "l": "1-11"}).encode()).decode().rstrip("=")
        path = f"/no-change/{forged}.{signature}"
    elif case == "cut":
        path = path[:-5]
    elif case == "expired":
        world["clock"].at = datetime(2026, 12, 15, 0, 0, tzinfo=UTC)  # the window closed at midnight
    elif case == "wrong_month":
        world["clock"].at = REMIND - timedelta(days=10)  # the December window is not open yet
    elif case == "deactivated":
        wiring.users().update(world["pat"].user_id, None, active=False)
    elif case == "lost_location":
        wiring.users().update(world["pat"].user_id, None, location_ids=["1-11"])
    for method in ("GET", "POST"):
        page = _call(method, path)
        status, words = expected
        assert page.status_code == status and words in page.body.decode(), (method, page.status_code, page.body[:400])
        assert "Nothing has changed</button>" not in page.body.decode()
        if case == "deactivated":
            assert "Beds" not in page.body.decode()
    assert _december("1-10") == {} and _december("1-11") == {}
    assert not wiring.no_change_links()._used.used("x")  # the store answers (sanity)


def test_an_api_client_gets_the_error_shape(world):
    answer = _call("POST", "/no-change/not-a-token", content_type="application/json")
    assert answer.status_code == 400
    import json

    assert set(json.loads(answer.body)) == {"code", "message", "details"}


def test_page_headers_are_the_web_clients():
    from functions.no_change import PAGE_HEADERS
    from infra.web_hosting import SECURITY_HEADERS

    assert {k: PAGE_HEADERS[k] for k in SECURITY_HEADERS} == SECURITY_HEADERS

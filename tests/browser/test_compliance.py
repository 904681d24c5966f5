"""Journey 5, compliance: the organisation's view for approvers and a location's months and stage,
after the October and November 2026 windows closed with nothing saved (two misses in a row: at risk)."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import APPROVER_FOR_SCREEN, check, go_to, sign_in

CLOSINGS = ("2026-10-15T00:30:00+01:00", "2026-11-17T00:30:00+00:00")  # 14 November 2026 is a Saturday


def close_october_and_november(api) -> None:
    for at in CLOSINGS:  # the scheduled job, run as if the clock read `at`; a second run changes nothing
        answer = api.call("POST", "/_local/jobs/close_window", json={"at": at})
        assert answer.status_code == 200, answer.text


def test_compliance_of_the_organisation_and_a_location(page, api, screen):
    close_october_and_november(api)
    approver = APPROVER_FOR_SCREEN[screen]
    api.token(approver)
    sign_in(page, approver, api.passwords[approver])
    go_to(page, "Compliance")
    expect(page.get_by_role("heading", name="Compliance of your organisation")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text("November 2026")
    expect(rows.first).to_contain_text("Missed")
    expect(rows.first).to_contain_text("At risk: two months missed in a row")
    check(page, "organisation")
    name = rows.first.locator("th a").inner_text()
    rows.first.locator("th a").click()
    expect(page.get_by_role("heading", name=f"Compliance of {name}")).to_be_visible()
    assert page.title() == f"Compliance of {name} - Care Tracker"
    months = page.locator("tbody tr")
    expect(months.nth(0)).to_contain_text("November 2026")
    expect(months.nth(1)).to_contain_text("October 2026")
    expect(page.get_by_text("Stage now:")).to_contain_text("At risk")
    check(page, "location")

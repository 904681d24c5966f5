"""Journey 5, compliance: the organisation's view for approvers and a location's months and stage,
after the September to November 2026 windows closed with nothing saved (three misses in a row); with
the keyboard alone."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import APPROVER_FOR_SCREEN, check, go_to_by_keyboard, sign_in, tab_to


def test_compliance_of_the_organisation_and_a_location(page, api, screen, closed_windows):
    approver = APPROVER_FOR_SCREEN[screen]
    api.token(approver)
    sign_in(page, approver, api.passwords[approver], api=api)
    go_to_by_keyboard(page, "Compliance")
    expect(page.get_by_role("heading", name="Compliance of your organisation")).to_be_focused()
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text("November 2026")
    expect(rows.first).to_contain_text("Missed")
    expect(rows.first).to_contain_text("Eligible for a penalty")
    check(page, "organisation")
    name = rows.first.locator("th a").inner_text()
    tab_to(page, rows.first.locator("th a"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Compliance of {name}")).to_be_focused()
    assert page.title() == f"Compliance of {name} - Care Tracker"
    months = page.locator("tbody tr")
    expect(months.nth(0)).to_contain_text("November 2026")
    expect(months.nth(1)).to_contain_text("October 2026")
    expect(months.nth(2)).to_contain_text("September 2026")
    expect(page.get_by_text("Stage now:")).to_contain_text("Eligible for a penalty")
    check(page, "location")

"""Journey 3, "This month" for a provider user, inside the December 2026 window (the service's clock
fixed with PUT /_local/clock, the browser's with Playwright's clock): the window and days left, the
task list, a return by keyboard alone with the API's errors, nil return, "no change" through the
check-answers page, a stale save explained and reloaded, the save history."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import APPROVER_FOR_SCREEN, PASSWORD, check, demo_locations, new_provider_user, sign_in, tab_to

NOVEMBER = {"beds_max_capacity": 30, "beds_occupied": 26, "beds_vacant_reserved": 1, "beds_vacant_accepting": 3,
            "staff_nurses_direct": 4, "staff_care_direct": 20, "staff_non_care_direct": 6, "staff_nurses_agency": 1,
            "staff_care_agency": 2, "staff_non_care_agency": 0, "staff_absent": 3}


def _locations(api, screen):
    """{care type: (location id, name)} of the organisation this screen width works on."""
    token = api.token(APPROVER_FOR_SCREEN[screen])
    found = {}
    for location_id in demo_locations(api, APPROVER_FOR_SCREEN[screen]):
        month = api.call("GET", f"/locations/{location_id}/returns/2026-12", token).json()
        for care_type in month["care_types"]:
            found.setdefault(care_type, (location_id, month["location_name"]))
    return found


def test_this_month_returns(page, api, screen, in_december_window):
    places = _locations(api, screen)
    (home_id, home_name), (care_id, care_name) = places["home_care"], places["care_home"]
    email, temporary = new_provider_user(api, sorted({home_id, care_id}), full_name="Rosa Lind", approver=APPROVER_FOR_SCREEN[screen])
    token = api.token(email, temporary)
    # Last month's care home return, saved through the API (November: outside any window now).
    november = api.call("GET", f"/locations/{care_id}/returns/2026-11", token).json()["current"]["care_home"]
    # (test_support.py may have saved this home's November return already: update it, with its version)
    saved = api.call("PUT", f"/locations/{care_id}/returns/2026-11/care_home", token,
                     json={**NOVEMBER, **({"version": november["version"]} if november else {})})
    assert saved.status_code == 200, saved.text

    sign_in(page, email, PASSWORD)
    expect(page.get_by_role("heading", name="Returns for December 2026")).to_be_visible()
    assert page.title() == "Returns for December 2026 - Care Tracker"
    summary = page.locator(".govuk-summary-list")
    expect(summary).to_contain_text("Tuesday 8 December 2026")
    expect(summary).to_contain_text("Monday 14 December 2026")
    expect(summary).to_contain_text("6 days left, including today.")
    care_task = page.get_by_role("link", name=f"{care_name}: care home return")
    home_task = page.get_by_role("link", name=f"{home_name}: home care return")
    expect(page.locator(".govuk-task-list__item", has=care_task)).to_contain_text("Not started")
    expect(page.locator(".govuk-task-list__item", has=home_task)).to_contain_text("Not started")
    check(page, "this-month")

    # --- the home care return, with the keyboard alone; the API's errors in the summary and on the fields
    home_task.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Home care return for December 2026")).to_be_focused()
    assert page.title() == "Home care return for December 2026 - Care Tracker"
    check(page, "home-care-form")
    tab_to(page, page.get_by_label("People receiving care"))
    for text in ("14", "900", "3", "1", "x"):  # people, hours, direct, agency, absent
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    page.keyboard.press("Space")  # "Yes": can accept new packages
    page.keyboard.press("Enter")
    errors = page.locator(".govuk-error-summary")
    expect(errors).to_be_focused()
    expect(errors).to_contain_text("Staff absent: must be a whole number, 0 or more")
    assert page.title().startswith("Error: ")
    expect(page.locator("#staff_absent-error")).to_contain_text("must be a whole number")
    check(page, "home-care-form-errors")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the summary's link to the field
    expect(page.get_by_label("Staff absent")).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("1")
    page.keyboard.press("Enter")
    # Now the cross-field check: 900 hours is more than 4 staff could deliver in a week.
    expect(page.locator("#hours_delivered_last_week-error")).to_contain_text("more than 4 staff could deliver")
    page.get_by_label("Hours of care delivered in the last week").fill("420")
    page.get_by_label("Hours of care delivered in the last week").press("Enter")
    expect(page.get_by_text(f"Home care return for {home_name} saved")).to_be_visible()
    expect(page.get_by_text("It counts towards December 2026.")).to_be_visible()
    expect(page.locator(".govuk-task-list__item", has=home_task)).to_contain_text("Done")
    check(page, "saved")

    # --- nil return: one action
    home_task.click()
    expect(page.get_by_text("Last saved as figures by Rosa Lind")).to_be_visible()
    page.get_by_role("button", name="Make a nil return").click()
    expect(page.get_by_text(f"Home care return for {home_name} saved")).to_be_visible()

    # --- no change since last month, through the check-answers page
    care_task.click()
    page.get_by_role("link", name="Check last month’s figures and confirm nothing has changed").click()
    expect(page.get_by_role("heading", name="Check last month’s figures")).to_be_visible()
    answers = page.locator(".govuk-summary-list")
    expect(answers.locator(".govuk-summary-list__row", has_text="Maximum bed capacity")).to_contain_text("30")
    expect(answers.locator(".govuk-summary-list__row", has_text="Staff absent")).to_contain_text("3")
    check(page, "no-change-check-answers")
    page.get_by_role("link", name="Change beds occupied").click()  # something did change: start from last month's
    expect(page.get_by_text("The figures below are November 2026’s")).to_be_visible()
    expect(page.get_by_label("Beds occupied")).to_have_value("26")
    page.go_back()
    page.get_by_role("button", name="Confirm nothing has changed").click()
    expect(page.get_by_text(f"Care home return for {care_name} saved")).to_be_visible()
    expect(page.locator(".govuk-task-list__item", has=care_task)).to_contain_text("Done")
    saved = api.call("GET", f"/locations/{care_id}/returns/2026-12", token).json()["current"]["care_home"]
    assert saved["no_change"] and saved["figures"] == NOVEMBER

    # --- a stale save: someone else saves while the form is open
    care_task.click()
    expect(page.get_by_label("Maximum bed capacity")).to_have_value("30")
    someone_else = api.call("PUT", f"/locations/{care_id}/returns/2026-12/care_home", token,
                            json={**NOVEMBER, "beds_occupied": 25, "beds_vacant_accepting": 4, "version": saved["version"]})
    assert someone_else.status_code == 200, someone_else.text
    page.get_by_label("Beds occupied").fill("27")
    page.get_by_label("Vacant beds accepting admissions").fill("2")
    page.get_by_role("button", name="Save return").click()
    expect(errors).to_contain_text("Someone else changed this return since you opened it")
    check(page, "stale-save")
    page.get_by_role("button", name="Reload the return").click()
    expect(page.get_by_label("Beds occupied")).to_have_value("25")  # their change, shown
    page.get_by_label("Beds occupied").fill("27")
    page.get_by_label("Vacant beds accepting admissions").fill("2")
    page.get_by_role("button", name="Save return").click()
    expect(page.get_by_text(f"Care home return for {care_name} saved")).to_be_visible()

    # --- who saved what, when
    page.get_by_role("link", name=f"Save history of {care_name}").click()
    expect(page.get_by_role("heading", name=re.compile("Save history for December 2026"))).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text("Rosa Lind")
    assert rows.count() >= 2
    check(page, "history")

"""Journey 7, the support team, and 9, announcements at sign-in: requests with no approver (a
commissioner's), announcements, the national report by local authority and region (and its CSV),
locations at risk, a correction with a reason, escalation tasks, CSV downloads of a month's returns;
the daily changes' CSV downloaded with the keyboard alone."""
from __future__ import annotations

import re
from datetime import date, timedelta

import requests
from playwright.sync_api import expect

from tests.browser.conftest import (
    APPROVER_FOR_SCREEN,
    DEMO_APPROVER,
    PASSWORD,
    check,
    demo_locations,
    go_to,
    go_to_by_keyboard,
    new_provider_user,
    sign_in,
    sign_out,
    tab_to,
    unique_email,
)

SUPPORT = "support@demo.care-tracker.example.org"
NOVEMBER_HOME = {"beds_max_capacity": 20, "beds_occupied": 18, "beds_vacant_reserved": 0, "beds_vacant_accepting": 2,
                 "staff_nurses_direct": 2, "staff_care_direct": 12, "staff_non_care_direct": 3, "staff_nurses_agency": 0,
                 "staff_care_agency": 1, "staff_non_care_agency": 0, "staff_absent": 1}


def _late_november_care_home_return(api, screen) -> str:
    """The other screen's organisation saves November's care home return late; its location's name."""
    approver = APPROVER_FOR_SCREEN["phone" if screen == "desktop" else "desktop"]
    token = api.token(approver)
    for location_id in demo_locations(api, approver):
        month = api.call("GET", f"/locations/{location_id}/returns/2026-11", token).json()
        if "care_home" in month["care_types"]:
            current = month["current"]["care_home"]
            body = {**NOVEMBER_HOME, **({"version": current["version"]} if current else {})}
            saved = api.call("PUT", f"/locations/{location_id}/returns/2026-11/care_home", token, json=body)
            assert saved.status_code == 200, saved.text
            return month["location_name"]
    raise AssertionError("no care home")


def test_the_support_team(page, api, screen, closed_windows):
    commissioner = unique_email("kim")
    asked = api.call("POST", "/registrations", json={
        "full_name": "Kim Doyle", "email": commissioner.replace("example.org", "bristol.gov.uk"), "phone": "0117 496 0500",
        "job_title": "Commissioning manager", "local_authorities": ["Bristol, City of"], "terms_accepted": True, "comms_consent": False})
    assert asked.status_code == 201, asked.text
    late_location = _late_november_care_home_return(api, screen)

    api.token(SUPPORT)
    sign_in(page, SUPPORT, api.passwords[SUPPORT], api=api)
    # --- requests that no approver can decide land with the support team
    expect(page.get_by_role("heading", name="Access requests")).to_be_visible()
    card = page.locator(".govuk-summary-card", has_text="Kim Doyle")
    expect(card).to_contain_text("Bristol, City of")
    check(page, "support-requests")
    card.get_by_role("button", name="Approve Kim Doyle").click()
    expect(page.get_by_text("Kim Doyle can now use Care Tracker")).to_be_visible()

    # --- an announcement, seen at the next sign-in
    go_to(page, "Announcements")
    expect(page.get_by_role("heading", name="Announcements")).to_be_visible()
    page.get_by_role("button", name="Post announcement").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator("[data-field=starts] .govuk-error-message")).to_contain_text("Enter the first day as a real date")
    check(page, "announcement-errors")
    today, week = date.today(), date.today() + timedelta(days=7)
    title = f"Webinar on the new return ({screen})"
    page.get_by_label("Title").fill(title)
    page.get_by_label("What people should know").fill("Join us online on Thursday at 2pm.\nBring your questions.")
    for prefix, day in (("starts", today), ("ends", week)):
        page.locator(f"#{prefix}-day").fill(str(day.day))
        page.locator(f"#{prefix}-month").fill(str(day.month))
        page.locator(f"#{prefix}-year").fill(str(day.year))
    page.get_by_role("button", name="Post announcement").click()
    expect(page.get_by_text("Announcement posted")).to_be_visible()
    expect(page.locator("main")).to_contain_text(title)
    check(page, "announcements")

    sign_out(page)
    reader, temporary = new_provider_user(api, demo_locations(api, DEMO_APPROVER)[:1], full_name="Ali Reader")
    api.token(reader, temporary)
    sign_in(page, reader, PASSWORD)
    banner = page.locator(".govuk-notification-banner", has_text="Announcements")
    expect(banner).to_contain_text(title)
    expect(banner).to_contain_text("Bring your questions.")
    check(page, "announcement-at-sign-in")
    sign_out(page)

    # --- the national report, by local authority and region, with its CSV
    sign_in(page, SUPPORT, api.passwords[SUPPORT], api=api)
    page.goto("/reports?period=2026-11")
    expect(page.get_by_role("heading", name="National report for November 2026")).to_be_visible()
    expect(page.get_by_role("table", name="By local authority")).to_contain_text("Bristol, City of")
    expect(page.get_by_role("table", name="By region")).to_contain_text("South West")
    check(page, "national-report")
    with page.expect_download() as downloaded:
        page.get_by_role("button", name="Download this report (CSV)").click()
    assert downloaded.value.suggested_filename == "national-report-2026-11.csv"
    assert "Bristol" in open(downloaded.value.path(), encoding="utf-8").read()

    # --- locations at risk, and a late return accepted with a reason
    go_to(page, "At risk")
    expect(page.get_by_role("heading", name="Locations at risk")).to_be_visible()
    check(page, "at-risk")
    page.get_by_role("link", name=late_location).click()
    expect(page.get_by_role("heading", name=f"Compliance of {late_location}")).to_be_visible()
    page.get_by_role("button", name="Accept the late return").click()
    expect(page.locator("#reason-error")).to_contain_text("Enter why the late return counts")
    page.get_by_label("November 2026").check()
    page.get_by_label("Care home").check()
    page.get_by_label("Why does it count?").fill("The service was down on the last day of the window.")
    page.get_by_role("button", name="Accept the late return").click()
    expect(page.get_by_text("The late care home return for November 2026 now counts")).to_be_visible()
    expect(page.locator("tbody tr").first).to_contain_text("late return accepted")
    check(page, "correction")

    # --- escalation tasks
    page.goto("/tasks?period=2026-11")
    expect(page.get_by_role("heading", name="Escalation tasks")).to_be_visible()
    expect(page.locator("tbody")).to_contain_text(re.compile("Warn|Open an enforcement case|Offer help"))
    check(page, "tasks")

    # --- a month's returns as CSV
    go_to(page, "Downloads")
    expect(page.get_by_role("heading", name="Downloads (CSV)")).to_be_visible()  # typed into the page, not the one before
    page.get_by_label("Month").fill("2026-11")
    expect(page.get_by_label("Month")).to_have_value("2026-11")
    page.locator("form", has=page.get_by_label("Month")).get_by_role("button", name="Make the file").click()
    expect(page.get_by_text("Your file is ready")).to_be_visible(timeout=60_000)  # every location's returns, on moto
    check(page, "downloads")
    href = page.locator("#download-link").get_attribute("href")
    csv = requests.get(href, timeout=10)
    assert csv.status_code == 200 and "location_id" in csv.text.splitlines()[0]


# A home care return saved on Wednesday 10 March 2027 (no other browser test uses 2027-03), at
# Meadowbank Home Care (Leeds; Helen Marsh approves), exported by the 03:00 job the next night.
CHANGES_DAY, SAVED_AT, EXPORTED_AT = "2027-03-10", "2027-03-10T10:00:00+00:00", "2027-03-11T03:00:00+00:00"
MEADOWBANK_HOME_CARE = "1-2000000002"
HOME_CARE = {"people_receiving_care": 12, "hours_delivered_last_week": 640, "staff_direct": 9, "staff_agency": 1,
             "staff_absent": 0, "accepting_new_packages": True}


def _a_return_saved_and_exported(api) -> None:
    token = api.token("helen.marsh@example.org")
    try:
        assert api.call("PUT", "/_local/clock", json={"at": SAVED_AT}).status_code == 200
        current = api.call("GET", f"/locations/{MEADOWBANK_HOME_CARE}/returns/2027-03", token).json()["current"]["home_care"]
        saved = api.call("PUT", f"/locations/{MEADOWBANK_HOME_CARE}/returns/2027-03/home_care", token,
                         json={**HOME_CARE, **({"version": current["version"]} if current else {})})
        assert saved.status_code == 200, saved.text
    finally:
        api.call("PUT", "/_local/clock", json={"at": None})
    ran = api.call("POST", "/_local/jobs/export_changes", json={"at": EXPORTED_AT})  # a second run hands out the same file
    assert ran.status_code == 200, ran.text


def test_the_daily_changes_csv_with_the_keyboard_alone(page, api):
    _a_return_saved_and_exported(api)
    api.token(SUPPORT)
    sign_in(page, SUPPORT, api.passwords[SUPPORT], api=api)
    go_to_by_keyboard(page, "Downloads")
    expect(page.get_by_role("heading", name="Downloads (CSV)")).to_be_focused()
    tab_to(page, page.get_by_label("Day"))
    page.keyboard.type("2027-03-09")  # not exported: the API says when it will be
    page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(page.locator("#day-error")).to_contain_text("exported at 03:00 (UK time) the next day")
    check(page, "daily-changes-not-ready")
    page.keyboard.press("Tab")  # the summary's link to the field
    page.keyboard.press("Enter")
    expect(page.get_by_label("Day")).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(CHANGES_DAY)
    page.keyboard.press("Enter")
    link = page.get_by_role("link", name=f"Download changes of {CHANGES_DAY} (CSV)")
    expect(link).to_be_focused()
    check(page, "daily-changes-ready")
    with page.expect_download() as downloaded:
        page.keyboard.press("Enter")
    assert downloaded.value.suggested_filename.endswith(".csv")
    with open(downloaded.value.path(), encoding="utf-8") as f:
        text = f.read()
    assert "location_id" in text.splitlines()[0] and MEADOWBANK_HOME_CARE in text

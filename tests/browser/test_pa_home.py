"""Journey 7 of issue 14, the PA's home, with an employer of its own: the first sign-in's own
password, the employment, this week's shift, the timesheet due for the period that ended and the
one running now, correcting their own details; then, archived and taken back, the PA is led to
fill in their details (by keyboard alone) before anything else."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.conftest import check, first_sign_in, mail_to, new_employer, new_pa, tab_to


def _long(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def test_pa_home_and_details_after_reactivation(page, api, screen):
    employer, employer_id = new_employer(api, full_name="Ravi Shah")
    token = api.token(employer)
    today = datetime.now(ZoneInfo("Europe/London")).date()
    monday = today - timedelta(days=today.weekday())
    settings = api.call("PUT", f"/employers/{employer_id}/settings", token,
                        json={"version": 1, "pay_cycle": "weekly", "first_period_start": "2025-01-06"})
    assert settings.status_code == 200, settings.text
    pa, pa_id = new_pa(api, employer, employer_id, full_name="Noor Hassan", start_date=(today - timedelta(days=60)).isoformat())
    shift = api.call("POST", f"/employers/{employer_id}/pas/{pa_id}/shifts", token, json={
        "day": today.isoformat(), "start": "09:00", "end": "17:30", "kind": "day", "breaks": [{"start": "12:30", "end": "13:00"}]})
    assert shift.status_code == 201, shift.text

    page.goto("/sign-in")
    first_sign_in(page, api, pa, api.welcome_password(pa))
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    main = page.locator("#main-content")
    expect(main.get_by_role("heading", name=f"Today, {_long(today)}")).to_be_visible()
    expect(main).to_contain_text("09:00 to 17:30")
    expect(main).to_contain_text("break 12:30 to 13:00")
    expect(main.get_by_role("heading", name="Ravi Shah")).to_be_visible()
    expect(main.locator(".govuk-summary-list__row", has_text="Hours")).to_contain_text("20 hours a week")
    ended = page.get_by_role("link", name=f"Timesheet for {_long(monday - timedelta(days=7))} to {_long(monday - timedelta(days=1))}")
    expect(page.locator(".govuk-task-list__item", has=ended)).to_contain_text("To fill in and submit")
    now = page.get_by_role("link", name=f"Timesheet for {_long(monday)} to {_long(monday + timedelta(days=6))}")
    expect(page.locator(".govuk-task-list__item", has=now)).to_contain_text("In progress")
    assert ended.get_attribute("href") == f"/pa/timesheets/{employer_id}/{(monday - timedelta(days=7)).isoformat()}"
    check(page, "pa-home")
    page.get_by_role("link", name="The week after").click()
    expect(page.get_by_role("heading", name="Shifts that week")).to_be_visible()
    expect(page.get_by_text("You have no shifts planned that week.")).to_be_visible()
    page.get_by_role("link", name="Back to this week").click()
    expect(page.get_by_role("heading", name="This week’s shifts")).to_be_visible()

    # --- correct their own details
    page.get_by_role("link", name="Check or correct the details Ravi Shah has for you").click()
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text("CE103759D")
    check(page, "pa-details")
    page.get_by_label("Phone number").first.fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your phone number")
    page.get_by_label("Phone number").first.fill("07700 900 123")
    page.get_by_label("Name", exact=True).fill("Amir Hassan")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your details have been saved")).to_be_visible()
    expect(page.get_by_role("heading", name="My work")).to_be_visible()  # the home page, not an error under the banner
    mine = api.call("GET", "/me/employments", api.token(pa)).json()["employments"][0]["my_details"]
    assert mine["phone"] == "07700 900 123" and mine["emergency_contact_name"] == "Amir Hassan"

    # --- archived, then taken back: a new temporary password, and their details first of all
    for step, body in (("archive", {"leaving_date": today.isoformat()}), ("reactivate", {"start_date": (today + timedelta(days=1)).isoformat()})):
        answer = api.call("POST", f"/employers/{employer_id}/pas/{pa_id}/{step}", token, json=body)
        assert answer.status_code == 200, answer.text
    mail = mail_to(api, pa, "has reactivated you")
    temporary = mail["body"].split("Temporary password:", 1)[1].split()[0]
    page.goto("/sign-out")
    expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()
    page.goto("/sign-in")
    first_sign_in(page, api, pa, temporary)
    heading = page.get_by_role("heading", name="Fill in your details")
    expect(heading).to_be_focused()
    expect(page).to_have_url(f"/pa/details/{employer_id}")
    expect(page.get_by_text("Your personal details were deleted when you left")).to_be_visible()
    check(page, "details-missing")
    # the home page, and the shifts, timesheets and holiday pages, lead back here until they are filled in
    for elsewhere in ("/pa", "/pa/rota", "/pa/timesheets", f"/pa/timesheets/{employer_id}/{monday.isoformat()}",
                      "/pa/holiday", f"/pa/holiday/{employer_id}/book"):
        page.goto(elsewhere)
        expect(page).to_have_url(f"/pa/details/{employer_id}")
        expect(heading).to_be_visible()

    tab_to(page, page.get_by_label("Phone number").first)
    page.keyboard.type("07700 900 456")
    page.keyboard.press("Tab")
    page.keyboard.type("9 New Road, Leeds LS6 2AB")
    page.keyboard.press("Tab")
    page.keyboard.type("31")
    page.keyboard.press("Tab")
    page.keyboard.type("2")  # 31 February: not a real date
    page.keyboard.press("Tab")
    page.keyboard.type("1992")
    page.keyboard.press("Enter")
    errors = page.locator(".govuk-error-summary")
    expect(errors).to_be_focused()
    expect(errors).to_contain_text("Date of birth must be a real date")
    check(page, "details-missing-error")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the summary's link to the field
    expect(page.locator("#date_of_birth-day")).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("28")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your details have been saved")).to_be_visible()
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    check(page, "pa-home-after-details")
    again = api.call("GET", "/me/employments", api.token(pa)).json()
    assert again["details_missing"] == [] and again["employments"][0]["my_details"]["date_of_birth"] == "1992-02-28"

"""Journey 4, timesheets, for an employer and a PA of their own: the PA's timesheet of the pay period
that has just ended starts from the rota; they change a day and submit it; the employer returns it
with a reason (an empty reason explained first); the PA reads the reason, corrects it and submits
again; the employer approves it by keyboard alone, reads its versions and the hours against their
funded hours, and corrects the approved timesheet with a reason (a new version); the PA corrects it in turn (sent
for approval). The PA also reads their shifts of another week."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, check, go_to, new_employer, new_pa, sign_in, sign_out, tab_to


def _long(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _change_monday(page, monday: date, finished: str) -> None:
    day = page.get_by_role("group", name=_long(monday), exact=True)
    day.get_by_label("Finished at").fill(finished)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your changes are saved")).to_be_visible()
    page.get_by_role("button", name="Submit timesheet").click()
    expect(page.get_by_text("Timesheet submitted")).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Waiting for approval")


def test_timesheet_submit_return_correct_approve(page, api, screen):
    employer, employer_id = new_employer(api, full_name="Tess Payer")
    boss = api.token(employer)
    today = datetime.now(ZoneInfo("Europe/London")).date()
    start = today - timedelta(days=today.weekday() + 14)  # two-weekly periods: the last one ended on Sunday
    settings = api.call("PUT", f"/employers/{employer_id}/settings", boss, json={
        "version": 1, "funded_hours_per_week": 20, "pay_cycle": "two_weekly", "first_period_start": start.isoformat()})
    assert settings.status_code == 200, settings.text
    pa, pa_id = new_pa(api, employer, employer_id, full_name="Pat Worker")
    planned = api.call("POST", f"/employers/{employer_id}/pas/{pa_id}/shifts", boss, json={
        "day": start.isoformat(), "start": "09:00", "end": "17:00", "breaks": [{"start": "12:00", "end": "12:30"}],
        "repeat_until": (start + timedelta(days=7)).isoformat()})
    assert planned.status_code == 201, planned.text
    api.token(pa)  # the PA's first sign-in, with its new password
    period = f"{_long(start)} to {_long(start + timedelta(days=13))}"

    # The PA starts from the plan, changes the first Monday and submits.
    sign_in(page, pa, PASSWORD)
    go_to(page, "My timesheets")
    expect(page.get_by_role("heading", name="My timesheets")).to_be_visible()
    item = page.get_by_role("listitem").filter(has=page.get_by_role("link", name=period))
    expect(item).to_contain_text("Not submitted")
    check(page, "pa-periods")
    page.goto(f"/pa/rota?week={start}")  # the PA's shifts of another week
    expect(page.get_by_role("heading", name="09:00 to 17:00 for Tess Payer")).to_be_visible()
    check(page, "pa-rota")
    page.goto("/pa/timesheets")
    page.get_by_role("link", name=period).click()
    expect(page.get_by_role("heading", name="Your timesheet")).to_be_visible()
    expect(page.get_by_text("This starts as your rota.")).to_be_visible()
    expect(page.get_by_role("group", name=_long(start), exact=True).get_by_label("Finished at")).to_have_value("17:00")
    check(page, "pa-draft")
    _change_monday(page, start, "18:00")
    expect(page.locator("ul").filter(has_text="Changed:")).to_be_visible()
    check(page, "pa-submitted")
    sign_out(page)

    # The employer returns it with a reason.
    sign_in(page, employer, PASSWORD)
    go_to(page, "Timesheets")
    expect(page.get_by_role("heading", name="Waiting for your approval")).to_be_visible()
    check(page, "queue")
    page.get_by_role("link", name=f"Pat Worker: {period}").click()
    expect(page.get_by_role("heading", name="Pat Worker’s timesheet")).to_be_visible()
    check(page, "to-approve")
    page.get_by_role("button", name="Return to the PA").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why you are returning the timesheet")
    check(page, "return-error")
    page.get_by_label("Why are you returning it?").fill("Monday ended at 17:30, not 18:00")
    page.get_by_role("button", name="Return to the PA").click()
    expect(page.get_by_text("Pat Worker’s timesheet returned")).to_be_visible()
    sign_out(page)

    # The PA reads the reason, corrects the day and submits again.
    sign_in(page, pa, PASSWORD)
    go_to(page, "My timesheets")
    expect(page.get_by_role("listitem").filter(has=page.get_by_role("link", name=period))).to_contain_text("Returned")
    page.get_by_role("link", name=period).click()
    expect(page.locator(".govuk-inset-text").filter(has_text="Returned with this reason")).to_contain_text("Monday ended at 17:30, not 18:00")
    check(page, "pa-returned")
    _change_monday(page, start, "17:30")
    sign_out(page)

    # The employer approves it by keyboard alone, then reads its versions and the hours.
    sign_in(page, employer, PASSWORD)
    go_to(page, "Timesheets")
    queued = page.get_by_role("link", name=f"Pat Worker: {period}")
    tab_to(page, queued)
    page.keyboard.press("Enter")
    approve = page.get_by_role("button", name="Approve timesheet")
    tab_to(page, approve)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Pat Worker’s timesheet approved")).to_be_visible()
    expect(page.get_by_text("No timesheets are waiting for you.")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Pay period {period}")).to_be_visible()  # the approved one's period
    funded = page.locator(".govuk-summary-list").first
    expect(funded).to_contain_text("Funded hours")
    expect(funded).to_contain_text("40")  # 20 a week, two weeks
    expect(funded).to_contain_text("15.5")  # 8 hours and 7.5 hours
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Pat Worker"))
    expect(row).to_contain_text("Approved")
    check(page, "hours")
    row.get_by_role("link", name="Pat Worker").click()
    versions = page.get_by_role("table", name="Every version of this timesheet, newest first")
    expect(versions.get_by_role("row")).to_have_count(8)  # the heading and 7 versions
    expect(versions.get_by_role("row").nth(1)).to_contain_text("Approved")
    expect(versions.get_by_role("row").filter(has_text="Returned")).to_contain_text("Monday ended at 17:30, not 18:00")
    expect(versions.get_by_role("row").last).to_contain_text("Started from the rota")
    check(page, "versions")

    # The employer corrects the approved timesheet: the second Monday ended at 16:00.
    page.get_by_role("link", name="Correct this timesheet").click()
    expect(page.get_by_role("heading", name="Correct Pat Worker’s timesheet")).to_be_visible()
    page.get_by_role("group", name=_long(start + timedelta(days=7)), exact=True).get_by_label("Finished at").fill("16:00")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why you are correcting the timesheet")
    check(page, "correct-error")
    page.get_by_label("Why are you correcting it?").fill("Left early on the 2nd Monday")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text("Pat Worker’s timesheet corrected")).to_be_visible()
    expect(page.locator(".govuk-summary-list").first).to_contain_text("14.5")
    expect(versions.get_by_role("row").nth(1)).to_contain_text("Corrected")
    expect(versions.get_by_role("row").nth(1)).to_contain_text("Left early on the 2nd Monday")
    sign_out(page)

    # The PA corrects it too: it goes back to the employer for approval.
    sign_in(page, pa, PASSWORD)
    page.goto("/pa/timesheets")
    page.get_by_role("link", name=period).click()
    page.get_by_role("link", name="Something wrong? Correct this timesheet").click()
    expect(page.get_by_role("heading", name="Correct your timesheet")).to_be_visible()
    page.get_by_role("group", name=_long(start + timedelta(days=7)), exact=True).get_by_label("Finished at").fill("16:30")
    page.get_by_label("Why are you correcting it?").fill("I stayed until 16:30")
    check(page, "pa-correct")
    page.get_by_role("button", name="Send the correction for approval").click()
    expect(page.get_by_text("Correction sent")).to_be_visible()
    expect(page.locator(".govuk-summary-list").first).to_contain_text("Waiting for approval")

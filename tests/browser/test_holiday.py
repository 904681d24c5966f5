"""Journey 5, holiday (RULES 2.4): a PA cancels a request, then asks for holiday with the keyboard
alone (the form's errors first); the employer declines another and approves it from the bookings waiting, reads the PA's
ledger for this leave year and the previous one, sets the balance brought forward, records holiday
taken and cancels it, and the PA sees their request approved. An employer of the
test's own, with a pay cycle; the service's and the browser's clocks fixed on Wednesday 2 December
2026, so January 2027 is to come."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, check, go_to, new_employer, new_pa, sign_in, sign_out, tab_to


def test_book_and_approve_holiday(page, api, on_2_december):
    employer, employer_id = new_employer(api, full_name="Hana Holiday")
    boss = api.token(employer)
    settings = api.call("PUT", f"/employers/{employer_id}/settings", boss, json={
        "version": 1, "funded_hours_per_week": 20, "pay_cycle": "two_weekly", "first_period_start": "2026-04-06"})
    assert settings.status_code == 200, settings.text
    worker, pa_id = new_pa(api, employer, employer_id, full_name="Pat Leave")
    asked = api.call("POST", f"/employers/{employer_id}/pas/{pa_id}/holiday/bookings", api.token(worker), json={
        "first_day": "2027-02-01", "last_day": "2027-02-01", "hours": 4, "note": "Dentist"})
    assert asked.status_code == 201, asked.text

    # --- the PA: their ledger, and a request made with the keyboard alone
    sign_in(page, worker, PASSWORD)
    go_to(page, "My holiday")
    expect(page.get_by_role("heading", name="My holiday")).to_be_visible()
    expect(page.locator(".govuk-summary-list").first).to_contain_text("Left to take")
    booked = page.get_by_role("region", name=re.compile("Holiday booked with"))
    expect(booked).to_contain_text("Monday 1 February 2027")
    check(page, "pa-ledger")
    booked.get_by_role("button", name=re.compile("^Cancel request.*Monday 1 February 2027")).click()
    expect(page.get_by_text("Your holiday request is cancelled")).to_be_visible()
    expect(booked.get_by_role("row", name=re.compile("Dentist"))).to_contain_text("Cancelled")
    ask = page.get_by_role("button", name=re.compile("^Ask for holiday"))
    tab_to(page, ask)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Ask for holiday")).to_be_focused()
    check(page, "book")
    tab_to(page, page.get_by_role("button", name="Send request"))
    page.keyboard.press("Enter")
    errors = page.locator(".govuk-error-summary")
    expect(errors).to_be_focused()
    expect(errors).to_contain_text("Enter the first day as a real date")
    expect(errors).to_contain_text("Enter the hours as a number more than 0")
    assert page.title().startswith("Error: ")
    check(page, "book-errors")
    tab_to(page, page.locator("#first-day"))
    for text in ("11", "1", "2027", "12", "1", "2027", "15"):  # first day, last day, hours
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    page.keyboard.type("Family visit")
    tab_to(page, page.get_by_role("button", name="Send request"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your holiday request is sent")).to_be_visible()
    expect(booked).to_contain_text("Monday 11 January 2027 to Tuesday 12 January 2027")
    expect(booked).to_contain_text("Waiting for a decision")
    expect(booked).to_contain_text("Family visit")
    check(page, "requested")
    page.get_by_role("link", name="Next leave year with Hana Holiday").click()
    expect(page.get_by_role("region", name=re.compile("Holiday booked with")).or_(page.get_by_text("No holiday booked"))).to_be_visible()
    expect(page.locator(".govuk-summary-list").first).to_contain_text("Thursday 1 April 2027 to Friday 31 March 2028")
    sign_out(page)
    declined = api.call("POST", f"/employers/{employer_id}/pas/{pa_id}/holiday/bookings", api.token(worker), json={
        "first_day": "2027-03-01", "last_day": "2027-03-01", "hours": 3, "note": "Concert"})
    assert declined.status_code == 201, declined.text

    # --- the employer: one request declined, the other approved; the PA's ledger this leave year and the one before
    sign_in(page, employer, PASSWORD)
    go_to(page, "Holiday")
    expect(page.get_by_role("heading", name="Holiday", exact=True)).to_be_visible()
    waiting = page.locator(".govuk-summary-card", has_text="Family visit").filter(has=page.get_by_role("button", name=re.compile("^Approve")))
    expect(waiting).to_contain_text("Monday 11 January 2027 to Tuesday 12 January 2027")
    expect(waiting).to_contain_text("15.00")
    check(page, "employer-waiting")
    page.get_by_role("button", name="Decline Pat Leave's holiday, Monday 1 March 2027").click()
    expect(page.get_by_text("Pat Leave's holiday is declined")).to_be_visible()
    waiting.get_by_role("button", name=re.compile("^Approve Pat Leave's holiday")).click()
    expect(page.get_by_text("Pat Leave's holiday is approved")).to_be_visible()
    expect(page.get_by_text("No holiday is waiting for your decision.")).to_be_visible()
    balance = page.locator(".govuk-summary-card", has=page.get_by_role("link", name="See Pat Leave's holiday ledger"))
    expect(balance).to_have_text(re.compile(r"Built up so far\s*112.00 hours\s*Taken so far\s*0.00 hours\s*Left to take\s*112.00 hours"
                                            r"\s*Approved and still to come\s*15.00 hours"))  # 20 h x 5.6 weeks
    check(page, "approved")
    balance.get_by_role("link", name="See Pat Leave's holiday ledger").click()
    expect(page.get_by_role("heading", name="Pat Leave's holiday")).to_be_visible()
    expect(page.get_by_role("heading", name="Pat Leave's holiday")).to_contain_text("Leave year 2026 to 2027")
    bookings = page.get_by_role("region", name="Bookings this leave year")
    expect(bookings.get_by_role("row", name=re.compile("January"))).to_contain_text("Approved")
    expect(bookings.get_by_role("row", name=re.compile("Concert"))).to_contain_text("Declined")
    expect(bookings.get_by_role("row", name=re.compile("Dentist"))).to_contain_text("Cancelled")
    expect(page.get_by_role("region", name="Pay period by pay period")).to_contain_text("Monday 6 April 2026 to Sunday 19 April 2026")
    check(page, "ledger")

    # --- the employer sets the balance brought forward (once), records holiday taken, and cancels it
    page.get_by_role("link", name="Set the balance brought forward from the last leave year").click()
    expect(page.get_by_role("heading", name="Set the balance brought forward")).to_be_visible()
    page.get_by_role("button", name="Save the balance").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the hours as a number more than 0")
    check(page, "brought-forward-errors")
    page.get_by_label("Hours brought forward").fill("10")
    page.get_by_role("button", name="Save the balance").click()
    expect(page.get_by_text("Balance brought forward recorded for Pat Leave")).to_be_visible()
    totals = page.locator(".govuk-summary-list").first
    expect(totals).to_contain_text(re.compile(r"Brought forward\s*10.00 hours"))
    expect(page.get_by_role("link", name="Set the balance brought forward from the last leave year")).to_have_count(0)
    page.get_by_role("button", name="Record holiday taken").click()
    expect(page.get_by_role("heading", name="Record holiday taken")).to_be_visible()
    for field, value in (("first-day", "31"), ("first-month", "11"), ("first-year", "2026"),
                         ("last-day", "16"), ("last-month", "11"), ("last-year", "2026")):
        page.locator(f"#{field}").fill(value)
    page.get_by_label("How many hours of holiday?").fill("6")
    page.get_by_role("button", name="Record holiday").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the first day as a real date")  # no 31 November
    check(page, "record-errors")
    page.locator("#first-day").fill("16")
    page.get_by_label("Note (optional)").fill("Taken at short notice")
    page.get_by_role("button", name="Record holiday").click()
    expect(page.get_by_text("Holiday recorded for Pat Leave")).to_be_visible()
    expect(page.get_by_text("Monday 16 November 2026, 6.00 hours, taken off Pat Leave's balance.")).to_be_visible()
    recorded = page.get_by_role("region", name="Bookings this leave year").get_by_role("row", name=re.compile("short notice"))
    expect(recorded).to_contain_text("Approved")
    expect(totals).to_contain_text(re.compile(r"Taken so far\s*6.00 hours"))
    check(page, "recorded")
    recorded.get_by_role("button", name=re.compile("^Cancel holiday.*Monday 16 November 2026")).click()
    expect(page.get_by_text("Pat Leave's holiday is cancelled")).to_be_visible()
    expect(page.get_by_text("6.00 hours go back into the balance")).to_be_visible()
    expect(recorded).to_contain_text("Cancelled")
    expect(totals).to_contain_text(re.compile(r"Taken so far\s*0.00 hours"))
    check(page, "cancelled")
    page.get_by_role("link", name="Previous leave year").click()
    expect(page.get_by_role("heading", name="Pat Leave's holiday")).to_contain_text("Leave year 2025 to 2026")
    expect(page.get_by_text("No holiday booked in this leave year.")).to_be_visible()
    sign_out(page)

    # --- the PA sees the answer
    sign_in(page, worker, PASSWORD)
    go_to(page, "My holiday")
    booked = page.get_by_role("region", name=re.compile("Holiday booked with"))
    expect(booked.get_by_role("row", name=re.compile("January"))).to_contain_text("Approved")
    expect(booked.get_by_role("row", name=re.compile("Concert"))).to_contain_text("Declined")

"""Issue 16 in the web client: a commissioner asks for an account (local authorities instead of
locations), the support team approves it, and after two providers save returns the commissioner finds
care homes with vacant beds near a postcode (filters, each row's age, old figures flagged; the search by
keyboard alone), downloads the CSV, reads their areas' locations and one location's latest returns,
the completeness of a window with the locations that missed, and is refused another area's location.

The service's clock is fixed in February 2027 (no other browser test uses 2027): Harbour View Care Home
(Bristol) saves January's return on 12 January, so in February its figures are old; Meadowbank House
(Leeds) saves February's on the 10th, inside the window (8th to 15th), and is read on the 13th.
test_bulk.py's 50 care homes in Bristol may be there too (2 beds vacant each), so rows are found by name.
"""
from __future__ import annotations

import csv

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, check, go_to, sign_in, sign_out, tab_to, unique_email

SUPPORT = "support@demo.care-tracker.example.org"
MEADOWBANK, HARBOUR_VIEW, ASHGROVE = "1-2000000001", "1-2000000004", "1-2000000007"
SAVES = ((HARBOUR_VIEW, "anna.price@example.org", "2027-01", "2027-01-12T10:00:00+00:00", 6),
         (MEADOWBANK, "helen.marsh@example.org", "2027-02", "2027-02-10T10:00:00+00:00", 8))
READ_AT = "2027-02-13T11:00:00+00:00"


def _figures(vacant: int) -> dict:
    return {"beds_max_capacity": 30, "beds_occupied": 30 - vacant - 1, "beds_vacant_reserved": 1, "beds_vacant_accepting": vacant,
            "staff_nurses_direct": 4, "staff_care_direct": 20, "staff_non_care_direct": 6, "staff_nurses_agency": 1,
            "staff_care_agency": 2, "staff_non_care_agency": 0, "staff_absent": 3}


@pytest.fixture
def two_returns_saved(api):
    try:
        for location_id, provider, period, at, vacant in SAVES:
            assert api.call("PUT", "/_local/clock", json={"at": at}).status_code == 200
            token = api.token(provider)
            current = api.call("GET", f"/locations/{location_id}/returns/{period}", token).json()["current"]["care_home"]
            saved = api.call("PUT", f"/locations/{location_id}/returns/{period}/care_home", token,
                             json={**_figures(vacant), **({"version": current["version"]} if current else {})})
            assert saved.status_code == 200, saved.text
        assert api.call("PUT", "/_local/clock", json={"at": READ_AT}).status_code == 200
        yield
    finally:
        api.call("PUT", "/_local/clock", json={"at": None})


def _ask_for_a_commissioner_account(page, email: str) -> None:
    page.goto("/")
    page.get_by_role("link", name="Ask for an account").click()
    page.get_by_label("Full name").fill("Pat Lee")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Phone number").fill("0113 222 0000")
    page.get_by_label("Job title").fill("Hospital discharge lead")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="Ask for a commissioner's account instead").click()
    expect(page.get_by_role("heading", name="Your areas")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator("#local_authorities-error")).to_contain_text("Enter at least one local authority")
    check(page, "register-areas-errors")
    page.get_by_label("Which local authority areas do you need?").fill("Leeds\nNarnia")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Terms and communications")).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Leeds; Narnia")
    page.get_by_label("I agree to the terms of use").check()
    page.get_by_label("No, only emails about my account and returns").check()
    page.get_by_role("button", name="Send my request").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Narnia")  # the API names the one it does not know
    check(page, "register-unknown-area")
    summary.get_by_role("link", name="Change your local authorities").click()
    expect(page.get_by_label("Which local authority areas do you need?")).to_have_value("Leeds\nNarnia")
    page.get_by_label("Which local authority areas do you need?").fill("Leeds\nBristol, City of")
    check(page, "register-areas")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("I agree to the terms of use").check()
    page.get_by_label("No, only emails about my account and returns").check()
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", name="Request sent")).to_be_visible()
    expect(page.get_by_text("Our support team will look at it soon")).to_be_visible()
    check(page, "register-complete")


def _rows(page):
    return page.get_by_role("table", name="Care homes with vacant beds accepting admissions").locator("tbody tr")


def test_a_commissioner_registers_and_reads_their_areas(page, api, screen, closed_windows, two_returns_saved):
    email = unique_email("pat").replace("example.org", "leeds.gov.uk")
    _ask_for_a_commissioner_account(page, email)

    # --- the support team approves it (no organisation's approver can)
    api.token(SUPPORT)
    sign_in(page, SUPPORT, api.passwords[SUPPORT], api=api)
    card = page.locator(".govuk-summary-card", has_text="Pat Lee").filter(has_text=email)
    expect(card).to_contain_text("Bristol, City of, Leeds")
    card.get_by_role("button", name="Approve Pat Lee").click()
    expect(page.get_by_text("Pat Lee can now use Care Tracker")).to_be_visible()
    sign_out(page)

    # --- the commissioner signs in and lands on the vacancies, in name order without a postcode
    api.token(email)
    sign_in(page, email, PASSWORD)
    expect(page.get_by_role("heading", name="Care homes with vacant beds")).to_be_visible()
    expect(page.locator("#user-bar")).to_have_text("Signed in as Pat Lee")  # no two-step link: read-only accounts cannot set it up
    nav = page.locator("#navigation")
    for hidden in ("This month", "Users", "Access requests"):
        expect(nav.get_by_role("link", name=hidden, exact=True)).to_have_count(0)
    rows = _rows(page)
    harbour, meadow = rows.filter(has_text="Harbour View Care Home"), rows.filter(has_text="Meadowbank House")
    expect(page.get_by_text("In name order.")).to_be_visible()
    names = rows.locator("th").all_inner_texts()
    assert names.index("Harbour View Care Home") < names.index("Meadowbank House")
    expect(harbour).to_contain_text("Saved 32 days ago (January 2027)")
    expect(harbour.locator(".govuk-tag")).to_have_text("Old figures")
    expect(meadow).to_contain_text("Saved 3 days ago (February 2027)")
    expect(meadow.locator(".govuk-tag")).to_have_count(0)
    expect(page.locator(".govuk-inset-text")).to_contain_text("saved before the latest monthly window opened")
    check(page, "vacancies")

    # --- nearest first from a postcode, by keyboard alone
    tab_to(page, page.get_by_label("Nearest first from this postcode (optional)"))
    page.keyboard.type("ls6 2ab")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Nearest first from LS6 2AB.")).to_be_visible()
    expect(rows.nth(0)).to_contain_text("Meadowbank House")
    expect(rows.nth(0)).to_contain_text("0.0 km")
    expect(harbour).to_contain_text("km")
    check(page, "vacancies-near-a-postcode")
    with page.expect_download() as downloaded:
        page.get_by_role("button", name="Download these care homes (CSV)").click()
    assert downloaded.value.suggested_filename == "vacancies.csv"
    with open(downloaded.value.path(), encoding="utf-8", newline="") as f:
        found = [(r["location_id"], r["beds_vacant_accepting"], r["age"]) for r in csv.DictReader(f)]
    assert found[0] == (MEADOWBANK, "8", "saved 3 days ago") and (HARBOUR_VIEW, "6", "saved 32 days ago") in found

    # --- the filters: without nursing, at least 7 beds: none; 6: Harbour View; a number that is not one: an error
    page.get_by_label("Without nursing", exact=True).check()
    page.get_by_label("Vacant beds at least").fill("7")
    page.get_by_role("button", name="Find care homes").click()
    expect(page.get_by_text("No care home in your areas has that many vacant beds")).to_be_visible()
    check(page, "vacancies-none")
    page.get_by_label("Vacant beds at least").fill("6")
    page.get_by_role("button", name="Find care homes").click()
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("Harbour View Care Home")
    page.get_by_label("Vacant beds at least").fill("two")
    page.get_by_role("button", name="Find care homes").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator("#min_vacant-error")).to_contain_text("Enter the number of vacant beds as a whole number")
    check(page, "vacancies-errors")

    # --- the locations of the areas, one location's latest return
    go_to(page, "Locations")
    expect(page.get_by_role("heading", name="Locations in your areas")).to_be_visible()
    table = page.get_by_role("table", name="locations")
    expect(table).to_contain_text("Harbour Lights Supported Living")
    expect(table.locator("tr", has_text="Meadowbank House")).to_contain_text("Care home: saved 3 days ago")
    expect(table.locator("tr", has_text="No return yet").first.locator(".govuk-tag")).to_have_text("No return")
    check(page, "area")
    with page.expect_download() as downloaded:
        page.get_by_role("button", name="Download these locations (CSV)").click()
    with open(downloaded.value.path(), encoding="utf-8", newline="") as f:
        assert {MEADOWBANK, HARBOUR_VIEW} <= {r["location_id"] for r in csv.DictReader(f)}
    table.get_by_role("link", name="Meadowbank House").click()
    expect(page.get_by_role("heading", name="Meadowbank House")).to_be_visible()
    summary = page.locator(".govuk-summary-list").nth(1)
    expect(summary.locator(".govuk-summary-list__row", has_text="Vacant beds accepting admissions")).to_contain_text("8")
    expect(summary).to_contain_text("(saved 3 days ago)")
    assert "helen" not in page.locator("main").inner_text().lower()  # nobody's name
    check(page, "area-location")

    # --- completeness of a window, the locations that missed, its CSV
    go_to(page, "Completeness")
    page.get_by_label("Month").fill("2026-11")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Completeness for November 2026")).to_be_visible()
    expect(page.get_by_role("table", name="By area")).to_contain_text("Leeds")
    missed = page.get_by_role("table", name="locations missed")
    expect(missed).to_contain_text("Meadowbank Home Care")
    check(page, "completeness")
    with page.expect_download() as downloaded:
        page.get_by_role("button", name="Download completeness (CSV)").click()
    assert downloaded.value.suggested_filename == "completeness-2026-11.csv"
    assert "Meadowbank Home Care" in open(downloaded.value.path(), encoding="utf-8").read()

    # --- another area's location is not theirs to read
    page.goto(f"/area/{ASHGROVE}")
    expect(page.get_by_role("heading", name="Location not found")).to_be_visible()
    check(page, "area-not-found")
    sign_out(page)

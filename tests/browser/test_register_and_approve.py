"""Journey 2, asking for an account (the seed's four steps, "Username taken"), and journey 6, the
approver: requests with the applicant and locations named, approve, reject with a reason, the
organisation's users (promote, deactivate) and locations with fewer than two users; both also with the
keyboard alone."""
from __future__ import annotations

import csv
import re

from playwright.sync_api import expect

from infra.local.demo import DEMO_FILE
from tests.browser.conftest import (
    APPROVER_FOR_SCREEN,
    check,
    demo_locations,
    go_to,
    go_to_by_keyboard,
    mail_to,
    sign_in,
    tab_to,
    unique_email,
)


def _postcode_and_name(location_id: str) -> tuple[str, str]:
    with open(DEMO_FILE, encoding="utf-8") as rows:
        row = next(r for r in csv.DictReader(rows) if r["Location ID"] == location_id)
    return row["Location Postal Code"], row["Location Name"]


def _ask_for_an_account(page, name: str, email: str, postcode: str, location_name: str) -> None:
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Phone number").fill("0117 496 0999")
    page.get_by_label("Job title").fill("Registered manager")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Postcode of your location").fill(postcode)
    page.get_by_role("button", name="Find locations").click()
    page.get_by_label(location_name).check()
    page.get_by_role("button", name="Add the selected locations").click()
    page.get_by_role("button", name="Continue").click()


def test_register_then_the_approver_decides(page, api, screen):
    approver = APPROVER_FOR_SCREEN[screen]
    location_id = demo_locations(api, approver)[0]
    postcode, location_name = _postcode_and_name(location_id)
    email = unique_email("jo")

    # --- step 1: your details
    page.goto("/")
    page.get_by_role("link", name="Ask for an account").click()
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator("#email-error")).to_contain_text("Enter an email address in the correct format")
    check(page, "register-details-errors")
    page.get_by_label("Full name").fill("Jo Okafor")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Phone number").fill("0117 496 0999")
    page.get_by_label("Job title").fill("Registered manager")
    page.get_by_role("button", name="Continue").click()

    # --- step 2: locations by postcode
    expect(page.get_by_role("heading", name="Your locations")).to_be_visible()
    page.get_by_label("Postcode of your location").fill("ZZ9 9ZZ")
    page.get_by_role("button", name="Find locations").click()
    expect(page.get_by_text("We could not find an active location at ZZ9 9ZZ")).to_be_visible()
    page.get_by_label("Postcode of your location").fill(postcode.lower().replace(" ", ""))  # spaces and case ignored
    page.get_by_role("button", name="Find locations").click()
    page.get_by_label(location_name).check()
    check(page, "register-locations-found")
    page.get_by_role("button", name="Add the selected locations").click()
    expect(page.get_by_role("heading", name="You are asking for")).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text(location_name)
    expect(page.get_by_label("Search another postcode")).to_be_visible()
    check(page, "register-locations-chosen")
    page.get_by_role("button", name="Continue").click()

    # --- step 3: terms and communications
    expect(page.get_by_role("heading", name="Terms and communications")).to_be_visible()
    page.get_by_role("button", name="Send my request").click()
    expect(page.locator("#terms-error")).to_contain_text("You must agree to the terms of use")
    expect(page.locator("#comms-error")).to_contain_text("Select whether we can email you news")
    check(page, "register-terms-errors")
    page.get_by_label("I agree to the terms of use").check()
    page.get_by_label("No, only emails about my account and returns").check()
    page.get_by_role("button", name="Send my request").click()

    # --- step 4: complete
    expect(page.get_by_role("heading", name="Request sent")).to_be_visible()
    expect(page.get_by_text(f"we will email {email} a temporary password")).to_be_visible()
    check(page, "register-complete")

    # --- the same email again: "Username taken", pointing to password reset
    page.goto("/register")
    _ask_for_an_account(page, "Jo Okafor", email.upper(), postcode, location_name)
    page.get_by_label("I agree to the terms of use").check()
    page.get_by_label("Yes, email me news").check()
    page.get_by_role("button", name="Send my request").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Username taken")
    expect(page.locator(".govuk-error-summary").get_by_role("link", name="reset your password")).to_be_visible()
    check(page, "register-username-taken")

    # A second applicant, to be rejected.
    other = unique_email("lee")
    created = api.call("POST", "/registrations", json={
        "full_name": "Lee Marsh", "email": other, "phone": "0117 496 0998", "job_title": "Carer",
        "location_ids": [location_id], "terms_accepted": True, "comms_consent": True})
    assert created.status_code == 201, created.text

    # --- the approver: requests named, approve, reject with a reason
    api.token(approver)  # first sign-in done; the password book has the password
    sign_in(page, approver, api.passwords[approver], api=api)
    go_to(page, "Access requests")
    expect(page.get_by_role("heading", name="Access requests")).to_be_visible()
    jo = page.locator(".govuk-summary-card", has_text=email)
    expect(jo).to_contain_text("Jo Okafor")
    expect(jo).to_contain_text(location_name)  # named, not only its id
    check(page, "requests")
    jo.get_by_role("button", name="Approve Jo Okafor").click()
    expect(page.get_by_text("Jo Okafor can now use Care Tracker")).to_be_visible()
    assert mail_to(api, email, "Temporary password:")

    page.get_by_role("link", name="Reject Lee Marsh").click()
    expect(page.get_by_role("heading", name="Reject Lee Marsh's request")).to_be_visible()
    page.get_by_role("button", name="Reject request").click()
    expect(page.locator("#reason-error")).to_contain_text("Enter the reason")
    check(page, "reject-errors")
    page.get_by_label("Why are you rejecting this request?").fill("Please ask with your work email address.")
    page.get_by_role("button", name="Reject request").click()
    expect(page.get_by_text("Lee Marsh's request was rejected")).to_be_visible()
    check(page, "requests-decided")  # the list as it is after both decisions (often empty)
    assert mail_to(api, other, "Please ask with your work email address.")

    # --- the organisation's users: promote, deactivate; locations with fewer than two users
    go_to(page, "Users")
    expect(page.get_by_role("heading", name="Users of your organisation")).to_be_visible()
    row = page.locator("tr", has_text=email)
    expect(row).to_contain_text("Provider user")
    expect(page.get_by_role("heading", name="Locations with fewer than two users")).to_be_visible()
    check(page, "users")
    row.get_by_role("button", name=re.compile("Make approver")).click()
    expect(page.get_by_text("Jo Okafor is now an approver")).to_be_visible()
    expect(page.locator("tr", has_text=email)).to_contain_text("Approver")
    page.locator("tr", has_text=email).get_by_role("button", name=re.compile("Deactivate")).click()
    expect(page.get_by_text("Jo Okafor's account is deactivated")).to_be_visible()
    expect(page.locator("tr", has_text=email)).to_contain_text("Deactivated")


def test_asking_for_an_account_with_the_keyboard_alone(page, api, screen):
    postcode, location_name = _postcode_and_name(demo_locations(api, APPROVER_FOR_SCREEN[screen])[0])
    page.goto("/register")
    expect(page.get_by_role("heading", name="Your details")).to_be_focused()
    tab_to(page, page.get_by_label("Full name"))
    for text in ("Pat Keys", unique_email("pat"), "0117 496 0777", "Deputy manager"):
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # on Continue
    expect(page.get_by_role("heading", name="Your locations")).to_be_focused()
    tab_to(page, page.get_by_label("Postcode of your location"))
    page.keyboard.type(postcode)
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label(location_name))
    page.keyboard.press("Space")
    expect(page.get_by_label(location_name)).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Add the selected locations"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("button", name="Continue"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Terms and communications")).to_be_focused()
    tab_to(page, page.get_by_label("I agree to the terms of use"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_label("Yes, email me news"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Send my request"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Request sent")).to_be_visible()


def test_the_approver_decides_with_the_keyboard_alone(page, api, screen):
    approver = APPROVER_FOR_SCREEN[screen]
    location_id = demo_locations(api, approver)[0]
    people = {}
    for name in ("Ola Keys", "Ray Keys"):
        people[name] = unique_email(name.split()[0].lower())
        created = api.call("POST", "/registrations", json={
            "full_name": name, "email": people[name], "phone": "0117 496 0555", "job_title": "Carer",
            "location_ids": [location_id], "terms_accepted": True, "comms_consent": False})
        assert created.status_code == 201, created.text
    api.token(approver)
    sign_in(page, approver, api.passwords[approver], api=api)
    go_to_by_keyboard(page, "Access requests")
    expect(page.get_by_role("heading", name="Access requests")).to_be_focused()
    tab_to(page, page.get_by_role("button", name="Approve Ola Keys"), limit=200)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Ola Keys can now use Care Tracker")).to_be_visible()
    tab_to(page, page.get_by_role("link", name="Reject Ray Keys"), limit=200)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Reject Ray Keys's request")).to_be_focused()
    tab_to(page, page.get_by_label("Why are you rejecting this request?"))
    page.keyboard.type("Please ask with your work email address.")
    tab_to(page, page.get_by_role("button", name="Reject request"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Ray Keys's request was rejected")).to_be_visible()
    assert mail_to(api, people["Ray Keys"], "Please ask with your work email address.")

    go_to_by_keyboard(page, "Users")
    expect(page.get_by_role("heading", name="Users of your organisation")).to_be_focused()
    tab_to(page, page.get_by_role("button", name="Make approver Ola Keys"), limit=200)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Ola Keys is now an approver")).to_be_visible()

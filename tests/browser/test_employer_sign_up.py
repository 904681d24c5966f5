"""Journey 1 of issue 14, signing up to employ PAs: one question a page from the start page (the
first ones by keyboard alone), someone appointed by the person, no care package yet (where to go
first), check answers with a change, the temporary password from the outbox, the first sign-in's
own password, the PA list with what to do first, and the settings with the guidance they bring."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import DEMO_EMPLOYER, check, first_sign_in, go_to, mail_to, tab_to, unique_email


def test_employer_signs_up_and_sets_up(page, api, screen):
    email = unique_email("sign-up")
    page.goto("/")
    page.get_by_role("link", name="Sign up", exact=True).click()
    name_field = page.get_by_label("What is the name of the person who needs care?")
    expect(name_field).to_be_visible()
    check(page, "who-needs-care")

    # --- the first questions by keyboard alone
    tab_to(page, name_field)
    page.keyboard.press("Enter")  # nothing typed: the error summary takes the focus
    errors = page.locator(".govuk-error-summary")
    expect(errors).to_be_focused()
    expect(errors).to_contain_text("Enter the name of the person who needs care")
    assert page.title().startswith("Error: ")
    check(page, "who-needs-care-error")
    tab_to(page, name_field)
    page.keyboard.type("Maya Okafor")
    page.keyboard.press("Enter")
    who = page.get_by_role("heading", name="Who manages Maya Okafor’s care?")
    expect(who).to_be_focused()
    check(page, "who-manages")
    tab_to(page, page.get_by_label("Maya Okafor does"))
    page.keyboard.press("ArrowDown")  # radios move with the arrows: "Someone appointed to manage it for them"
    expect(page.get_by_label("Someone appointed to manage it for them")).to_be_checked()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Your appointment")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select how you are related to Maya Okafor")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select who appointed you")
    check(page, "appointment-errors")
    page.get_by_label("A family member").check()
    page.get_by_label("The person who needs care").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="How is the care paid for?")).to_be_visible()
    check(page, "funding")
    page.get_by_label("Direct Payment").check()
    page.get_by_role("button", name="Continue").click()

    # --- without a care package: where to go first, and nothing saved
    page.get_by_label("No, not yet").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="You need a care package first")).to_be_visible()
    expect(page.get_by_text("contact your council’s adult social care team")).to_be_visible()
    check(page, "no-care-package")
    page.get_by_role("link", name="Back").click()
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Your name and email address")).to_be_visible()
    page.get_by_label("Your full name").fill("Ade Okafor")
    page.get_by_label("Your email address").fill(DEMO_EMPLOYER)  # taken: found out when signing up
    page.get_by_role("button", name="Continue").click()

    # --- check answers, change one, sign up
    expect(page.get_by_role("heading", name="Check your answers before you sign up")).to_be_visible()
    answers = page.locator(".govuk-summary-list")
    expect(answers.locator(".govuk-summary-list__row", has_text="Your relationship to them")).to_contain_text("A family member")
    expect(answers.locator(".govuk-summary-list__row", has_text="Appointed by")).to_contain_text("The person who needs care")
    check(page, "check-answers")
    page.get_by_role("link", name="Change funding").click()
    expect(page.get_by_label("Direct Payment")).to_be_checked()
    page.get_by_label("Personal Budget").check()
    page.get_by_role("button", name="Continue").click()
    expect(answers.locator(".govuk-summary-list__row", has_text="Funding")).to_contain_text("Personal Budget")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("That email address already has a Care Tracker login.")
    check(page, "email-taken")
    page.get_by_role("link", name="use another email address").click()
    page.get_by_label("Your email address").fill(email)
    page.get_by_role("button", name="Continue").click()
    expect(answers.locator(".govuk-summary-list__row", has_text="Your email address")).to_contain_text(email)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="You have signed up")).to_be_visible()
    expect(page.get_by_text(f"We have emailed {email} a temporary password.")).to_be_visible()
    check(page, "signed-up")

    # --- the first sign-in: the temporary password from the mail, then their own
    mail = mail_to(api, email, "Temporary password:")
    temporary = mail["body"].split("Temporary password:", 1)[1].split()[0]
    page.get_by_role("link", name="Sign in").first.click()
    first_sign_in(page, api, email, temporary)
    expect(page.get_by_role("heading", name="Your PAs")).to_be_visible()
    expect(page.get_by_text("You have not added any personal assistants (PAs) yet.")).to_be_visible()
    expect(page.get_by_text("You have 0 PAs.")).to_be_visible()  # guidance, never a refusal
    check(page, "no-pas-yet")

    # --- settings: funded hours, a pay cycle from its first period, the leave year
    go_to(page, "Settings")
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    account = page.locator(".govuk-summary-list").first
    expect(account).to_contain_text("Ade Okafor (a family member, appointed by the person who needs care)")
    expect(account).to_contain_text("Personal Budget")
    check(page, "settings")
    page.get_by_label("Funded hours of care a week").fill("eight")
    page.get_by_label("Every 2 weeks").check()
    page.get_by_role("button", name="Save settings").click()
    errors = page.locator(".govuk-error-summary")
    expect(errors).to_contain_text("Enter the funded hours a week as a number")
    expect(errors).to_contain_text("Enter when the first pay period started")
    check(page, "settings-errors")
    page.get_by_label("Funded hours of care a week").fill("8")
    first = page.locator("#first_period_start")
    first.get_by_label("Day").fill("6")
    first.get_by_label("Month").fill("4")
    first.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Your settings have been saved")).to_be_visible()
    expect(page.get_by_text("Pay periods: every 2 weeks, from Monday 6 April 2026.")).to_be_visible()
    expect(page.get_by_text("You have 8 funded hours of care a week.")).to_be_visible()
    check(page, "settings-saved")
    me = api.call("GET", "/me", api.token(email)).json()
    saved = api.call("GET", f"/employers/{me['user_id']}", api.token(email)).json()
    assert saved["settings"]["pay_cycle"] == "two_weekly" and saved["settings"]["first_period_start"] == "2026-04-06"
    assert saved["funding_type"] == "personal_budget" and saved["manager_relationship"] == "family_member"

    # --- changing the pay cycle from a date, with the keyboard alone: a day inside a period first
    change = page.get_by_role("link", name="Change the pay cycle from a date")
    tab_to(page, change)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Change the pay cycle")).to_be_focused()
    expect(page.get_by_label("Every 2 weeks")).to_have_count(0)  # the cycle it is already
    check(page, "pay-cycle")
    tab_to(page, page.get_by_label("Every week"))
    page.keyboard.press("ArrowDown")  # moves to, and selects, the next radio
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Every month")).to_be_checked()
    tab_to(page, page.locator("#first_period_start-day"))
    for text in ("13", "4", "2026"):
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    tab_to(page, page.get_by_role("button", name="Change pay cycle"))
    page.keyboard.press("Enter")
    errors = page.locator(".govuk-error-summary")
    expect(errors).to_be_focused()
    expect(errors).to_contain_text("Monday 13 April 2026 is inside the pay period Monday 6 April 2026 to Sunday 19 April 2026")
    check(page, "pay-cycle-errors")
    tab_to(page, page.locator("#first_period_start-day"))
    page.keyboard.press("Control+a")
    page.keyboard.type("20")
    tab_to(page, page.get_by_role("button", name="Change pay cycle"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your pay cycle has changed")).to_be_visible()
    expect(page.get_by_text("Every month from Monday 20 April 2026: the first pay period runs to Tuesday 19 May 2026.")).to_be_visible()
    expect(page.get_by_text("Pay periods: every month, from Monday 20 April 2026.")).to_be_visible()
    expect(page.get_by_text("Before that: every 2 weeks from Monday 6 April 2026.")).to_be_visible()
    check(page, "pay-cycle-changed")
    changed = api.call("GET", f"/employers/{me['user_id']}", api.token(email)).json()["settings"]
    assert (changed["pay_cycle"], changed["first_period_start"], changed["earlier_cycles"]) == (
        "monthly", "2026-04-20", [{"pay_cycle": "two_weekly", "first_period_start": "2026-04-06"}])

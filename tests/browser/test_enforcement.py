"""Journey 8, the enforcement officer: cases by state, one case's locations, months and log, and
every step the case allows (notice of intent, representations, penalty, final notice, appeal,
close), each recorded with who, when and why. Cases were opened by the September-November misses.
The way to the case and its first step are done with the keyboard alone."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import check, sign_in, tab_to

OFFICER = "enforcement@demo.care-tracker.example.org"
ORGANISATION_FOR_SCREEN = {"desktop": "1-1000000002", "phone": "1-1000000001"}  # Harbour Lights, Meadowbank (private)
STEPS = [
    ("Issue a notice of intent", "Three months missed in a row; no contact from the provider.", "NOI-2026-12", "Notice of intent issued"),
    ("Record the representations received", "The provider wrote about staff sickness in the autumn.", "", "Representations received"),
    ("Impose a penalty", "Sickness explains one month, not three; the returns were still not made.", "", "Penalty imposed"),
    ("Issue the final notice", "No payment and no appeal within the period.", "FN-2026-12", "Final notice issued"),
    ("Record an appeal to the First-tier Tribunal", "Appeal lodged by the provider.", "FTT-123", "Appealed to the First-tier Tribunal"),
    ("Close the case", "Tribunal decision received.", "", "Closed"),
]


def test_an_enforcement_case_step_by_step(page, api, screen, closed_windows):
    organisation = ORGANISATION_FOR_SCREEN[screen]
    api.token(OFFICER)  # first sign-in with the temporary password from its welcome mail
    sign_in(page, OFFICER, api.passwords[OFFICER], api=api)
    expect(page.get_by_role("heading", name="Enforcement cases")).to_be_focused()
    tab_to(page, page.get_by_role("link", name="Open ("))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Enforcement cases: Open")).to_be_focused()
    check(page, "cases-open")
    tab_to(page, page.get_by_role("link", name=f"Case of organisation {organisation}"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Case of organisation {organisation}")).to_be_focused()
    expect(page.get_by_role("table", name="Locations and the months they missed")).to_contain_text("September 2026, October 2026, November 2026")
    check(page, "case")

    page.get_by_role("button", name="Record this step").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator("#action-error")).to_contain_text("Select the step you are taking")
    check(page, "case-errors")
    for i, (action, reason, reference, state) in enumerate(STEPS):
        if i == 0:  # by keyboard: the first step is the first choice, where Tab lands in the radios
            tab_to(page, page.get_by_label(action))
            page.keyboard.press("Space")
            expect(page.get_by_label(action)).to_be_checked()
            tab_to(page, page.get_by_label("Why"))
            page.keyboard.type(reason)
            tab_to(page, page.get_by_label("Reference (optional)"))
            page.keyboard.type(reference)
            page.keyboard.press("Enter")
        else:
            page.get_by_label(action).check()
            page.get_by_label("Why").fill(reason)
            if reference:
                page.get_by_label("Reference (optional)").fill(reference)
            page.get_by_role("button", name="Record this step").click()
        expect(page.get_by_text(f"Recorded: {state}")).to_be_visible()
        expect(page.locator(".govuk-summary-list")).to_contain_text(state)
        log = page.get_by_role("table", name="What happened, newest first")
        expect(log.locator("tbody tr").first).to_contain_text(reason)
        if action == "Impose a penalty":
            expect(page.locator(".govuk-summary-list")).to_contain_text("£")
            check(page, "penalty")
    expect(page.get_by_text("This case is finished: no more steps.")).to_be_visible()
    expect(page.get_by_role("table", name="What happened, newest first").locator("tbody tr")).to_have_count(len(STEPS) + 1)  # + opened
    expect(page.get_by_role("table", name="What happened, newest first")).to_contain_text("reference FTT-123")
    check(page, "closed")

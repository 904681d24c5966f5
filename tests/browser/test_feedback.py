"""Journey 8, feedback and suggestions (RULES 2.7, issue 13): an employer sends feedback (the form's
errors first) and posts two suggestions, voting with the keyboard alone (and withdrawing one vote);
another person votes through the API. The support team answers the feedback inside its 48 hours (the
sender is emailed) and closes another, marks one suggestion planned with a comment, merges the
duplicate (who voted for both counts once) and hides one with a reason; the removed lists show both.
The employer reads the answer and the new status."""
from __future__ import annotations

import os
import re

from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, check, go_to, mail_to, new_employer, sign_in, sign_out, tab_to

SUPPORT = "support@demo.care-tracker.example.org"


def _suggestion(api, token, title):
    listed = api.call("GET", "/suggestions?order=newest", token).json()["suggestions"]
    return next(s for s in listed if s["title"] == title)


def test_feedback_suggestions_and_the_support_inbox(page, api, screen):
    employer, _ = new_employer(api, full_name="Fay Feedback")
    other, _ = new_employer(api, full_name="Olu Other")
    tag = f"{screen} {os.getpid()}"
    question = f"How do I print a rota? ({tag})"
    wanted, duplicate, personal = f"Print the rota ({tag})", f"Printable rota ({tag})", f"Call me on 07700 900123 ({tag})"

    # --- feedback, with its errors first
    sign_in(page, employer, PASSWORD)
    go_to(page, "Feedback")
    expect(page.get_by_role("heading", name="Feedback", exact=True)).to_be_visible()
    expect(page.get_by_text("You have not sent any feedback yet.")).to_be_visible()
    check(page, "feedback")
    page.get_by_role("button", name="Send feedback").click()
    errors = page.locator(".govuk-error-summary")
    expect(errors).to_be_focused()
    expect(errors).to_contain_text("Select what it is about")
    expect(errors).to_contain_text("Tell us more, in at least 3 characters")
    check(page, "feedback-errors")
    page.get_by_label("A question").check()
    page.get_by_label("Tell us more").fill(question)
    page.get_by_label("Which page is it about? (optional)").fill("Rota")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_text("Your feedback is sent")).to_be_visible()
    sent = page.locator(".govuk-summary-card", has_text=question)
    expect(sent).to_contain_text("Waiting for an answer")
    check(page, "feedback-sent")

    # --- two suggestions; votes with the keyboard alone
    go_to(page, "Suggestions")
    expect(page.get_by_role("heading", name="Suggestions")).to_be_visible()
    check(page, "suggestions")
    for title in (wanted, duplicate):
        page.get_by_role("button", name="Suggest a feature").click()
        expect(page.get_by_role("heading", name="Suggest a feature")).to_be_focused()
        page.get_by_label("Your idea in a few words").fill(title)
        page.get_by_label("Tell us more").fill("So I can pin it on the fridge for everyone to see.")
        page.get_by_role("button", name="Post suggestion").click()
        expect(page.get_by_text("Your suggestion is posted")).to_be_visible()
    expect(page.get_by_text("Showing newest first.")).to_be_visible()
    for title in (wanted, duplicate):
        tab_to(page, page.get_by_role("button", name=f"Vote for {title}"), limit=120)
        page.keyboard.press("Enter")
        expect(page.get_by_text(f'You voted for "{title}"')).to_be_visible()
        expect(page.locator(".govuk-summary-card", has_text=title)).to_contain_text("1 vote (including yours)")
    tab_to(page, page.get_by_role("button", name=f"Withdraw my vote for {duplicate}"), limit=120)
    page.keyboard.press("Enter")
    expect(page.get_by_text(f'Your vote for "{duplicate}" is withdrawn')).to_be_visible()
    expect(page.locator(".govuk-summary-card", has_text=duplicate)).to_contain_text("0 votes")
    check(page, "voted")
    sign_out(page)

    # Another person votes for both (twice for one: it counts once); the employer posts personal data.
    voter, boss = api.token(other), api.token(employer)
    for title in (wanted, duplicate, wanted):
        assert api.call("PUT", f"/suggestions/{_suggestion(api, voter, title)['id']}/vote", voter).status_code == 200
    assert api.call("POST", "/suggestions", boss, json={"title": personal, "description": "Ring me any time."}).status_code == 201
    thanks = f"Thank you, nothing to answer. ({tag})"
    assert api.call("POST", "/feedback", boss, json={"category": "other", "text": thanks}).status_code == 201

    # --- the support team: the inbox with the 48-hour clock, an answer emailed
    api.token(SUPPORT)
    sign_in(page, SUPPORT, PASSWORD, api=api)
    go_to(page, "Feedback inbox")
    expect(page.get_by_role("heading", name="Feedback inbox")).to_be_visible()
    item = page.locator(".govuk-summary-card", has_text=question)
    expect(item).to_contain_text(re.compile(r"4[78] hours \d+ minutes? left"))
    expect(item).to_contain_text("Fay Feedback: A question")
    check(page, "inbox")
    item.get_by_label("Answer Fay Feedback").fill(f"Open the rota and use your browser's Print. ({tag})")
    item.get_by_role("button", name="Send answer").click()
    expect(page.get_by_text("Your answer to Fay Feedback is sent")).to_be_visible()
    expect(page.locator(".govuk-summary-card", has_text=question)).to_have_count(0)
    assert f"use your browser's Print. ({tag})" in mail_to(api, employer, "Print")["body"]
    page.locator(".govuk-summary-card", has_text=thanks).get_by_role("button", name="Close Fay Feedback's feedback without answering").click()
    expect(page.get_by_text("Fay Feedback's feedback is closed")).to_be_visible()
    expect(page.locator(".govuk-summary-card", has_text=thanks)).to_have_count(0)

    # --- suggestions: planned with a comment, the duplicate merged, the personal one hidden
    go_to(page, "Suggestions")
    page.get_by_role("link", name="Show newest first").click()
    expect(page.locator(".govuk-summary-card", has_text=wanted)).to_contain_text("2 votes")
    check(page, "support-suggestions")
    page.get_by_role("link", name=f"Manage {wanted}").click()
    expect(page.get_by_role("heading", name=wanted)).to_be_visible()
    check(page, "manage")
    page.get_by_label("Planned").check()
    page.get_by_label("Comment shown with the suggestion (optional)").fill("We are building it next month.")
    page.get_by_role("button", name="Save status").click()
    expect(page.get_by_text(f'"{wanted}" is now planned')).to_be_visible()
    page.get_by_role("link", name="Show newest first").click()
    page.get_by_role("link", name=f"Manage {duplicate}").click()
    page.get_by_role("button", name="Merge into it").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the suggestion this one duplicates")
    check(page, "merge-errors")
    page.get_by_label("Which suggestion does this one duplicate?").select_option(label=f"{wanted} (2 votes)")
    page.get_by_role("button", name="Merge into it").click()
    expect(page.get_by_text(f'"{duplicate}" is merged into "{wanted}"')).to_be_visible()
    expect(page.get_by_text("It now has 2 votes.")).to_be_visible()  # Olu voted for both: once
    page.get_by_role("link", name="Show newest first").click()
    expect(page.locator(".govuk-summary-card", has_text=duplicate)).to_have_count(0)
    page.get_by_role("link", name=f"Manage {personal}").click()
    page.get_by_label("Why are you hiding it?").fill("A phone number: personal data.")
    page.get_by_role("button", name="Hide suggestion").click()
    expect(page.get_by_text(f'"{personal}" is hidden')).to_be_visible()
    expect(page.locator(".govuk-summary-card", has_text=personal)).to_contain_text("A phone number: personal data.")
    check(page, "hidden")
    page.get_by_role("link", name="Show merged suggestions").click()
    expect(page.locator(".govuk-summary-card", has_text=duplicate)).to_contain_text(re.compile(r"Merged into\s*" + re.escape(wanted)))
    check(page, "merged")
    sign_out(page)

    # --- the employer reads the answer and the status
    sign_in(page, employer, PASSWORD)
    go_to(page, "Feedback")
    answered = page.locator(".govuk-summary-card", has_text=question)
    expect(answered).to_contain_text("Answered")
    expect(answered).to_contain_text(f"Open the rota and use your browser's Print. ({tag})")
    expect(page.locator(".govuk-summary-card", has_text=thanks)).to_contain_text("Closed")
    go_to(page, "Suggestions")
    card = page.locator(".govuk-summary-card", has_text=wanted)
    expect(card).to_contain_text("Planned")
    expect(card).to_contain_text("We are building it next month.")
    expect(card).to_contain_text("2 votes")
    expect(page.locator(".govuk-summary-card", has_text=personal)).to_have_count(0)
    check(page, "after")

"""Contract A in the browser: an approver's first sign-in enrols an authenticator app (the QR code is
drawn in the browser from the otpauth URI; the key is shown for typing in), then every sign-in asks
for its code. Runs once issue 15's routes are in the API (until then the stack has no MFA)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_APPROVER, PASSWORD, check, demo_locations, new_provider_user, sign_out


@pytest.fixture
def mfa_routes(api):
    paths = api.call("GET", "/openapi.json").json()["paths"]
    if "/auth/mfa/setup" not in paths:
        pytest.skip("the API has no /auth/mfa/setup yet (issue 15, contract A)")


def _code(secret: str) -> str:
    from tests.e2e.conftest import totp_now  # issue 15's helper: waits out the end of a 30-second step

    return totp_now(secret)


def test_an_approver_enrols_an_authenticator_then_signs_in_with_its_code(page, api, mfa_routes):
    email, temporary = new_provider_user(api, demo_locations(api)[:1], full_name="Mo Approver")
    me = api.call("GET", "/users", api.token(DEMO_APPROVER)).json()["users"]
    user_id = next(u["user_id"] for u in me if u["email"] == email)
    assert api.call("POST", f"/users/{user_id}/promote", api.token(DEMO_APPROVER)).status_code == 200

    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(temporary)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_role("button", name="Save password and sign in").click()

    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    qr = page.get_by_role("img", name="A QR code for your authenticator app")
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/png;base64,")
    secret = page.locator("#mfa-secret").inner_text()
    check(page, "set-up-authenticator")
    page.get_by_label("Code from your authenticator app").fill("12")
    page.get_by_role("button", name="Finish setting up and sign in").click()
    expect(page.locator("#code-error")).to_contain_text("Enter the 6-digit code")
    check(page, "set-up-authenticator-errors")
    page.get_by_label("Code from your authenticator app").fill(_code(secret))
    page.get_by_role("button", name="Finish setting up and sign in").click()
    expect(page.locator("#user-bar")).to_contain_text("Mo Approver")
    sign_out(page)

    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter the code from your authenticator app")).to_be_visible()
    check(page, "authenticator-code")
    page.get_by_label("Code from your authenticator app").fill(_code(secret))
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#user-bar")).to_contain_text("Mo Approver")


SUPPORT = "support@demo.care-tracker.example.org"


def test_someone_signed_in_sets_up_and_replaces_their_authenticator_and_the_support_team_resets_it(page, api, mfa_routes):
    """Optional for a provider user: set up from the signed-in page (keyboard alone), replaced for a new
    phone; a lost phone is reset by the support team on the users page, with a reason."""
    from tests.browser.conftest import go_to, sign_in, tab_to

    email, temporary = new_provider_user(api, demo_locations(api)[:1], full_name="Nia Phone")
    api.token(email, temporary)
    sign_in(page, email, PASSWORD)
    tab_to(page, page.locator("#user-bar").get_by_role("link", name="Two-step sign-in"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Two-step sign-in")).to_be_focused()
    expect(page.get_by_text("Two-step sign-in is off")).to_be_visible()
    check(page, "two-step-off")
    tab_to(page, page.get_by_role("button", name="Set up an authenticator app"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_focused()
    expect(page.get_by_role("img", name="A QR code for your authenticator app")).to_be_visible()
    secret = page.locator("#mfa-secret").inner_text()
    check(page, "two-step-set-up")
    tab_to(page, page.get_by_label("Code from your authenticator app"))
    page.keyboard.type("12")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator("#code-error")).to_contain_text("Enter the 6-digit code")
    check(page, "two-step-set-up-errors")
    page.get_by_label("Code from your authenticator app").focus()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(_code(secret))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your authenticator app is set up")).to_be_visible()
    expect(page.get_by_text("Two-step sign-in is on")).to_be_visible()
    check(page, "two-step-on")

    # a new phone: the app is replaced the same way
    page.get_by_role("button", name="Replace your authenticator app").click()
    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_focused()
    expect(page.get_by_text("Your authenticator app is set up")).to_have_count(0)  # not the last page's banner again
    secret = page.locator("#mfa-secret").inner_text()
    page.get_by_label("Code from your authenticator app").fill(_code(secret))
    page.get_by_role("button", name="Finish setting up").click()
    expect(page.get_by_text("Your authenticator app is set up")).to_be_visible()
    sign_out(page)
    api.mfa_secrets[email] = secret
    sign_in(page, email, PASSWORD, api=api)  # asks for the code now
    sign_out(page)

    # the phone is lost: the support team resets the app, saying why
    organisation = api.call("GET", "/me", api.token(DEMO_APPROVER)).json()["organisation_id"]
    api.token(SUPPORT)
    sign_in(page, SUPPORT, api.passwords[SUPPORT], api=api)
    go_to(page, "Users")
    expect(page.get_by_role("heading", name="Users of an organisation")).to_be_visible()
    page.get_by_label("Organisation's CQC provider ID").fill("Northvale")
    page.get_by_role("button", name="Show users").click()
    expect(page.locator("#organisation-error")).to_contain_text("Enter the provider ID as the CQC writes it")
    page.get_by_label("Organisation's CQC provider ID").fill(organisation)
    page.get_by_role("button", name="Show users").click()
    row = page.locator("tr", has_text=email)
    expect(row).to_contain_text("On")
    check(page, "support-users")
    row.get_by_role("link", name="Reset authenticator of Nia Phone").click()
    expect(page.get_by_role("heading", name="Reset Nia Phone's authenticator app")).to_be_visible()
    page.get_by_role("button", name="Reset authenticator").click()
    expect(page.locator("#reason-error")).to_contain_text("Enter why you are resetting it")
    check(page, "reset-authenticator-errors")
    page.get_by_label("Why are you resetting it?").fill("Lost phone; identity checked by calling the registered manager")
    page.get_by_role("button", name="Reset authenticator").click()
    expect(page.get_by_text("Nia Phone's authenticator app is reset")).to_be_visible()
    expect(row.locator("td").nth(3)).to_have_text("Off")  # two-step sign-in (the name is the row header)
    expect(row.get_by_role("link", name="Reset authenticator of Nia Phone")).to_have_count(0)
    check(page, "reset-authenticator-done")
    # the record of resets: who, by whom and why, newest first
    page.get_by_role("link", name="Resets of two-step sign-in").click()
    expect(page.get_by_role("heading", name="Resets of two-step sign-in")).to_be_focused()
    newest = page.locator("tbody tr").first
    expect(newest).to_contain_text("Nia Phone")
    expect(newest).to_contain_text(email)
    expect(newest).to_contain_text("Lost phone; identity checked by calling the registered manager")
    check(page, "authenticator-resets")
    sign_out(page)

    del api.mfa_secrets[email]
    sign_in(page, email, PASSWORD)  # the password alone again (sign_in fails on a code page without a key)


def test_a_provider_user_turns_two_step_sign_in_off_with_their_password(page, api, mfa_routes):
    """Optional for a provider user, so they may turn it off again: the password confirms it (a tab left
    signed in is not enough); the next sign-in asks no code."""
    email, temporary = new_provider_user(api, demo_locations(api)[:1], full_name="Ola Optional")
    tokens = api.sign_in(email, temporary, PASSWORD)
    setup = api.call("POST", "/me/mfa/setup", tokens["id_token"], json={"access_token": tokens["access_token"]})
    api.mfa_secrets[email] = setup.json()["secret"]
    confirmed = api.call("POST", "/me/mfa/confirm", tokens["id_token"],
                         json={"access_token": tokens["access_token"], "code": api.totp(email)})
    assert confirmed.status_code == 200, confirmed.text
    from tests.browser.conftest import sign_in

    sign_in(page, email, PASSWORD, api=api)  # with the code
    page.locator("#user-bar").get_by_role("link", name="Two-step sign-in").click()
    expect(page.get_by_text("Two-step sign-in is on")).to_be_visible()
    page.get_by_role("link", name="Turn off two-step sign-in").click()
    expect(page.get_by_role("heading", name="Turn off two-step sign-in")).to_be_focused()
    check(page, "two-step-turn-off")
    page.get_by_role("button", name="Turn off two-step sign-in").click()
    expect(page.locator("#password-error")).to_contain_text("Enter your password")
    page.get_by_label("Your password").fill("not the right one at all")
    page.get_by_role("button", name="Turn off two-step sign-in").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator("#password-error")).to_contain_text("That password is not right")
    check(page, "two-step-turn-off-errors")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Turn off two-step sign-in").click()
    expect(page.get_by_text("Two-step sign-in is turned off")).to_be_visible()
    expect(page.get_by_text("Two-step sign-in is off: you sign in with your password alone.")).to_be_visible()
    expect(page.get_by_role("link", name="Turn off two-step sign-in")).to_have_count(0)
    check(page, "two-step-turned-off")
    sign_out(page)

    del api.mfa_secrets[email]
    sign_in(page, email, PASSWORD)  # the password alone (sign_in fails on a code page without a key)

"""Browser tests of the web client: Playwright for Python driving Debian's Chromium against the
local stack that `make run` starts (client and API on one address), at desktop width and at 320 px.

Each journey test does what a person does (clicks, types, reads the page and the outbox). `check()`
runs axe-core with the WCAG 2.2 A and AA rules (0 violations), asserts nothing scrolls sideways
outside wide tables, and writes a screenshot under out/screenshots/ for reviewers.
"""
from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

from infra.local.demo import DEMO_EMPLOYER, DEMO_PAS  # noqa: F401 (for the tests: pa.one@ Priya Patel, pa.two@ Sam Demo, pa.three@ archived)
from infra.local.stack import running
from tests.e2e.conftest import Api

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "out" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 320, "height": 640}}
WCAG_22_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}
PASSWORD = "copper meadow lantern ripple"
_unique = itertools.count(1)


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


def chromium() -> str:
    """Debian's chromium; installed with apt-get (as root) on a machine without it, such as a fresh CI one."""
    found = shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)
    if found is None and hasattr(os, "geteuid") and os.geteuid() == 0:
        for command in (["apt-get", "install", "-y", "-q", "chromium"], ["apt-get", "update", "-q"],
                        ["apt-get", "install", "-y", "-q", "chromium"]):
            subprocess.run(command, check=False, capture_output=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
            found = shutil.which("chromium")
            if found:
                break
    if found is None:
        pytest.fail("The browser tests need Debian's chromium: apt-get install -y chromium (as root)")
    return found


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    from infra.web_build import build

    build()  # as make test does first; a no-op when build/web/ is up to date
    try:
        with running(tmp_path_factory.mktemp("browser-stack")) as info:
            yield info
    except RuntimeError as failed:
        pytest.fail(str(failed))


@pytest.fixture(scope="session")
def api(stack) -> Api:
    return Api(stack["api"], stack["logins"])


@pytest.fixture(scope="session")
def web(stack) -> str:
    return stack["web"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)  # 2 shared cores and moto behind the API: 5 s is too tight under load

    executable = chromium()
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(params=list(SCREENS))
def screen(request) -> str:
    return request.param


class Problems(list):
    """Script errors, failed requests to our own files and CSP violations seen by the page."""


@pytest.fixture
def page(browser, web, screen, request):
    context = browser.new_context(viewport=SCREENS[screen], base_url=web, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    problems = Problems()
    tab.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    tab.on("console", lambda m: problems.append(f"console: {m.text}")
           if m.type == "error" and ("Content Security Policy" in m.text or "Uncaught" in m.text) else None)
    tab.screen_name = screen
    tab.test_name = re.sub(r"\W+", "-", request.node.originalname).strip("-")
    tab.problems = problems
    try:
        yield tab
    finally:
        context.close()
    assert not problems, problems


def check(page, name: str) -> None:
    """On the page as it is now: axe (WCAG 2.2 A/AA) finds nothing, nothing scrolls sideways but
    wide tables (inside their own box), and a screenshot for reviewers."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("networkidle")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{page.test_name}-{page.screen_name}-{name}.png"), full_page=True)
    results = Axe().run(page, options=WCAG_22_AA)
    assert results.violations_count == 0, f"{name}: {results.generate_report()}"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow} px at {page.screen_name} width"


def unique_email(prefix: str) -> str:
    return f"{prefix}.{os.getpid()}.{next(_unique)}@example.org"


DEMO_APPROVER = "approver@demo.care-tracker.example.org"
# Returns belong to locations, so the two screen widths work on different organisations' locations:
# the demo approver's (Northvale Reablement Service, Ashgrove Court) and Harbour Lights' (its first
# approver from the CQC file, Anna Price: Harbour Lights Supported Living, Harbour View Care Home).
APPROVER_FOR_SCREEN = {"desktop": DEMO_APPROVER, "phone": "anna.price@example.org"}


def new_provider_user(api: Api, location_ids: list[str], *, full_name: str = "Sam Carter",
                      approver: str = DEMO_APPROVER) -> tuple[str, str]:
    """A provider user approved through the API by `approver`: (email, temporary password)."""
    email = unique_email("sam")
    created = api.call("POST", "/registrations", json={
        "full_name": full_name, "email": email, "phone": "0117 496 0000", "job_title": "Deputy manager",
        "location_ids": location_ids, "terms_accepted": True, "comms_consent": False})
    assert created.status_code == 201, created.text
    approved = api.call("POST", f"/registrations/{created.json()['id']}/approve", api.token(approver))
    assert approved.status_code == 200, approved.text
    return email, api.welcome_password(email)


def demo_locations(api: Api, approver: str = DEMO_APPROVER) -> list[str]:
    me = api.call("GET", "/me", api.token(approver)).json()
    return me["location_ids"]


def tab_to(page, locator, limit: int = 60) -> None:
    """Presses Tab until `locator` has focus, as a keyboard user does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {locator}")


def mail_to(api: Api, email: str, containing: str) -> dict:
    found = [m for m in api.outbox() if m["to"] == email and containing in m["body"]]
    assert found, f"no mail to {email} containing {containing!r}"
    return found[-1]


def new_employer(api: Api, *, full_name: str = "Jo Employer") -> tuple[str, str]:
    """An employer signed up through the API, its first login done (password in `api.passwords`):
    (email, employer_id). A test that changes PAs, rotas or timesheets uses an employer of its own,
    so the demo employer stays as `make run` shows it to other tests and to people."""
    email = unique_email("employer")
    signed = api.call("POST", "/employers", json={
        "full_name": full_name, "email": email, "care_recipient_name": full_name, "managed_by": "self",
        "funding_type": "direct_payment", "care_package_confirmed": True})
    assert signed.status_code == 201, signed.text
    api.token(email)
    return email, signed.json()["employer_id"]


def new_pa(api: Api, employer: str, employer_id: str, *, full_name: str = "Pat Worker", **fields) -> tuple[str, str]:
    """A PA added through the API by `employer` (its login's first sign-in not done): (email, pa_id)."""
    email = unique_email("pa")
    body = {"full_name": full_name, "email": email, "phone": "0113 496 0100", "address": "3 Mill Lane, Leeds LS3 3CC",
            "date_of_birth": "1990-03-01", "ni_number": "CE103759D", "start_date": "2026-01-05",
            "contracted_hours": 20, **fields}
    added = api.call("POST", f"/employers/{employer_id}/pas", api.token(employer), json=body)
    assert added.status_code == 201, added.text
    return email, added.json()["pa_id"]


def sign_in(page, email: str, password: str, *, expect_success: bool = True, api: Api | None = None) -> None:
    """Signs in through the form. Accounts that use an authenticator app (contract A: approvers, the
    support team, enforcement officers, once issue 15's sign-in lands) get its code from `api`'s book."""
    from playwright.sync_api import expect

    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    if not expect_success:
        return
    signed_in = page.locator("#user-bar").filter(has_text="Signed in as")
    code_page = page.get_by_role("heading", name="Enter the code from your authenticator app")
    expect(signed_in.or_(code_page)).to_be_visible()
    if code_page.is_visible():
        assert api is not None and email in getattr(api, "mfa_secrets", {}), f"{email} needs its authenticator's code"
        page.get_by_label("Code from your authenticator app").fill(api.totp(email))
        page.get_by_role("button", name="Sign in").click()
    expect(signed_in).to_be_visible()  # signed in: the name shows, the tokens are stored


def go_to(page, name: str) -> None:
    """Follows a link of the service navigation, opening its Menu first on a narrow screen."""
    toggle = page.locator(".govuk-service-navigation__toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    page.locator("#navigation").get_by_role("link", name=name, exact=True).click()


DECEMBER_WINDOW_DAY = "2026-12-09T10:00:00+00:00"  # Wednesday 9 December 2026, inside the window (8th to Monday 14th)


@contextmanager
def fixed_clock(api: Api, page, at: str):
    """The service's clock (PUT /_local/clock) and the browser's (Playwright's) both fixed at `at`,
    and the service's given back afterwards. Fix it before signing in: the idle timeout counts from
    the page's clock."""
    assert api.call("PUT", "/_local/clock", json={"at": at}).status_code == 200
    page.clock.set_fixed_time(at)
    try:
        yield
    finally:
        api.call("PUT", "/_local/clock", json={"at": None})


@pytest.fixture
def in_december_window(api, page):
    with fixed_clock(api, page, DECEMBER_WINDOW_DAY):
        yield


@pytest.fixture
def on_2_december(api, page):
    """Wednesday 2 December 2026, 10:00: the employers' journeys' fixed day (holiday, young workers)."""
    with fixed_clock(api, page, "2026-12-02T10:00:00+00:00"):
        yield


def first_sign_in(page, api: Api, email: str, temporary: str) -> None:
    """From the sign-in page: the temporary password, then the person's own (kept in `api`'s book)."""
    from playwright.sync_api import expect

    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(temporary)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_role("button", name="Save password and sign in").click()
    api.passwords[email] = PASSWORD


def sign_out(page) -> None:
    """Signs out and waits until the tab holds no session (the navigation offers "Sign in"), so a test
    that goes on to another page cannot race the sign-out and land signed in. (tests/browser/
    test_sign_in.py checks the page that says so.)"""
    from playwright.sync_api import expect

    go_to(page, "Sign out")
    expect(page.locator("#navigation").get_by_role("link", name="Sign in", exact=True)).to_be_attached()
    assert page.evaluate("sessionStorage.getItem('care-tracker.tokens')") is None
    # half-filled forms (an NI number while adding a PA) do not outlive the sign-out
    assert page.evaluate("Object.keys(sessionStorage).filter((k) => k.startsWith('care-tracker.draft.'))") == []


# September, October and November 2026 closed with nothing saved: three misses in a row, so private
# providers' locations are eligible and their organisations get enforcement cases (RULES 1.6).
CLOSINGS = ("2026-09-15T00:30:00+01:00", "2026-10-15T00:30:00+01:00", "2026-11-17T00:30:00+00:00")


@pytest.fixture(scope="session")
def closed_windows(api):
    for at in CLOSINGS:  # the scheduled job, as if the clock read `at`; running it again changes nothing
        answer = api.call("POST", "/_local/jobs/close_window", json={"at": at})
        assert answer.status_code == 200, answer.text


# --- web-d: keyboard-only journeys --------------------------------------------------------------------
def shift_tab_to(page, locator, limit: int = 60) -> None:
    """Presses Shift+Tab until `locator` has focus: from a page's heading (where focus lands) back to the
    navigation above it."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Shift+Tab never reached {locator}")


def go_to_by_keyboard(page, name: str) -> None:
    """Follows a link of the service navigation with the keyboard alone (opening its Menu on a phone)."""
    from playwright.sync_api import expect

    toggle = page.locator(".govuk-service-navigation__toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        shift_tab_to(page, toggle)
        page.keyboard.press("Enter")
        expect(toggle).to_have_attribute("aria-expanded", "true")
        tab_to(page, page.locator("#navigation").get_by_role("link", name=name, exact=True))
    else:
        shift_tab_to(page, page.locator("#navigation").get_by_role("link", name=name, exact=True))
    page.keyboard.press("Enter")

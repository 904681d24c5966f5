"""Journey 6, exports: the demo employer downloads their data (CSV), then makes the audit pack for a
date range with the keyboard alone (errors first), seeing the progress message while it is asked
for (the API's answer held back until the test has read it) and while the local stack's worker
makes it (the page polls), and downloads the zip. A pack that failed is explained (the status answer
the page polls is the stack's own, marked failed on its way to the page). Reading only: the demo
data does not change."""
from __future__ import annotations

import csv
import io
import json
import zipfile

import requests
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_EMPLOYER, PASSWORD, check, go_to, sign_in, tab_to


def test_download_my_data_and_the_audit_pack(page, api):
    api.token(DEMO_EMPLOYER)
    sign_in(page, DEMO_EMPLOYER, PASSWORD)
    go_to(page, "Your data")
    expect(page.get_by_role("heading", name="Your data")).to_be_visible()
    check(page, "your-data")

    # --- my data, as CSV
    page.get_by_role("button", name="Make my file").click()
    expect(page.locator("#my-data-result")).to_contain_text("Your file is ready")
    link = page.get_by_role("link", name="Download my data (CSV)")
    expect(link).to_be_focused()
    check(page, "my-data-ready")
    mine = requests.get(link.get_attribute("href"), timeout=30)
    assert mine.status_code == 200
    rows = list(csv.DictReader(io.StringIO(mine.text)))
    assert rows and rows[0]["record"] and DEMO_EMPLOYER in mine.text

    # --- the audit pack, with the keyboard alone: errors, then the progress message, then the link
    make = page.get_by_role("button", name="Make the audit pack")
    tab_to(page, make)
    page.keyboard.press("Enter")
    errors = page.locator(".govuk-error-summary")
    expect(errors).to_be_focused()
    expect(errors).to_contain_text("Enter the first day as a real date")
    expect(errors).to_contain_text("Enter the last day as a real date")
    check(page, "audit-pack-errors")
    held = []
    page.route("**/api/employer/audit-pack", lambda route: held.append(route))
    tab_to(page, page.locator("#from-day"))
    # A range of its own at each width: the stack answers a range asked before with the pack it made.
    day = 1 if page.viewport_size["width"] > 400 else 2
    for text in (str(day), "4", "2026", "31", "3", "2027"):
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    tab_to(page, make)
    page.keyboard.press("Enter")
    expect(page.locator("#audit-pack-result")).to_contain_text("We are making the audit pack.")
    expect(errors).to_have_count(0)
    check(page, "audit-pack-making")
    assert len(held) == 1
    held[0].continue_()
    # Asked (202): the page says so and polls; the worker makes it in the background.
    expect(page.locator("#audit-pack-progress")).to_have_text("Started. Checking every few seconds.")
    check(page, "audit-pack-polling")
    first = "Wednesday 1 April 2026" if day == 1 else "Thursday 2 April 2026"
    pack_link = page.get_by_role("link", name=f"Download the audit pack, {first} to Wednesday 31 March 2027 (zip)")
    expect(pack_link).to_be_focused(timeout=120_000)
    check(page, "audit-pack-ready")
    archive = zipfile.ZipFile(io.BytesIO(requests.get(pack_link.get_attribute("href"), timeout=30).content))
    sheets = list(csv.DictReader(io.StringIO(archive.read("timesheets.csv").decode("utf-8"), newline="")))
    assert any(s["status"] == "approved" for s in sheets)

    # --- a pack that could not be made: the reason and what to do, in the error summary
    page.unroute("**/api/employer/audit-pack")

    def failed(route):
        answer = route.fetch()
        body = {**answer.json(), "status": "failed", "download_url": None,
                "message": "Making the audit pack took too long and was stopped. Ask for it again, or for a shorter range."}
        route.fulfill(response=answer, body=json.dumps(body))

    page.route("**/api/employer/audit-pack/*", failed)
    page.locator("#from-year").fill("2025")
    page.locator("#to-year").fill("2026")
    make.click()
    expect(errors).to_be_focused(timeout=30_000)
    expect(errors).to_contain_text("The audit pack could not be made. Making the audit pack took too long")
    expect(page.locator("#audit-pack-result")).to_be_empty()
    check(page, "audit-pack-failed")

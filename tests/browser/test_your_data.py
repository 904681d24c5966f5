"""Journey 6, exports: the demo employer downloads their data (CSV), then makes the audit pack for a
date range with the keyboard alone (errors first), seeing the progress message while it is made
(the API's answer held back until the test has read it), and downloads the zip. Reading only: the
demo data does not change."""
from __future__ import annotations

import csv
import io
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
    for text in ("1", "4", "2026", "31", "3", "2027"):
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    tab_to(page, make)
    page.keyboard.press("Enter")
    expect(page.locator("#audit-pack-result")).to_contain_text("We are making the audit pack.")
    expect(errors).to_have_count(0)
    check(page, "audit-pack-making")
    assert len(held) == 1
    held[0].continue_()
    pack_link = page.get_by_role("link", name="Download the audit pack, Wednesday 1 April 2026 to Wednesday 31 March 2027 (zip)")
    expect(pack_link).to_be_focused()
    check(page, "audit-pack-ready")
    archive = zipfile.ZipFile(io.BytesIO(requests.get(pack_link.get_attribute("href"), timeout=30).content))
    sheets = list(csv.DictReader(io.StringIO(archive.read("timesheets.csv").decode("utf-8"), newline="")))
    assert any(s["status"] == "approved" for s in sheets)

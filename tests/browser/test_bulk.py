"""Journey 4, bulk update: an organisation with 50 care homes (a newer CQC file with the demo rows and
50 more goes through the real import job; its contact becomes the first approver), one table of 50
locations x the care home fields, saved in one request, each row's result and errors against its row;
and a short table filled in and saved with the keyboard alone."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import boto3
import pytest
from playwright.sync_api import expect

from infra.local.demo import DEMO_FILE
from tests.browser.conftest import PASSWORD, check, go_to, go_to_by_keyboard, new_provider_user, sign_in, tab_to

CONTACT = "fifty.homes@example.org"
COUNT = 50
ROW = ["12", "10", "0", "2", "1", "8", "2", "0", "1", "0", "1"]  # max, occupied, reserved, accepting, 6 staff, absent


@pytest.fixture(scope="module")
def fifty_care_homes(api, stack):
    with open(DEMO_FILE, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        columns, rows = reader.fieldnames, list(reader)
    template = next(r for r in rows if r["Location ID"] == "1-2000000004")  # a care home
    extra = [{**template, "Location ID": f"1-30000000{n:02d}", "Location Name": f"Fifty Homes {n:02d}",
              "Provider ID": "1-1000000050", "Provider Name": "Fifty Homes Ltd", "Contact Email": CONTACT,
              "Registered manager": "Fran Fifty", "Location Postal Code": "BS1 5TT", "Care homes beds": "12",
              # an authority of their own: a commissioner's test reads Bristol's vacancies on the same stack
              "Location Local Authority": "South Gloucestershire", "Provider Local Authority": "South Gloucestershire"}
             for n in range(1, COUNT + 1)]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows + extra)  # a full file: every demo location stays registered
    s3 = boto3.client("s3", endpoint_url=stack["aws"], region_name="eu-west-2",
                      aws_access_key_id="local", aws_secret_access_key="local")  # noqa: S106 - moto's
    s3.put_object(Bucket="care-tracker-local-importsbucket", Key="cqc/fifty_homes_active_locations.csv", Body=out.getvalue().encode())
    imported = api.call("POST", "/_local/jobs/import_cqc_locations", json={"at": datetime.now(timezone.utc).isoformat()})
    assert imported.status_code == 200 and imported.json()["result"]["imported"].endswith("fifty_homes_active_locations.csv"), imported.text
    api.token(CONTACT)  # the first approver, from the welcome mail
    return CONTACT


def test_fifty_locations_in_one_table(page, api, screen, fifty_care_homes, in_december_window):
    locations = [f"1-30000000{n:02d}" for n in range(1, COUNT + 1)]
    email, temporary = new_provider_user(api, locations, full_name="Bea Bulk", approver=fifty_care_homes)
    api.token(email, temporary)
    sign_in(page, email, PASSWORD)
    go_to(page, "Update many")
    expect(page.get_by_role("heading", name="Update many returns")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(COUNT)
    check(page, "bulk-empty")

    for i in range(COUNT):
        row = rows.nth(i)
        for cell, value in zip(row.locator("input").all(), ROW, strict=True):
            cell.fill(value)
    # Two rows are wrong: a word for a number, and more beds used than the home has.
    rows.nth(6).get_by_label("Staff absent, Fifty Homes 07").fill("two")
    rows.nth(41).get_by_label("Beds occupied, Fifty Homes 42").fill("30")
    with page.expect_request(lambda r: r.url.endswith("/api/returns/bulk")) as sent:
        page.get_by_role("button", name="Save the filled-in rows").click()
    assert len(sent.value.post_data_json["items"]) == COUNT  # one request for all 50
    summary = page.locator(".govuk-error-summary")
    expect(page.locator("#bulk-status")).to_contain_text(f"Saving {COUNT} returns")
    expect(summary).to_be_focused(timeout=90_000)  # 50 saves on moto take a while
    expect(summary).to_contain_text("There is a problem with 2 rows")
    expect(summary).to_contain_text("48 saved, 2 not saved")
    expect(rows.nth(6)).to_contain_text("Staff absent: must be a whole number")
    expect(rows.nth(41)).to_contain_text("more than the maximum capacity")
    expect(rows.nth(0).locator("td").last).to_contain_text("Saved")
    check(page, "bulk-row-errors")

    summary.get_by_role("link", name="Fifty Homes 07: Staff absent: must be a whole number, 0 or more").click()
    expect(rows.nth(6).get_by_label("Staff absent, Fifty Homes 07")).to_be_focused()
    rows.nth(6).get_by_label("Staff absent, Fifty Homes 07").fill("2")
    rows.nth(41).get_by_label("Beds occupied, Fifty Homes 42").fill("9")
    page.get_by_role("button", name="Save the filled-in rows").click()  # all 50 again: 48 are updates of what was just saved
    expect(page.get_by_text(f"{COUNT} returns saved")).to_be_visible(timeout=90_000)
    check(page, "bulk-saved")
    owed = api.call("GET", "/returns/owed", api.token(email)).json()
    assert all(ct["done"] for loc in owed["locations"] for ct in loc["care_types"])


def test_a_short_table_with_the_keyboard_alone(page, api, screen, fifty_care_homes, in_december_window):
    homes = ["1-3000000049", "1-3000000050"] if screen == "desktop" else ["1-3000000047", "1-3000000048"]
    email, temporary = new_provider_user(api, homes, full_name="Kit Keys", approver=fifty_care_homes)
    api.token(email, temporary)
    sign_in(page, email, PASSWORD)
    go_to_by_keyboard(page, "Update many")
    expect(page.get_by_role("heading", name="Update many returns")).to_be_focused()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    tab_to(page, rows.nth(0).locator("input").first)
    for _ in range(2):  # each row's 11 cells in turn: Tab moves along the row, then to the next row
        for value in ROW:
            page.keyboard.type(value)
            page.keyboard.press("Tab")
    tab_to(page, page.get_by_role("button", name="Save the filled-in rows"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("2 returns saved")).to_be_visible(timeout=30_000)
    expect(rows.nth(1).locator("td").last).to_contain_text("Saved")

"""Journey 2 of issue 14, an employer's PAs, with an employer of its own: add a PA one question a page
(what is missing on each, the provider's agreement revealed for a family member and refused until
given, check answers and a change from it, a National Insurance number the API explains on its page), the PA's record and correcting it, the list a page at a time,
archiving with a leaving date through the check-answers page (by keyboard alone) that says what is
deleted and what is kept for 7 years, the archived list, and reactivation."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.conftest import check, mail_to, new_employer, new_pa, sign_in, tab_to, unique_email


def _fill_date(page, field_id: str, day: date) -> None:
    group = page.locator(f"#{field_id}")
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def _long(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def test_add_correct_page_archive_and_reactivate(page, api, screen):
    employer, employer_id = new_employer(api, full_name="Lena Brooks")
    today = datetime.now(ZoneInfo("Europe/London")).date()
    started = today - timedelta(days=30)
    pa_email = unique_email("kim")
    sign_in(page, employer, api.passwords[employer])
    expect(page.get_by_role("heading", name="Your PAs")).to_be_visible()
    expect(page.get_by_text("You have not added any personal assistants (PAs) yet.")).to_be_visible()

    # --- add a PA, one question a page: missing answers on each, then check answers, the API's own explanation
    page.get_by_role("button", name="Add a PA").click()
    expect(page.get_by_role("heading", name="Their name and contact details")).to_be_visible()
    check(page, "add-pa")
    page.get_by_role("button", name="Continue").click()
    errors = page.locator(".govuk-error-summary")
    expect(errors).to_be_focused()
    for text in ("Enter their full name", "Enter their email address", "Enter their phone number", "Enter their address"):
        expect(errors).to_contain_text(text)
    check(page, "add-pa-errors")
    page.get_by_label("Full name").fill("Kim Osei")
    page.get_by_label("Email address").fill(pa_email)
    page.get_by_label("Phone number").fill("0113 496 0200")
    page.get_by_label("Address", exact=True).fill("4 Mill Lane\nLeeds LS3 3CC")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Kim Osei’s date of birth and National Insurance number")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    for text in ("Enter their date of birth", "Enter their National Insurance number"):
        expect(errors).to_contain_text(text)
    _fill_date(page, "date_of_birth", date(1991, 7, 14))
    page.get_by_label("National Insurance number").fill("dq 12 34 56 a")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Kim Osei’s job")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    for text in ("Enter their start date", "Select contracted hours or irregular hours"):
        expect(errors).to_contain_text(text)
    check(page, "add-pa-job-errors")
    _fill_date(page, "start_date", started)
    page.get_by_label("Contracted hours each week").check()
    page.get_by_label("Contracted hours a week").fill("16")
    page.get_by_role("button", name="Continue").click()

    # The provider's agreement is asked only once they are a family member or friend (a conditional reveal).
    expect(page.get_by_role("heading", name="Is Kim Osei a family member or friend of the person who needs care?")).to_be_focused()
    page.get_by_role("button", name="Continue").click()
    expect(errors).to_contain_text("Select whether they are a family member or friend")
    family_agreed = page.get_by_label("The care package provider has agreed that this family member can be my PA")
    expect(family_agreed).to_be_hidden()
    page.get_by_label("Yes, a friend").check()
    friend_agreed = page.get_by_label("The care package provider has agreed that this friend can be my PA")
    expect(friend_agreed).to_be_visible()
    friend_agreed.check()  # then the answer changes: a box under another answer does not count
    page.get_by_label("Yes, a family member").check()
    expect(friend_agreed).to_be_hidden()
    expect(family_agreed).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    expect(errors).to_contain_text("A family member or friend can be your PA only once the care package provider has agreed")
    expect(page.locator(".govuk-form-group--error", has=family_agreed)).to_be_visible()
    check(page, "add-pa-agreement")
    family_agreed.check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Kim Osei’s emergency contact (optional)")).to_be_visible()
    page.get_by_role("button", name="Continue").click()  # optional: left for later

    expect(page.get_by_role("heading", name="Check your answers before adding the PA")).to_be_visible()
    answers = page.locator(".govuk-summary-list")
    expect(answers).to_contain_text("4 Mill Lane")
    expect(answers.locator(".govuk-summary-list__row", has_text="Hours")).to_contain_text("16 hours a week")
    expect(answers.locator(".govuk-summary-list__row", has_text="Emergency contact")).to_contain_text("None given")
    check(page, "add-pa-check")
    # A change from the check page comes back to it.
    page.get_by_role("link", name="Change phone number").click()
    expect(page.get_by_label("Phone number")).to_have_value("0113 496 0200")
    page.get_by_label("Phone number").fill("0113 496 0201")
    page.get_by_role("button", name="Continue").click()
    expect(answers.locator(".govuk-summary-list__row", has_text="Phone number")).to_contain_text("0113 496 0201")
    # The API refuses the NI number: back on its page, in the API's words beside the field.
    page.get_by_role("button", name="Add this PA").click()
    expect(page.get_by_role("heading", name="Kim Osei’s date of birth and National Insurance number")).to_be_visible()
    ni_error = page.locator("#ni_number-error")
    expect(ni_error).to_contain_text("A National Insurance number never starts with D, F, I, Q, U or V: check the first letter")
    expect(errors).to_be_focused()
    check(page, "add-pa-ni-error")
    page.get_by_label("National Insurance number").fill("ab 12 34 56 c")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your answers before adding the PA")).to_be_visible()
    page.get_by_role("button", name="Add this PA").click()
    expect(page.get_by_text("Kim Osei added")).to_be_visible()
    expect(page.get_by_role("heading", name="Kim Osei")).to_be_visible()
    record = page.locator("#main-content")
    expect(record.locator(".govuk-summary-list__row", has_text="National Insurance number")).to_contain_text("AB123456C")
    expect(record.locator(".govuk-summary-list__row", has_text="Family member or friend")).to_contain_text("A family member")
    expect(record.locator(".govuk-summary-list__row", has_text="Care package provider agreed")).to_contain_text("Yes")
    check(page, "pa-record")
    mail_to(api, pa_email, "Temporary password:")

    # --- correct the record
    page.get_by_role("link", name="Change phone number").click()
    expect(page.get_by_role("heading", name="Correct Kim Osei’s record")).to_be_visible()
    check(page, "correct-record")
    page.get_by_label("Phone number").first.fill("0113 496 0999")
    page.get_by_label("DBS certificate number").fill("0012 3456")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#dbs_certificate_number-error")).to_be_visible()
    page.get_by_label("DBS certificate number").fill("001234567890")
    page.get_by_label("Enhanced", exact=True).check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Kim Osei’s record saved")).to_be_visible()
    expect(record.locator(".govuk-summary-list__row", has_text="Phone number").first).to_contain_text("0113 496 0999")
    expect(record.locator(".govuk-summary-list__row", has_text="DBS check level")).to_contain_text("Enhanced")

    # --- the list, a page at a time (10 a page): ten more PAs through the API
    for n in range(10):
        new_pa(api, employer, employer_id, full_name=f"Zed Worker {n:02d}", start_date=started.isoformat(),
               ni_number=f"CE1037{n:02d}D")
    page.get_by_role("link", name="Back to your PAs").click()
    table = page.locator("table")
    expect(table).to_contain_text("Kim Osei")
    names = table.locator("tbody th[scope=row]")  # one row header (the PA's name) a row
    expect(names).to_have_count(10)
    expect(page.get_by_text("PAs (11 current)")).to_be_visible()
    check(page, "pa-list")
    page.get_by_role("link", name="Next page").click()
    expect(names).to_have_count(1)
    expect(table).to_contain_text("Zed Worker 09")
    page.get_by_role("link", name="First page").click()
    page.get_by_role("link", name="Kim Osei").click()

    # --- correct the National Insurance number: another PA's is refused beside the field
    page.get_by_role("link", name="Change National Insurance number").click()
    ni = page.get_by_label("National Insurance number")
    expect(ni).to_have_value("AB123456C")
    ni.fill("ce 10 37 00 d")  # Zed Worker 00's
    page.get_by_role("button", name="Save changes").click()
    expect(errors).to_be_focused()
    expect(page.locator("#ni_number-error")).to_contain_text("Another of your PAs has this National Insurance number")
    check(page, "correct-ni-taken")
    ni.fill("jg 10 37 59 c")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Kim Osei’s record saved")).to_be_visible()
    expect(record.locator(".govuk-summary-list__row", has_text="National Insurance number")).to_contain_text("JG103759C")

    # --- archive by keyboard alone: the leaving date, then the check-answers page
    archive = page.get_by_role("button", name="Archive Kim Osei")
    tab_to(page, archive, limit=80)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="What was Kim Osei’s last day working for you?")).to_be_focused()
    check(page, "leaving-date")
    tab_to(page, page.locator("#leaving_date-day"))
    for part in (str(today.day), str(today.month), str(today.year)):
        page.keyboard.type(part)
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Check before you archive Kim Osei")).to_be_focused()
    kept_until = date(today.year + 7, today.month, today.day) if not (today.month == 2 and today.day == 29) else date(today.year + 7, 3, 1)
    deleted, kept = page.locator("#deleted"), page.locator("#kept")
    for item in ("phone number", "address", "date of birth", "emergency contact", "DBS check", "right to work"):
        expect(deleted).to_contain_text(item)
    for item in ("their full name", "their email address", "their National Insurance number", "their timesheets", "their holiday record"):
        expect(kept).to_contain_text(item)
    expect(page.get_by_role("heading", name=f"What is kept until {_long(kept_until)}")).to_be_visible()
    check(page, "archive-check-answers")
    confirm = page.get_by_role("button", name="Archive Kim Osei")
    tab_to(page, confirm, limit=80)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Kim Osei archived")).to_be_visible()
    expect(record.locator(".govuk-summary-list__row", has_text="Kept until")).to_contain_text(_long(kept_until))
    expect(page.get_by_role("heading", name="PA who has left")).to_be_visible()
    check(page, "archived-pa")
    stored = api.call("GET", f"/employers/{employer_id}/pas", api.token(employer), params={"status": "archived"}).json()
    assert [p["pa_name"] for p in stored["pas"]] == ["Kim Osei"]

    # --- the archived list, and reactivation from the PA's page
    page.get_by_role("link", name="Back to PAs who have left").click()
    expect(page.get_by_role("heading", name="PAs who have left")).to_be_visible()
    row = page.locator("tbody tr", has_text="Kim Osei")
    expect(row).to_contain_text("JG103759C")
    expect(row).to_contain_text(_long(today))
    check(page, "archived-list")
    row.get_by_role("link", name="Kim Osei").click()
    page.get_by_role("button", name="Reactivate Kim Osei").click()
    expect(page.locator("[data-field=start_date] .govuk-error-message")).to_contain_text("Enter their new start date")
    _fill_date(page, "start_date", today)
    page.get_by_role("button", name="Reactivate Kim Osei").click()
    expect(page.locator("[data-field=start_date] .govuk-error-message")).to_contain_text("must be after their leaving date")
    _fill_date(page, "start_date", today + timedelta(days=1))
    page.get_by_role("button", name="Reactivate Kim Osei").click()
    expect(page.get_by_text("Kim Osei reactivated")).to_be_visible()
    expect(page.get_by_text("Details to fill in")).to_be_visible()
    check(page, "reactivated")
    mail_to(api, pa_email, "fill in your details again")

"""Journey 3, the rota, for an employer of their own: the week with every PA and the days nobody is
on shift (a table on a wide screen, a list on a phone), a weekly pattern and a single shift added
through the form (its errors first, an overlapping shift refused), a working-time warning in words beside the shift, one
occurrence changed by keyboard alone, then the rest of the series, and a shift removed (after a
stale version is explained and the page reloaded); two unpaid breaks in a shift, and a sleep-in with the times
the PA is woken (shown only for a sleep-in, the second time added by keyboard)."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, check, go_to, new_employer, new_pa, sign_in, tab_to


def _next_monday() -> date:
    today = datetime.now(ZoneInfo("Europe/London")).date()
    return today + timedelta(days=7 - today.weekday())


def _long(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _card(page, title: str):
    return page.locator(".govuk-summary-card").filter(has=page.get_by_role("heading", name=title, exact=True))


def test_rota_week_pattern_warning_change_and_remove(page, api, screen):
    employer, employer_id = new_employer(api, full_name="Ros Planner")
    new_pa(api, employer, employer_id, full_name="Pat Worker")
    new_pa(api, employer, employer_id, full_name="Lee Other", ni_number="JK482913B")
    monday = _next_monday()
    sunday = monday + timedelta(days=6)

    sign_in(page, employer, PASSWORD)
    go_to(page, "Rota")
    expect(page.get_by_role("heading", name="Rota for the week of")).to_be_visible()
    page.goto(f"/rota?week={monday}")
    expect(page.get_by_text("Nobody is on shift this week.")).to_be_visible()
    check(page, "empty-week")

    # A weekly pattern: Mondays 09:00 to 17:00 with two unpaid breaks, four weeks.
    page.get_by_role("button", name="Add a shift or a weekly pattern").click()
    expect(page.get_by_role("heading", name="Add a shift or a weekly pattern")).to_be_visible()
    page.get_by_role("button", name="Add to the rota").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Select who is working")
    expect(summary).to_contain_text("Enter the start time")
    check(page, "add-errors")
    page.get_by_label("Pat Worker").check()
    page.get_by_label("Day the shift starts").fill(monday.isoformat())
    page.get_by_label("Start time").fill("9")
    page.get_by_label("End time").fill("17:00")
    page.get_by_label("Break 1 starts").fill("12:00")
    page.get_by_label("Break 1 ends").fill("12:30")
    page.get_by_role("button", name="Add another break").click()
    expect(page.get_by_label("Break 2 starts")).to_be_focused()
    page.get_by_label("Break 2 starts").fill("14:00")
    page.get_by_label("Break 2 ends").fill("14:15")
    page.get_by_label("Every week on this day").check()
    page.get_by_label("Last week of the pattern").fill((monday + timedelta(weeks=3)).isoformat())
    page.get_by_role("button", name="Add to the rota").click()
    expect(page.get_by_text("4 weekly shifts added for Pat Worker")).to_be_visible()
    expect(page.get_by_text("Nobody is on shift on 6 days")).to_be_visible()

    # Every PA in the week: Lee has no shift, and the gaps show in the table as in the list.
    if screen == "desktop":
        grid = page.get_by_role("table")
        expect(grid.get_by_role("rowheader", name="Lee Other")).to_be_visible()
        expect(grid.get_by_role("link", name=f"09:00 to 17:00 for Pat Worker on {_long(monday)}")).to_be_visible()
        expect(grid.get_by_role("row", name="Anyone on shift?")).to_contain_text("Nobody")
        check(page, "week-table")
        page.get_by_role("link", name="Show the week as a list, day by day").click()
    expect(page.get_by_role("heading", name=_long(monday), exact=True)).to_be_visible()
    expect(page.locator("section").filter(has=page.get_by_role("heading", name=_long(sunday))).get_by_text("Nobody on shift")).to_be_visible()
    expect(_card(page, "Pat Worker, 09:00 to 17:00")).to_contain_text("Every week")
    expect(_card(page, "Pat Worker, 09:00 to 17:00")).to_contain_text(re.compile(
        r"Day shift, break 12:00 to 12:30, break 14:00 to 14:15\s*Paid hours\s*7.25"))
    check(page, "week-list")

    # A shift that overlaps the Monday is refused, in the API's words, against the start time.
    page.get_by_role("link", name=f"Add a shift on {_long(monday)}").click()
    page.get_by_label("Pat Worker").check()
    page.get_by_label("Start time").fill("16:00")
    page.get_by_label("End time").fill("18:00")
    page.get_by_role("button", name="Add to the rota").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("overlaps")
    expect(page.locator(".govuk-form-group--error")).to_contain_text("Start time")
    page.get_by_role("link", name="Back to the rota").click()
    if screen == "desktop":
        page.get_by_role("link", name="Show the week as a list, day by day").click()

    # A short night after the Monday: less than 11 hours' rest, warned about in words beside it.
    page.get_by_role("link", name=f"Add a shift on {_long(monday + timedelta(days=1))}").click()
    page.get_by_label("Pat Worker").check()
    expect(page.get_by_label("Day the shift starts")).to_have_value((monday + timedelta(days=1)).isoformat())
    page.get_by_label("Start time").fill("01:00")
    page.get_by_label("End time").fill("06:00")
    page.get_by_role("button", name="Add to the rota").click()
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("Shift added for Pat Worker")
    # Counted in the banner, not repeated: its words are beside the shifts of this week.
    expect(banner).to_contain_text(re.compile(r"\d working-time warnings?: read (it|them) on the rota below"))
    expect(banner).not_to_contain_text("Daily rest")
    if screen == "desktop":
        page.get_by_role("link", name="Show the week as a list, day by day").click()
    # Each warning once, beside the first shift it concerns; the night shift points back to it.
    rest = page.locator(".govuk-warning-text").filter(has_text="Daily rest: only")
    expect(rest).to_have_count(1)
    expect(_card(page, "Pat Worker, 09:00 to 17:00").locator(".govuk-warning-text").filter(has_text="Daily rest: only")).to_contain_text(
        "Working-time warning: Daily rest: only")
    night = _card(page, "Pat Worker, 01:00 to 06:00")
    expect(night).to_contain_text(re.compile(f"See the warnings? with Pat Worker’s shift on {_long(monday)}, 09:00 to 17:00."))
    expect(night.get_by_text("Daily rest")).to_have_count(0)
    check(page, "warning")

    # The second Monday alone, by keyboard: finishes at 15:00.
    second = monday + timedelta(weeks=1)
    page.goto(f"/rota?week={second}&view=list")
    change = page.get_by_role("link", name="Change Pat Worker’s shift 09:00 to 17:00")
    tab_to(page, change)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Pat Worker’s shift on {_long(second)}")).to_be_visible()
    check(page, "change")
    only = page.get_by_label("Only this one").first
    tab_to(page, only)
    expect(only).to_be_checked()
    end = page.get_by_label("End time")
    tab_to(page, end)
    page.keyboard.press("Control+A")
    page.keyboard.type("15:00")
    tab_to(page, page.get_by_role("button", name="Save changes"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Shift changed for Pat Worker")).to_be_visible()
    page.goto(f"/rota?week={second}&view=list")
    expect(_card(page, "Pat Worker, 09:00 to 15:00")).to_contain_text("changed on its own")

    # The third Monday and the rest of the series: start at 10:00.
    third = monday + timedelta(weeks=2)
    page.goto(f"/rota?week={third}&view=list")
    page.get_by_role("link", name="Change Pat Worker’s shift 09:00 to 17:00").click()
    page.get_by_label("This one and every later one in the weekly pattern").first.check()
    page.get_by_label("Start time").fill("10:00")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("2 shifts changed for Pat Worker")).to_be_visible()
    page.goto(f"/rota?week={monday + timedelta(weeks=3)}&view=list")
    expect(_card(page, "Pat Worker, 10:00 to 17:00")).to_be_visible()
    page.goto(f"/rota?week={second}&view=list")
    expect(_card(page, "Pat Worker, 09:00 to 15:00")).to_be_visible()

    # The night shift comes off the rota.
    page.goto(f"/rota?week={monday}&view=list")
    page.get_by_role("link", name="Change Pat Worker’s shift 01:00 to 06:00").click()
    expect(page.get_by_role("button", name="Remove this shift")).to_be_visible()
    # Meanwhile the shift is changed elsewhere: the page's version is stale, and it says so.
    pa_id, day, shift_id = page.url.split("?")[0].rsplit("/", 3)[1:]
    elsewhere = api.call("PUT", f"/employers/{employer_id}/pas/{pa_id}/shifts/{day}/{shift_id}", api.token(employer),
                         json={"version": 1, "end": "06:30"})
    assert elsewhere.status_code == 200, elsewhere.text
    page.get_by_role("button", name="Remove this shift").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("This shift changed since you opened it")
    check(page, "stale")
    page.get_by_role("button", name="Reload the page").click()
    expect(page.locator(".govuk-summary-list")).to_contain_text("01:00 to 06:30")
    page.get_by_role("button", name="Remove this shift").click()
    expect(page.get_by_text("Shift removed for Pat Worker")).to_be_visible()
    expect(_card(page, "Pat Worker, 01:00 to 06:00")).to_have_count(0)
    check(page, "removed")

    # A sleep-in on the Wednesday with the times Lee is woken, revealed only for a sleep-in; the second one by keyboard.
    wednesday = monday + timedelta(days=2)
    page.goto(f"/rota/add?day={wednesday}")
    page.get_by_label("Lee Other").check()
    page.get_by_label("Start time").fill("22:00")
    page.get_by_label("End time").fill("07:00")
    expect(page.get_by_label("Time woken 1 starts")).to_be_hidden()
    page.get_by_label("Sleep-in").check()
    expect(page.get_by_label("Time woken 1 starts")).to_be_visible()
    page.get_by_label("Time woken 1 starts").fill("02:00")
    page.get_by_role("button", name="Add to the rota").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter both the start and the end of time woken 1, or neither")
    expect(page.locator(".govuk-form-group--error")).to_contain_text("Time woken 1 ends")
    check(page, "sleep-in-errors")
    tab_to(page, page.get_by_label("Time woken 1 ends"))
    page.keyboard.type("02:30")
    tab_to(page, page.get_by_role("button", name="Add another time woken"))
    page.keyboard.press("Enter")
    expect(page.get_by_label("Time woken 2 starts")).to_be_focused()
    page.keyboard.type("4")
    page.keyboard.press("Tab")
    page.keyboard.type("04:20")
    check(page, "sleep-in")
    tab_to(page, page.get_by_role("button", name="Add to the rota"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Shift added for Lee Other")).to_be_visible()
    page.goto(f"/rota?week={monday}&view=list")
    sleep_in = _card(page, "Lee Other, 22:00 to 07:00")
    expect(sleep_in).to_contain_text("Sleep-in, no unpaid break, woken 02:00 to 02:30, woken 04:00 to 04:20")
    sleep_in.get_by_role("link", name="Change Lee Other’s shift 22:00 to 07:00").click()
    expect(page.get_by_label("Sleep-in")).to_be_checked()
    expect(page.get_by_label("Time woken 2 starts")).to_have_value("04:00")
    check(page, "sleep-in-change")

"""Young workers on the employer's rota (RULES 2.4: under 18, at most 8 hours a day): the same 8.5-hour
shift planned for a 17-year-old and for an adult is warned about, in words beside the shift, for the
young worker only. An employer of the test's own; the service's and the browser's clocks fixed on
Wednesday 2 December 2026. The keyboard alone moves to the next week."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, check, go_to, new_employer, new_pa, sign_in, tab_to

WARNING = ("Young worker: 8.5 hours of work on Tuesday 8 December 2026; a worker under 18 may work at most 8 hours a "
           "day (Working Time Regulations, reg 5A).")


def test_a_young_workers_long_day_is_warned_about_on_the_rota(page, api, on_2_december):
    employer, employer_id = new_employer(api, full_name="Yara Young")
    boss = api.token(employer)
    shift = {"day": "2026-12-08", "start": "08:00", "end": "17:00", "breaks": [{"start": "12:00", "end": "12:30"}]}
    for name, born, ni in (("Sam Seventeen", "2009-06-01", "CE103761D"), ("Ada Adult", "1990-03-01", "CE103762D")):
        _, pa_id = new_pa(api, employer, employer_id, full_name=name, date_of_birth=born, ni_number=ni)
        planned = api.call("POST", f"/employers/{employer_id}/pas/{pa_id}/shifts", boss, json=shift)
        assert planned.status_code == 201, planned.text
        assert [w["message"] for w in planned.json()["warnings"]] == ([WARNING] if born > "2000" else [])

    sign_in(page, employer, PASSWORD)
    go_to(page, "Rota")
    expect(page.get_by_role("heading", name="Rota for the week of Monday 30 November 2026")).to_be_visible()
    tab_to(page, page.get_by_role("link", name="Next week"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Rota for the week of Monday 7 December 2026")).to_be_visible()
    expect(page.get_by_text("1 working-time warning this week, shown beside the shifts.")).to_be_visible()
    warning = page.locator(".govuk-warning-text").filter(has_text=WARNING)
    expect(warning).to_have_count(1)
    expect(warning).to_be_visible()
    check(page, "rota-young-worker")

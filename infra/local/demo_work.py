"""Demo rota and timesheets for the local stack's demo employer (issue 12): a weekly rota for each
demo PA from about three months back to four weeks ahead, and every timesheet of a pay period that
has ended submitted by the PA and approved by the employer, through the real services (so an
irregular-hours PA's ledger shows the 12.07% accruals). Needs the employer's pay cycle."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
PATTERNS = [((0, 2, 4), time(8), time(14)), ((1, 3), time(14), time(21)), ((5,), time(9), time(17))]


def load_work_demo(employer_id: str, pa_ids: list[str], now: datetime, rota=None, timesheets=None, directory=None) -> dict:
    from care_tracker import wiring
    from care_tracker.rules.pay_periods import periods_overlapping
    from care_tracker.services.auth import Caller

    rota = rota or wiring.rota_service()
    timesheets = timesheets or wiring.timesheet_service()
    directory = directory or wiring.employment_directory()
    settings = directory.employer_settings(employer_id)
    if settings is None or not settings.pay_cycle or not settings.first_period_start:
        return {"shifts": 0, "approved": 0}
    employer = Caller(employer_id, "", "Demo employer", frozenset({"employer"}))
    today = now.astimezone(LONDON).date()
    start = today - timedelta(weeks=13)
    start -= timedelta(days=start.weekday())
    shifts = 0
    for n, pa_id in enumerate(pa_ids):
        days, begin, end = PATTERNS[n % len(PATTERNS)]
        for weekday in days:
            first = start + timedelta(days=weekday)
            made = rota.plan(employer, employer_id, pa_id, {"day": first, "start": begin, "end": end,
                                                            "breaks": [(time(11, 30), time(12))] if begin == time(8) else []},
                             repeat_until=today + timedelta(weeks=4))
            shifts += len(made["shifts"])
    approved = 0
    for period in periods_overlapping(settings.pay_cycle, settings.first_period_start, start, today):
        if period.end >= today:
            continue
        for pa_id in pa_ids:
            pa = Caller(pa_id, "", "Demo PA", frozenset({"pa"}))
            sheet = timesheets.timesheet(pa, employer_id, pa_id, period.start)
            if sheet["status"] in ("draft", "returned"):
                sheet = timesheets.step(pa, employer_id, pa_id, period.start, "submit", sheet["version"])
            if sheet["status"] == "submitted":
                timesheets.step(employer, employer_id, pa_id, period.start, "approve", sheet["version"])
                approved += 1
    return {"shifts": shifts, "approved": approved}


"""Rota, timesheets and holiday (issue 12), on in-process moto with the stack's resources: an
employer with 10 PAs and 2 years of shifts (one a day each, 7,280 shifts), every past two-weekly
timesheet approved with 3 versions, the irregular-hours PA's 12.07% accruals in the ledger.

DynamoDB requests are counted on every client (bench/request_counts.py), the real
EmploymentDirectory's included (issue 11: the employer and PAs are made through its service).

Figures the issue names: the rota of a month in at most 2 requests; a PA's timesheet for a period
in at most 2; approving it and crediting holiday in 1 transaction; a ledger in 1 request (the
tenant check, the employer's settings and the leave year's ledger item in one TransactGetItems),
the PA's own and the employer's, for a leave year asked for and for the current one. Wall times are moto's as much as ours.
"""
from __future__ import annotations

import os
import time
from datetime import date, datetime, timedelta, timezone
from datetime import time as clock_time
from decimal import Decimal

from bench.request_counts import REGION, counting_dynamodb
from bench.returns import _forget_connections

PAS = 10
FIRST = date(2024, 12, 2)  # a Monday: two-weekly periods from here
DAYS = 728
TODAY = datetime(2026, 12, 2, 9, tzinfo=timezone.utc)


def _store() -> dict:
    from care_tracker import wiring
    from care_tracker.adapters.work_store import WorkItem, head_item, ledger_update, partition, shift_item, version_item
    from care_tracker.rules import holiday as holiday_rules
    from care_tracker.rules import timesheets as ts_rules
    from care_tracker.rules.pay_periods import leave_year_containing, period_by_index, period_containing
    from care_tracker.rules.shifts import Shift
    from care_tracker.rules.timesheets import Actor
    from care_tracker.services.auth import Caller

    people = wiring.employer_service()
    account = people.sign_up({"full_name": "Bench Employer", "email": "bench.employer@example.org",
                              "care_recipient_name": "Someone", "managed_by": "self", "funding_type": "direct_payment",
                              "care_package_confirmed": True})
    employer = account["employer_id"]
    boss = Caller(employer, "bench.employer@example.org", "Bench Employer", frozenset({"employer"}))
    people.update_settings(boss, employer, 1, {"pay_cycle": "two_weekly", "first_period_start": FIRST,
                                               "funded_hours_per_week": Decimal(300), "domestic_service": True})
    pas = [people.add_pa(boss, employer, {
        "full_name": f"PA {i}", "email": f"bench.pa{i}@example.org", "phone": "0113 496 0000", "address": "1 Bench Street",
        "date_of_birth": date(1990, 1, 1), "ni_number": f"JG10375{i}A", "start_date": FIRST - timedelta(days=30),
        "contracted_hours": None if i == 0 else Decimal(40), "relationship": "none", "provider_agreed": False})["pa_id"]
        for i in range(PAS)]
    current = period_containing("two_weekly", FIRST, TODAY.date())
    items = []
    shifts: dict[str, list[Shift]] = {pa: [] for pa in pas}
    for n in range(DAYS):
        day = FIRST + timedelta(days=n)
        for i, pa in enumerate(pas):
            start = clock_time(7 + i % 8)
            s = Shift(f"s{n}-{i}", pa, day, start, clock_time(start.hour + 8))
            shifts[pa].append(s)
            items.append(shift_item(employer, s, f"PA {i}", 1))
    entries: list = []
    approved = 0
    for index in range(current.index):
        period = period_by_index("two_weekly", FIRST, index)
        at = datetime.combine(period.end + timedelta(days=1), clock_time(10), tzinfo=timezone.utc)
        for i, pa in enumerate(pas):
            ts = ts_rules.as_planned(employer, pa, period, shifts[pa], at)
            ts = ts_rules.submit(ts, Actor.PA, pa, at, 1)
            last = index == current.index - 1 and i == 0  # left submitted: the bench approves it
            if not last:
                ts = ts_rules.approve(ts, Actor.EMPLOYER, employer, at, 2)
                approved += 1
            items.append(head_item(employer, pa, period.start, period.end, ts.current,
                                   "employer" if last else "done", period.end.isoformat(), True))
            items += [version_item(partition(employer, pa), period.start, v) for v in ts.versions]
            if i == 0 and not last:
                year = leave_year_containing(period.end)
                new = holiday_rules.credit_approved_timesheet([], period, 3, ts.current.hours, period.end)
                entries.append((year, new))
    with WorkItem.batch_write() as batch:
        for item in items:
            batch.save(item)
    connection = WorkItem._get_connection().connection
    for year, new in entries:  # as approvals write them: one UpdateItem of the leave year's ledger item
        connection.dispatch("UpdateItem", ledger_update(partition(employer, pas[0]), year.start, new))
    return {"employer": employer, "pas": pas, "last_period": period_by_index("two_weekly", FIRST, current.index - 1),
            "items_stored": len(items), "shifts_stored": PAS * DAYS, "timesheets_approved": approved}


def _items_in(employer: str, pas: list[str], first: date, last: date) -> int:
    """The items the pack reads: the range's shifts, heads and versions, and the leave years' holiday."""
    from care_tracker.adapters.work_store import WorkItem, partition

    count = 0
    for pa in pas:
        count += WorkItem.count(partition(employer, pa), WorkItem.sk.between(f"D#{first.isoformat()}",
                                                                             f"D#{last.isoformat()}#~"))
        count += WorkItem.count(partition(employer, pa), WorkItem.sk.startswith("L#"))
    return count


def figures() -> dict:
    from moto import mock_aws

    from care_tracker import wiring
    from care_tracker.services.auth import Caller
    from care_tracker.services.holiday import HolidayService
    from care_tracker.services.rota import RotaService
    from care_tracker.services.timesheets import TimesheetService
    from infra.local.provision import provision
    from tests.support import FixedClock

    os.environ.pop("AWS_ENDPOINT_URL", None)
    found: dict = {}
    with mock_aws():
        os.environ.update(provision(region=REGION))
        wiring.reset()
        _forget_connections()
        from care_tracker.adapters.work_store import DynamoWorkStore

        directory = wiring.employment_directory()
        with counting_dynamodb() as counter:
            made = _store()
            found.update({k: v for k, v in made.items() if k.endswith(("_stored", "_approved"))})
            clock = FixedClock(TODAY)
            store = DynamoWorkStore()
            rota = RotaService(store, directory, clock)
            timesheets = TimesheetService(store, directory, wiring.users(), wiring.mailer(), clock, "https://x/login")
            holiday = HolidayService(store, directory, clock)
            employer = Caller(made["employer"], "e@example.org", "Employer", frozenset({"employer"}))
            pa0 = made["pas"][0]
            pa = Caller(pa0, "p@example.org", "PA", frozenset({"pa"}))
            period = made["last_period"]

            def measure(name: str, run):
                counter.reset()
                started = time.perf_counter()
                result = run()
                found[f"{name}_ms"] = round((time.perf_counter() - started) * 1000, 1)
                found[f"{name}_dynamodb_calls"] = dict(counter.calls)
                found[f"{name}_requests"] = sum(counter.calls.values())
                return result

            month = measure("rota_month", lambda: rota.employer_rota(employer, date(2026, 10, 1), date(2026, 10, 31)))
            found["rota_month_shifts"] = sum(len(d["shifts"]) for d in month["days"])
            measure("pa_rota_month", lambda: rota.pa_rota(pa, date(2026, 10, 1), date(2026, 10, 31)))
            sheet = measure("timesheet", lambda: timesheets.timesheet(pa, made["employer"], pa0, period.start))
            found["timesheet_status"] = sheet["status"]
            done = measure("approve", lambda: timesheets.step(employer, made["employer"], pa0, period.start, "approve",
                                                              sheet["version"]))
            found["approve_credited"] = done["holiday_credited"]
            ledger = measure("ledger", lambda: holiday.ledger(pa, made["employer"], pa0, date(2026, 4, 1)))
            found["ledger_accrued"] = ledger["accrued"]["hours"]
            found["ledger_periods"] = len(ledger["periods"])
            found["ledger_entries"] = sum(len(r["entries"]) for r in ledger["periods"])
            current = measure("ledger_current_year", lambda: holiday.ledger(employer, made["employer"], pa0))
            assert current["leave_year_start"] == "2026-04-01" and current["accrued"] == ledger["accrued"], current
            measure("hours_against_funded", lambda: timesheets.employer_hours(employer, period.start))

            import tracemalloc

            from care_tracker.adapters.export_store import S3ExportFiles
            from care_tracker.services.audit_pack import AuditPackService

            pack = AuditPackService(store, directory, S3ExportFiles(os.environ["EXPORTS_BUCKET"], REGION), clock,
                                    records=wiring.employer_service().get_pa)
            year = (date(2025, 12, 1), date(2026, 11, 30))
            found["audit_pack_items_in_range"] = _items_in(made["employer"], made["pas"], *year)
            tracemalloc.start()
            export = measure("audit_pack_year", lambda: pack.create(employer, *year))
            found["audit_pack_peak_python_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
            tracemalloc.stop()
            found["audit_pack_rows"] = export.rows
            found["audit_pack_request_limit"] = found["audit_pack_items_in_range"] // 100 + 20
        wiring.reset()
    assert found["rota_month_requests"] <= 2 and "Scan" not in found["rota_month_dynamodb_calls"], found
    assert found["timesheet_requests"] <= 2, found
    assert found["approve_dynamodb_calls"].get("TransactWriteItems") == 1, found
    assert found["ledger_dynamodb_calls"] == {"TransactGetItems": 1}, found
    assert found["ledger_current_year_dynamodb_calls"] == {"TransactGetItems": 1}, found
    assert found["ledger_entries"] > 0, found
    assert found["audit_pack_year_requests"] <= found["audit_pack_request_limit"], found
    assert found["audit_pack_peak_python_mb"] < 150, found
    found["target"] = ("rota of a month <= 2 requests; a timesheet <= 2; approve + credit in 1 TransactWriteItems; "
                       "a ledger 1 request (TransactGetItems of the employment, the settings and the year's ledger item); the audit pack of a year within "
                       "items/100 + 20 requests and 150 MB")
    return found


def main() -> dict:
    from bench.run import measured

    return measured("work", figures)


if __name__ == "__main__":
    main()

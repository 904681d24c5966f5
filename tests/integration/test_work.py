"""Rota, timesheets and holiday on in-process moto (RULES 2.3-2.4; issue 12), with the employers and
PAs made through issue 11's service (the real EmploymentDirectory): the request counts below include
its tenant checks and settings reads."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from care_tracker.errors import BadRequest, Conflict, Forbidden, NotFound
from care_tracker.services.auth import Caller
from tests.support import FixedClock, dynamodb_requests

NOW = datetime(2026, 1, 20, 9, tzinfo=UTC)
P1 = date(2026, 1, 5)  # two-weekly periods: 5-18 January, 19 January - 1 February, ...


class People:
    """Employers and PAs made through issue 11's service: the services see them through the real
    EmploymentDirectory (wiring.employment_directory())."""

    def __init__(self) -> None:
        from care_tracker import wiring

        self.service = wiring.employer_service()
        self.versions: dict[str, int] = {}
        self.count = 0

    def employer(self, name: str, **settings) -> Caller:
        email = f"{name}@example.org"
        account = self.service.sign_up({"full_name": f"Employer {name}", "email": email, "care_recipient_name": "Someone",
                                        "managed_by": "self", "funding_type": "direct_payment", "care_package_confirmed": True})
        caller = Caller(account["employer_id"], email, f"Employer {name}", frozenset({"employer"}))
        self.versions[caller.user_id] = 1
        self.settings(caller, **{"pay_cycle": "two_weekly", "first_period_start": P1, "funded_hours_per_week": Decimal(40),
                                 "domestic_service": True, **settings})
        return caller

    def settings(self, employer: Caller, **changes) -> None:
        self.service.update_settings(employer, employer.user_id, self.versions[employer.user_id], changes)
        self.versions[employer.user_id] += 1

    def pa(self, employer: Caller, name: str, contracted: Decimal | None = None, start: date = date(2025, 6, 1),
           born: date = date(1990, 5, 5)) -> Caller:
        self.count += 1
        email = f"{name}@example.org"
        added = self.service.add_pa(employer, employer.user_id, {
            "full_name": f"PA {name}", "email": email, "phone": "0113 496 0000", "address": "1 Demo Street, Leeds LS1 1AA",
            "date_of_birth": born, "ni_number": f"JG10375{self.count}A", "start_date": start,
            "contracted_hours": contracted, "relationship": "none", "provider_agreed": False})
        self.versions[added["pa_id"]] = added["version"]
        return Caller(added["pa_id"], email, f"PA {name}", frozenset({"pa"}))


@pytest.fixture
def world(aws, sent_mail):
    from care_tracker import wiring
    from care_tracker.adapters.work_store import DynamoWorkStore
    from care_tracker.services.holiday import HolidayService
    from care_tracker.services.rota import RotaService
    from care_tracker.services.timesheets import TimesheetService

    directory = wiring.employment_directory()
    clock = FixedClock(NOW)
    store = DynamoWorkStore()

    class World:
        pass

    w = World()
    w.directory, w.clock, w.store, w.sent, w.people = directory, clock, store, sent_mail, People()
    w.rota = RotaService(store, directory, clock)
    w.timesheets = TimesheetService(store, directory, wiring.users(), wiring.mailer(), clock, "https://x.example/login")
    w.holiday = HolidayService(store, directory, clock)
    w.emp = w.people.employer("emp-a")
    w.pa = w.people.pa(w.emp, "pa-1")  # irregular hours
    w.pa2_caller = w.people.pa(w.emp, "pa-2", contracted=Decimal(20))
    w.emp_b = w.people.employer("emp-b", domestic_service=False)
    w.people.pa(w.emp_b, "pa-1")  # the same PA works for employer B too: one login, two employments
    w.e, w.eb, w.p1, w.p2 = w.emp.user_id, w.emp_b.user_id, w.pa.user_id, w.pa2_caller.user_id
    return w


def fields(day: date, start=time(9), end=time(17), **more) -> dict:
    return {"day": day, "start": start, "end": end, **more}


def test_weekly_series_overlaps_refused_and_the_month_in_one_query(world):
    made = world.rota.plan(world.emp, world.e, world.p1, fields(P1, breaks=[("12:00", "12:30")]), repeat_until=date(2026, 3, 30))
    assert len(made["shifts"]) == 13 and made["shifts"][-1]["day"] == "2026-03-30"
    with pytest.raises(Conflict) as overlap:
        world.rota.plan(world.emp, world.e, world.p1, fields(P1 + timedelta(days=7), time(16), time(20)))
    assert overlap.value.code == "overlapping_shifts"
    assert "overlaps the day shift on Monday 5 January 2026" in overlap.value.message or \
        "overlaps the day shift on Monday 12 January 2026" in overlap.value.message
    world.rota.plan(world.emp, world.e, world.p2, fields(P1 + timedelta(days=1), time(22), time(7), kind="waking_night"))
    with dynamodb_requests() as calls:
        month = world.rota.employer_rota(world.emp, date(2026, 1, 1), date(2026, 1, 31))
    assert dict(calls) == {"Query": 2}  # the rota; the employer's settings with every employment
    assert len(month["days"]) == 31
    on = {d["day"]: [s["pa_id"] for s in d["shifts"]] for d in month["days"]}
    assert on["2026-01-05"] == [world.p1] and on["2026-01-06"] == [world.p2] and on["2026-01-07"] == []
    assert next(d for d in month["days"] if d["day"] == "2026-01-07")["nobody_on_shift"] is True
    # employer B's rota shows none of A's shifts; the PA sees A's and B's
    world.rota.plan(world.emp_b, world.eb, world.p1, fields(P1, time(18), time(21)))
    assert all(not d["shifts"] for d in world.rota.employer_rota(world.emp_b, P1 + timedelta(days=1), P1 + timedelta(days=20))["days"])
    with dynamodb_requests() as calls:
        mine = world.rota.pa_rota(world.pa, P1, P1)
    assert dict(calls) == {"Query": 2}  # the PA's employments, their shifts
    assert sorted(s["employer_id"] for s in mine["days"][0]["shifts"]) == sorted([world.e, world.eb])


def test_edit_one_occurrence_or_the_rest_and_stale_edits(world):
    made = world.rota.plan(world.emp, world.e, world.p1, fields(P1), repeat_until=P1 + timedelta(weeks=4))
    ids = [s["shift_id"] for s in made["shifts"]]
    one = world.rota.edit(world.emp, world.e, world.p1, P1 + timedelta(weeks=1), ids[1], 1, {"end": time(15)})
    assert one["shifts"][0]["end"] == "15:00" and one["shifts"][0]["detached"] is True
    with pytest.raises(Conflict) as stale:
        world.rota.edit(world.emp, world.e, world.p1, P1 + timedelta(weeks=1), ids[1], 1, {"end": time(16)})
    assert stale.value.code == "stale"
    rest = world.rota.edit(world.emp, world.e, world.p1, P1, ids[0], 1, {"start": time(8)}, scope="rest")
    assert [s["day"] for s in rest["shifts"]] == ["2026-01-05", "2026-01-19", "2026-01-26", "2026-02-02"]  # the 12th kept its edit
    month = world.rota.employer_rota(world.emp, P1, P1 + timedelta(weeks=4))
    starts = [(d["day"], d["shifts"][0]["start"], d["shifts"][0]["end"]) for d in month["days"] if d["shifts"]]
    assert starts[1] == ("2026-01-12", "09:00", "15:00") and starts[2] == ("2026-01-19", "08:00", "17:00")
    moved = world.rota.edit(world.emp, world.e, world.p1, P1 + timedelta(weeks=2), ids[2], 2, {"day": P1 + timedelta(weeks=2, days=1)})
    assert moved["shifts"][0]["day"] == "2026-01-20"
    gone = world.rota.remove(world.emp, world.e, world.p1, P1 + timedelta(weeks=3), ids[3], 2, scope="rest")
    assert sorted(gone["removed"]) == sorted(ids[3:])
    with pytest.raises(BadRequest, match="does not exist"):
        world.rota.plan(world.emp, world.e, world.p1, fields(date(2026, 3, 29), time(1, 30), time(5)))


def test_a_short_rest_is_warned_about_never_refused(world):
    world.rota.plan(world.emp, world.e, world.p1, fields(P1, time(14), time(23)))
    made = world.rota.plan(world.emp, world.e, world.p1, fields(P1 + timedelta(days=1), time(6), time(12)))
    assert [w["rule"] for w in made["warnings"]] == ["daily_rest"]
    month = world.rota.employer_rota(world.emp, P1, P1 + timedelta(days=6))
    assert any(w["rule"] == "daily_rest" and "11" in w["message"] for w in month["warnings"])


def test_a_young_workers_limits_are_warned_about_on_the_employers_rota_and_the_timesheet(world):
    young = world.people.pa(world.emp, "pa-17", born=date(2008, 6, 1))  # 17 until 1 June 2026
    day = fields(P1 + timedelta(days=1), time(8), time(17), breaks=[("12:00", "12:30")])  # 8.5 hours of work
    world.rota.plan(world.emp, world.e, young.user_id, day)
    world.rota.plan(world.emp, world.e, world.p1, day)  # the same shift for an adult: no warning
    with dynamodb_requests() as calls:
        week = world.rota.employer_rota(world.emp, P1, P1 + timedelta(days=6))
    assert dict(calls) == {"Query": 2}
    [warning] = week["warnings"]
    young_shift = next(s["shift_id"] for d in week["days"] for s in d["shifts"] if s["pa_id"] == young.user_id)
    assert (warning["rule"], warning["regulation"], warning["shift_ids"]) == ("young_worker_day", "WTR 1998 reg 5A", [young_shift])
    assert warning["message"] == ("Young worker: 8.5 hours of work on Tuesday 6 January 2026; a worker under 18 may work at "
                                  "most 8 hours a day (Working Time Regulations, reg 5A).")
    sheet = world.timesheets.timesheet(young, world.e, young.user_id, P1)
    assert [w["message"] for w in sheet["warnings"]] == [warning["message"]]


def test_changing_the_pay_cycle_from_a_date_keeps_the_submitted_periods(world):
    world.rota.plan(world.emp, world.e, world.p1, fields(P1), repeat_until=date(2026, 3, 30))  # Mondays
    world.timesheets.step(world.pa, world.e, world.p1, P1, "submit", 1)  # 5-18 January
    version = world.people.versions[world.e]
    with pytest.raises(BadRequest) as inside:
        world.timesheets.change_pay_cycle(world.emp, world.e, version, "monthly", date(2026, 1, 12))
    assert inside.value.code == "pay_cycle_change" and "like Monday 5 January 2026 or Monday 19 January 2026" in inside.value.message
    with pytest.raises(Conflict) as started:
        world.timesheets.change_pay_cycle(world.emp, world.e, version, "monthly", P1)
    assert started.value.code == "timesheet_started" and "change the pay cycle from Monday 19 January 2026" in started.value.message
    with pytest.raises(Conflict) as stale:
        world.timesheets.change_pay_cycle(world.emp, world.e, version - 1, "monthly", date(2026, 1, 19))
    assert stale.value.code == "stale_version"
    with pytest.raises(Forbidden):
        world.timesheets.change_pay_cycle(world.emp_b, world.e, version, "monthly", date(2026, 1, 19))
    changed = world.timesheets.change_pay_cycle(world.emp, world.e, version, "monthly", date(2026, 1, 19))
    world.people.versions[world.e] = changed["version"]
    assert changed["next_periods"][:2] == [{"period_start": "2026-01-19", "period_end": "2026-02-18"},
                                           {"period_start": "2026-02-19", "period_end": "2026-03-18"}]
    assert changed["earlier_cycles"] == [{"pay_cycle": "two_weekly", "first_period_start": "2026-01-05"}]
    kept = world.timesheets.timesheet(world.pa, world.e, world.p1, P1)
    assert (kept["period_end"], kept["status"]) == ("2026-01-18", "submitted")
    new = world.timesheets.timesheet(world.pa, world.e, world.p1, date(2026, 1, 19))
    assert (new["period_end"], new["status"], [s["day"] for s in new["shifts"]]) == (
        "2026-02-18", "draft", ["2026-01-19", "2026-01-26", "2026-02-02", "2026-02-09", "2026-02-16"])
    with pytest.raises(BadRequest) as gone:
        world.timesheets.timesheet(world.pa, world.e, world.p1, date(2026, 2, 2))  # a two-weekly start no more
    assert gone.value.code == "not_a_period_start"
    ledger = world.holiday.ledger(world.pa, world.e, world.p1, date(2025, 4, 1))
    assert [r["period_start"] for r in ledger["periods"]][-4:] == ["2026-01-05", "2026-01-19", "2026-02-19", "2026-03-19"]
    account = world.people.service.account(world.emp, world.e)
    assert (account["settings"]["pay_cycle"], account["settings"]["first_period_start"],
            account["settings"]["earlier_cycles"]) == ("monthly", "2026-01-19", changed["earlier_cycles"])
    world.people.settings(world.emp, pay_cycle="monthly", first_period_start=date(2026, 1, 19), funded_hours_per_week=Decimal(30))
    assert world.people.service.account(world.emp, world.e)["settings"]["earlier_cycles"] == changed["earlier_cycles"]
    reminded = world.timesheets.remind(datetime(2026, 2, 20, 8, tzinfo=UTC))
    assert reminded["pa"] == 1  # 19 January - 18 February ended unsubmitted; no stale two-weekly draft is left
    world.people.settings(world.emp, pay_cycle="weekly", first_period_start=date(2026, 1, 5))  # set outright
    assert world.people.service.account(world.emp, world.e)["settings"]["earlier_cycles"] == []


def test_a_signed_48_hour_opt_out_is_respected_on_the_employers_rota(world):
    long_hours = world.people.pa(world.emp_b, "pa-60", start=date(2025, 12, 1))  # B: not domestic service
    for weekday in range(6):  # 10.5 hours of work Monday to Saturday: 63 hours a week
        world.rota.plan(world.emp_b, world.eb, long_hours.user_id,
                        fields(date(2025, 12, 1) + timedelta(days=weekday), time(8), time(19), breaks=[("12:00", "12:30")]),
                        repeat_until=date(2026, 1, 17))

    def rules_seen():
        return {w["rule"] for w in world.rota.employer_rota(world.emp_b, P1, P1 + timedelta(days=6))["warnings"]}

    assert "average_week" in rules_seen()
    world.people.service.update_pa(world.emp_b, world.eb, long_hours.user_id, world.people.versions[long_hours.user_id],
                                   {"opt_out_start": date(2025, 11, 20)})
    assert "average_week" not in rules_seen()


def test_timesheet_return_once_approve_correct_and_the_ledger(world):
    world.rota.plan(world.emp, world.e, world.p1, fields(P1, time(9), time(17)), repeat_until=P1 + timedelta(days=7))
    world.rota.plan(world.emp, world.e, world.p1, fields(P1 + timedelta(days=2), time(9), time(17, 30)))
    with dynamodb_requests() as calls:
        ts = world.timesheets.timesheet(world.pa, world.e, world.p1, P1)
    assert dict(calls) == {"Query": 1, "GetItem": 1}  # the tenant check, the timesheet with its plan
    assert (ts["status"], ts["version"], ts["hours"], len(ts["shifts"])) == ("draft", 1, "24.5000", 3)
    worked = [{k: v for k, v in s.items()} for s in ts["shifts"]]
    lines = [{"shift_id": s["shift_id"], "day": date.fromisoformat(s["day"]), "start": time.fromisoformat(s["start"]),
              "end": time.fromisoformat(s["end"]), "kind": s["kind"]} for s in worked]
    lines[2]["end"] = time(19)  # stayed two hours longer on the 12th
    ts = world.timesheets.step(world.pa, world.e, world.p1, P1, "edit", 1, shifts=lines)
    assert ts["version"] == 2 and any(d.startswith("Changed:") for d in ts["differences_from_plan"])
    ts = world.timesheets.step(world.pa, world.e, world.p1, P1, "submit", 2)
    with pytest.raises(Forbidden):
        world.timesheets.step(world.pa, world.e, world.p1, P1, "approve", 3)
    ts = world.timesheets.step(world.emp, world.e, world.p1, P1, "return", 3, reason="The 12th ended at 18:00")
    assert ts["status"] == "returned" and ts["versions"][-1]["reason"] == "The 12th ended at 18:00"
    lines[2]["end"] = time(18)
    world.timesheets.step(world.pa, world.e, world.p1, P1, "edit", 4, shifts=lines)
    world.timesheets.step(world.pa, world.e, world.p1, P1, "submit", 5)
    with pytest.raises(Conflict) as stale:
        world.timesheets.step(world.emp, world.e, world.p1, P1, "approve", 5)
    assert stale.value.code == "stale"
    with dynamodb_requests() as calls:
        ts = world.timesheets.step(world.emp, world.e, world.p1, P1, "approve", 6)
    assert dict(calls) == {"GetItem": 3, "Query": 1, "TransactWriteItems": 1}  # tenant, settings, period, ledger item
    assert ts["holiday_credited"] == {"hours": "3.0779", "shown": "3.08", "leave_year_start": "2025-04-01"}  # 25.5 h x 12.07%
    with pytest.raises(Conflict) as locked:
        world.timesheets.step(world.pa, world.e, world.p1, P1, "edit", 7, shifts=lines)
    assert locked.value.code == "timesheet_locked"
    lines[0]["end"] = time(18)
    ts = world.timesheets.step(world.emp, world.e, world.p1, P1, "correct", 7, shifts=lines, reason="Monday ran late")
    assert ts["holiday_credited"]["hours"] == "3.1986"  # 26.5 h x 12.07% = 3.19855
    assert [v["action"] for v in ts["versions"]] == ["planned", "edited", "submitted", "returned", "edited", "submitted",
                                                     "approved", "corrected"]
    with dynamodb_requests() as calls:
        ledger = world.holiday.ledger(world.pa, world.e, world.p1, date(2025, 4, 1))
    assert dict(calls) == {"TransactGetItems": 1}  # the tenant check, the settings and the ledger: one request
    with dynamodb_requests() as calls:
        assert world.holiday.ledger(world.emp, world.e, world.p1, date(2025, 4, 1)) == ledger
    assert dict(calls) == {"TransactGetItems": 1}  # the employer's read of it too
    row = next(r for r in ledger["periods"] if r["period_start"] == "2026-01-05")
    assert [(e["kind"], e["hours"]) for e in row["entries"]] == [
        ("accrued", "3.0779"), ("accrued", "3.1986"), ("reversed", "-3.0779")]
    assert ledger["accrued"]["hours"] == "3.1986"


def test_hours_against_funded_hours_for_every_pa(world):
    world.people.settings(world.emp, funded_hours_per_week=Decimal(20))
    world.rota.plan(world.emp, world.e, world.p1, fields(P1, time(8), time(20)), repeat_until=P1 + timedelta(days=7))
    world.rota.plan(world.emp, world.e, world.p2, fields(P1 + timedelta(days=1), time(8), time(20)),
                    repeat_until=P1 + timedelta(days=8))
    with dynamodb_requests() as calls:
        hours = world.timesheets.employer_hours(world.emp, P1)
    assert dict(calls) == {"Query": 1, "GetItem": 1}
    assert hours["funded"]["period"]["worked"] == "48.0000" and hours["funded"]["period"]["over_by"] == "8.0000"
    assert hours["funded"]["notes"][0] == ("24.00 hours worked in the week of Monday 5 January 2026: 4.00 over the "
                                           "20.00 funded hours.")
    assert sorted((p["pa_id"], p["hours"]) for p in hours["pas"]) == sorted([(world.p1, "24.0000"), (world.p2, "24.0000")])
    ts = world.timesheets.timesheet(world.pa2_caller, world.e, world.p2, P1)
    assert ts["contracted"]["notes"] == [] and ts["contracted"]["period"]["allowed"] == "40.0000"


def test_reminders_once_each(world):
    world.rota.plan(world.emp, world.e, world.p1, fields(P1))
    world.rota.plan(world.emp, world.e, world.p2, fields(P1))
    world.timesheets.step(world.pa2_caller, world.e, world.p2, P1, "submit", 1)
    before = len(world.sent())
    at = datetime(2026, 1, 21, 8, tzinfo=UTC)  # the period ended on the 18th; submitted on the 20th
    assert world.timesheets.remind(at) == {"pa": 1, "employer": 1, "skipped": 0}
    from functions.jobs import JOBS

    assert JOBS["remind_timesheets"].schedule and JOBS["remind_timesheets"].run(at) == {"pa": 0, "employer": 0, "skipped": 0}
    subjects = sorted((m.to, m.subject) for m in world.sent()[before:])
    assert subjects == [("emp-a@example.org", "A timesheet is waiting for your approval"),
                        ("pa-1@example.org", "Your timesheet is waiting to be submitted")]


def test_holiday_booked_approved_recorded_with_a_warning(world):
    pa3 = world.people.pa(world.emp, "pa-3", contracted=Decimal(10), start=date(2024, 1, 1))
    world.p3 = pa3.user_id
    asked = world.holiday.book(pa3, world.e, world.p3, date(2026, 2, 2), date(2026, 2, 6), "50", "Half term")
    assert asked["booking"]["status"] == "requested" and asked["warning"] is None and asked["balance_after"] == "6.0000"
    approved = world.holiday.decide(world.emp, world.e, world.p3, date(2025, 4, 1), asked["booking"]["booking_id"], "approve", 1)
    assert approved["booking"]["status"] == "approved"
    more = world.holiday.book(world.emp, world.e, world.p3, date(2026, 3, 2), date(2026, 3, 2), "10", None)
    assert more["booking"]["status"] == "approved"
    assert more["warning"] == "This holiday of 10.00 hours is more than the 6.00 hours left this leave year, by 4.00 hours."
    ledger = world.holiday.ledger(world.emp, world.e, world.p3, date(2025, 4, 1))
    assert (ledger["accrued"]["hours"], ledger["taken"]["hours"]) == ("56.0000", "0.0000")  # both are ahead of today
    assert [b["status"] for b in ledger["bookings"]] == ["approved", "approved"]
    world.clock.at = datetime(2026, 2, 10, tzinfo=UTC)
    ledger = world.holiday.ledger(world.emp, world.e, world.p3, date(2025, 4, 1))
    assert (ledger["taken"]["hours"], ledger["carried_forward"]["hours"]) == ("50.0000", "6.0000")
    with pytest.raises(Conflict):
        world.holiday.decide(world.emp, world.e, world.p3, date(2025, 4, 1), asked["booking"]["booking_id"], "approve", 1)
    with pytest.raises(NotFound):
        world.holiday.ledger(world.emp_b, world.eb, world.p3)
    from care_tracker.services.holiday import WorkExportRows

    rows = [r for r in WorkExportRows(world.store, world.directory).rows_of(world.p3) if r["record"].startswith("holiday")]
    assert sorted((r["record"], r.get("work_status")) for r in rows) == [
        ("holiday_booking", "approved"), ("holiday_booking", "approved"), ("holiday_entry", None), ("holiday_entry", None)]


def test_the_current_years_ledger_in_one_request_or_two_for_another_leave_year_start(world):
    with dynamodb_requests() as calls:
        ledger = world.holiday.ledger(world.pa, world.e, world.p1)  # 1 April: the default
    assert (ledger["leave_year_start"], dict(calls)) == ("2025-04-01", {"TransactGetItems": 1})
    world.people.settings(world.emp, leave_year_start="01-01")
    with dynamodb_requests() as calls:
        ledger = world.holiday.ledger(world.pa, world.e, world.p1)
    assert (ledger["leave_year_start"], dict(calls)) == ("2026-01-01", {"TransactGetItems": 1, "GetItem": 1})
    stranger = world.people.pa(world.emp_b, "pa-9")
    with pytest.raises(NotFound):
        world.holiday.ledger(world.emp, world.e, stranger.user_id)  # not A's PA
    with pytest.raises(Forbidden):
        world.holiday.ledger(stranger, world.e, world.p1)  # another PA's ledger


def test_purge_and_export_rows(world):
    world.rota.plan(world.emp, world.e, world.p1, fields(P1), repeat_until=P1 + timedelta(days=14))
    world.timesheets.step(world.pa, world.e, world.p1, P1, "submit", 1)
    from care_tracker.services.holiday import WorkExportRows

    rows = list(WorkExportRows(world.store, world.directory).rows_of(world.p1))
    assert sorted({r["record"] for r in rows}) == ["shift", "timesheet_version"]
    assert {r["employer_id"] for r in rows} == {world.e}
    assert set(rows[0]) <= set(WorkExportRows.columns) | {"record"}
    assert len(list(WorkExportRows(world.store, world.directory).rows_of(world.e))) == len(rows)
    assert world.store.delete_all(world.e, world.p1) == 7  # 3 shifts, 2 timesheet heads (two periods), 2 versions
    assert list(world.store.everything(world.e, world.p1)) == []


def test_the_audit_pack_downloads_and_parses_back(world, aws):
    import csv
    import io
    import zipfile
    from urllib.parse import urlparse

    import boto3

    from care_tracker.adapters.export_store import S3ExportFiles
    from care_tracker.services.audit_pack import FILES, AuditPackService

    world.rota.plan(world.emp, world.e, world.p1, fields(P1, time(14), time(23)), repeat_until=P1 + timedelta(days=14))
    world.rota.plan(world.emp, world.e, world.p1, fields(P1 + timedelta(days=1), time(6), time(12)))  # a short rest
    world.rota.plan(world.emp, world.e, world.p2, fields(P1 + timedelta(days=2)))
    world.timesheets.step(world.pa, world.e, world.p1, P1, "submit", 1)
    world.timesheets.step(world.emp, world.e, world.p1, P1, "return", 2, reason="=HYPERLINK(\"http://x\")")
    world.timesheets.step(world.pa, world.e, world.p1, P1, "submit", 3)
    world.timesheets.step(world.emp, world.e, world.p1, P1, "approve", 4)
    people = world.people.service  # the DBS check, right-to-work check and opt-out kept on issue 11's record
    people.update_pa(world.emp, world.e, world.p1, world.people.versions[world.p1], {
        "dbs_issue_date": date(2022, 12, 1), "dbs_level": "enhanced", "right_to_work_checked": date(2025, 6, 1),
        "opt_out_start": date(2025, 6, 1)})
    people.update_pa(world.emp, world.e, world.p2, world.people.versions[world.p2], {"dbs_issue_date": date(2024, 3, 1)})
    service = AuditPackService(world.store, world.directory, S3ExportFiles(aws["EXPORTS_BUCKET"], "eu-west-2"), world.clock,
                               records=people.get_pa)
    export = service.create(world.emp, P1, date(2026, 1, 31))
    key = urlparse(export.download_url).path.split(f"{aws['EXPORTS_BUCKET']}/", 1)[-1].lstrip("/")
    body = boto3.client("s3", region_name="eu-west-2").get_object(Bucket=aws["EXPORTS_BUCKET"], Key=key)["Body"].read()
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert sorted(archive.namelist()) == sorted(["README.txt", *FILES])
    read = {n: list(csv.DictReader(io.StringIO(archive.read(n).decode("utf-8"), newline=""))) for n in FILES}
    assert all(r["pa_id"] != "pa_id" for n in FILES for r in read[n] if "pa_id" in r)  # one header per file
    sheets = {(r["pa_id"], r["period_start"]): r for r in read["timesheets.csv"]}
    first = sheets[(world.p1, "2026-01-05")]
    assert (first["status"], first["version"], first["submitted_by"], first["approved_by"]) == ("approved", "5", world.p1, world.e)
    assert first["approved_at"].startswith("2026-01-20T09:00")
    assert sheets[(world.p2, "2026-01-05")]["status"] == "draft"
    reasons = [r["reason"] for r in read["timesheet_versions.csv"] if r["action"] == "returned"]
    assert reasons == ["'=HYPERLINK(\"http://x\")"]  # neutralised for Excel
    assert any(r["rule"] == "daily_rest" for r in read["working_time_warnings.csv"])
    assert sorted((r["pa_id"], r["dbs_over_3_years"], r["opt_out_start"]) for r in read["pas.csv"]) == sorted([
        (world.p1, "true", "2025-06-01"), (world.p2, "false", "")])
    accrued = [r for r in read["holiday.csv"] if r["pa_id"] == world.p1 and r["period_start"] == "2026-01-05"]
    assert accrued and accrued[0]["accrued"] == str((Decimal(9 + 9 + 6) * Decimal("0.1207")).quantize(Decimal("0.0001")))
    weeks = [r for r in read["hours_against_funded.csv"] if r["span"] == "week"]
    assert weeks[0]["from"] == "2026-01-05" and weeks[0]["funded"] == "40.0000"


def test_export_my_data_gains_shifts_timesheets_and_holiday(world, aws):
    from care_tracker import wiring
    from care_tracker.adapters.export_store import S3ExportFiles
    from care_tracker.services.exports import ExportService
    from care_tracker.services.feedback import FeedbackExportRows
    from care_tracker.services.holiday import WorkExportRows
    from tests.integration.test_exports import download

    world.rota.plan(world.emp, world.e, world.p1, fields(P1))
    world.timesheets.step(world.pa, world.e, world.p1, P1, "submit", 1)
    world.holiday.book(world.pa, world.e, world.p1, date(2026, 2, 2), date(2026, 2, 2), "8", "A day off")
    service = ExportService(S3ExportFiles(aws["EXPORTS_BUCKET"], "eu-west-2"), wiring.users(), None, world.clock,
                            personal=[FeedbackExportRows(wiring.feedback_service()), WorkExportRows(world.store, world.directory)])
    for caller in (world.pa, world.emp):
        rows = download(service.create(caller, "my_data").download_url)
        records = [r["record"] for r in rows]
        assert records[0] == "account" and records.count("shift") == 1 and records.count("timesheet_version") == 2
        assert records.count("holiday_booking") == 1
        assert {r["period_start"] for r in rows if r["record"] == "timesheet_version"} == {"2026-01-05"}


def test_the_demo_rota_and_approved_timesheets(world):
    from infra.local.demo_work import load_work_demo

    made = load_work_demo(world.e, [world.p1, world.p2], NOW + timedelta(weeks=8), world.rota, world.timesheets, world.directory)
    assert made["shifts"] > 40 and made["approved"] >= 8
    ledger = world.holiday.ledger(world.pa, world.e, world.p1, date(2025, 4, 1))
    assert Decimal(ledger["accrued"]["hours"]) > 0  # pa-1 works irregular hours: 12.07% of each approved period



def test_archiving_takes_later_shifts_off_the_rota_and_keeps_the_history(world):
    from care_tracker import wiring

    world.rota.plan(world.emp, world.e, world.p1, fields(P1), repeat_until=P1 + timedelta(weeks=3))
    world.timesheets.step(world.pa, world.e, world.p1, P1, "submit", 1)
    wiring.remove_shifts_after_leaving(world.e, world.p1, P1 + timedelta(days=10), NOW)
    left = world.store.shifts_between(world.e, world.p1, P1, P1 + timedelta(weeks=4))
    assert [s.shift.day for s in left] == [P1, P1 + timedelta(weeks=1)]
    assert world.timesheets.timesheet(world.emp, world.e, world.p1, P1)["status"] == "submitted"
    assert wiring.purge_work_history(world.e, world.p1) > 0 and list(world.store.everything(world.e, world.p1)) == []


def test_the_purge_finds_an_archived_pas_work_by_index_marked_at_archive_and_cleared_at_reactivation(world):
    """The work table's by_purge index: every item of an archived employment carries its purge date
    once follow_up_archives has run (those written after the archive too: the employer approves the
    last timesheet), a reactivated PA's work carries none, and the purge job deletes what is due in
    pages and batches, without a Query an employment."""
    from care_tracker import wiring
    from care_tracker.rules.employment import purge_at
    from functions.jobs import JOBS

    def follow_up() -> None:
        assert JOBS["follow_up_archives"].run(NOW)["followed_up"] == 1

    service = world.people.service
    world.rota.plan(world.emp, world.e, world.p2, fields(P1), repeat_until=P1 + timedelta(weeks=1))
    world.timesheets.step(world.pa2_caller, world.e, world.p2, P1, "submit", 1)

    def marks() -> set:
        return {item.purge_at for item in world.store.everything(world.e, world.p2)}

    first_leaving = P1 + timedelta(days=13)
    service.archive(world.emp, world.e, world.p2, first_leaving)
    follow_up()
    assert marks() == {purge_at(first_leaving)}
    world.timesheets.step(world.emp, world.e, world.p2, P1, "approve", 2)  # after the archive: marked too
    assert marks() == {purge_at(first_leaving)} and len(list(world.store.everything(world.e, world.p2))) >= 5
    world.holiday.bring_forward(world.emp, world.e, world.p2, date(2025, 4, 1), "8")  # the ledger item, after too
    assert "ledger" in {item.kind for item in world.store.everything(world.e, world.p2)}
    assert marks() == {purge_at(first_leaving)}
    service.reactivate(world.emp, world.e, world.p2, first_leaving + timedelta(days=7))
    follow_up()
    assert marks() == {None}  # taken back: nothing of theirs is due for deletion
    leaving = first_leaving + timedelta(days=30)
    service.archive(world.emp, world.e, world.p2, leaving)
    follow_up()
    assert marks() == {purge_at(leaving)}
    kept = len(list(world.store.everything(world.e, world.p1)))

    not_yet = wiring.employer_service().purge_expired(datetime.fromtimestamp(purge_at(leaving) - 1, UTC))
    assert not_yet["deleted_by_hooks"] == 0 and marks() == {purge_at(leaving)}
    with dynamodb_requests() as calls:
        purged = wiring.employer_service().purge_expired(datetime.fromtimestamp(purge_at(leaving) + 86400, UTC))
    assert purged["deleted_records"] == 1 and purged["deleted_by_hooks"] >= 5, purged
    assert list(world.store.everything(world.e, world.p2)) == []
    assert len(list(world.store.everything(world.e, world.p1))) == kept  # another PA's work stays
    # by_expiry (one partition) and by_purge; the login read in a batch, nothing else of the PA's
    assert calls["Query"] == 2 and calls["BatchGetItem"] == 1 and "GetItem" not in calls and "Scan" not in calls, dict(calls)
    again = wiring.employer_service().purge_expired(datetime.fromtimestamp(purge_at(leaving) + 86400, UTC))
    assert again["deleted_records"] == 0 and again["deleted_by_hooks"] == 0


def test_the_archive_is_one_transaction_and_follow_up_archives_does_the_rest_once(world):
    """Archiving a PA with a work history writes one transaction: the record minimised with its work
    mark, and the shifts after the leaving date deleted in it (the rota no longer shows them). The
    follow_up_archives job marks the work history for the purge and clears the mark only if it is
    still the one it read; a second run changes nothing."""
    from care_tracker import wiring
    from care_tracker.rules.employment import purge_at
    from functions.jobs import JOBS

    world.rota.plan(world.emp, world.e, world.p2, fields(P1), repeat_until=P1 + timedelta(weeks=3))
    world.timesheets.step(world.pa2_caller, world.e, world.p2, P1, "submit", 1)
    leaving = P1 + timedelta(days=10)
    with dynamodb_requests() as calls:
        world.people.service.archive(world.emp, world.e, world.p2, leaving)
    writes = {k: v for k, v in calls.items() if k in {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}}
    assert writes == {"TransactWriteItems": 1} and "Scan" not in calls, dict(calls)
    left = world.store.shifts_between(world.e, world.p2, P1, P1 + timedelta(weeks=4))
    assert [s.shift.day for s in left] == [P1, P1 + timedelta(weeks=1)]  # at once, not after the job
    assert {i.purge_at for i in world.store.everything(world.e, world.p2)} == {None}  # the job's to do

    store = wiring.employer_store()
    [(employer_id, pa_id, mark)] = list(store.work_marks())
    assert (employer_id, pa_id) == (world.e, world.p2)
    assert store.clear_work_mark(world.e, world.p2, mark.replace("archived", "reactivated")) is False  # not its mark
    done = JOBS["follow_up_archives"].run(NOW)
    assert done == {"followed_up": 1, "changed_meanwhile": 0, "failed": 0}, done
    assert {i.purge_at for i in world.store.everything(world.e, world.p2)} == {purge_at(leaving)}
    assert list(store.work_marks()) == []
    with dynamodb_requests() as calls:
        assert JOBS["follow_up_archives"].run(NOW) == {"followed_up": 0, "changed_meanwhile": 0, "failed": 0}
    assert dict(calls) == {"Query": 1}  # a second run reads the empty index and changes nothing


def test_a_reactivation_made_while_the_follow_up_runs_is_done_by_the_next_run(world):
    from care_tracker import wiring
    from functions.jobs import JOBS

    world.rota.plan(world.emp, world.e, world.p2, fields(P1), repeat_until=P1 + timedelta(weeks=1))
    service, store = world.people.service, wiring.employer_store()
    leaving = P1 + timedelta(days=13)
    service.archive(world.emp, world.e, world.p2, leaving)
    [(_, _, archived_mark)] = list(store.work_marks())
    service.reactivate(world.emp, world.e, world.p2, leaving + timedelta(days=7))  # meanwhile
    assert store.clear_work_mark(world.e, world.p2, archived_mark) is False  # the job's clear of what it read
    assert [m for *_, m in store.work_marks()] != [archived_mark]  # the reactivation's mark stays
    JOBS["follow_up_archives"].run(NOW)
    assert {i.purge_at for i in world.store.everything(world.e, world.p2)} == {None}
    assert list(store.work_marks()) == []

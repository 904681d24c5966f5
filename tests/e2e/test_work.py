"""Rota, timesheets and holiday over HTTP on the local stack (issue 12's "Done when"): the demo
employer has a rota and approved timesheets; an employer plans a repeating rota, a PA submits a
timesheet that differs from the plan, the employer returns it once with a reason and approves the
corrected version, the ledger shows the 12.07% accrual of the irregular-hours PA and a booked
holiday, a short rest between two shifts is warned about, and the audit pack downloads and parses back."""
from __future__ import annotations

import csv
import io
import time
import zipfile
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import requests

from infra.local.demo import DEMO_EMPLOYER, DEMO_PAS

pytestmark = pytest.mark.e2e

EMPLOYER = "e2e.rota.employer@example.org"
PA = "e2e.rota.pa@example.org"
MINE = "copper meadow lantern ripple"


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def audit_pack(api, token, first: date, last: date) -> dict:
    """Asks for the pack (202, made in the background by the local stack's worker) and polls until ready."""
    asked = ok(api.call("POST", "/employer/audit-pack", token=token, json={"from": first.isoformat(), "to": last.isoformat()}), 202)
    assert asked["status"] == "making" and asked["download_url"] is None
    again = ok(api.call("POST", "/employer/audit-pack", token=token, json={"from": first.isoformat(), "to": last.isoformat()}), 202)
    assert again["pack_id"] == asked["pack_id"]  # the same range while it is being made: the same pack
    deadline = time.monotonic() + 120
    while True:
        pack = ok(api.call("GET", f"/employer/audit-pack/{asked['pack_id']}", token=token))
        if pack["status"] != "making" or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert pack["status"] == "ready", pack
    return pack


def test_the_demo_employer_has_a_rota_and_approved_timesheets(api):
    token = api.token(DEMO_EMPLOYER, new_password=MINE)
    me = ok(api.call("GET", "/me", token=token))
    today = datetime.now(timezone.utc).date()
    rota = ok(api.call("GET", f"/employer/rota?from={today - timedelta(days=27)}&to={today}", token=token))
    assert sum(len(d["shifts"]) for d in rota["days"]) > 10
    pas = ok(api.call("GET", f"/employers/{me['user_id']}/pas", token=token))["pas"]
    account = ok(api.call("GET", f"/employers/{me['user_id']}", token=token))
    first = date.fromisoformat(account["settings"]["first_period_start"])
    start = first + timedelta(days=14 * (((today - first).days // 14) - 1))  # the last period that ended
    statuses = {ok(api.call("GET", f"/employers/{me['user_id']}/pas/{p['pa_id']}/timesheets/{start}", token=token))["status"]
                for p in pas}
    assert statuses == {"approved"}
    assert DEMO_PAS


def test_plan_submit_return_approve_ledger_warning_and_audit_pack(api):
    signed = ok(api.call("POST", "/employers", json={
        "full_name": "Rita Rota", "email": EMPLOYER, "care_recipient_name": "Rita Rota", "managed_by": "self",
        "funding_type": "direct_payment", "care_package_confirmed": True}), 201)
    employer_id = signed["employer_id"]
    boss = api.token(EMPLOYER, new_password=MINE)
    today = datetime.now(timezone.utc).date()
    monday = today - timedelta(days=today.weekday())
    first = monday - timedelta(weeks=4)  # two-weekly periods: two have ended
    ok(api.call("PUT", f"/employers/{employer_id}/settings", token=boss, json={
        "version": 1, "funded_hours_per_week": 20, "pay_cycle": "two_weekly", "first_period_start": first.isoformat()}))
    added = ok(api.call("POST", f"/employers/{employer_id}/pas", token=boss, json={
        "full_name": "Pat Hours", "email": PA, "phone": "0113 496 0100", "address": "3 Mill Lane, Leeds LS3 3CC",
        "date_of_birth": "1990-03-01", "ni_number": "CE103759D", "start_date": (first - timedelta(weeks=8)).isoformat(),
        "contracted_hours": None, "irregular_hours": True}), 201)
    pa_id = added["pa_id"]
    worker = api.token(PA, new_password=MINE)
    base = f"/employers/{employer_id}/pas/{pa_id}"

    # A repeating rota: Mondays 09:00-17:00 from the first period, for 8 weeks.
    series = ok(api.call("POST", f"{base}/shifts", token=boss, json={
        "day": first.isoformat(), "start": "09:00", "end": "17:00", "breaks": [{"start": "12:00", "end": "12:30"}],
        "repeat_until": (first + timedelta(weeks=7)).isoformat()}), 201)
    assert len(series["shifts"]) == 8
    # A late shift on the Sunday before a Monday: 23:00 to 07:00 ends two hours before 09:00.
    late = ok(api.call("POST", f"{base}/shifts", token=boss, json={
        "day": (first + timedelta(days=6)).isoformat(), "start": "23:00", "end": "07:00", "kind": "waking_night"}), 201)
    assert any(w["rule"] == "daily_rest" for w in late["warnings"]), late
    overlap = api.call("POST", f"{base}/shifts", token=boss, json={
        "day": first.isoformat(), "start": "16:00", "end": "18:00"})
    assert overlap.status_code == 409 and overlap.json()["code"] == "overlapping_shifts"
    mine = ok(api.call("GET", f"/pa/rota?from={first}&to={first + timedelta(days=6)}", token=worker))
    assert [len(d["shifts"]) for d in mine["days"]] == [1, 0, 0, 0, 0, 0, 1]

    # The PA's timesheet differs from the plan; returned once, corrected, approved.
    sheet = ok(api.call("GET", f"{base}/timesheets/{first}", token=worker))
    assert (sheet["status"], sheet["version"]) == ("draft", 1) and any(w["rule"] == "daily_rest" for w in sheet["warnings"])
    lines = [{k: s[k] for k in ("shift_id", "day", "start", "end", "kind", "breaks")} for s in sheet["shifts"]]
    lines[0]["end"] = "19:00"
    edited = ok(api.call("PUT", f"{base}/timesheets/{first}", token=worker, json={"version": 1, "shifts": lines}))
    assert edited["differences_from_plan"][0].startswith("Changed:")
    ok(api.call("POST", f"{base}/timesheets/{first}/submit", token=worker, json={"version": 2}))
    returned = ok(api.call("POST", f"{base}/timesheets/{first}/return", token=boss,
                           json={"version": 3, "reason": "Monday ended at 18:00"}))
    assert returned["status"] == "returned"
    lines[0]["end"] = "18:00"
    ok(api.call("PUT", f"{base}/timesheets/{first}", token=worker, json={"version": 4, "shifts": lines}))
    ok(api.call("POST", f"{base}/timesheets/{first}/submit", token=worker, json={"version": 5}))
    stale = api.call("POST", f"{base}/timesheets/{first}/approve", token=boss, json={"version": 5})
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    approved = ok(api.call("POST", f"{base}/timesheets/{first}/approve", token=boss, json={"version": 6}))
    hours = Decimal(approved["hours"])  # Mondays 8.5 h and 7.5 h, the night 8 h
    assert hours == Decimal("24.0000")
    assert approved["holiday_credited"]["hours"] == str((hours * Decimal("0.1207")).quantize(Decimal("0.0001")))
    assert [v["action"] for v in approved["versions"]] == ["planned", "edited", "submitted", "returned", "edited",
                                                           "submitted", "approved"]

    # A booked holiday, approved; the ledger shows the accrual and the booking.
    booked = ok(api.call("POST", f"{base}/holiday/bookings", token=worker, json={
        "first_day": (today + timedelta(days=30)).isoformat(), "last_day": (today + timedelta(days=30)).isoformat(),
        "hours": 2}), 201)
    ok(api.call("POST", f"{base}/holiday/bookings/{booked['booking']['booking_id']}/approve", token=boss,
                json={"version": 1, "leave_year_start": booked["booking"]["leave_year_start"]}))
    end = first + timedelta(days=13)
    year = date(end.year if end >= date(end.year, 4, 1) else end.year - 1, 4, 1)  # the default leave year
    ledger = ok(api.call("GET", f"{base}/holiday?leave_year_start={year}", token=worker))
    row = next(r for r in ledger["periods"] if r["period_start"] == first.isoformat())
    assert [e["kind"] for e in row["entries"]] == ["accrued"] and row["entries"][0]["shown"] == "2.90"
    ledger = ok(api.call("GET", f"{base}/holiday?leave_year_start={booked['booking']['leave_year_start']}", token=boss))
    assert [b["status"] for b in ledger["bookings"]] == ["approved"]

    # The audit pack for the period downloads and parses back.
    pack = audit_pack(api, boss, first, first + timedelta(days=13))
    someone_else = api.token(DEMO_EMPLOYER, new_password=MINE)
    hidden = api.call("GET", f"/employer/audit-pack/{pack['pack_id']}", token=someone_else)
    assert hidden.status_code == 404 and hidden.json()["code"] == "audit_pack_not_found"
    archive = zipfile.ZipFile(io.BytesIO(requests.get(pack["download_url"], timeout=30).content))
    sheets = list(csv.DictReader(io.StringIO(archive.read("timesheets.csv").decode("utf-8"), newline="")))
    assert [(s["pa_id"], s["status"], s["submitted_by"], s["approved_by"]) for s in sheets] == [
        (pa_id, "approved", pa_id, employer_id)]
    warnings = list(csv.DictReader(io.StringIO(archive.read("working_time_warnings.csv").decode("utf-8"), newline="")))
    assert any(w["rule"] == "daily_rest" for w in warnings)


def test_the_pay_cycle_changes_from_a_date_and_a_48_hour_opt_out_is_recorded(api):
    email, pa_email = "e2e.paycycle.employer@example.org", "e2e.paycycle.pa@example.org"
    employer_id = ok(api.call("POST", "/employers", json={
        "full_name": "Cy Cycle", "email": email, "care_recipient_name": "Cy Cycle", "managed_by": "self",
        "funding_type": "direct_payment", "care_package_confirmed": True}), 201)["employer_id"]
    boss = api.token(email, new_password=MINE)
    today = datetime.now(timezone.utc).date()
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=4)
    settings = ok(api.call("PUT", f"/employers/{employer_id}/settings", token=boss, json={
        "version": 1, "pay_cycle": "two_weekly", "first_period_start": first.isoformat()}))["settings"]
    pa = ok(api.call("POST", f"/employers/{employer_id}/pas", token=boss, json={
        "full_name": "Opal Out", "email": pa_email, "phone": "0113 496 0101", "address": "4 Mill Lane, Leeds LS3 3CC",
        "date_of_birth": "1988-07-01", "ni_number": "CE103760D", "start_date": (first - timedelta(weeks=8)).isoformat(),
        "contracted_hours": 40}), 201)
    base = f"/employers/{employer_id}/pas/{pa['pa_id']}"

    # The opt-out: recorded, read back, cancelled, and in the audit pack's PAs.
    signed = ok(api.call("PUT", base, token=boss, json={"version": pa["version"], "opt_out_start": first.isoformat()}))
    assert (signed["opt_out_start"], signed["opt_out_cancelled"]) == (first.isoformat(), None)
    bad = api.call("PUT", base, token=boss, json={"version": signed["version"], "opt_out_start": "2026-02-30"})
    assert bad.status_code == 400
    cancelled = ok(api.call("PUT", base, token=boss, json={"version": signed["version"],
                                                          "opt_out_cancelled": (first + timedelta(weeks=3)).isoformat()}))
    assert ok(api.call("GET", base, token=boss))["opt_out_cancelled"] == cancelled["opt_out_cancelled"]

    # The pay cycle, from the start of the period running now: monthly; the periods before stay two-weekly.
    ok(api.call("POST", f"{base}/shifts", token=boss, json={"day": (first + timedelta(weeks=5)).isoformat(),
                                                           "start": "09:00", "end": "17:00"}), 201)
    change = {"version": settings["version"], "pay_cycle": "monthly", "first_period_start": (first + timedelta(weeks=4)).isoformat()}
    inside = api.call("POST", f"/employers/{employer_id}/settings/pay-cycle", token=boss,
                      json={**change, "first_period_start": (first + timedelta(weeks=5)).isoformat()})
    assert inside.status_code == 400 and inside.json()["code"] == "pay_cycle_change", inside.text
    stale = api.call("POST", f"/employers/{employer_id}/settings/pay-cycle", token=boss, json={**change, "version": 0})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    nobody = api.call("POST", f"/employers/{employer_id}/settings/pay-cycle", token=api.token(pa_email, new_password=MINE), json=change)
    assert nobody.status_code == 403
    changed = ok(api.call("POST", f"/employers/{employer_id}/settings/pay-cycle", token=boss, json=change))
    assert changed["from"] == change["first_period_start"] and changed["timesheets_redrawn"] == 1
    sheet = ok(api.call("GET", f"{base}/timesheets/{change['first_period_start']}", token=boss))
    assert sheet["period_end"] == changed["next_periods"][0]["period_end"] and len(sheet["shifts"]) == 1
    assert ok(api.call("GET", f"{base}/timesheets/{first}", token=boss))["period_end"] == (first + timedelta(days=13)).isoformat()
    account = ok(api.call("GET", f"/employers/{employer_id}", token=boss))["settings"]
    assert (account["pay_cycle"], account["earlier_cycles"]) == ("monthly", [{"pay_cycle": "two_weekly",
                                                                             "first_period_start": first.isoformat()}])

    pack = audit_pack(api, boss, first, today)
    archive = zipfile.ZipFile(io.BytesIO(requests.get(pack["download_url"], timeout=30).content))
    [row] = list(csv.DictReader(io.StringIO(archive.read("pas.csv").decode("utf-8"), newline="")))
    assert (row["opt_out_start"], row["opt_out_cancelled"]) == (first.isoformat(), cancelled["opt_out_cancelled"])

"""Compliance counting, escalation, corrections, reports and enforcement cases on in-process moto."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from care_tracker import wiring
from care_tracker.errors import BadRequest, Conflict, Forbidden, NotFound
from care_tracker.ports import UserRecord
from care_tracker.services.auth import Caller
from care_tracker.services.compliance import ComplianceService
from care_tracker.services.enforcement import EnforcementService
from tests.support import FixedClock, dynamodb_requests

# Adapters are imported inside the fixtures: their models read the table names from the environment.

PERIODS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]


def loc(location_id, org_id, care_types, la="Leeds", region="Yorkshire and The Humber", public=False, **extra):
    return {"location_id": location_id, "org_id": org_id, "name": f"Home {location_id}", "postcode": "LS1 1AA",
            "care_types": care_types, "status": "active", "registered_on": "2015-01-01", "local_authority": la,
            "region": region, "public_body": public, **extra}


def caller(user_id="admin-1", roles=("admin",), org=None, locations=()) -> Caller:
    return Caller(user_id=user_id, email=f"{user_id}@example.org", full_name=user_id, roles=frozenset(roles),
                  org_id=org, location_ids=tuple(locations))


@pytest.fixture
def world(aws):
    from care_tracker.adapters.case_store import DynamoCaseStore
    from care_tracker.adapters.compliance_store import DynamoCountingInputs

    directory = wiring.location_directory()
    orgs = [{"org_id": "1-100", "name": "Private A"}, {"org_id": "1-200", "name": "Private B"},
            {"org_id": "1-300", "name": "Council", "public_body": True}, {"org_id": "1-400", "name": "Private D"}]
    locations = [
        loc("1-101", "1-100", ["care_home"]),                       # misses 3 in a row
        loc("1-102", "1-100", ["home_care"]),                       # always on time
        loc("1-201", "1-200", ["home_care", "supported_living"], la="Bristol", region="South West"),  # 4 scattered
        loc("1-301", "1-300", ["care_home"], la="Northvale", region="North East", public=True),        # council, like 1-101
        loc("1-401", "1-400", ["care_home"]),                       # misses January, late return corrected
        loc("1-501", "1-400", ["care_home"], registered_on="2026-03-09"),                      # new after March opened
        loc("1-502", "1-400", ["care_home"], status="deregistered", deregistered_on="2026-02-10"),  # gone in Feb window
    ]
    directory.write(orgs, locations)
    users = wiring.users()
    for uid, org, locs, roles in [("u-a", "1-100", ["1-101", "1-102"], ["provider_user"]),
                                  ("u-b", "1-200", [], ["approver", "provider_user"]),
                                  ("u-c", "1-300", ["1-301"], ["provider_user"]),
                                  ("u-d", "1-400", ["1-401"], ["provider_user"])]:
        users.create(UserRecord(user_id=uid, email=f"{uid}@example.org", full_name=uid, roles=roles, org_id=org,
                                location_ids=locs))
    clock = FixedClock(datetime(2026, 6, 20, 9, tzinfo=UTC))
    cases = EnforcementService(DynamoCaseStore(), directory, clock)
    service = ComplianceService(wiring.compliance_store(), DynamoCountingInputs(), wiring.return_store(), cases,
                                wiring.mailer(), clock)
    return {"service": service, "cases": cases, "clock": clock, "store": wiring.compliance_store()}


version_of: dict = {}


def save(location_id, period, care_type, in_window=True, kind="nil"):
    from care_tracker.adapters.return_store import Saved

    key = (location_id, period, care_type)
    version = version_of.get(key, 0) + 1
    version_of[key] = version
    wiring.return_store().save(Saved(location_id=location_id, period=period, care_type=care_type, version=version, kind=kind,
                                     figures=None, no_change=False, copied_from=None,
                                     saved_at=datetime(2026, 1, 1, tzinfo=UTC), saved_by="u", saved_by_name=None,
                                     in_window=in_window), version - 1 or None)


# which months each location makes its returns on time ("x" = missed)
PLAN = {
    "1-101": "ooxxx",  # wait: see test — misses March, April, May
    "1-102": "ooooo",
    "1-201": "xxoxx",
    "1-301": "ooxxx",
    "1-401": "xoooo",
    "1-501": "xxxxx",
    "1-502": "xxxxx",
}
CARE = {"1-101": ["care_home"], "1-102": ["home_care"], "1-201": ["home_care", "supported_living"], "1-301": ["care_home"],
        "1-401": ["care_home"], "1-501": ["care_home"], "1-502": ["care_home"]}


def run_months(service, periods=PERIODS):
    results = []
    for i, period in enumerate(PERIODS):
        for location_id, plan in PLAN.items():
            if plan[i] == "o":
                for care_type in CARE[location_id]:
                    save(location_id, period, care_type)
        if period in periods:
            results.append(service.count_window(period))
    return results


def test_counting_escalation_cases_and_reruns(world, sent_mail):
    version_of.clear()
    service, store = world["service"], world["store"]
    results = run_months(service)
    # Jan: 201, 401, 502; Feb: 201; Mar: 101, 301; Apr and May: 101, 201, 301, 501
    assert [r["missed"] for r in results] == [3, 1, 2, 4, 4]
    jan, feb = results[0], results[1]
    assert (jan["expected"], jan["completed"], jan["not_due"]) == (6, 3, 1)  # 501: not registered yet
    assert (feb["expected"], feb["completed"], feb["not_due"]) == (5, 4, 2)  # and 502 deregistered inside the window
    assert results[4]["not_due"] == 0  # 502 was gone before May's window opened: not part of it at all

    a = store.get("1-101").history
    assert [a[p]["status"] for p in PERIODS] == ["completed", "completed", "missed", "missed", "missed"]
    assert [a[p]["stage"] for p in PERIODS[2:]] == ["help_offered", "at_risk", "eligible"]
    assert a["2026-05"]["consecutive_misses"] == 3 and a["2026-05"]["misses_last_12"] == 3
    # registered after March opened: owes nothing before April; deregistered before Feb closed: nothing from Feb
    assert "2026-03" not in store.get("1-501").history  # owed nothing, and had no history to carry
    assert store.get("1-501").history["2026-04"]["status"] == "missed"
    assert store.get("1-502").history["2026-01"]["status"] == "missed"
    assert "2026-02" not in store.get("1-502").history

    mails = sent_mail()
    to_a = [m.subject for m in mails if m.to == "u-a@example.org"]
    assert len(to_a) == 2 and "can we help" in to_a[0] and "at risk" in to_a[1]
    to_c = [m.subject for m in mails if m.to == "u-c@example.org"]
    assert len(to_c) == 2  # the council is helped and warned too...
    cases = world["cases"].list()
    by_org = {c["organisation_id"]: c for c in cases}
    assert set(by_org) == {"1-100", "1-200"}  # ...but never gets a case; 1-400 is at most at risk (1-501)
    assert by_org["1-100"]["locations"] == [{"location_id": "1-101", "months": ["2026-03", "2026-04", "2026-05"]}]
    assert by_org["1-200"]["locations"] == [{"location_id": "1-201", "months": ["2026-01", "2026-02", "2026-04", "2026-05"]}]
    assert by_org["1-200"]["case_id"] == "1-200.2026-05"
    # 1-201 has no user of its own: its organisation's approver was told
    assert any(m.to == "u-b@example.org" for m in mails)

    # running any month again changes nothing and sends nothing
    before = len(sent_mail())
    for period in PERIODS:
        again = service.count_window(period)
        assert again["states_written"] == 0 and again["actions"] == {}
    assert len(sent_mail()) == before
    assert len(world["cases"].list()) == 2
    # 1-201 (no user of its own): help in Jan and again in Apr (a new escalation), warnings in Feb and May
    kinds = ["help" if "can we help" in m.subject else "risk" if "at risk" in m.subject else m.subject
             for m in mails if m.to == "u-b@example.org"]
    assert kinds == ["help", "risk", "help", "risk"]


def test_correction_counts_a_late_return_and_later_months_follow(world):
    version_of.clear()
    service, store = world["service"], world["store"]
    run_months(service)
    admin = caller()
    with pytest.raises(Conflict) as refused:  # no late return saved yet
        service.correct("1-101", "2026-03", "care_home", "outage on the 14th", admin.user_id)
    assert refused.value.code == "no_late_return"
    save("1-101", "2026-03", "care_home", in_window=False)
    before = store.window("2026-03")
    fixed = service.correct("1-101", "2026-03", "care_home", "outage on the 14th", admin.user_id)
    assert fixed["status"] == "completed" and fixed["accepted_late"] == ["care_home"]
    a = store.get("1-101").history
    assert [a[p]["consecutive_misses"] for p in PERIODS] == [0, 0, 0, 1, 2]
    assert [a[p]["stage"] for p in PERIODS[2:]] == ["none", "help_offered", "at_risk"]
    after = store.window("2026-03")
    for key in ("ALL", "LA#Leeds", "REGION#Yorkshire and The Humber"):
        assert after[key]["completed"] == before[key]["completed"] + 1 and after[key]["missed"] == before[key]["missed"] - 1
    # the same as if the return had been on time: re-running the count writes nothing
    assert service.count_window("2026-03")["states_written"] == 0
    assert store.window("2026-03") == after
    with pytest.raises(Conflict):
        service.correct("1-101", "2026-03", "care_home", "again", admin.user_id)
    with pytest.raises(BadRequest):
        service.correct("1-101", "2026-03", "home_care", "not owed", admin.user_id)
    with pytest.raises(NotFound):
        service.correct("1-101", "2027-03", "care_home", "not counted", admin.user_id)


def test_a_correction_is_refused_while_a_count_runs_so_the_count_cannot_overwrite_it(world):
    version_of.clear()
    service, store = world["service"], world["store"]
    run_months(service)
    save("1-101", "2026-03", "care_home", in_window=False)
    before = store.get("1-101")
    with store.counting(datetime.now(UTC)) as held:  # a count is reading and rewriting every state
        assert held
        with pytest.raises(Conflict) as refused:
            service.correct("1-101", "2026-03", "care_home", "outage on the 14th", caller().user_id)
        assert refused.value.code == "stale_compliance"
        assert store.get("1-101").history == before.history  # nothing half-written
        assert service.count_window("2026-05")["skipped"]  # a second count leaves it to the first
    fixed = service.correct("1-101", "2026-03", "care_home", "outage on the 14th", caller().user_id)
    assert fixed["status"] == "completed"


def test_reports_access_and_request_budget(world):
    version_of.clear()
    run_months(world["service"])
    reports = wiring.compliance_reports()
    with dynamodb_requests() as calls:
        report = reports.window("2026-05")
    assert sum(calls.values()) <= 5, calls
    assert (report["overall"]["expected"], report["overall"]["missed"], report["overall"]["not_due"]) == (6, 4, 0)
    bristol = next(g for g in report["by_local_authority"] if g["name"] == "Bristol")
    assert bristol == {"name": "Bristol", "expected": 1, "completed": 0, "missed": 1, "not_due": 0, "completion_rate": 0.0}
    assert report["overall"]["completion_rate"] == round(2 / 6, 4)
    at_risk = {r["location_id"]: r["stage"] for r in reports.at_risk("2026-05")["locations"]}
    assert at_risk == {"1-101": "eligible", "1-201": "eligible", "1-301": "eligible", "1-501": "at_risk"}

    user = caller("u-a", ("provider_user",), "1-100", ["1-101"])
    months = reports.location(user, "1-101")["months"]
    assert months[0]["period"] == "2026-05" and months[0]["stage"] == "eligible"
    with pytest.raises(Forbidden):
        reports.location(user, "1-201")
    with pytest.raises(Forbidden):
        reports.location(caller("u-x", ("approver",), "1-100"), "1-201")
    assert reports.location(caller("u-b", ("approver",), "1-200"), "1-201")["months"]
    org = reports.organisation(caller("u-b", ("approver",), "1-200"), "1-200")
    assert [loc["location_id"] for loc in org["locations"]] == ["1-201"]
    with pytest.raises(Forbidden):
        reports.organisation(caller("u-b", ("approver",), "1-200"), "1-100")
    assert reports.location(caller("o", ("enforcement_officer",)), "1-301")["public_body"] is True
    with pytest.raises(NotFound):
        reports.location(caller(), "1-999")


def test_enforcement_steps_deadline_job_and_penalty(world):
    version_of.clear()
    run_months(world["service"])
    cases, clock = world["cases"], world["clock"]
    case_id = "1-100.2026-05"
    with pytest.raises(Conflict) as wrong:
        cases.take_step(case_id, "withdraw", by="officer", reason="too early")
    assert wrong.value.code == "step_not_allowed" and wrong.value.details["allowed_actions"] == ["issue_notice"]
    noticed = cases.take_step(case_id, "issue_notice", by="officer", reason="three months missed", version=1)
    assert noticed["representations_due"] == "2026-07-18"
    with pytest.raises(Conflict):  # stale version
        cases.take_step(case_id, "record_representations", by="officer", reason="late", version=1)
    assert cases.flag_overdue(datetime(2026, 7, 18, 12, tzinfo=UTC))["flagged"] == []
    assert cases.flag_overdue(datetime(2026, 7, 19, 7, tzinfo=UTC))["flagged"] == [case_id]
    assert cases.flag_overdue(datetime(2026, 7, 19, 8, tzinfo=UTC))["flagged"] == []
    clock.at = datetime(2026, 7, 25, tzinfo=UTC)
    penalised = cases.take_step(case_id, "impose_penalty", by="officer", reason="no representations")
    assert penalised["penalty_pence"] == 5_088_00  # 2 locations: the 2-3 band of the default table
    for action in ("issue_final_notice", "record_appeal", "close"):
        last = cases.take_step(case_id, action, by="officer", reason=action)
    assert last["state"] == "closed" and [s["action"] for s in last["log"]][1:] == [
        "issue_notice", "mark_deadline_passed", "impose_penalty", "issue_final_notice", "record_appeal", "close"]
    assert all(s["by"] and s["at"] and s["reason"] for s in last["log"])
    # closed: the organisation may get a new case next time it is eligible
    assert cases.open_or_extend("1-100", {"1-101": ["2026-06"]}, "2026-06", clock.at) == "opened"
    assert cases.summary()["closed"] == 1 and cases.summary()["open"] == 2

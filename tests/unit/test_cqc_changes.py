"""The plan of changes a CQC file makes (rules/cqc_changes.py): pure, so checked exhaustively."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from care_tracker.rules.cqc_changes import (
    DEREGISTERED,
    KnownLocation,
    file_date_from_name,
    location_item,
    plan_changes,
)
from care_tracker.rules.cqc_locations import CqcLocation

DAY = date(2026, 10, 1)


def loc(n: int, org: int = 1, **changes) -> CqcLocation:
    base = CqcLocation(
        location_id=f"1-{2000 + n}", name=f"Home {n}", provider_id=f"1-{100 + org}", provider_name=f"Provider {org}",
        address_lines=("1 High Street",), town="Leeds", county=None, postcode="LS6 2AB", postcode_key="LS62AB",
        local_authority="Leeds", region="Yorkshire", care_types=("care_home",), nursing=False, beds=10, dormant=False,
        registered_on=date(2020, 1, 1), deregistered_on=None, public_body=None, contact_email=None, registered_manager=None,
    )
    return replace(base, **changes)


def store(known: dict, orgs: dict, items: list[dict], plan) -> None:
    """What the service does with a plan, on dictionaries."""
    for item in items:
        known[item["location_id"]] = KnownLocation(item["org_id"], item["status"], item["digest"])
    for org in plan.organisations:
        orgs[org["org_id"]] = org
    for gone in plan.deregistrations:
        known[gone.location_id] = KnownLocation(gone.org_id, DEREGISTERED, f"missing:{gone.on}")
    for first in plan.first_approvers:
        orgs[first.org_id] = {**orgs[first.org_id], "first_approver_id": "u-" + first.org_id}


def run(known, orgs, records, full_file=True, **kw):
    items, plan = plan_changes(known, orgs, records, full_file=full_file, file_date=DAY, **kw)
    store(known, orgs, items, plan)
    return items, plan


def nothing(items, plan) -> bool:
    return not (items or plan.organisations or plan.deregistrations or plan.moves or plan.first_approvers)


rows = st.lists(
    st.builds(lambda n, org, dormant, email, beds: loc(n, org, dormant=dormant, beds=beds,
                                                       contact_email=f"m{org}@example.org" if email else None),
              st.integers(0, 40), st.integers(0, 5), st.booleans(), st.booleans(), st.none() | st.integers(0, 99)),
    max_size=30, unique_by=lambda r: r.location_id)


@settings(max_examples=150, deadline=None)
@given(rows, st.randoms())
def test_the_same_file_again_plans_nothing_whatever_the_order(records, rnd):
    known, orgs = {}, {}
    items, plan = run(known, orgs, records)
    assert {i["location_id"] for i in items} == {r.location_id for r in records}
    shuffled = list(records)
    rnd.shuffle(shuffled)
    assert nothing(*run(known, orgs, shuffled))


@settings(max_examples=100, deadline=None)
@given(rows, rows)
def test_a_newer_file_writes_exactly_what_differs(first, second):
    known, orgs = {}, {}
    run(known, orgs, first)
    before = dict(known)
    items, plan = run(known, orgs, second, max_missing_fraction=1.0)
    changed = {r.location_id for r in second if before.get(r.location_id) is None
               or before[r.location_id].digest != location_item(r)["digest"]}
    assert {i["location_id"] for i in items} == changed
    gone = {loc for loc, k in before.items() if k.status != DEREGISTERED} - {r.location_id for r in second}
    assert {d.location_id for d in plan.deregistrations} == gone
    assert all(d.on == DAY for d in plan.deregistrations)
    assert nothing(*run(known, orgs, second, max_missing_fraction=1.0))


def test_dormancy_only_active_locations_are_searchable():
    known, orgs = {}, {}
    run(known, orgs, [loc(1)])
    items, _ = run(known, orgs, [loc(1, dormant=True)])
    [item] = items
    assert item["status"] == "dormant" and "postcode_key" not in item
    [again] = run(known, orgs, [loc(1)])[0]
    assert again["status"] == "active" and again["postcode_key"] == "LS62AB"


def test_change_of_owner_is_a_move():
    known, orgs = {}, {}
    run(known, orgs, [loc(1, org=1), loc(2, org=1)])
    items, plan = run(known, orgs, [loc(1, org=2), loc(2, org=1)])
    assert [(m.location_id, m.from_org, m.to_org) for m in plan.moves] == [("1-2001", "1-101", "1-102")]
    assert [i["org_id"] for i in items] == ["1-102"]
    assert [o["org_id"] for o in plan.organisations] == ["1-102"]


def test_missing_locations_are_deregistered_unless_the_file_looks_truncated():
    known, orgs = {}, {}
    run(known, orgs, [loc(n) for n in range(10)])
    _, plan = run(known, orgs, [loc(n) for n in range(7)])  # 3 of 10 missing: more than 20%
    assert plan.deregistrations == [] and "3 of 10" in plan.missing_guard
    _, plan = run(known, orgs, [loc(n) for n in range(8)])  # 2 of 10: applied
    assert [(d.location_id, d.on) for d in plan.deregistrations] == [("1-2008", DAY), ("1-2009", DAY)]
    assert plan.missing_guard is None


def test_deactivated_file_deregisters_known_locations_with_their_end_date_only():
    known, orgs = {}, {}
    run(known, orgs, [loc(1), loc(2)])
    ended = date(2026, 9, 12)
    items, plan = run(known, orgs, [loc(1, deregistered_on=ended), loc(9, deregistered_on=ended)], full_file=False)
    [item] = items
    assert item["status"] == "deregistered" and item["deregistered_on"] == "2026-09-12" and "postcode_key" not in item
    assert plan.skipped_unknown_deregistered == 1 and plan.deregistrations == []
    assert known["1-2002"].status == "active"  # a partial file never deregisters what it leaves out


def test_blank_public_body_keeps_what_the_support_team_set():
    known, orgs = {}, {"1-101": {"org_id": "1-101", "name": "Provider 1", "public_body": True}}
    _, plan = run(known, orgs, [loc(1, public_body=None)])
    assert plan.organisations == []
    _, plan = run(known, orgs, [loc(1, public_body=False)])
    assert plan.organisations[0]["public_body"] is False


def test_first_approver_once_for_an_organisation_with_a_contact_email_and_registered_locations():
    known, orgs = {}, {}
    items, plan = run(known, orgs, [loc(1, org=1, contact_email="boss@example.org"), loc(2, org=1), loc(3, org=2)])
    [first] = plan.first_approvers
    assert (first.org_id, first.email, first.location_ids) == ("1-101", "boss@example.org", ("1-2001", "1-2002"))
    assert first.manager_name is None  # the file names no registered manager
    assert nothing(*run(known, orgs, [loc(1, org=1, contact_email="boss@example.org"), loc(2, org=1), loc(3, org=2)]))
    # an organisation whose only location is deregistered gets no account
    _, plan = run({}, {}, [loc(5, org=3, contact_email="x@example.org", deregistered_on=DAY)])
    assert plan.first_approvers == []


def test_the_first_approver_is_greeted_by_the_registered_managers_name_from_the_file():
    _, plan = run({}, {}, [loc(1, org=1, contact_email="boss@example.org"), loc(2, org=1, registered_manager=" Grace Adeyemi ")])
    assert [f.manager_name for f in plan.first_approvers] == ["Grace Adeyemi"]


def test_file_date_from_name():
    assert file_date_from_name("cqc/01_October_2026_HSCA_Active_Locations.csv") == date(2026, 10, 1)
    assert file_date_from_name("cqc/1 march 2025 deactivated.csv") == date(2025, 3, 1)
    assert file_date_from_name("cqc/latest.csv") is None
    assert file_date_from_name("cqc/31_February_2026.csv") is None

"""The CQC import on moto (RULES 1.1): creates, then applies only differences; sends once."""
from __future__ import annotations

from datetime import UTC, date, datetime

import boto3

from bench.accounts import _fresh_connections, csv_text, header, location_values
from bench.request_counts import counting_dynamodb
from care_tracker import wiring
from infra.local.demo import DEMO_FILE

# Models are imported inside the tests: their table names are read from the environment, which the
# `aws` fixture sets.

AT = datetime(2026, 10, 1, 6, tzinfo=UTC)
WRITES = {"BatchWriteItem", "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"}


def run_job(aws, key: str, text: str) -> dict:
    from functions.jobs import import_cqc_locations as job

    boto3.client("s3", region_name="eu-west-2").put_object(Bucket=aws["IMPORTS_BUCKET"], Key=key, Body=text.encode())
    return job(AT, key=key)


def test_demo_file_creates_organisations_locations_and_first_approvers_once(aws, sent_mail):
    from care_tracker.adapters.location_store import LocationItem, OrganisationItem
    from care_tracker.adapters.user_store import UserItem

    text = DEMO_FILE.read_text(encoding="utf-8")
    report = run_job(aws, "cqc/01_October_2026_HSCA_Active_Locations.csv", text)
    assert report["errors"] == [] and report["locations_read"] == report["locations_written"] == 7
    locations = {i.location_id: i for i in LocationItem.scan()}
    orgs = {i.org_id: i for i in OrganisationItem.scan()}
    assert len(locations) == 7 and len(orgs) == report["organisations_written"] >= 3
    meadowbank = locations["1-2000000001"]
    assert (meadowbank.org_id, meadowbank.postcode, meadowbank.postcode_key, meadowbank.care_types, meadowbank.beds) == (
        "1-1000000001", "LS6 2AB", "LS62AB", ["care_home"], 48)
    dormant = locations["1-2000000005"]
    assert dormant.status == "dormant" and dormant.postcode_key is None
    # first approvers: one per organisation with a contact email, with its registered locations
    welcomes = [m for m in sent_mail() if "Temporary password" in m.body]
    with_email = {o.org_id for o in orgs.values() if o.contact_email}
    assert report["accounts_created"] == len(welcomes) == len(with_email) >= 2
    for org_id in with_email:
        approver = UserItem.get(orgs[org_id].first_approver_id)
        assert set(approver.roles) == {"approver", "provider_user"} and approver.org_id == org_id
        assert sorted(approver.location_ids) == sorted(loc for loc, i in locations.items() if i.org_id == org_id)
        assert approver.email == orgs[org_id].contact_email
        assert not approver.full_name.startswith("Registered manager")  # the demo file names each manager
    meadowbank_boss = UserItem.get(orgs["1-1000000001"].first_approver_id)
    assert meadowbank_boss.full_name == "Grace Adeyemi"
    assert any(m.body.startswith("Hello Grace Adeyemi,") for m in welcomes)

    # the same file again: nothing written, nothing sent
    with counting_dynamodb() as counter:
        _fresh_connections()
        again = run_job(aws, "cqc/01_October_2026_HSCA_Active_Locations.csv", text)
    assert sum(n for op, n in counter.calls.items() if op in WRITES) == 0, counter.calls
    assert again["locations_written"] == again["organisations_written"] == again["accounts_created"] == 0
    assert len(sent_mail()) == len(welcomes)


def _import(lines: str, file_date=date(2026, 10, 1)):
    from care_tracker.services.cqc_import import import_cqc_locations

    return import_cqc_locations(lines.splitlines(keepends=True), wiring.location_directory(), wiring.account_service(),
                                file_date=file_date, users=wiring.users())


def test_newer_file_applies_dormancy_owner_change_deregistration_and_reports_bad_rows(aws, sent_mail):
    from care_tracker.adapters.location_store import LocationItem
    from care_tracker.adapters.user_store import UserItem  # noqa: F401

    columns = header()
    rows = [location_values(n, provider=n // 3) for n in range(9)]  # providers 0, 1, 2
    first = _import(csv_text(columns, rows))
    assert first.locations_written == 9 and first.organisations_written == 3 and first.accounts_created == 0
    # a user of provider 0 with access to its three locations
    from care_tracker.ports import UserRecord

    wiring.users().create(UserRecord(user_id="u-1", email="staff@example.org", full_name="Staff", roles=["provider_user"],
                                     org_id="1-4000000000", location_ids=["1-3000000000", "1-3000000001", "1-3000000002"]))
    newer = [dict(r) for r in rows[:8]]  # location 8 is gone
    newer[1]["Dormant (Y/N)"] = "Y"
    newer[2].update({"Provider ID": "1-4000000002", "Provider Name": "Bench Provider 2"})  # change of owner
    bad = dict(rows[3], **{"Location ID": "not-an-id"})
    text = csv_text(columns, newer[:5] + [bad] + newer[5:])
    report = _import(text, file_date=date(2026, 11, 1))
    assert report.errors == [{"line": 7, "problem": "location not-an-id: Location ID 'not-an-id' is not a CQC ID (1- then digits)"}]
    # a bad row is not "missing": location 3 keeps its state; 1 (dormant) and 2 (moved) are written
    assert report.locations_written == 2 and report.locations_moved == 1 and report.user_accesses_removed == 1
    assert report.locations_deregistered_missing == 1
    assert LocationItem.get("1-3000000001").status == "dormant"
    moved = LocationItem.get("1-3000000002")
    assert moved.org_id == "1-4000000002" and moved.status == "active"
    gone = LocationItem.get("1-3000000008")
    assert (gone.status, gone.deregistered_on, gone.postcode_key) == ("deregistered", "2026-11-01", None)
    assert UserItem.get("u-1").location_ids == ["1-3000000000", "1-3000000001"]
    assert wiring.location_directory().at_postcode(gone.postcode.replace(" ", "")) == [] or all(
        loc["location_id"] != "1-3000000008" for loc in wiring.location_directory().at_postcode(gone.postcode.replace(" ", "")))
    # and that newer file again changes nothing
    again = _import(text, file_date=date(2026, 11, 1))
    assert (again.locations_written, again.organisations_written, again.locations_deregistered_missing,
            again.locations_moved) == (0, 0, 0, 0)
    assert sent_mail() == []


def test_deactivated_file_deregisters_with_its_end_date(aws):
    from care_tracker.adapters.location_store import LocationItem
    from care_tracker.adapters.user_store import UserItem  # noqa: F401

    columns = header()
    rows = [location_values(n) for n in range(6)]
    _import(csv_text(columns, rows))
    ended = [dict(rows[0], **{"Location HSCA End Date": "12/09/2026"}),
             dict(location_values(99), **{"Location HSCA End Date": "01/09/2026"})]
    report = _import(csv_text(columns + ["Location HSCA End Date"], ended))
    assert report.file_kind == "deactivated" and report.locations_written == 1 and report.skipped_unknown_deregistered == 1
    item = LocationItem.get("1-3000000000")
    assert (item.status, item.deregistered_on, item.postcode_key) == ("deregistered", "2026-09-12", None)
    assert LocationItem.get("1-3000000001").status == "active"  # not listed: untouched
    assert report.locations_deregistered_missing == 0


def test_organisation_with_contact_email_of_an_existing_account_gets_no_second_account(aws, sent_mail):
    wiring.account_service().create_account(email="manager0@bench.example.org", full_name="Someone", roles=["provider_user"])
    report = _import(csv_text(header(), [location_values(0, email=True)]))
    assert report.accounts_created == 0
    assert report.errors[0]["organisation"] == "1-4000000000" and "already registered" in report.errors[0]["problem"]
    assert len(sent_mail()) == 1


def test_a_file_without_required_columns_is_refused_whole(aws):
    from care_tracker.adapters.location_store import LocationItem
    from care_tracker.adapters.user_store import UserItem  # noqa: F401

    report = run_job(aws, "cqc/bad.csv", "Location ID,Location Name\n1-1,x\n")
    assert report["imported"] is None and "Location Postal Code" in report["problem"]
    assert list(LocationItem.scan()) == []


def test_commissioners_follow_a_location_to_its_new_area_and_lose_a_deregistered_one(aws):
    """The latest-return items copy each location's area and place (issue 16): a newer file that moves
    a home to another local authority, renames it, or leaves it out, reaches them."""
    from care_tracker.services.auth import Caller
    from care_tracker.services.returns import ReturnsService
    from tests.support import FixedClock

    columns = header()
    homes = [location_values(n, kind=0) for n in range(6)]
    run_job(aws, "cqc/01_October_2026_HSCA_Active_Locations.csv", csv_text(columns, homes))
    saver = Caller(user_id="u-1", email="jo@example.org", full_name="Jo", roles=frozenset({"admin"}))
    figures = {"beds_max_capacity": 30, "beds_occupied": 25, "beds_vacant_reserved": 1, "beds_vacant_accepting": 4,
               "staff_nurses_direct": 2, "staff_care_direct": 20, "staff_non_care_direct": 5, "staff_nurses_agency": 0,
               "staff_care_agency": 1, "staff_non_care_agency": 0, "staff_absent": 1}
    returns = ReturnsService(wiring.return_store(), FixedClock(datetime(2026, 10, 9, 10, tzinfo=UTC)))
    ids = [h["Location ID"] for h in homes]
    for lid in ids:
        returns.save(saver, lid, "2026-10", "care_home", figures)
    store = wiring.return_store()

    def area(name):
        return sorted((i.location_id, i.place["name"]) for i in store.latest_in_authority(name, "care_home"))

    assert area("Manchester") == sorted((lid, f"Bench Location {n}") for n, lid in enumerate(ids))

    moved = {**homes[0], "Location Local Authority": "Salford", "Location Name": "Irwell House"}
    newer = csv_text(columns, [moved, homes[1], *homes[3:]])  # homes[2] is left out: deregistered
    report = run_job(aws, "cqc/01_November_2026_HSCA_Active_Locations.csv", newer)
    assert report["locations_deregistered_missing"] == 1 and report["latest_returns_refreshed"] == 2
    assert area("Salford") == [(ids[0], "Irwell House")]
    assert area("Manchester") == sorted((lid, f"Bench Location {n}") for n, lid in enumerate(ids) if n not in (0, 2))
    assert store.latest_of_location(ids[2]) == []
    again = run_job(aws, "cqc/01_November_2026_HSCA_Active_Locations.csv", newer)
    assert again["latest_returns_refreshed"] == 0

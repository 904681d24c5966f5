"""CSV exports on in-process moto: streamed multipart uploads, presigned links, scoping."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
import requests

from care_tracker import wiring
from care_tracker.adapters.export_store import MultipartWriter
from care_tracker.config import settings
from care_tracker.errors import BadRequest, Forbidden, NotFound
from care_tracker.services.auth import Caller
from care_tracker.services.exports import ExportService

REGION = "eu-west-2"


def download(url: str) -> list[dict]:
    response = requests.get(url, timeout=30)
    assert response.status_code == 200, response.text
    assert response.content.decode("utf-8")  # UTF-8, no BOM needed
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline="")))


def caller_of(user, roles=None) -> Caller:
    return Caller(user_id=user.user_id, email=user.email, full_name=user.full_name,
                  roles=frozenset(roles or user.roles), org_id=user.org_id, location_ids=tuple(user.location_ids))


class FakeReturns:
    """Stands in for the returns repository: rows as the returns adapter would give them."""

    columns = ["location_id", "care_type", "period", "version", "saved_at", "saved_by", "nil_return", "note"]

    def __init__(self, rows):
        self.rows = rows
        self.asked = []

    def history(self, location_ids, period=None):
        self.asked.append(("history", tuple(location_ids), period))
        return (r for r in self.rows if r["location_id"] in location_ids and (period is None or r["period"] == period))

    def month(self, period):
        self.asked.append(("month", period))
        return (r for r in self.rows if r["period"] == period)

    def saved_between(self, start, end):
        self.asked.append(("between", start, end))
        return (r for r in self.rows if start <= r["saved_at"] < end)


ROWS = [
    {"location_id": "1-1", "care_type": "care_home", "period": "2026-10", "version": 1,
     "saved_at": datetime(2026, 10, 9, 8, tzinfo=timezone.utc), "saved_by": "u1", "nil_return": False, "note": "=HYPERLINK(\"x\")"},
    {"location_id": "1-1", "care_type": "care_home", "period": "2026-10", "version": 2,
     "saved_at": datetime(2026, 10, 10, 23, 30, tzinfo=timezone.utc), "saved_by": "u1", "nil_return": False, "note": "ok, fine"},
    {"location_id": "1-9", "care_type": "home_care", "period": "2026-10", "version": 1,
     "saved_at": datetime(2026, 10, 10, 12, tzinfo=timezone.utc), "saved_by": "u9", "nil_return": True, "note": None},
]


@pytest.fixture
def people(aws):
    accounts = wiring.account_service()
    provider = accounts.create_account(email="pat@example.org", full_name="Pat =1+2", roles=["provider_user"],
                                       org_id="1-100", location_ids=["1-1"], phone="+44 20 7946 0000")
    admin = accounts.create_account(email="help@example.org", full_name="Helper", roles=["admin"])
    return provider, admin


def service(returns=None) -> ExportService:
    from care_tracker.adapters.export_store import S3ExportFiles

    return ExportService(S3ExportFiles(settings().exports_bucket, REGION), wiring.users(), returns, wiring.clock())


def test_my_data_is_the_account_then_my_locations_returns_with_history(people):
    provider, _ = people
    returns = FakeReturns(ROWS)
    before = datetime.now(timezone.utc)
    export = service(returns).create(caller_of(provider), "my_data")
    assert export.rows == 3  # the account and the two versions of 1-1's return; nothing of 1-9
    assert returns.asked == [("history", ("1-1",), None)]
    assert before + timedelta(minutes=14) < export.expires_at <= datetime.now(timezone.utc) + timedelta(minutes=15)
    query = parse_qs(urlparse(export.download_url).query)
    assert query["X-Amz-Expires"] == ["900"]
    rows = download(export.download_url)
    assert [r["record"] for r in rows] == ["account", "return", "return"]
    account = rows[0]
    assert account["email"] == "pat@example.org" and account["full_name"] == "Pat =1+2"
    assert account["phone"] == "'+44 20 7946 0000"  # text starting with + is neutralised
    assert account["roles"] == "provider_user" and account["location_ids"] == "1-1"
    assert datetime.fromisoformat(account["created_at"]).tzinfo is not None
    assert rows[1]["note"] == "'=HYPERLINK(\"x\")" and rows[2]["note"] == "ok, fine"
    assert rows[1]["saved_at"] == "2026-10-09T08:00:00+00:00" and rows[1]["version"] == "1"
    assert {r["location_id"] for r in rows[1:]} == {"1-1"}
    head = boto3.client("s3", region_name=REGION).head_object(
        Bucket=settings().exports_bucket, Key=f"exports/{provider.user_id}/{export.export_id}.csv")
    assert head["ContentType"].startswith("text/csv") and "attachment" in head["ContentDisposition"]


def test_my_data_without_returns_is_just_the_account(people):
    _, admin = people
    export = service(None).create(caller_of(admin), "my_data")
    rows = download(export.download_url)
    assert export.rows == 1 and [r["email"] for r in rows] == ["help@example.org"]


def test_support_team_exports_a_month_and_providers_cannot(people):
    provider, admin = people
    returns = FakeReturns(ROWS)
    with pytest.raises(Forbidden):
        service(returns).create(caller_of(provider), "returns_month", "2026-10")
    with pytest.raises(Forbidden):
        service(returns).create(caller_of(provider), "daily_changes", "2026-10-10")
    assert returns.asked == []
    export = service(returns).create(caller_of(admin), "returns_month", "2026-10")
    assert {r["location_id"] for r in download(export.download_url)} == {"1-1", "1-9"}
    with pytest.raises(BadRequest) as bad:
        service(returns).create(caller_of(admin), "returns_month", "2026-13")
    assert bad.value.code == "invalid_period"
    with pytest.raises(BadRequest):
        service(returns).create(caller_of(admin), "returns_month", None)


def test_daily_changes_are_the_london_day_and_written_once(people):
    _, admin = people
    returns = FakeReturns(ROWS)
    from datetime import date

    with pytest.raises(NotFound) as not_ready:  # a request never scans: only the job writes the day's file
        service(returns).create(caller_of(admin), "daily_changes", "2026-10-11")
    assert not_ready.value.code == "export_not_ready" and returns.asked == []
    first = service(returns).daily_changes(date(2026, 10, 11))
    # 23:30 UTC on 10 October is 00:30 on the 11th in London (summer time)
    assert [r["version"] for r in download(first.download_url)] == ["2"]
    again = service(returns).create(caller_of(admin), "daily_changes", "2026-10-11")
    assert again.export_id == first.export_id and again.rows is None
    assert len([a for a in returns.asked if a[0] == "between"]) == 1


def test_the_id_of_a_days_changes_finds_the_export_again(people):
    from datetime import date

    provider, admin = people
    written = service(FakeReturns(ROWS)).daily_changes(date(2026, 10, 11))
    answered = service(FakeReturns(ROWS)).create(caller_of(admin), "daily_changes", "2026-10-11")
    found = service(None).link(caller_of(admin), answered.export_id)
    assert found.export_id == written.export_id and found.kind == "daily_changes" and found.period == "2026-10-11"
    assert [r["version"] for r in download(found.download_url)] == ["2"]
    for other in ("changes-2026-10-12", "changes-2026-02-30"):
        with pytest.raises(NotFound):
            service(None).link(caller_of(admin), other)
    with pytest.raises(NotFound):  # the support team's files are theirs
        service(None).link(caller_of(provider), answered.export_id)


def test_a_fresh_link_only_for_my_own_export(people):
    provider, admin = people
    export = service(None).create(caller_of(provider), "my_data")
    again = service(None).link(caller_of(provider), export.export_id)
    assert download(again.download_url)[0]["email"] == "pat@example.org"
    with pytest.raises(NotFound):
        service(None).link(caller_of(admin), export.export_id)
    with pytest.raises(NotFound):
        service(None).link(caller_of(provider), "../../etc")


def test_returns_exports_say_so_while_there_are_no_returns(people):
    _, admin = people
    with pytest.raises(NotFound) as missing:
        service(None).create(caller_of(admin), "returns_month", "2026-10")
    assert missing.value.code == "no_returns"


def test_multipart_writer_streams_parts_and_aborts_on_error(aws):
    s3 = boto3.client("s3", region_name=REGION)
    bucket = settings().exports_bucket
    chunk = bytes(range(256)) * 4096  # 1 MiB
    with MultipartWriter(s3, bucket, "big.bin") as out:
        for _ in range(12):
            out.write(chunk)
        assert len(out._parts) == 1 and len(out._buffer) < 8 * 1024 * 1024  # one part up, memory bounded
    assert s3.get_object(Bucket=bucket, Key="big.bin")["Body"].read() == chunk * 12
    with pytest.raises(RuntimeError):
        with MultipartWriter(s3, bucket, "broken.bin") as out:
            for _ in range(9):
                out.write(chunk)
            raise RuntimeError("the rows failed half-way")
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="broken")
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    with MultipartWriter(s3, bucket, "empty.csv") as out:
        pass
    assert s3.get_object(Bucket=bucket, Key="empty.csv")["Body"].read() == b""


# ---------- through the returns repository (adapters/return_store.py) ----------

def _save(store, location_id, period, care_type, version, figures, saved_at, based_on=None, kind="figures"):
    from care_tracker.adapters.return_store import Saved

    store.save(Saved(location_id=location_id, period=period, care_type=care_type, version=version, kind=kind,
                     figures=figures, no_change=False, copied_from=None, saved_at=saved_at, saved_by="u-1",
                     saved_by_name="=Sam", in_window=True), based_on)


HOME = {"people_receiving_care": 4, "hours_delivered_last_week": 120, "staff_direct": 3, "staff_agency": 0,
        "staff_absent": 1, "accepting_new_packages": True}


def test_approver_exports_every_location_of_the_organisation_from_the_returns_store(aws):
    pytest.importorskip("care_tracker.adapters.return_store")
    from care_tracker.adapters.return_store import DynamoReturnStore

    wiring.location_directory().write(
        [{"org_id": "1-100", "name": "Org"}, {"org_id": "1-200", "name": "Other"}],
        [{"location_id": lid, "org_id": org, "name": f"Home {lid}", "provider_name": f"Provider {org}", "postcode": "AB1 2CD",
          "care_types": ["home_care"], "status": "active"} for lid, org in (("1-1", "1-100"), ("1-2", "1-100"), ("1-3", "1-200"))])
    store = DynamoReturnStore()
    when = datetime(2026, 10, 9, 9, tzinfo=timezone.utc)
    _save(store, "1-1", "2026-10", "home_care", 1, HOME, when)
    _save(store, "1-1", "2026-10", "home_care", 2, {**HOME, "staff_absent": 2}, when + timedelta(days=1), based_on=1)
    _save(store, "1-2", "2026-10", "home_care", 1, HOME, when)
    _save(store, "1-3", "2026-10", "home_care", 1, HOME, when)  # another organisation's
    approver = wiring.account_service().create_account(email="ann@example.org", full_name="Ann", org_id="1-100",
                                                       roles=["approver", "provider_user"], location_ids=["1-1"])
    user = wiring.account_service().create_account(email="bo@example.org", full_name="Bo", org_id="1-100",
                                                   roles=["provider_user"], location_ids=["1-2"])
    rows = download(wiring.export_service().create(caller_of(approver), "my_data").download_url)
    returns = [r for r in rows if r["record"] == "return"]
    assert [(r["location_id"], r["version"], r["staff_absent"]) for r in returns] == [("1-1", "1", "1"), ("1-1", "2", "2"), ("1-2", "1", "1")]
    assert returns[0]["saved_by_name"] == "'=Sam" and returns[0]["accepting_new_packages"] == "true"
    assert returns[0]["saved_at"] == "2026-10-09T09:00:00+00:00" and returns[0]["beds_occupied"] == ""
    # names beside ids, so a person reading the CSV need not look ids up
    assert (returns[0]["location_name"], returns[0]["provider_id"], returns[0]["provider_name"]) == (
        "Home 1-1", "1-100", "Provider 1-100")
    mine = download(wiring.export_service().create(caller_of(user), "my_data", "2026-10").download_url)
    assert [r["location_id"] for r in mine if r["record"] == "return"] == ["1-2"]
    # the support team's daily file of changes: saves of 10 October (London) only
    from datetime import date

    changes = download(wiring.export_service().daily_changes(date(2026, 10, 10)).download_url)
    assert [(r["location_id"], r["version"]) for r in changes] == [("1-1", "2")]

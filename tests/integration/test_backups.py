"""Daily backups and restore on in-process moto: back up a populated stack, empty it, restore it,
and find every item identical, in every table, with every DynamoDB type."""
from __future__ import annotations

import gzip
import json
from datetime import date, datetime, timezone

import boto3
import pytest

from care_tracker import wiring
from care_tracker.config import settings
from care_tracker.errors import Conflict, NotFound
from care_tracker.services.backups import BackupCorrupt, decode_item, encode_item

REGION = "eu-west-2"
AT = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)
DAY = date(2026, 11, 22)


def ddb():
    return boto3.client("dynamodb", region_name=REGION)


def s3():
    return boto3.client("s3", region_name=REGION)


def snapshot() -> dict[str, list[dict]]:
    """Every item of every table, in a stable order."""
    client = ddb()
    tables = {}
    for field, table in settings().table_names.items():
        items = []
        for page in client.get_paginator("scan").paginate(TableName=table):
            items.extend(page["Items"])
        tables[field] = sorted(items, key=lambda i: encode_item(i))
    return tables


def empty_every_table() -> None:
    from care_tracker.adapters.backup_store import DynamoItems

    dynamo = DynamoItems(REGION)
    for table in settings().table_names.values():
        dynamo.delete_all(table)
    assert all(not items for items in snapshot().values())


ODD_ITEM = {
    "pk": {"S": "LOC#1-000000001"}, "sk": {"S": "RETURN#2026-10#care_home#v0003"},
    "exact": {"N": "12345678901234567890.123456789"}, "negative": {"N": "-0.5"},
    "blob": {"B": bytes(range(256))}, "blobs": {"BS": [b"\x00\x01", b"\xff"]},
    "numbers": {"NS": ["1", "2.5", "-3"]}, "words": {"SS": ["a", "b, c", "=1+1"]},
    "nothing": {"NULL": True}, "yes": {"BOOL": True}, "no": {"BOOL": False},
    "nested": {"M": {"list": {"L": [{"S": "é ünïcode ✓"}, {"N": "0"}, {"M": {"deep": {"B": b"\x10"}}}]},
                     "empty_list": {"L": []}, "empty_map": {"M": {}}}},
    "text": {"S": "line one\nline two, with \"quotes\""},
}


@pytest.fixture
def populated(aws):
    """Accounts created like any account, locations from the CQC import path, and raw items of every type."""
    accounts = wiring.account_service()
    for n in range(3):
        accounts.create_account(email=f"person{n}@example.org", full_name=f"Person {n}", roles=["provider_user"],
                                org_id="1-100", location_ids=["1-000000001"])
    wiring.location_directory().write(
        [{"org_id": "1-100", "name": "Org", "public_body": False}],
        [{"location_id": f"1-{n:09d}", "org_id": "1-100", "name": f"Home {n}", "postcode": "AB1 2CD",
          "postcode_key": "AB12CD", "care_types": ["care_home"], "status": "active", "beds": n}
         for n in range(1, 40)])
    client = ddb()
    client.put_item(TableName=settings().returns_table, Item=ODD_ITEM)
    # enough items for several scan pages and segments
    items = [{"PutRequest": {"Item": {"pk": {"S": f"LOC#{n % 50}"}, "sk": {"S": f"RETURN#{n:05d}"},
                                      "payload": {"S": "x" * 900}, "n": {"N": str(n)}}}} for n in range(1500)]
    for start in range(0, len(items), 25):
        client.batch_write_item(RequestItems={settings().returns_table: items[start:start + 25]})
    return snapshot()


def test_encoding_round_trips_every_type():
    assert decode_item(encode_item(ODD_ITEM)) == ODD_ITEM
    assert encode_item(ODD_ITEM).endswith(b"\n") and encode_item(ODD_ITEM).count(b"\n") == 1


def test_backup_empty_restore_gives_every_item_back_identical(populated):
    before = populated
    assert sum(len(v) for v in before.values()) > 1500
    service = wiring.backup_service()
    result = service.backup(AT)
    assert result["skipped"] is False and result["date"] == "2026-11-22"
    manifest = json.loads(s3().get_object(Bucket=settings().backups_bucket, Key="backups/2026-11-22/manifest.json")["Body"].read())
    assert set(manifest["tables"]) == set(settings().table_names)
    for field, entry in manifest["tables"].items():
        assert entry["items"] == len(before[field])
        assert entry["key"] == f"backups/2026-11-22/{field.removesuffix('_table')}.jsonl.gz"
        assert len(entry["sha256"]) == 64 and len(entry["object_sha256"]) == 64
    assert manifest["started_at"] <= manifest["finished_at"]
    assert manifest["item_count"] == sum(len(v) for v in before.values())
    # the file is gzip'd DynamoDB JSON lines
    raw = s3().get_object(Bucket=settings().backups_bucket, Key=manifest["tables"]["returns_table"]["key"])["Body"].read()
    lines = gzip.decompress(raw).splitlines()
    assert len(lines) == len(before["returns_table"]) and json.loads(lines[0])["Item"]["pk"]["S"]

    empty_every_table()
    restored = service.restore(DAY)
    assert restored["item_count"] == manifest["item_count"] and restored["written_over"] == []
    after = snapshot()
    assert after == before
    odd = [i for i in after["returns_table"] if i["pk"] == ODD_ITEM["pk"]]
    assert odd == [ODD_ITEM]


def test_a_second_backup_the_same_day_does_nothing(populated):
    service = wiring.backup_service()
    assert service.backup(AT)["skipped"] is False
    versions = s3().list_object_versions(Bucket=settings().backups_bucket)["Versions"]
    ddb().put_item(TableName=settings().returns_table, Item={"pk": {"S": "LATE"}, "sk": {"S": "x"}})
    again = service.backup(AT.replace(hour=14))
    assert again["skipped"] is True and "already complete" in again["reason"]
    assert s3().list_object_versions(Bucket=settings().backups_bucket)["Versions"] == versions
    # the next day is a new backup
    assert service.backup(datetime(2026, 11, 23, 2, tzinfo=timezone.utc))["skipped"] is False


def test_restore_refuses_tables_that_hold_data_unless_forced(populated):
    service = wiring.backup_service()
    service.backup(AT)
    client = ddb()
    client.delete_item(TableName=settings().returns_table, Key={"pk": ODD_ITEM["pk"], "sk": ODD_ITEM["sk"]})
    client.put_item(TableName=settings().returns_table, Item={"pk": {"S": "NEW"}, "sk": {"S": "after backup"}})
    before = snapshot()
    with pytest.raises(Conflict) as refused:
        service.restore(DAY)
    assert refused.value.code == "tables_not_empty"
    assert "returns_table" in refused.value.details["tables"] and "users_table" in refused.value.details["tables"]
    assert snapshot() == before  # nothing written
    forced = service.restore(DAY, force=True)
    assert "returns_table" in forced["written_over"]
    after = snapshot()
    assert ODD_ITEM in after["returns_table"]  # the deleted item is back
    assert {"pk": {"S": "NEW"}, "sk": {"S": "after backup"}} in after["returns_table"]  # newer items stay


def test_a_damaged_backup_is_refused_before_anything_is_written(populated):
    service = wiring.backup_service()
    manifest_key = service.backup(AT)["manifest"]
    manifest = json.loads(s3().get_object(Bucket=settings().backups_bucket, Key=manifest_key)["Body"].read())
    key = manifest["tables"]["users_table"]["key"]
    lines = gzip.decompress(s3().get_object(Bucket=settings().backups_bucket, Key=key)["Body"].read()).splitlines(keepends=True)
    tampered = lines[0].replace(b"Person", b"Persox")
    s3().put_object(Bucket=settings().backups_bucket, Key=key, Body=gzip.compress(b"".join([tampered, *lines[1:]])))
    empty_every_table()
    with pytest.raises(BackupCorrupt) as damaged:
        service.restore(DAY)
    assert damaged.value.details["table"] == "users_table"
    assert "checksum" in damaged.value.message
    assert all(not items for items in snapshot().values())


def test_restore_of_a_day_without_backup_says_which_exist(populated):
    service = wiring.backup_service()
    service.backup(AT)
    with pytest.raises(NotFound) as missing:
        service.restore(date(2026, 11, 21))
    assert "2026-11-22" in missing.value.message
    assert service.available() == ["2026-11-22"]


def test_backup_job_files_under_the_london_date_and_restore_job_refuses_a_full_stack(populated):
    from functions.jobs import JOBS

    summer_night = datetime(2026, 6, 30, 23, 30, tzinfo=timezone.utc)  # 00:30 on 1 July in London
    result = JOBS["backup"].run(summer_night)
    assert result["date"] == "2026-07-01" and result["manifest"] == "backups/2026-07-01/manifest.json"
    assert JOBS["backup"].run(summer_night)["skipped"] is True
    refused = JOBS["restore"].run(summer_night)
    assert refused["restored"] is False and refused["code"] == "tables_not_empty"
    empty_every_table()
    done = JOBS["restore"].run(summer_night)
    assert done["restored"] is True and snapshot() == populated


def test_restore_command(populated, capsys):
    from infra.restore import main

    wiring.backup_service().backup(AT)
    assert main(["--list"]) == 0 and "2026-11-22" in capsys.readouterr().out
    assert main(["--date", "2026-11-22"]) == 1
    assert "already hold data" in capsys.readouterr().err
    empty_every_table()
    assert main(["--latest", "--table", "users_table", "--table", "usernames_table"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["tables"]) == {"users_table", "usernames_table"}
    after = snapshot()
    assert after["users_table"] == populated["users_table"] and after["locations_table"] == []
    assert main(["--date", "2026-11-22", "--force"]) == 0
    assert snapshot() == populated

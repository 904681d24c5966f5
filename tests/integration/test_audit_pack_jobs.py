"""The audit pack made in the background (issue 12) on in-process moto: the request item
(AuditPacksTable), the message (AuditPackQueue, SQS) and the zip (the exports bucket) are moto's,
and the worker is the Lambda's own record handler (functions.audit_pack_worker.handle_records)."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date, time, timedelta
from urllib.parse import urlparse

import boto3
import pytest

from care_tracker.errors import BadRequest, NotFound
from tests.integration.test_work import P1, fields, world  # noqa: F401 - the fixture

LAST = date(2026, 1, 31)


@pytest.fixture
def jobs(world, aws):  # noqa: F811 - the fixture
    from care_tracker.adapters.audit_pack_store import DynamoAuditPacks, SqsQueue
    from care_tracker.adapters.export_store import S3ExportFiles
    from care_tracker.services.audit_pack import AuditPackJobs, AuditPackService

    files = S3ExportFiles(aws["EXPORTS_BUCKET"], "eu-west-2")
    maker = AuditPackService(world.store, world.directory, files, world.clock, records=world.people.service.get_pa)
    return AuditPackJobs(DynamoAuditPacks(), SqsQueue(aws["AUDIT_PACK_QUEUE_URL"], "eu-west-2"), maker, files, world.clock)


def received(aws) -> list[dict]:
    """Every message on the queue now, as the Lambda's SQS event records (then deleted, as the mapping does)."""
    sqs = boto3.client("sqs", region_name="eu-west-2")
    url = aws["AUDIT_PACK_QUEUE_URL"]
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["ApproximateReceiveCount"])
    records = [{"messageId": m["MessageId"], "body": m["Body"], "attributes": m["Attributes"]} for m in got.get("Messages", [])]
    for m in got.get("Messages", []):
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return records


def run_worker(jobs, monkeypatch, records, calls: set | None = None) -> dict:
    """The worker's handler on these records; `calls` gathers the IAM actions and resources it used."""
    import botocore.client

    from care_tracker import wiring
    from functions.audit_pack_worker import handle_records

    monkeypatch.setattr(wiring, "audit_pack_jobs", lambda: jobs)  # the world's fixed clock
    if calls is None:
        return handle_records(records)
    original = botocore.client.BaseClient._make_api_call
    s3_put = {"CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "PutObject"}

    def recording(self, operation, params):
        service = self.meta.service_model.service_name
        if service == "dynamodb":
            tables = [params["TableName"]] if "TableName" in params else [
                next(iter(i.values()))["TableName"] for i in params.get("TransactItems", [])]
            tables += list(params.get("RequestItems", {}))
            action = "GetItem" if operation == "TransactGetItems" else operation
            calls.update((f"dynamodb:{action}", t.removeprefix("care-tracker-local-")) for t in tables)
        elif service == "s3":
            calls.add(("s3:PutObject" if operation in s3_put else f"s3:{operation}", params["Key"].split("/")[0]))
        else:
            calls.add((f"{service}:{operation}", ""))
        return original(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    try:
        return handle_records(records)
    finally:
        monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", original)


def test_asked_once_made_by_the_worker_once_and_downloaded(world, aws, jobs, monkeypatch):  # noqa: F811
    from care_tracker.services.audit_pack import FILES

    world.rota.plan(world.emp, world.e, world.p1, fields(P1, time(14), time(23)), repeat_until=P1 + timedelta(days=14))
    world.timesheets.step(world.pa, world.e, world.p1, P1, "submit", 1)
    from tests.support import dynamodb_requests

    with dynamodb_requests() as calls:
        asked = jobs.start(world.emp, P1, LAST)
    assert dict(calls) == {"GetItem": 1, "PutItem": 1}  # the employer's settings; the conditional put
    assert (asked.status, asked.first, asked.last, asked.download_url) == ("making", P1, LAST, None)
    with dynamodb_requests() as calls:
        again = jobs.start(world.emp, P1, LAST)  # idempotent while it is being made: the same pack, no second message
    assert dict(calls) == {"GetItem": 2, "PutItem": 1}  # ...and the pack in force, read after the refused put
    assert again.pack_id == asked.pack_id and again.status == "making"
    records = received(aws)
    assert [json.loads(r["body"])["pack_id"] for r in records] == [asked.pack_id]
    assert jobs.status(world.emp, asked.pack_id).status == "making"

    calls: set = set()
    assert run_worker(jobs, monkeypatch, records, calls) == {"batchItemFailures": []}
    # Least privilege: what the worker did is what its role allows (infra/package.py), and no more.
    from infra.package import AUDIT_PACK_WORKER_TABLES

    allowed = {(action, table) for table, actions in AUDIT_PACK_WORKER_TABLES.items() for action in actions}
    allowed.add(("s3:PutObject", "exports"))
    assert calls == allowed, (calls - allowed, allowed - calls)
    ready = jobs.status(world.emp, asked.pack_id)
    assert ready.status == "ready" and ready.rows > 0 and ready.expires_at == world.clock.now() + timedelta(minutes=15)
    key = urlparse(ready.download_url).path.split(f"{aws['EXPORTS_BUCKET']}/", 1)[-1].lstrip("/")
    s3 = boto3.client("s3", region_name="eu-west-2")
    archive = zipfile.ZipFile(io.BytesIO(s3.get_object(Bucket=aws["EXPORTS_BUCKET"], Key=key)["Body"].read()))
    assert sorted(archive.namelist()) == sorted(["README.txt", *FILES])
    assert world.p1 in archive.read("timesheets.csv").decode("utf-8")

    # The same message delivered again (SQS delivers at least once) changes nothing.
    versions = s3.list_object_versions(Bucket=aws["EXPORTS_BUCKET"], Prefix=key)["Versions"]
    assert run_worker(jobs, monkeypatch, records) == {"batchItemFailures": []}
    assert s3.list_object_versions(Bucket=aws["EXPORTS_BUCKET"], Prefix=key)["Versions"] == versions
    assert jobs.status(world.emp, asked.pack_id).rows == ready.rows
    # Ready: the same range answers the same pack with a fresh link, and sends nothing.
    assert jobs.start(world.emp, P1, LAST).status == "ready" and received(aws) == []

    # Another employer's pack is not found, like an unknown one; nor is a pack a day old.
    with pytest.raises(NotFound):
        jobs.status(world.emp_b, asked.pack_id)
    with pytest.raises(NotFound):
        jobs.status(world.emp, "0" * 32)
    world.clock.at = world.clock.now() + timedelta(days=1, seconds=1)
    with pytest.raises(NotFound):
        jobs.status(world.emp, asked.pack_id)
    # ...and asking again then makes a fresh one.
    assert jobs.start(world.emp, P1, LAST).status == "making" and len(received(aws)) == 1


def test_checked_before_anything_is_queued(world, aws, jobs):  # noqa: F811
    with pytest.raises(BadRequest) as backwards:
        jobs.start(world.emp, LAST, P1)
    assert backwards.value.code == "bad_range"
    with pytest.raises(BadRequest) as long:
        jobs.start(world.emp, P1, P1 + timedelta(days=800))
    assert long.value.code == "range_too_long"
    assert received(aws) == []


def test_a_failure_is_retried_then_explained_and_can_be_asked_again(world, aws, jobs, monkeypatch):  # noqa: F811
    asked = jobs.start(world.emp, P1, LAST)
    records = received(aws)

    def broken(*_, **__):
        raise RuntimeError("DynamoDB had a moment")

    monkeypatch.setattr(jobs._maker, "create", broken)
    first = run_worker(jobs, monkeypatch, records)
    assert first == {"batchItemFailures": [{"itemIdentifier": records[0]["messageId"]}]}  # back to the queue
    assert jobs.status(world.emp, asked.pack_id).status == "making"
    last = [{**records[0], "attributes": {"ApproximateReceiveCount": "3"}}]
    assert run_worker(jobs, monkeypatch, last)["batchItemFailures"]  # on to the dead-letter queue
    failed = jobs.status(world.emp, asked.pack_id)
    assert failed.status == "failed" and "Ask for it again" in failed.message and asked.pack_id in failed.message
    monkeypatch.undo()
    again = jobs.start(world.emp, P1, LAST)  # a failed pack does not hold the range: a new attempt, a new message
    assert again.status == "making" and again.pack_id == asked.pack_id
    fresh = received(aws)
    assert len(fresh) == 1 and json.loads(fresh[0]["body"])["token"] != json.loads(records[0]["body"])["token"]
    # The old attempt's message, delivered late, is left alone; the new one makes the pack.
    from functions.audit_pack_worker import handle_records

    assert jobs.make(world.e, asked.pack_id, json.loads(records[0]["body"])["token"], last_attempt=False) == "skipped"
    monkeypatch.setattr(__import__("care_tracker.wiring", fromlist=["x"]), "audit_pack_jobs", lambda: jobs)
    assert handle_records(fresh) == {"batchItemFailures": []}
    assert jobs.status(world.emp, asked.pack_id).status == "ready"


def test_a_pack_stuck_making_past_the_worker_timeout_is_explained_and_claimable(world, aws, jobs):  # noqa: F811
    asked = jobs.start(world.emp, P1, LAST)
    received(aws)
    world.clock.at = world.clock.now() + timedelta(minutes=16)
    stuck = jobs.status(world.emp, asked.pack_id)
    assert stuck.status == "failed" and "took too long" in stuck.message
    assert jobs.start(world.emp, P1, LAST).status == "making" and len(received(aws)) == 1


def test_a_message_the_worker_cannot_read_is_reported_failed_and_changes_nothing(world, aws, jobs, monkeypatch):  # noqa: F811
    asked = jobs.start(world.emp, P1, LAST)
    received(aws)
    garbled = [{"messageId": "m-1", "body": "not json", "attributes": {"ApproximateReceiveCount": "1"}},
               {"messageId": "m-2", "body": json.dumps({"pack_id": asked.pack_id}), "attributes": {}}]
    assert run_worker(jobs, monkeypatch, garbled) == {"batchItemFailures": [{"itemIdentifier": "m-1"},
                                                                             {"itemIdentifier": "m-2"}]}
    assert jobs.status(world.emp, asked.pack_id).status == "making"

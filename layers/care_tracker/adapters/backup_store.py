"""What backups and restores need from AWS: raw DynamoDB items (DynamoDB JSON, so every type
round-trips exactly) and files in the backups bucket.

Items are read with the low-level client (a parallel Scan: this runs in a job, never on a request
path) and written with BatchWriteItem, 25 items a request, several requests in flight, retrying
unprocessed items with a backoff.
"""
from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, BinaryIO

from care_tracker.adapters.export_store import MultipartWriter, s3_client

BATCH = 25
_DONE = object()


def _dynamodb(region: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client("dynamodb", region_name=region,
                        config=Config(max_pool_connections=32, retries={"max_attempts": 10, "mode": "adaptive"}))


class DynamoItems:
    def __init__(self, region: str, *, segments: int = 4, writers: int = 8) -> None:
        self._ddb = _dynamodb(region)
        self._segments = segments
        self._writers = writers

    def key_names(self, table: str) -> list[str]:
        schema = self._ddb.describe_table(TableName=table)["Table"]["KeySchema"]
        return [k["AttributeName"] for k in sorted(schema, key=lambda k: k["KeyType"] != "HASH")]

    def scan(self, table: str) -> Iterator[dict]:
        """Every item, as DynamoDB JSON (botocore's form: binary values are bytes), in no set order.
        Segments are scanned in threads; at most a few pages wait in memory at once."""
        pages: queue.Queue = queue.Queue(maxsize=self._segments * 2)
        stop = threading.Event()

        def segment(number: int) -> None:
            try:
                args: dict[str, Any] = {"TableName": table, "Segment": number, "TotalSegments": self._segments,
                                        "ConsistentRead": True}
                while not stop.is_set():
                    page = self._ddb.scan(**args)
                    pages.put(page.get("Items", []))
                    if "LastEvaluatedKey" not in page:
                        break
                    args["ExclusiveStartKey"] = page["LastEvaluatedKey"]
                pages.put(_DONE)
            except BaseException as exc:  # handed to the reading thread
                pages.put(exc)

        threads = [threading.Thread(target=segment, args=(n,), daemon=True) for n in range(self._segments)]
        for thread in threads:
            thread.start()
        finished = 0
        try:
            while finished < self._segments:
                page = pages.get()
                if page is _DONE:
                    finished += 1
                elif isinstance(page, BaseException):
                    raise page
                else:
                    yield from page
        finally:
            stop.set()
            while any(t.is_alive() for t in threads):  # unblock producers waiting on a full queue
                try:
                    pages.get(timeout=0.05)
                except queue.Empty:
                    pass

    def is_empty(self, table: str) -> bool:
        page = self._ddb.scan(TableName=table, Limit=1, Select="COUNT")
        while page.get("Count", 0) == 0 and "LastEvaluatedKey" in page:
            page = self._ddb.scan(TableName=table, Limit=1, Select="COUNT", ExclusiveStartKey=page["LastEvaluatedKey"])
        return page.get("Count", 0) == 0

    def count(self, table: str) -> int:
        total, args = 0, {"TableName": table, "Select": "COUNT"}
        while True:
            page = self._ddb.scan(**args)
            total += page["Count"]
            if "LastEvaluatedKey" not in page:
                return total
            args["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _write_batch(self, table: str, items: list[dict]) -> None:
        requests = {table: [{"PutRequest": {"Item": item}} for item in items]}
        delay = 0.05
        while requests:
            left = self._ddb.batch_write_item(RequestItems=requests).get("UnprocessedItems") or {}
            requests = left
            if requests:
                time.sleep(delay)
                delay = min(delay * 2, 5.0)

    def put_all(self, table: str, items: Iterable[dict]) -> int:
        """Batch-writes the items (25 a request, several requests in flight); returns how many."""
        written = 0
        with ThreadPoolExecutor(max_workers=self._writers) as pool:
            pending: set[Future] = set()
            batch: list[dict] = []
            for item in items:
                batch.append(item)
                if len(batch) == BATCH:
                    pending.add(pool.submit(self._write_batch, table, batch))
                    written += len(batch)
                    batch = []
                    if len(pending) >= self._writers * 2:
                        done, pending = wait(pending, return_when=FIRST_COMPLETED)
                        for future in done:
                            future.result()
            if batch:
                pending.add(pool.submit(self._write_batch, table, batch))
                written += len(batch)
            for future in pending:
                future.result()
        return written

    def delete_all(self, table: str) -> int:
        """Deletes every item (tests and benchmarks empty a stack with it)."""
        keys = self.key_names(table)
        deleted = 0
        batch: list[dict] = []
        for item in list(self.scan(table)):
            batch.append({"DeleteRequest": {"Key": {k: item[k] for k in keys}}})
            if len(batch) == BATCH:
                self._delete(table, batch)
                deleted += len(batch)
                batch = []
        if batch:
            self._delete(table, batch)
            deleted += len(batch)
        return deleted

    def _delete(self, table: str, requests: list[dict]) -> None:
        left: dict = {table: requests}
        while left:
            left = self._ddb.batch_write_item(RequestItems=left).get("UnprocessedItems") or {}


class S3BackupFiles:
    def __init__(self, bucket: str, region: str) -> None:
        self.bucket = bucket
        self._s3 = s3_client(region)

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self._s3.head_object(Bucket=self.bucket, Key=key)
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise

    def writer(self, key: str) -> MultipartWriter:
        return MultipartWriter(self._s3, self.bucket, key, ContentType="application/gzip")

    def reader(self, key: str) -> BinaryIO:
        return self._s3.get_object(Bucket=self.bucket, Key=key)["Body"]

    def put_json_once(self, key: str, document: dict) -> bool:
        """Writes the document unless the key exists; False if it already did (another run won)."""
        from botocore.exceptions import ClientError

        try:
            self._s3.put_object(Bucket=self.bucket, Key=key, Body=json.dumps(document, indent=2).encode("utf-8"),
                                ContentType="application/json", IfNoneMatch="*")
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("PreconditionFailed", "ConditionalRequestConflict"):
                return False
            raise

    def get_json(self, key: str) -> dict | None:
        from botocore.exceptions import ClientError

        try:
            return json.loads(self._s3.get_object(Bucket=self.bucket, Key=key)["Body"].read())
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def prefixes(self, prefix: str) -> list[str]:
        found: list[str] = []
        for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix, Delimiter="/"):
            found.extend(p["Prefix"] for p in page.get("CommonPrefixes", []))
        return found

"""Streaming files into S3 (multipart upload) and handing them out through presigned URLs.

`MultipartWriter` is a write-only binary stream: bytes are buffered up to one part (8 MiB) and
each full part is uploaded as it fills, so a file of any size is written with one part's worth of
memory. Used as a context manager it completes the upload on success and aborts it on an
exception (nothing half-written is ever visible under the key; the bucket's lifecycle also
aborts forgotten uploads after a day).
"""
from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

PART_SIZE = 8 * 1024 * 1024  # S3's minimum is 5 MiB for every part but the last
DOWNLOAD_URL_SECONDS = 15 * 60


class MultipartWriter(io.RawIOBase):
    def __init__(self, s3: Any, bucket: str, key: str, *, part_size: int = PART_SIZE, **create_args: Any) -> None:
        super().__init__()
        if part_size < 5 * 1024 * 1024:
            raise ValueError("S3 parts must be at least 5 MiB")
        self._s3, self._bucket, self._key, self._part_size = s3, bucket, key, part_size
        self._create_args = create_args
        self._upload_id: str | None = None
        self._parts: list[dict] = []
        self._buffer = bytearray()
        self.bytes_written = 0
        self._finished = False

    # -- io.RawIOBase -------------------------------------------------------------------------
    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if self._finished:
            raise ValueError("write to a finished upload")
        self._buffer += data
        self.bytes_written += len(data)
        while len(self._buffer) >= self._part_size:
            chunk = bytes(self._buffer[: self._part_size])
            del self._buffer[: self._part_size]
            self._upload(chunk)
        return len(data)

    def close(self) -> None:  # closing without complete() is an abort
        if not self._finished:
            self.abort()
        super().close()

    # -- the upload ---------------------------------------------------------------------------
    def _upload(self, chunk: bytes) -> None:
        if self._upload_id is None:
            self._upload_id = self._s3.create_multipart_upload(Bucket=self._bucket, Key=self._key, **self._create_args)["UploadId"]
        number = len(self._parts) + 1
        etag = self._s3.upload_part(Bucket=self._bucket, Key=self._key, UploadId=self._upload_id,
                                    PartNumber=number, Body=chunk)["ETag"]
        self._parts.append({"ETag": etag, "PartNumber": number})

    def complete(self) -> None:
        if self._finished:
            return
        if self._buffer or not self._parts:  # the last part may be small (or the only, empty one)
            chunk = bytes(self._buffer)
            self._buffer.clear()
            self._upload(chunk)
        self._s3.complete_multipart_upload(Bucket=self._bucket, Key=self._key, UploadId=self._upload_id,
                                           MultipartUpload={"Parts": self._parts})
        self._finished = True

    def abort(self) -> None:
        if self._finished:
            return
        self._finished = True
        self._buffer.clear()
        if self._upload_id is not None:
            self._s3.abort_multipart_upload(Bucket=self._bucket, Key=self._key, UploadId=self._upload_id)

    def __enter__(self) -> MultipartWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.complete()
        else:
            self.abort()
        super().close()


def s3_client(region: str) -> Any:
    import boto3
    from botocore.config import Config

    # Signature V4 for presigned URLs; path-style addressing works with moto's server and AWS alike.
    return boto3.client("s3", region_name=region, config=Config(signature_version="s3v4", max_pool_connections=32))


class S3ExportFiles:
    """CSV exports in the exports bucket under exports/<owner>/<export id>.csv."""

    def __init__(self, bucket: str, region: str) -> None:
        self._bucket = bucket
        self._s3 = s3_client(region)

    @staticmethod
    def key(owner: str, export_id: str) -> str:
        return f"exports/{owner}/{export_id}.csv"

    def write_lines(self, key: str, lines: Iterable[str], *, filename: str, metadata: dict[str, str]) -> int:
        """Streams text lines (UTF-8) into the object; returns the bytes written."""
        with MultipartWriter(self._s3, self._bucket, key, ContentType="text/csv; charset=utf-8",
                             ContentDisposition=f'attachment; filename="{filename}"', Metadata=metadata) as out:
            pending: list[bytes] = []
            size = 0
            for line in lines:
                data = line.encode("utf-8")
                pending.append(data)
                size += len(data)
                if size >= 256 * 1024:  # fewer, larger writes into the part buffer
                    out.write(b"".join(pending))
                    pending, size = [], 0
            if pending:
                out.write(b"".join(pending))
        return out.bytes_written

    @staticmethod
    def zip_key(owner: str, export_id: str) -> str:
        return f"exports/{owner}/{export_id}.zip"

    def write_zip(self, key: str, files: Iterable[tuple[str, Iterable[bytes]]], *, filename: str,
                  metadata: dict[str, str]) -> int:
        """Streams a zip of (name, chunks) members into the object: one member at a time, compressed as it
        goes, never the whole archive in memory (zipfile writes data descriptors on a stream it cannot seek)."""
        import zipfile

        with MultipartWriter(self._s3, self._bucket, key, ContentType="application/zip",
                             ContentDisposition=f'attachment; filename="{filename}"', Metadata=metadata) as out:
            with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for name, chunks in files:
                    with archive.open(name, "w", force_zip64=True) as member:
                        for chunk in chunks:
                            member.write(chunk)
        return out.bytes_written

    def exists(self, key: str) -> dict[str, str] | None:
        """The object's metadata, or None if there is no such export (or it has expired)."""
        from botocore.exceptions import ClientError

        try:
            return self._s3.head_object(Bucket=self._bucket, Key=key).get("Metadata", {})
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def download_url(self, key: str, now: datetime) -> tuple[str, datetime]:
        url = self._s3.generate_presigned_url("get_object", Params={"Bucket": self._bucket, "Key": key},
                                              ExpiresIn=DOWNLOAD_URL_SECONDS)
        return url, now + timedelta(seconds=DOWNLOAD_URL_SECONDS)



def returns_rows():
    """The returns repository as export rows (services.exports.ReturnRows), or None while the
    returns capability does not exist in this build."""
    try:
        from care_tracker.adapters import return_store  # noqa: F401
    except ImportError:
        return None
    return DynamoReturnRows()


class DynamoReturnRows:
    """Returns as flat CSV rows, read through the returns repository's model (adapters/return_store.py).

    - history: one Query per location (paged, 1 MB a page) over its saves;
    - month: the sparse `by_period` index for the month's locations, then BatchGetItem of the period
      items, 100 keys a request: about items/100 requests;
    - saved_between (the daily job): a Scan of the save items filtered on when they were saved.
    """

    def __init__(self) -> None:
        from care_tracker.rules.returns import FIGURES_MODELS

        figures: list[str] = []
        for model in FIGURES_MODELS.values():
            figures += [name for name in model.model_fields if name not in figures]
        self.columns = ["location_id", "location_name", "provider_id", "provider_name", "period", "care_type", "version",
                        "kind", "no_change", "copied_from", "saved_at", "saved_by", "saved_by_name", "in_window", *figures]

    @staticmethod
    def _named(rows):
        """Rows with the location's and provider's names beside their ids: one BatchGetItem of the
        locations per 100 new ones (each location read once per export)."""
        from care_tracker.adapters.location_store import LocationItem

        known: dict[str, tuple[str | None, str | None, str | None]] = {}
        pending: list[dict[str, Any]] = []

        def flush():
            wanted = list(dict.fromkeys(r["location_id"] for r in pending if r["location_id"] not in known))
            for item in LocationItem.batch_get(wanted) if wanted else ():
                known[item.location_id] = (item.name, item.org_id, item.provider_name)
            for row in pending:
                name, provider_id, provider_name = known.get(row["location_id"], (None, None, None))
                yield {**row, "location_name": name, "provider_id": provider_id, "provider_name": provider_name}
            pending.clear()

        for row in rows:
            pending.append(row)
            if len({r["location_id"] for r in pending} - set(known)) >= 100:
                yield from flush()
        yield from flush()

    @staticmethod
    def _row(saved: Any) -> dict[str, Any]:
        row = {"location_id": saved.location_id, "period": saved.period, "care_type": saved.care_type,
               "version": saved.version, "kind": saved.kind, "no_change": saved.no_change,
               "copied_from": saved.copied_from, "saved_at": saved.saved_at, "saved_by": saved.saved_by,
               "saved_by_name": saved.saved_by_name, "in_window": saved.in_window}
        row.update(saved.figures or {})
        return row

    def history(self, location_ids: list[str], period: str | None = None):
        return self._named(self._history(location_ids, period))

    def month(self, period: str):
        return self._named(self._month(period))

    def saved_between(self, start: datetime, end: datetime):
        return self._named(self._saved_between(start, end))

    def _history(self, location_ids: list[str], period: str | None = None):
        from care_tracker.adapters.return_store import PERIOD_PREFIX, ReturnRow, _saved, location_pk

        prefix = f"{PERIOD_PREFIX}{period}#SAVE#" if period else PERIOD_PREFIX
        for location_id in sorted(set(location_ids)):
            for item in ReturnRow.query(location_pk(location_id), ReturnRow.sk.startswith(prefix)):
                if item.record is not None:
                    yield self._row(_saved(item.location_id, item.period, item.care_type, item.record))

    def _month(self, period: str):
        from care_tracker.adapters.return_store import CARE_TYPE_ATTRS, ReturnRow, _saved, location_pk, period_sk

        client = ReturnRow._get_connection().connection.client
        table = ReturnRow.Meta.table_name
        keys: list[dict] = []

        def fetch(batch: list[dict]):
            pending: dict[str, Any] = {table: {"Keys": batch}}
            while pending:
                answer = client.batch_get_item(RequestItems=pending)
                rows = [ReturnRow.from_raw_data(raw) for raw in answer.get("Responses", {}).get(table, [])]
                for row in sorted(rows, key=lambda r: r.location_id):
                    for care_type in CARE_TYPE_ATTRS:
                        record = getattr(row, care_type)
                        if record is not None:
                            yield self._row(_saved(row.location_id, row.period, care_type, record))
                pending = answer.get("UnprocessedKeys") or {}

        for entry in ReturnRow.by_period.query(period):
            keys.append({"pk": {"S": location_pk(entry.location_id)}, "sk": {"S": period_sk(period)}})
            if len(keys) == 100:
                yield from fetch(keys)
                keys = []
        if keys:
            yield from fetch(keys)

    def _saved_between(self, start: datetime, end: datetime):
        from care_tracker.adapters.return_store import ReturnRow, _saved

        condition = ReturnRow.record.saved_at.between(start, end - timedelta(microseconds=1))
        for item in ReturnRow.scan(filter_condition=condition):
            yield self._row(_saved(item.location_id, item.period, item.care_type, item.record))

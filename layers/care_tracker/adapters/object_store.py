"""Files in S3."""
from __future__ import annotations

from collections.abc import Iterator

import boto3


class S3ObjectStore:
    def __init__(self, region: str) -> None:
        self._s3 = boto3.client("s3", region_name=region)

    def newest_key(self, bucket: str, prefix: str) -> str | None:
        newest = None
        for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                if newest is None or obj["LastModified"] > newest["LastModified"]:
                    newest = obj
        return newest["Key"] if newest else None

    def read_lines(self, bucket: str, key: str) -> Iterator[str]:
        """Streams a UTF-8 text object line by line, never holding the whole file."""
        body = self._s3.get_object(Bucket=bucket, Key=key)["Body"]
        for raw in body.iter_lines(keepends=True):
            yield raw.decode("utf-8")

    def read_text(self, bucket: str, key: str) -> str | None:
        """A small UTF-8 text object, or None if there is none."""
        try:
            return self._s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
        except self._s3.exceptions.NoSuchKey:
            return None

    def put_text(self, bucket: str, key: str, text: str) -> None:
        self._s3.put_object(Bucket=bucket, Key=key, Body=text.encode("utf-8"))

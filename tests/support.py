"""Helpers shared by the integration tests."""
from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from datetime import datetime

import botocore.client


class FixedClock:
    """The Clock port at a set instant (services take the clock; rules never read one)."""

    def __init__(self, now: datetime) -> None:
        self.at = now

    def now(self) -> datetime:
        return self.at


@contextlib.contextmanager
def dynamodb_requests() -> Iterator[Counter]:
    """Counts DynamoDB API calls by operation on every client (pynamodb's and boto3's, existing or new)."""
    calls: Counter = Counter()
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation, params):
        if self.meta.service_model.service_name == "dynamodb":
            calls[operation] += 1
        return original(self, operation, params)

    botocore.client.BaseClient._make_api_call = counting
    try:
        yield calls
    finally:
        botocore.client.BaseClient._make_api_call = original

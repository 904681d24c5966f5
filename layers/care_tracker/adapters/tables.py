"""Base for the PynamoDB models: table names and region come from settings, the endpoint from
botocore (AWS_ENDPOINT_URL_DYNAMODB points it at moto locally)."""
from __future__ import annotations

from pynamodb.models import Model

from care_tracker.config import settings


def table_meta(setting: str) -> type:
    s = settings()

    class Meta:
        table_name = getattr(s, setting)
        region = s.region

    return Meta


__all__ = ["Model", "table_meta"]

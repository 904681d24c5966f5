"""Base for the PynamoDB models: table names and region come from settings when first used (not
at import, so a model imported before the environment is set still finds its table), the
endpoint from botocore (AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL points it at moto locally)."""
from __future__ import annotations

from pynamodb.models import Model

from care_tracker.config import settings


class _FromSettings:
    def __init__(self, field: str) -> None:
        self._field = field

    def __get__(self, _instance, _owner) -> str:
        return getattr(settings(), self._field)


def table_meta(setting: str) -> type:
    class Meta:
        table_name = _FromSettings(setting)
        region = _FromSettings("region")

    return Meta


__all__ = ["Model", "table_meta"]

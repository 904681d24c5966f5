"""Base for the PynamoDB models: table names and region come from settings when first used (not
at import, so a model imported before the environment is set still finds its table), the
endpoint from botocore (AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL points it at moto locally)."""
from __future__ import annotations

from pynamodb.connection.base import MetaTable
from pynamodb.models import Model as _PynamoModel

from care_tracker.config import settings

# One botocore session and DynamoDB client for every model (PynamoDB makes one per model class, each
# with its own session that loads botocore's endpoint and service data again: ~60 ms a model on a
# cold start). Keyed by region and host; wiring.reset() clears it with the models' connections.
_SHARED: dict[tuple, object] = {}


def forget_connections() -> None:
    _SHARED.clear()


class Model(_PynamoModel):
    @classmethod
    def _get_connection(cls):
        fresh = cls._connection is None or cls._connection.table_name != cls.Meta.table_name
        table = super()._get_connection()
        if fresh:
            key = (cls.Meta.region, cls.Meta.host)
            shared = _SHARED.setdefault(key, table.connection)
            if shared is not table.connection:
                mine = table.connection.get_meta_table(table.table_name)
                known = shared._tables.get(table.table_name)
                shared._tables[table.table_name] = mine if known is None else _merged(known, mine)
                table.connection = shared
        return table


def _merged(known: MetaTable, mine: MetaTable) -> MetaTable:
    """One table's schema as every model on it declares it: models sharing a table (a suggestion and
    its votes) each declare only the indexes they query, and whichever is used first must not hide
    the other's indexes from the shared connection."""
    data = dict(known.data)
    for field, key in (("AttributeDefinitions", "AttributeName"), ("GlobalSecondaryIndexes", "IndexName"),
                       ("LocalSecondaryIndexes", "IndexName")):
        have = {entry[key] for entry in data.get(field) or []}
        data[field] = [*(data.get(field) or []), *(e for e in mine.data.get(field) or [] if e[key] not in have)]
    return MetaTable(data)


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

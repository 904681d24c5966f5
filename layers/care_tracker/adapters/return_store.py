"""Returns in DynamoDB (ReturnsTable, pk/sk).

Items of one location share the partition `LOC#<location_id>`:
- the period item, sk `PERIOD#<YYYY-MM>`: the current return of each care type (an attribute named
  after the care type holding the latest save, with its version), `saved_types` and
  `in_window_types` (care types with a save, and with a save inside the window). It carries
  `period_key`, so the sparse index `by_period` lists every location's period item for a month
  (what the reminder and compliance counting read; no scan).
- one history item per save, sk `PERIOD#<YYYY-MM>#SAVE#<care_type>#<version:08d>`: who, when, what.

- the latest item, sk `LATEST#<care_type>`: the location's latest return of that care type (the newest
  month's current save) with what commissioners need of the location (`place`: name, postcode,
  coordinates, nursing). It carries `authority` (CQC's local authority) and `authority_sort`
  (`<care_type>#<location_id>`), so the index `by_authority` lists an area's latest returns in one
  query, care homes alone with a `care_home#` prefix (RULES 1.5a; no scan).

A save is one TransactWrite of the period item (conditioned on the version it is based on), the
new history item (create-only) and, unless the save is for an older month than the latest one, the
latest item: whatever the history's length, nothing half-written, and a stale save is refused.
Reading what a save needs (the location, this month's period item, last month's, and the latest
item) is one BatchGetItem across the locations and returns tables.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import TransactWriteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.transactions import TransactWrite

from care_tracker.adapters.tables import Model, table_meta

PERIOD_PREFIX = "PERIOD#"


def location_pk(location_id: str) -> str:
    return f"LOC#{location_id}"


def period_sk(period: str) -> str:
    return f"{PERIOD_PREFIX}{period}"


def save_sk(period: str, care_type: str, version: int) -> str:
    return f"{PERIOD_PREFIX}{period}#SAVE#{care_type}#{version:08d}"


LATEST_PREFIX = "LATEST#"


def latest_sk(care_type: str) -> str:
    return f"{LATEST_PREFIX}{care_type}"


class SavedReturn(MapAttribute):
    """One save of one return."""

    version = NumberAttribute()
    kind = UnicodeAttribute()  # figures | nil
    figures = MapAttribute(null=True)  # the fields of RULES 1.5 (kind == figures)
    no_change = BooleanAttribute(default=False)
    copied_from = UnicodeAttribute(null=True)  # period copied by a no-change save
    saved_at = UTCDateTimeAttribute()
    saved_by = UnicodeAttribute()  # user id
    saved_by_name = UnicodeAttribute(null=True)
    in_window = BooleanAttribute()


class ReturnsByPeriod(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_period"
        projection = IncludeProjection(["location_id", "saved_types", "in_window_types"])

    period_key = UnicodeAttribute(hash_key=True)
    pk = UnicodeAttribute(range_key=True)


class ReturnsByAuthority(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_authority"
        projection = AllProjection()

    authority = UnicodeAttribute(hash_key=True)
    authority_sort = UnicodeAttribute(range_key=True)


class ReturnRow(Model):
    """Both kinds of item (period item, history item) share this model; unused attributes are absent."""

    Meta = table_meta("returns_table")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    location_id = UnicodeAttribute()
    period = UnicodeAttribute()
    # period item
    period_key = UnicodeAttribute(null=True)
    care_home = SavedReturn(null=True)
    home_care = SavedReturn(null=True)
    supported_living = SavedReturn(null=True)
    saved_types = UnicodeSetAttribute(null=True)
    in_window_types = UnicodeSetAttribute(null=True)
    # history item
    care_type = UnicodeAttribute(null=True)
    record = SavedReturn(null=True)
    # latest item (not `record`: readers of history items find those by `record`)
    latest = SavedReturn(null=True)
    authority = UnicodeAttribute(null=True)
    authority_sort = UnicodeAttribute(null=True)
    place = MapAttribute(null=True)
    by_period = ReturnsByPeriod()
    by_authority = ReturnsByAuthority()


@dataclass
class Saved:
    """A save, as the service sees it."""

    location_id: str
    period: str
    care_type: str
    version: int
    kind: str
    figures: dict[str, Any] | None
    no_change: bool
    copied_from: str | None
    saved_at: datetime
    saved_by: str
    saved_by_name: str | None
    in_window: bool


@dataclass
class PeriodState:
    location_id: str
    period: str
    current: dict[str, Saved] = field(default_factory=dict)  # care type -> latest save
    in_window_types: set[str] = field(default_factory=set)


@dataclass
class LocationInfo:
    location_id: str
    org_id: str | None
    name: str
    care_types: list[str]
    status: str | None
    registered_on: str | None = None
    local_authority: str | None = None
    place: dict[str, Any] = field(default_factory=dict)  # what the latest item copies (see module docstring)
    latest: dict[str, str] = field(default_factory=dict)  # care type -> month of its latest item, when read


class StaleVersion(Exception):
    """The return changed since the version the save was based on."""


CARE_TYPE_ATTRS = ("care_home", "home_care", "supported_living")


def _plain(value: Any) -> Any:
    """Raw map values as plain JSON types (DynamoDB numbers arrive as int, float or Decimal)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "as_integer_ratio") and not isinstance(value, (bool, int)):
        return int(value) if value == int(value) else float(value)
    return value


def _saved(location_id: str, period: str, care_type: str, rec: SavedReturn) -> Saved:
    figures = rec.figures.as_dict() if isinstance(rec.figures, MapAttribute) else rec.figures
    return Saved(location_id=location_id, period=period, care_type=care_type, version=int(rec.version), kind=rec.kind,
                 figures=_plain(figures) if figures is not None else None, no_change=bool(rec.no_change),
                 copied_from=rec.copied_from, saved_at=rec.saved_at, saved_by=rec.saved_by,
                 saved_by_name=rec.saved_by_name, in_window=bool(rec.in_window))


def _record(s: Saved) -> SavedReturn:
    return SavedReturn(version=s.version, kind=s.kind, figures=s.figures, no_change=s.no_change, copied_from=s.copied_from,
                       saved_at=s.saved_at, saved_by=s.saved_by, saved_by_name=s.saved_by_name, in_window=s.in_window)


def _state(row: ReturnRow) -> PeriodState:
    state = PeriodState(row.location_id, row.period, in_window_types=set(row.in_window_types or ()))
    for ct in CARE_TYPE_ATTRS:
        rec = getattr(row, ct)
        if rec is not None:
            state.current[ct] = _saved(row.location_id, row.period, ct, rec)
    return state


PLACE_FIELDS = ("name", "provider_name", "org_id", "postcode", "postcode_key", "latitude", "longitude", "nursing", "beds",
                "status")


def _location(item) -> LocationInfo:
    values = item.attribute_values
    return LocationInfo(location_id=item.location_id, org_id=item.org_id, name=item.name,
                        care_types=list(item.care_types or []), status=item.status,
                        registered_on=getattr(item, "registered_on", None), local_authority=values.get("local_authority"),
                        place={k: values[k] for k in PLACE_FIELDS if values.get(k) is not None})


@dataclass
class Latest:
    """A location's latest return of one care type, with the location's facts as saved beside it."""

    location_id: str
    care_type: str
    local_authority: str
    place: dict[str, Any]
    saved: Saved


def _latest(row: ReturnRow) -> Latest:
    place = row.place.as_dict() if isinstance(row.place, MapAttribute) else (row.place or {})
    return Latest(row.location_id, row.care_type, row.authority, _plain(place),
                  _saved(row.location_id, row.period, row.care_type, row.latest))


class DynamoReturnStore:
    def __init__(self) -> None:
        from care_tracker.adapters.location_store import LocationItem

        self._locations = LocationItem

    # --- reads ------------------------------------------------------------------------------------
    def read(self, location_ids: Iterable[str], period_keys: Iterable[tuple[str, str]],
             latest: Iterable[tuple[str, str]] = ()) -> tuple[dict[str, LocationInfo], dict[tuple[str, str], PeriodState]]:
        """Locations and period items in as few BatchGetItem requests as possible (100 keys each),
        across both tables; with `latest` ((location, care type) pairs), the month of each one's latest
        item too, in `LocationInfo.latest` (what a save needs to know whether it is the newest)."""
        location_ids = list(dict.fromkeys(location_ids))
        period_keys = list(dict.fromkeys(period_keys))
        latest_keys = [(lid, latest_sk(ct)) for lid, ct in dict.fromkeys(latest)]
        loc_table = self._locations.Meta.table_name
        ret_table = ReturnRow.Meta.table_name
        keys: list[tuple[str, dict]] = [(loc_table, {"location_id": {"S": lid}}) for lid in location_ids]
        keys += [(ret_table, {"pk": {"S": location_pk(lid)}, "sk": {"S": period_sk(p)}}) for lid, p in period_keys]
        keys += [(ret_table, {"pk": {"S": location_pk(lid)}, "sk": {"S": sk}}) for lid, sk in latest_keys]
        locations: dict[str, LocationInfo] = {}
        periods: dict[tuple[str, str], PeriodState] = {}
        latest_periods: dict[str, dict[str, str]] = {}
        client = ReturnRow._get_connection().connection.client
        for start in range(0, len(keys), 100):
            pending: dict[str, Any] = {}
            for table, key in keys[start:start + 100]:
                pending.setdefault(table, {"Keys": [], "ConsistentRead": True})["Keys"].append(key)
            while pending:
                answer = client.batch_get_item(RequestItems=pending)
                for raw in answer.get("Responses", {}).get(loc_table, []):
                    item = self._locations.from_raw_data(raw)
                    locations[item.location_id] = _location(item)
                for raw in answer.get("Responses", {}).get(ret_table, []):
                    row = ReturnRow.from_raw_data(raw)
                    if row.sk.startswith(LATEST_PREFIX):
                        latest_periods.setdefault(row.location_id, {})[row.care_type] = row.period
                    else:
                        periods[(row.location_id, row.period)] = _state(row)
                pending = answer.get("UnprocessedKeys") or {}
        for lid, found in latest_periods.items():
            if lid in locations:
                locations[lid].latest = found
        return locations, periods

    def refresh_latest(self, location_id: str, location: dict | None) -> int:
        """After CQC's file changed a location (`location`: its new item; None or deregistered: gone), its
        latest items carry its new place and area; a deregistered location's leave the by_authority
        index, so no commissioner is sent to a closed home. 1 Query, then 1 UpdateItem per care type."""
        rows = list(ReturnRow.query(location_pk(location_id), ReturnRow.sk.startswith(LATEST_PREFIX),
                                    attributes_to_get=["pk", "sk", "care_type"]))
        gone = location is None or location.get("status") == "deregistered" or not location.get("local_authority")
        place = {k: location[k] for k in PLACE_FIELDS if location.get(k) is not None} if location else None
        for row in rows:
            actions = [ReturnRow.authority.remove(), ReturnRow.authority_sort.remove()] if gone else [
                ReturnRow.authority.set(location["local_authority"]),
                ReturnRow.authority_sort.set(f"{row.care_type}#{location_id}")]
            if place is not None:
                actions.append(ReturnRow.place.set(place))
            ReturnRow(row.pk, row.sk).update(actions=actions, condition=ReturnRow.sk.exists())
        return len(rows)

    def latest_in_authority(self, authority: str, care_type: str | None = None) -> list[Latest]:
        """An area's latest returns (of one care type, or all): one Query of by_authority (paged at 1 MB,
        about 1,500 care homes a page)."""
        condition = ReturnRow.authority_sort.startswith(f"{care_type}#") if care_type else None
        return [_latest(row) for row in ReturnRow.by_authority.query(authority, condition)]

    def latest_of_location(self, location_id: str) -> list[Latest]:
        """A location's latest return of each care type: one Query."""
        return [_latest(row) for row in ReturnRow.query(location_pk(location_id), ReturnRow.sk.startswith(LATEST_PREFIX))
                if row.authority]

    def locations_of_org(self, org_id: str) -> dict[str, LocationInfo]:
        return {item.location_id: _location(item) for item in self._locations.by_org.query(org_id)}

    def period_with_history(self, location_id: str, period: str) -> tuple[PeriodState | None, list[Saved]]:
        """The period item and every save of that month: one query."""
        state, history = None, []
        for row in ReturnRow.query(location_pk(location_id), ReturnRow.sk.startswith(period_sk(period)),
                                   consistent_read=True):
            if row.sk == period_sk(period):
                state = _state(row)
            elif row.record is not None:
                history.append(_saved(row.location_id, row.period, row.care_type, row.record))
        history.sort(key=lambda s: (s.care_type, s.version))
        return state, history

    def latest_before(self, location_id: str, care_type: str, period: str) -> Saved | None:
        """The current return of `care_type` in the latest month before `period` (newest first, so it
        usually stops on the first page)."""
        rows = ReturnRow.query(location_pk(location_id), ReturnRow.sk < period_sk(period), scan_index_forward=False,
                               filter_condition=getattr(ReturnRow, care_type).exists(), page_size=50)
        for row in rows:
            rec = getattr(row, care_type)
            if rec is not None and row.sk == period_sk(row.period):
                return _saved(row.location_id, row.period, care_type, rec)
        return None

    def done_by_location(self, period: str) -> dict[str, tuple[set[str], set[str]]]:
        """For a month: location -> (care types saved, care types saved inside the window), from the
        sparse by_period index (one query, paged)."""
        found: dict[str, tuple[set[str], set[str]]] = {}
        for row in ReturnRow.by_period.query(period):
            found[row.location_id] = (set(row.saved_types or ()), set(row.in_window_types or ()))
        return found

    # --- the write ------------------------------------------------------------------------------------
    def save(self, saved: Saved, based_on: int | None, location: LocationInfo | None = None) -> None:
        """Writes the save as the current return and as a history item, in one transaction.
        StaleVersion if the current version is not `based_on` (None: there must be none yet).
        With `location` (read with its latest months), the latest item too, unless a newer month's
        return is the latest; a newer month saved meanwhile is a StaleVersion as well."""
        attr = getattr(ReturnRow, saved.care_type)
        period_item = ReturnRow(location_pk(saved.location_id), period_sk(saved.period))
        actions = [
            ReturnRow.location_id.set(saved.location_id), ReturnRow.period.set(saved.period),
            ReturnRow.period_key.set(saved.period), attr.set(_record(saved)),
            ReturnRow.saved_types.add({saved.care_type}),
        ]
        if saved.in_window:
            actions.append(ReturnRow.in_window_types.add({saved.care_type}))
        condition = attr.does_not_exist() if based_on is None else (attr.version == based_on)
        history = ReturnRow(location_pk(saved.location_id), save_sk(saved.period, saved.care_type, saved.version),
                            location_id=saved.location_id, period=saved.period, care_type=saved.care_type,
                            record=_record(saved))
        try:
            with TransactWrite(connection=ReturnRow._get_connection().connection) as tx:
                tx.update(period_item, actions=actions, condition=condition)
                tx.save(history, condition=ReturnRow.sk.does_not_exist())
                if location is not None and location.local_authority \
                        and saved.period >= location.latest.get(saved.care_type, ""):
                    tx.update(ReturnRow(location_pk(saved.location_id), latest_sk(saved.care_type)), actions=[
                        ReturnRow.location_id.set(saved.location_id), ReturnRow.period.set(saved.period),
                        ReturnRow.care_type.set(saved.care_type), ReturnRow.latest.set(_record(saved)),
                        ReturnRow.authority.set(location.local_authority),
                        ReturnRow.authority_sort.set(f"{saved.care_type}#{saved.location_id}"),
                        ReturnRow.place.set(location.place),
                    ], condition=ReturnRow.sk.does_not_exist() | (ReturnRow.period <= saved.period))
        except TransactWriteError as exc:
            reasons = [getattr(r, "code", None) for r in (exc.cancellation_reasons or [])]
            if "ConditionalCheckFailed" in reasons:
                raise StaleVersion() from exc
            raise

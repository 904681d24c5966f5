"""Compliance in DynamoDB (ComplianceTable, pk/sk).

- `LOC#<location>` / `STATE`: one item per location with its whole compliance history (`history`,
  JSON: period -> status, figures, stage, care types accepted late) and what the reports need
  (org, name, local authority, region, public body, latest figures). A location's page is one
  GetItem; an organisation's is one Query of `by_org`; the locations at risk for a month are one
  Query of the sparse `by_risk` index (`risk_period` is set only while the latest stage is at_risk
  or eligible). `version` guards corrections against stale writes.
- `WINDOW#<period>` / `ALL` | `LA#<name>` | `REGION#<name>`: the window's aggregates (expected,
  completed, missed, not_due): the window report is one Query.
- `CORR#<period>` / `<location>#<care_type>`: a late return the support team accepted (who, when, why).
- `TASK#<period>` / `<location>#<action>`: an escalation step taken (support task, email, case); its
  existence is what stops a second run from acting twice.
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.transactions import TransactWrite

from care_tracker.adapters.tables import Model, table_meta
from care_tracker.adapters.window_store import DynamoWindowStore, WindowRow, job_pk
from care_tracker.errors import Conflict
from care_tracker.services.compliance import LocationCompliance

# One lease for every count (a location's state item holds all its months): (job, period) in the windows table.
COUNTING_LEASE = ("count_compliance", "ALL")
COUNTING_LEASE_TIME = timedelta(minutes=15)  # a Lambda's longest run

STATE = "STATE"


class ByRisk(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_risk"
        projection = AllProjection()

    risk_period = UnicodeAttribute(hash_key=True)
    location_id = UnicodeAttribute(range_key=True)


class ByOrg(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_org"
        projection = AllProjection()

    org_id = UnicodeAttribute(hash_key=True)
    location_id = UnicodeAttribute(range_key=True)


class ByAuthority(GlobalSecondaryIndex):
    """A commissioner's area (RULES 1.5a): which of its locations missed a window, in one query."""

    class Meta:
        index_name = "by_authority"
        projection = AllProjection()

    local_authority = UnicodeAttribute(hash_key=True)
    location_id = UnicodeAttribute(range_key=True)


class ComplianceItem(Model):
    Meta = table_meta("compliance_table")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    # STATE items
    location_id = UnicodeAttribute(null=True)
    org_id = UnicodeAttribute(null=True)
    risk_period = UnicodeAttribute(null=True)
    local_authority = UnicodeAttribute(null=True)  # STATE items: for by_authority
    data = UnicodeAttribute(null=True)  # JSON: the location's facts and history
    version = NumberAttribute(null=True)
    # WINDOW aggregates
    expected = NumberAttribute(null=True)
    completed = NumberAttribute(null=True)
    missed = NumberAttribute(null=True)
    not_due = NumberAttribute(null=True)
    # CORR and TASK items
    detail = UnicodeAttribute(null=True)  # JSON
    by_risk = ByRisk()
    by_org = ByOrg()
    by_authority = ByAuthority()


RISK_STAGES = ("at_risk", "eligible")


def _from_item(item: ComplianceItem) -> LocationCompliance:
    return LocationCompliance.from_data(item.location_id, item.org_id, item.data, int(item.version or 0))


def _risk_period(state: LocationCompliance) -> str | None:
    latest = state.latest()
    return latest[0] if latest and latest[1]["stage"] in RISK_STAGES else None


def _to_item(state: LocationCompliance, version: int) -> ComplianceItem:
    return ComplianceItem(f"LOC#{state.location_id}", STATE, location_id=state.location_id, org_id=state.org_id,
                          risk_period=_risk_period(state), local_authority=state.local_authority or None,
                          data=state.to_data(), version=version)


class DynamoComplianceStore:
    # --- location states ---------------------------------------------------------------------------
    def all_states(self) -> Iterator[LocationCompliance]:
        """Every location's state: a Scan filtered to STATE items (the counting job only, never a
        request path)."""
        for item in ComplianceItem.scan(ComplianceItem.sk == STATE):
            yield _from_item(item)

    def all_states_raw(self) -> dict[str, tuple[str | None, str, int]]:
        """location -> (org, history JSON, version) of every STATE item, left unparsed so that 30,000
        histories fit in little memory; `parse` one at a time."""
        return {item.location_id: (item.org_id, item.data or "{}", int(item.version or 0))
                for item in ComplianceItem.scan(ComplianceItem.sk == STATE)}

    @staticmethod
    def parse(location_id: str, raw: tuple[str | None, str, int]) -> LocationCompliance:
        return LocationCompliance.from_data(location_id, *raw)

    @contextmanager
    def state_writer(self) -> Iterator[Callable[[LocationCompliance], None]]:
        """A function that queues a whole STATE item for writing (BatchWrite, 25 a request)."""
        with ComplianceItem.batch_write() as batch:
            yield lambda state: batch.save(_to_item(state, state.version + 1))

    def get(self, location_id: str) -> LocationCompliance | None:
        try:
            return _from_item(ComplianceItem.get(f"LOC#{location_id}", STATE, consistent_read=True))
        except ComplianceItem.DoesNotExist:
            return None

    def of_organisation(self, org_id: str) -> list[LocationCompliance]:
        return [_from_item(i) for i in ComplianceItem.by_org.query(org_id)]

    def in_local_authority(self, name: str) -> list[LocationCompliance]:
        """Every counted location of a local authority: one Query of by_authority (paged)."""
        return [_from_item(item) for item in ComplianceItem.by_authority.query(name)]

    def at_risk(self, period: str) -> list[LocationCompliance]:
        return [_from_item(i) for i in ComplianceItem.by_risk.query(period)]

    def put_states(self, states: Iterable[LocationCompliance]) -> int:
        """Batch-writes whole STATE items (25 a request); the counting job's write. Returns how many."""
        count = 0
        with ComplianceItem.batch_write() as batch:
            for state in states:
                batch.save(_to_item(state, state.version + 1))
                count += 1
        return count

    # --- aggregates ------------------------------------------------------------------------------------
    def put_window(self, period: str, groups: dict[str, dict[str, int]]) -> None:
        """groups: "ALL" | "LA#<name>" | "REGION#<name>" -> counts. Replaces the window's aggregates."""
        existing = self.window(period)
        with ComplianceItem.batch_write() as batch:
            for key, counts in groups.items():
                values = {k: int(counts.get(k, 0)) for k in ("expected", "completed", "missed", "not_due")}
                if existing.get(key) != values:  # a re-run writes nothing
                    batch.save(ComplianceItem(f"WINDOW#{period}", key, **values))
            for stale in set(existing) - set(groups):
                batch.delete(ComplianceItem(f"WINDOW#{period}", stale))

    def window(self, period: str) -> dict[str, dict[str, int]]:
        """The window's aggregates: one Query (paged only past 1 MB, some thousands of groups)."""
        return {i.sk: {k: int(getattr(i, k) or 0) for k in ("expected", "completed", "missed", "not_due")}
                for i in ComplianceItem.query(f"WINDOW#{period}")}

    # --- corrections -----------------------------------------------------------------------------------
    def corrections(self, period: str) -> dict[str, dict[str, dict]]:
        """location -> care type -> {reason, by, at}: one Query."""
        found: dict[str, dict[str, dict]] = {}
        for item in ComplianceItem.query(f"CORR#{period}"):
            location_id, _, care_type = item.sk.rpartition("#")
            found.setdefault(location_id, {})[care_type] = json.loads(item.detail or "{}")
        return found

    @contextmanager
    def counting(self, now: datetime) -> Iterator[bool]:
        """Holds the counting lease (in the windows table) while a count reads and rewrites every
        location's state; yields False when another count holds it. A count's batch writes cannot
        be conditional, so corrections check this lease instead (save_correction)."""
        owner = uuid.uuid4().hex
        leases = DynamoWindowStore()
        held = leases.take_lease(*COUNTING_LEASE, owner, now, now + COUNTING_LEASE_TIME)
        try:
            yield held
        finally:
            if held:
                leases.release_lease(*COUNTING_LEASE, owner)

    def save_correction(self, period: str, state: LocationCompliance, care_type: str, detail: dict,
                        window_deltas: dict[str, dict[str, int]], now: datetime) -> None:
        """In one transaction: the correction record, the location's recounted state (only if
        nobody changed it since it was read, and no count is running that would overwrite it: else
        Conflict) and the window aggregates' deltas."""
        conn = ComplianceItem._get_connection().connection
        item = _to_item(state, state.version + 1)
        try:
            with TransactWrite(connection=conn) as tx:
                tx.condition_check(WindowRow, job_pk(*COUNTING_LEASE), "LEASE",
                                   condition=WindowRow.pk.does_not_exist() | (WindowRow.lease_until < now))
                tx.save(ComplianceItem(f"CORR#{period}", f"{state.location_id}#{care_type}", detail=json.dumps(detail)),
                        condition=ComplianceItem.sk.does_not_exist())
                condition = (ComplianceItem.version == state.version) if state.version else ComplianceItem.pk.does_not_exist()
                tx.save(item, condition=condition)
                for key, deltas in window_deltas.items():
                    actions = [getattr(ComplianceItem, k).add(v) for k, v in deltas.items() if v]
                    if actions:
                        tx.update(ComplianceItem(f"WINDOW#{period}", key), actions=actions)
        except TransactWriteError as exc:
            raise Conflict("This location's compliance is being counted right now, changed while the correction was "
                           "being recorded, or the correction exists already. Reload and try again in a few minutes.",
                           code="stale_compliance") from exc
        state.version += 1

    # --- escalation tasks ------------------------------------------------------------------------------
    def tasks(self, period: str) -> dict[tuple[str, str], dict]:
        return {tuple(i.sk.rsplit("#", 1)): json.loads(i.detail or "{}")  # type: ignore[misc]
                for i in ComplianceItem.query(f"TASK#{period}")}

    def put_tasks(self, period: str, tasks: dict[tuple[str, str], dict]) -> None:
        with ComplianceItem.batch_write() as batch:
            for (location_id, action), detail in tasks.items():
                batch.save(ComplianceItem(f"TASK#{period}", f"{location_id}#{action}", detail=json.dumps(detail, sort_keys=True)))


class DynamoCountingInputs:
    """What the counting job reads in bulk besides compliance: every location (a projected Scan of
    the locations table) and, only when there is mail to send, every account (a projected Scan)."""

    LOCATION_FIELDS = ("location_id", "org_id", "name", "status", "care_types", "registered_on", "deregistered_on",
                       "local_authority", "region", "public_body")

    def locations(self) -> Iterator[dict[str, Any]]:
        from care_tracker.adapters.location_store import LocationItem

        yield from _projected_scan(LocationItem, self.LOCATION_FIELDS)

    def accounts(self) -> Iterator[dict[str, Any]]:
        from care_tracker.adapters.user_store import UserItem

        yield from _projected_scan(UserItem, ("user_id", "email", "org_id", "location_ids", "roles", "active"))


def _projected_scan(model, fields: Iterable[str]) -> Iterator[dict[str, Any]]:
    conn = model._get_connection()
    names = {f"#f{i}": name for i, name in enumerate(fields)}
    start = None
    while True:
        page = conn.connection.client.scan(TableName=model.Meta.table_name, ProjectionExpression=", ".join(names),
                                            ExpressionAttributeNames=names, **({"ExclusiveStartKey": start} if start else {}))
        for raw in page.get("Items", []):
            yield {k: _plain(v) for k, v in raw.items()}
        start = page.get("LastEvaluatedKey")
        if not start:
            return


def _plain(value: dict) -> Any:
    (kind, inner), = value.items()
    if kind in ("S", "BOOL"):
        return inner
    if kind == "N":
        return int(inner) if inner.lstrip("-").isdigit() else float(inner)
    if kind == "NULL":
        return None
    if kind == "L":
        return [_plain(v) for v in inner]
    if kind == "SS":
        return list(inner)
    if kind == "M":
        return {k: _plain(v) for k, v in inner.items()}
    return inner

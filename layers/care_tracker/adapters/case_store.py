"""Enforcement cases in DynamoDB (CasesTable, pk/sk).

- `CASE#<id>` / `CASE`: the case (state, organisation, locations and months, dates, penalty, the
  log of every step as JSON) with `version`: every change is conditional on the version read, so
  a stale change is a 409. Indexed by `state` (cases by state: one Query each) and by `org_id`.
- `ORG#<org>` / `ACTIVE`: the claim that makes "one active case per organisation" hold: created
  with the case (create-only, same transaction) and deleted in the transaction that withdraws or
  closes it.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.transactions import TransactWrite

from care_tracker.adapters.tables import Model, table_meta
from care_tracker.errors import Conflict
from care_tracker.rules.enforcement import Case, CaseState, CaseStep


class CasesByState(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_state"
        projection = AllProjection()

    state = UnicodeAttribute(hash_key=True)
    opened_at = UnicodeAttribute(range_key=True)


class CasesByOrg(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_org"
        projection = AllProjection()

    org_id = UnicodeAttribute(hash_key=True)
    opened_at = UnicodeAttribute(range_key=True)


class CaseItem(Model):
    Meta = table_meta("cases_table")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    case_id = UnicodeAttribute(null=True)
    org_id = UnicodeAttribute(null=True)
    state = UnicodeAttribute(null=True)
    opened_at = UnicodeAttribute(null=True)
    data = UnicodeAttribute(null=True)
    version = NumberAttribute(null=True)
    by_state = CasesByState()
    by_org = CasesByOrg()


def _data(case: Case) -> str:
    return json.dumps({
        "locations": {k: list(v) for k, v in sorted(case.locations.items())},
        "log": [s.as_dict() for s in case.log],
        "notice_issued_on": case.notice_issued_on.isoformat() if case.notice_issued_on else None,
        "representations_due": case.representations_due.isoformat() if case.representations_due else None,
        "penalty_pence": case.penalty_pence,
    }, separators=(",", ":"))


def _case(item: CaseItem) -> tuple[Case, int]:
    data = json.loads(item.data)
    log = tuple(CaseStep(s["action"], s["from_state"], s["to_state"], s["by"], datetime.fromisoformat(s["at"]), s["reason"],
                         s.get("details") or {}) for s in data["log"])
    case = Case(item.case_id, item.org_id, CaseState(item.state), datetime.fromisoformat(item.opened_at),
                {k: tuple(v) for k, v in data["locations"].items()}, log,
                date.fromisoformat(data["notice_issued_on"]) if data.get("notice_issued_on") else None,
                date.fromisoformat(data["representations_due"]) if data.get("representations_due") else None,
                data.get("penalty_pence"))
    return case, int(item.version or 0)


def _item(case: Case, version: int) -> CaseItem:
    return CaseItem(f"CASE#{case.case_id}", "CASE", case_id=case.case_id, org_id=case.org_id, state=case.state.value,
                    opened_at=case.opened_at.isoformat(), data=_data(case), version=version)


class DynamoCaseStore:
    def get(self, case_id: str) -> tuple[Case, int] | None:
        try:
            return _case(CaseItem.get(f"CASE#{case_id}", "CASE", consistent_read=True))
        except CaseItem.DoesNotExist:
            return None

    def active_case_id(self, org_id: str) -> str | None:
        try:
            return CaseItem.get(f"ORG#{org_id}", "ACTIVE", consistent_read=True).case_id
        except CaseItem.DoesNotExist:
            return None

    def create(self, case: Case) -> bool:
        """Creates the case and its organisation's claim; False if the organisation has an active case."""
        conn = CaseItem._get_connection().connection
        try:
            with TransactWrite(connection=conn) as tx:
                tx.save(CaseItem(f"ORG#{case.org_id}", "ACTIVE", case_id=case.case_id), condition=CaseItem.pk.does_not_exist())
                tx.save(_item(case, 1), condition=CaseItem.pk.does_not_exist())
        except TransactWriteError:
            return False
        return True

    def update(self, case: Case, version: int, release_claim: bool = False) -> int:
        """Stores the changed case if it is still at `version` (Conflict otherwise); with
        `release_claim` (the case just stopped being active) deletes the organisation's claim in the
        same transaction. Returns the new version."""
        conn = CaseItem._get_connection().connection
        try:
            with TransactWrite(connection=conn) as tx:
                tx.save(_item(case, version + 1), condition=CaseItem.version == version)
                if release_claim:
                    tx.delete(CaseItem(f"ORG#{case.org_id}", "ACTIVE"), condition=CaseItem.case_id == case.case_id)
        except TransactWriteError as exc:
            raise Conflict("Someone changed this case since you read it. Reload it and try again.", code="stale_case") from exc
        return version + 1

    def by_state(self, state: str) -> Iterator[tuple[Case, int]]:
        for item in CaseItem.by_state.query(state):
            yield _case(item)

    def of_organisation(self, org_id: str) -> list[tuple[Case, int]]:
        return [_case(i) for i in CaseItem.by_org.query(org_id)]

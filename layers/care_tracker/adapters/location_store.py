"""Organisations and locations in DynamoDB.

Only an active location has a `postcode_key` (it is removed when the location turns dormant or is
deregistered), so the by_postcode index holds active locations only and a postcode search is one
query. Each item keeps a `digest` of what the CQC file said, so the import writes only changes.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from care_tracker.adapters.tables import Model, table_meta


class LocationsByPostcode(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_postcode"
        projection = AllProjection()

    postcode_key = UnicodeAttribute(hash_key=True)
    location_id = UnicodeAttribute(range_key=True)


class LocationsByOrg(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_org"
        projection = AllProjection()

    org_id = UnicodeAttribute(hash_key=True)
    location_id = UnicodeAttribute(range_key=True)


class LocationsByAuthority(GlobalSecondaryIndex):
    """Locations by CQC's `Location Local Authority`: a commissioner's area, and whether a name is one."""

    class Meta:
        index_name = "by_authority"
        projection = AllProjection()

    local_authority = UnicodeAttribute(hash_key=True)
    location_id = UnicodeAttribute(range_key=True)


class OrganisationItem(Model):
    Meta = table_meta("organisations_table")
    org_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    public_body = BooleanAttribute(null=True)
    contact_email = UnicodeAttribute(null=True)
    first_approver_id = UnicodeAttribute(null=True)


class LocationItem(Model):
    Meta = table_meta("locations_table")
    location_id = UnicodeAttribute(hash_key=True)
    org_id = UnicodeAttribute()
    provider_name = UnicodeAttribute(null=True)
    name = UnicodeAttribute()
    address_lines = ListAttribute(of=UnicodeAttribute, default=list)
    town = UnicodeAttribute(null=True)
    county = UnicodeAttribute(null=True)
    postcode = UnicodeAttribute()
    postcode_key = UnicodeAttribute(null=True)
    local_authority = UnicodeAttribute(null=True)
    region = UnicodeAttribute(null=True)
    care_types = ListAttribute(of=UnicodeAttribute)
    nursing = BooleanAttribute(default=False)
    beds = NumberAttribute(null=True)
    status = UnicodeAttribute()  # active | dormant | deregistered
    registered_on = UnicodeAttribute(null=True)
    deregistered_on = UnicodeAttribute(null=True)
    public_body = BooleanAttribute(null=True)
    digest = UnicodeAttribute(null=True)
    latitude = NumberAttribute(null=True)  # CQC's Location Latitude / Longitude (WGS84 degrees)
    longitude = NumberAttribute(null=True)
    by_postcode = LocationsByPostcode()
    by_org = LocationsByOrg()
    by_authority = LocationsByAuthority()


_KNOWN = ("location_id", "org_id", "status", "digest")


class DynamoLocationDirectory:
    """Scans here are for the import job only (never on a request path)."""

    def organisations(self) -> dict[str, dict]:
        return {item.org_id: item.attribute_values for item in OrganisationItem.scan()}

    def locations(self) -> dict[str, dict]:
        return {item.location_id: item.attribute_values for item in LocationItem.scan()}

    def known_locations(self) -> Iterator[tuple[str, str, str, str | None]]:
        """(location id, org id, status, digest) of every stored location: a projected scan, so the
        import holds four short strings per location rather than whole items."""
        conn = LocationItem._get_connection()
        start = None
        while True:
            page = conn.scan(attributes_to_get=list(_KNOWN), exclusive_start_key=start)
            for raw in page.get("Items", []):
                yield tuple((raw.get(k) or {}).get("S") for k in _KNOWN)  # type: ignore[misc]
            start = page.get("LastEvaluatedKey")
            if not start:
                return

    def organisation(self, org_id: str) -> dict | None:
        try:
            return OrganisationItem.get(org_id).attribute_values
        except OrganisationItem.DoesNotExist:
            return None

    def get_locations(self, location_ids: Iterable[str]) -> dict[str, dict]:
        """One BatchGet per 100 ids."""
        return {item.location_id: item.attribute_values for item in LocationItem.batch_get(list(dict.fromkeys(location_ids)))}

    def names(self, org_id: str | None, location_ids: Iterable[str]) -> tuple[str | None, dict[str, str]]:
        """The organisation's name and each location's: one BatchGetItem over both tables (100 keys a
        request), only the names read."""
        client = LocationItem._get_connection().connection.client
        orgs, locs = OrganisationItem.Meta.table_name, LocationItem.Meta.table_name
        keys = [(orgs, {"org_id": {"S": org_id}})] if org_id else []
        keys += [(locs, {"location_id": {"S": lid}}) for lid in dict.fromkeys(location_ids)]
        org_name, found = None, {}
        for start in range(0, len(keys), 100):
            pending: dict = {}
            for table, key in keys[start:start + 100]:
                pending.setdefault(table, {"Keys": [], "ProjectionExpression": "#n, " + ("org_id" if table == orgs else "location_id"),
                                           "ExpressionAttributeNames": {"#n": "name"}})["Keys"].append(key)
            while pending:
                answer = client.batch_get_item(RequestItems=pending)
                for raw in answer.get("Responses", {}).get(orgs, []):
                    org_name = raw.get("name", {}).get("S")
                for raw in answer.get("Responses", {}).get(locs, []):
                    found[raw["location_id"]["S"]] = raw.get("name", {}).get("S")
                pending = answer.get("UnprocessedKeys") or {}
        return org_name, found

    def of_organisation(self, org_id: str) -> list[dict]:
        return [item.attribute_values for item in LocationItem.by_org.query(org_id)]

    def at_postcode(self, key: str) -> list[dict]:
        """Active locations at a postcode key: one Query of the sparse index."""
        return [item.attribute_values for item in LocationItem.by_postcode.query(key)]

    def has_local_authority(self, name: str) -> bool:
        """Whether any location lists `name` (exactly, as CQC writes it) as its local authority: one Query."""
        return any(True for _ in LocationItem.by_authority.query(name, limit=1))

    def in_local_authority(self, name: str) -> list[dict]:
        """Every location of a local authority, whatever its status: one Query (paged)."""
        return [item.attribute_values for item in LocationItem.by_authority.query(name)]

    def write(self, organisations: Iterable[dict], locations: Iterable[dict]) -> int:
        """Batch-writes whole items (25 a request), streaming; returns how many were written."""
        count = 0
        for model, rows in ((OrganisationItem, organisations), (LocationItem, locations)):
            with model.batch_write() as batch:
                for row in rows:
                    batch.save(model(**row))
                    count += 1
        return count

    def deregister(self, location_id: str, on: date) -> None:
        """Marks a location deregistered (it leaves the postcode index)."""
        LocationItem(location_id).update(
            actions=[LocationItem.status.set("deregistered"), LocationItem.deregistered_on.set(on.isoformat()),
                     LocationItem.postcode_key.remove(), LocationItem.digest.set(f"missing:{on.isoformat()}")],
            condition=LocationItem.location_id.exists(),
        )

    def set_public_body(self, org_id: str, public_body: bool) -> dict:
        """The support team's answer where the CQC file does not say (a later file that says wins)."""
        from pynamodb.exceptions import UpdateError

        from care_tracker.errors import NotFound

        item = OrganisationItem(org_id)
        try:
            item.update(actions=[OrganisationItem.public_body.set(public_body)], condition=OrganisationItem.org_id.exists())
        except UpdateError as exc:
            raise NotFound("There is no organisation with that CQC provider ID.", code="no_such_organisation") from exc
        return item.attribute_values

    def set_first_approver(self, org_id: str, user_id: str) -> None:
        OrganisationItem(org_id).update(
            actions=[OrganisationItem.first_approver_id.set(user_id)],
            condition=OrganisationItem.org_id.exists() & OrganisationItem.first_approver_id.does_not_exist(),
        )

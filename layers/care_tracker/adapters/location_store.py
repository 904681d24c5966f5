"""Organisations and locations in DynamoDB.

A location's `postcode_key` is removed when it is deregistered, so the by_postcode index holds
registered locations only and a postcode search is one query.
"""
from __future__ import annotations

from typing import Iterable

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
    by_postcode = LocationsByPostcode()
    by_org = LocationsByOrg()


class DynamoLocationDirectory:
    def organisations(self) -> dict[str, dict]:
        return {item.org_id: item.attribute_values for item in OrganisationItem.scan()}

    def locations(self) -> dict[str, dict]:
        return {item.location_id: item.attribute_values for item in LocationItem.scan()}

    def at_postcode(self, key: str) -> list[dict]:
        return [item.attribute_values for item in LocationItem.by_postcode.query(key)]

    def write(self, organisations: Iterable[dict], locations: Iterable[dict]) -> int:
        """Batch-writes whole items; returns how many were written."""
        count = 0
        for model, rows in ((OrganisationItem, organisations), (LocationItem, locations)):
            with model.batch_write() as batch:
                for row in rows:
                    batch.save(model(**row))
                    count += 1
        return count

    def set_first_approver(self, org_id: str, user_id: str) -> None:
        OrganisationItem(org_id).update(
            actions=[OrganisationItem.first_approver_id.set(user_id)],
            condition=OrganisationItem.org_id.exists() & OrganisationItem.first_approver_id.does_not_exist(),
        )



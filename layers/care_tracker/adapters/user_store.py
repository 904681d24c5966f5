"""Users and the usernames they claim, in DynamoDB."""
from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, ListAttribute, UnicodeAttribute, UTCDateTimeAttribute, VersionAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.transactions import TransactWrite

from care_tracker.adapters.tables import Model, table_meta
from care_tracker.errors import Conflict
from care_tracker.ports import UserRecord


class UsersByOrg(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_org"
        projection = AllProjection()

    org_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute(range_key=True)


class UserItem(Model):
    Meta = table_meta("users_table")
    user_id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    full_name = UnicodeAttribute()
    roles = ListAttribute(of=UnicodeAttribute)
    org_id = UnicodeAttribute(null=True)
    location_ids = ListAttribute(of=UnicodeAttribute, default=list)
    active = BooleanAttribute(default=True)
    phone = UnicodeAttribute(null=True)
    job_title = UnicodeAttribute(null=True)
    comms_consent = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()
    by_org = UsersByOrg()


class UsernameItem(Model):
    """One item per lower-cased email: the claim that makes usernames unique."""

    Meta = table_meta("usernames_table")
    email = UnicodeAttribute(hash_key=True)
    owner = UnicodeAttribute()  # "user#<id>" or "registration#<id>"


def _record(item: UserItem) -> UserRecord:
    return UserRecord(
        user_id=item.user_id, email=item.email, full_name=item.full_name, roles=list(item.roles),
        org_id=item.org_id, location_ids=list(item.location_ids or []), active=item.active,
        phone=item.phone, job_title=item.job_title, comms_consent=item.comms_consent,
        created_at=item.created_at, version=item.version,
    )


class DynamoUserRepository:
    def __init__(self) -> None:
        self._connection = Connection(region=UserItem.Meta.region)

    def get(self, user_id: str) -> UserRecord | None:
        try:
            return _record(UserItem.get(user_id))
        except UserItem.DoesNotExist:
            return None

    def email_taken(self, email: str) -> bool:
        try:
            UsernameItem.get(email.lower())
            return True
        except UsernameItem.DoesNotExist:
            return False

    def create(self, user: UserRecord) -> None:
        item = UserItem(
            user.user_id, email=user.email.lower(), full_name=user.full_name, roles=user.roles,
            org_id=user.org_id, location_ids=user.location_ids, active=user.active, phone=user.phone,
            job_title=user.job_title, comms_consent=user.comms_consent, created_at=user.created_at,
        )
        claim = UsernameItem(user.email.lower(), owner=f"user#{user.user_id}")
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.save(claim, condition=UsernameItem.email.does_not_exist())
                tx.save(item, condition=UserItem.user_id.does_not_exist())
        except TransactWriteError as exc:
            raise Conflict("That email address is already registered.", code="username_taken") from exc

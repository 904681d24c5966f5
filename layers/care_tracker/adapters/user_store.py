"""Users and the usernames they claim, in DynamoDB."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

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
    local_authorities = ListAttribute(of=UnicodeAttribute, null=True)  # a commissioner's areas
    mfa_enrolled = BooleanAttribute(null=True)  # absent: never enrolled
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
        created_at=item.created_at, version=item.version, local_authorities=list(item.local_authorities or []),
        mfa_enrolled=bool(item.mfa_enrolled),
    )


class DynamoUserRepository:
    def __init__(self) -> None:
        self._connection = Connection(region=UserItem.Meta.region)

    def get(self, user_id: str) -> UserRecord | None:
        try:
            return _record(UserItem.get(user_id))
        except UserItem.DoesNotExist:
            return None

    def get_many(self, user_ids: Iterable[str]) -> list[UserRecord]:
        """The accounts among `user_ids` that exist: BatchGetItem, 100 keys a request (PynamoDB retries
        unprocessed keys)."""
        wanted = list(dict.fromkeys(user_ids))
        return [_record(item) for item in UserItem.batch_get(wanted)] if wanted else []

    def by_email(self, email: str) -> UserRecord | None:
        """The account that claimed this email (2 GetItems), or None (none, or a pending registration)."""
        try:
            owner = UsernameItem.get(email.lower()).owner
        except UsernameItem.DoesNotExist:
            return None
        return self.get(owner.removeprefix("user#")) if owner.startswith("user#") else None

    def account_words(self, email: str) -> tuple[str, ...]:
        """The account's own words for the password check: email, name, job title and organisation
        name (3 GetItems at most, only on the password routes). Empty for an unknown email."""
        try:
            owner = UsernameItem.get(email.lower(), consistent_read=True).owner
        except UsernameItem.DoesNotExist:
            return (email,)
        user = self.get(owner.split("#", 1)[1]) if owner.startswith("user#") else None
        if user is None:
            return (email,)
        words = [email, user.full_name, user.job_title or ""]
        if user.org_id:
            from care_tracker.adapters.location_store import OrganisationItem

            try:
                words.append(OrganisationItem.get(user.org_id).name)
            except OrganisationItem.DoesNotExist:
                pass
        return tuple(w for w in words if w)

    def email_taken(self, email: str) -> bool:
        try:
            UsernameItem.get(email.lower())
            return True
        except UsernameItem.DoesNotExist:
            return False

    def create(self, user: UserRecord, first_approver_of: str | None = None) -> None:
        """Stores the user and claims the email in one transaction; with `first_approver_of`, the
        organisation records them as its first approver in the same transaction (only if it has none)."""
        item = UserItem(
            user.user_id, email=user.email.lower(), full_name=user.full_name, roles=user.roles,
            org_id=user.org_id, location_ids=user.location_ids, active=user.active, phone=user.phone,
            job_title=user.job_title, comms_consent=user.comms_consent, created_at=user.created_at,
            local_authorities=user.local_authorities or None,
        )
        claim = UsernameItem(user.email.lower(), owner=f"user#{user.user_id}")
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.save(claim, condition=UsernameItem.email.does_not_exist())
                tx.save(item, condition=UserItem.user_id.does_not_exist())
                if first_approver_of is not None:
                    from care_tracker.adapters.location_store import OrganisationItem

                    tx.update(OrganisationItem(first_approver_of),
                              actions=[OrganisationItem.first_approver_id.set(user.user_id)],
                              condition=OrganisationItem.org_id.exists() & OrganisationItem.first_approver_id.does_not_exist())
        except TransactWriteError as exc:
            raise Conflict("That email address is already registered.", code="username_taken") from exc

    def delete(self, user: UserRecord) -> None:
        try:
            with TransactWrite(connection=self._connection) as tx:
                # PynamoDB adds `version = <the version read>` to the condition: changed since, kept.
                tx.delete(UserItem(user.user_id, version=user.version), condition=UserItem.active == False)  # noqa: E712
                tx.delete(UsernameItem(user.email.lower()), condition=UsernameItem.owner == f"user#{user.user_id}")
        except TransactWriteError:
            pass  # deleted already, active again, or the email claimed by someone since: leave it

    def all(self) -> Iterator[UserRecord]:
        """Every account, for jobs only (a scan): never on a request path."""
        return (_record(item) for item in UserItem.scan())

    def of_organisation(self, org_id: str) -> list[UserRecord]:
        """Every account of an organisation: one Query of the by_org index (paged)."""
        return [_record(item) for item in UserItem.by_org.query(org_id)]

    def remove_location(self, org_id: str, location_id: str) -> int:
        """Takes a location away from the organisation's users (it moved to another owner);
        returns how many lost it. Each update is conditional on the version read."""
        removed = 0
        for item in UserItem.by_org.query(org_id):
            if location_id in (item.location_ids or []):
                fresh = UserItem.get(item.user_id, consistent_read=True)
                fresh.update(actions=[UserItem.location_ids.set([loc for loc in fresh.location_ids if loc != location_id])])
                removed += 1
        return removed

    def update(self, user_id: str, version: int | None, **changes) -> UserRecord:
        """Sets the given attributes if the stored version is still `version` (None: the latest
        read now); a stale version is a Conflict. Returns the account as stored."""
        from pynamodb.exceptions import UpdateError

        try:
            item = UserItem.get(user_id, consistent_read=True)
        except UserItem.DoesNotExist:
            from care_tracker.errors import NotFound

            raise NotFound("There is no such account.", code="no_such_user") from None
        if version is not None and item.version != version:
            raise Conflict("Someone changed this account since you read it. Reload it and try again.", code="stale_version")
        try:
            item.update(actions=[getattr(UserItem, name).set(value) for name, value in changes.items()])
        except UpdateError as exc:
            raise Conflict("Someone changed this account at the same time. Reload it and try again.", code="stale_version") from exc
        return _record(item)

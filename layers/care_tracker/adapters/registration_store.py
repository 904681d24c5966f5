"""Self-registration requests in DynamoDB.

A pending request claims its (lower-cased) email in the usernames table in the same transaction
that stores it, so a taken email, a pending request included, refuses a second request, and two
simultaneous requests with one email cannot both succeed. Approval stores the account, hands the
claim to it and closes the request in one transaction; rejection closes the request and releases
the claim in one transaction. The by_decider index ("<org id or support>#<status>", created_at)
makes an approver's queue one query.
"""
from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, ListAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.transactions import TransactWrite

from care_tracker.adapters.tables import Model, table_meta
from care_tracker.adapters.user_store import UserItem, UsernameItem
from care_tracker.errors import Conflict
from care_tracker.ports import UserRecord

SUPPORT = "support"


class RegistrationsByDecider(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_decider"
        projection = AllProjection()

    decider = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class RegistrationItem(Model):
    Meta = table_meta("registrations_table")
    registration_id = UnicodeAttribute(hash_key=True)
    decider = UnicodeAttribute()  # "<org id or support>#<status>"
    created_at = UnicodeAttribute()  # ISO 8601 UTC
    status = UnicodeAttribute()  # pending | approved | rejected
    email = UnicodeAttribute()
    full_name = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    job_title = UnicodeAttribute(null=True)
    org_id = UnicodeAttribute(null=True)  # None for a commissioner's request
    local_authorities = ListAttribute(of=UnicodeAttribute, null=True)  # a commissioner's request: their areas
    location_ids = ListAttribute(of=UnicodeAttribute, default=list)
    all_locations = BooleanAttribute(default=False)
    terms_accepted_at = UnicodeAttribute()
    comms_consent = BooleanAttribute()
    decided_by = UnicodeAttribute(null=True)
    decided_at = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    user_id = UnicodeAttribute(null=True)
    version = VersionAttribute()
    by_decider = RegistrationsByDecider()


def decider_key(owner: str, status: str) -> str:
    return f"{owner}#{status}"


# Words for the person registering: whether the email waits for approval or already has an account.
_WAITING = ("A request for an account with this email address is already waiting for approval. You will get an email "
            "when your organisation's approver (or the Care Tracker support team) has decided; there is no need to ask again.")
_HAS_ACCOUNT = ("This email address already has a Care Tracker account. If it is yours, sign in; if you have forgotten "
                "the password, choose 'Forgot your password?' on the sign-in page.")


def _taken(email: str) -> Conflict:
    try:
        owner = UsernameItem.get(email, consistent_read=True).owner
    except UsernameItem.DoesNotExist:  # the claim went between the write and this read: a race, say the common case
        owner = "user#"
    return Conflict(_WAITING if owner.startswith("registration#") else _HAS_ACCOUNT, code="username_taken",
                    details={"waiting_for_approval": owner.startswith("registration#")})


class DynamoRegistrationStore:
    def __init__(self) -> None:
        self._connection = Connection(region=RegistrationItem.Meta.region)

    def create(self, fields: dict) -> dict:
        item = RegistrationItem(**fields)
        claim = UsernameItem(item.email, owner=f"registration#{item.registration_id}")
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.save(claim, condition=UsernameItem.email.does_not_exist())
                tx.save(item, condition=RegistrationItem.registration_id.does_not_exist())
        except TransactWriteError as exc:
            raise _taken(item.email) from exc
        return RegistrationItem.get(item.registration_id, consistent_read=True).attribute_values

    def get(self, registration_id: str) -> dict | None:
        try:
            return RegistrationItem.get(registration_id, consistent_read=True).attribute_values
        except RegistrationItem.DoesNotExist:
            return None

    def waiting_for(self, owner: str, status: str, limit: int = 200) -> list[dict]:
        return [item.attribute_values for item in RegistrationItem.by_decider.query(decider_key(owner, status), limit=limit)]

    def approve(self, registration: dict, user: UserRecord, decided_by: str, decided_at: str) -> None:
        """The account, the email claim handed from the request to the account, and the closed request:
        all or nothing. A request decided meanwhile (or a changed claim) is a Conflict."""
        reg_id = registration["registration_id"]
        item = RegistrationItem(**registration)
        owner = registration["decider"].split("#", 1)[0]
        account = UserItem(
            user.user_id, email=user.email, full_name=user.full_name, roles=user.roles, org_id=user.org_id,
            location_ids=user.location_ids, active=True, phone=user.phone, job_title=user.job_title,
            comms_consent=user.comms_consent, created_at=user.created_at, local_authorities=user.local_authorities or None,
        )
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.update(item, actions=[
                    RegistrationItem.status.set("approved"), RegistrationItem.decider.set(decider_key(owner, "approved")),
                    RegistrationItem.decided_by.set(decided_by), RegistrationItem.decided_at.set(decided_at),
                    RegistrationItem.user_id.set(user.user_id),
                ], condition=RegistrationItem.status == "pending")  # and the version read (PynamoDB adds it)
                tx.update(UsernameItem(user.email), actions=[UsernameItem.owner.set(f"user#{user.user_id}")],
                          condition=UsernameItem.owner == f"registration#{reg_id}")
                tx.save(account, condition=UserItem.user_id.does_not_exist())
        except TransactWriteError as exc:
            raise Conflict("This request has already been decided.", code="already_decided") from exc

    def reject(self, registration: dict, reason: str, decided_by: str, decided_at: str) -> None:
        reg_id = registration["registration_id"]
        item = RegistrationItem(**registration)
        owner = registration["decider"].split("#", 1)[0]
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.update(item, actions=[
                    RegistrationItem.status.set("rejected"), RegistrationItem.decider.set(decider_key(owner, "rejected")),
                    RegistrationItem.decided_by.set(decided_by), RegistrationItem.decided_at.set(decided_at),
                    RegistrationItem.reason.set(reason),
                ], condition=RegistrationItem.status == "pending")  # and the version read (PynamoDB adds it)
                # The email is free again: the person may ask afresh.
                tx.delete(UsernameItem(registration["email"]), condition=UsernameItem.owner == f"registration#{reg_id}")
        except TransactWriteError as exc:
            raise Conflict("This request has already been decided.", code="already_decided") from exc

"""Employers, their PAs (employments) and NI-number claims in the employers table (PynamoDB).

Keys (infra/resources.yaml, EmployersTable): pk EMP#<employer id>; sk EMPLOYER (account and
settings), PA#<pa id> (an employment), NI#<number> (uniqueness among the employer's current PAs).
Every change that touches more than one item is one TransactWriteItems, so nothing is half-written.
"""
from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
from pynamodb.transactions import TransactWrite

from care_tracker.adapters.tables import Model, table_meta
from care_tracker.adapters.user_store import UserItem, UsernameItem
from care_tracker.errors import BadRequest, Conflict, NotFound
from care_tracker.ports import EmployerSettings, Employment, UserRecord
from care_tracker.rules import employment as rules

TRANSACTION_ITEMS = 100  # DynamoDB's most items in one TransactWriteItems

EMPLOYER_SK = "EMPLOYER"
# by_expiry's one partition (archives are rare): its sort key, expiry_key (rules.expiry_key), is the
# purge date and whether that purge checks the PA's login ("#L": the record purged last of a PA whose
# archive disabled the login), so one Query reads what is due and which logins to check.
EXPIRING = "expiring"
# by_work_mark's one partition: the employments an archive or reactivation left work for (work_mark).
WORK_PENDING = "pending"


def employer_pk(employer_id: str) -> str:
    return f"EMP#{employer_id}"


def pa_sk(pa_id: str) -> str:
    return f"PA#{pa_id}"


def ni_sk(ni_number: str) -> str:
    return f"NI#{ni_number}"


class ByPa(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_pa"
        projection = AllProjection()

    pa_id = UnicodeAttribute(hash_key=True)
    employer_id = UnicodeAttribute(range_key=True)


class ByList(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_list"
        projection = IncludeProjection(["pa_id", "pa_name", "email", "status", "start_date", "leaving_date",
                                        "contracted_hours", "ni_number"])

    employer_id = UnicodeAttribute(hash_key=True)
    list_key = UnicodeAttribute(range_key=True)


class ByExpiry(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_expiry"
        projection = KeysOnlyProjection()

    expiry_shard = UnicodeAttribute(hash_key=True)
    expiry_key = UnicodeAttribute(range_key=True)


class ByWorkMark(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_work_mark"
        projection = KeysOnlyProjection()

    work_shard = UnicodeAttribute(hash_key=True)
    work_mark = UnicodeAttribute(range_key=True)


class EmployersItem(Model):
    """One model for the table's three kinds of item (told apart by sk); every attribute but the
    keys is optional. Dates are ISO strings; hours are decimal strings (exact)."""

    Meta = table_meta("employers_table")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    employer_id = UnicodeAttribute(null=True)
    pa_id = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(null=True)
    # the employer (sk EMPLOYER)
    full_name = UnicodeAttribute(null=True)
    care_recipient_name = UnicodeAttribute(null=True)
    managed_by = UnicodeAttribute(null=True)
    manager_relationship = UnicodeAttribute(null=True)
    appointed_by = UnicodeAttribute(null=True)
    funding_type = UnicodeAttribute(null=True)
    care_package_confirmed = BooleanAttribute(null=True)
    funded_hours = UnicodeAttribute(null=True)
    pay_cycle = UnicodeAttribute(null=True)
    earlier_cycles = ListAttribute(of=UnicodeAttribute, null=True)  # "<cycle>/<first period start>", in order
    first_period_start = UnicodeAttribute(null=True)
    leave_year_start = UnicodeAttribute(null=True)  # "MM-DD"
    domestic_service = BooleanAttribute(null=True)
    settings_version = NumberAttribute(null=True)
    current_pas = NumberAttribute(null=True)  # active + details missing, kept by the same transactions
    # an employment (sk PA#<pa id>)
    employer_name = UnicodeAttribute(null=True)
    pa_name = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    address = UnicodeAttribute(null=True)
    date_of_birth = UnicodeAttribute(null=True)
    ni_number = UnicodeAttribute(null=True)
    start_date = UnicodeAttribute(null=True)
    contracted_hours = UnicodeAttribute(null=True)  # absent: irregular hours
    relationship = UnicodeAttribute(null=True)
    provider_agreed = BooleanAttribute(null=True)
    emergency_contact_name = UnicodeAttribute(null=True)
    emergency_contact_phone = UnicodeAttribute(null=True)
    emergency_contact_relationship = UnicodeAttribute(null=True)
    dbs_certificate_number = UnicodeAttribute(null=True)
    dbs_issue_date = UnicodeAttribute(null=True)
    dbs_level = UnicodeAttribute(null=True)
    right_to_work_checked = UnicodeAttribute(null=True)
    opt_out_start = UnicodeAttribute(null=True)
    opt_out_cancelled = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    leaving_date = UnicodeAttribute(null=True)
    periods = ListAttribute(of=UnicodeAttribute, null=True)  # earlier periods of work: "start/leaving"
    list_key = UnicodeAttribute(null=True)
    expiry_shard = UnicodeAttribute(null=True)
    expiry_key = UnicodeAttribute(null=True)  # by_expiry: rules.expiry_key(purge_at, whether the purge checks the login)
    purge_at = NumberAttribute(null=True)  # when purge_expired_records deletes it: epoch seconds
    work_shard = UnicodeAttribute(null=True)  # by_work_mark: set with work_mark, cleared by follow_up_archives
    work_mark = UnicodeAttribute(null=True)  # rules.work_mark: what the archive or reactivation left to do
    expires_at = NumberAttribute(null=True)  # the TTL, a backstop a fortnight later: epoch seconds
    version = NumberAttribute(null=True)
    # an NI claim (sk NI#<number>)
    owner = UnicodeAttribute(null=True)
    by_pa = ByPa()
    by_list = ByList()
    by_expiry = ByExpiry()
    by_work_mark = ByWorkMark()


EMPLOYER_FIELDS = ("employer_id", "email", "full_name", "care_recipient_name", "managed_by", "manager_relationship",
                   "appointed_by", "funding_type", "care_package_confirmed", "funded_hours", "pay_cycle",
                   "earlier_cycles", "first_period_start", "leave_year_start", "domestic_service", "settings_version", "current_pas",
                   "created_at")
EMPLOYMENT_FIELDS = ("employer_id", "pa_id", "employer_name", "pa_name", "email", "phone", "address", "date_of_birth",
                     "ni_number", "start_date", "contracted_hours", "relationship", "provider_agreed",
                     "emergency_contact_name", "emergency_contact_phone", "emergency_contact_relationship",
                     "dbs_certificate_number", "dbs_issue_date", "dbs_level", "right_to_work_checked", "opt_out_start",
                     "opt_out_cancelled", "status", "leaving_date", "periods", "purge_at", "expires_at", "expiry_key", "version",
                     "created_at")


def _as_dict(item: EmployersItem, fields: Iterable[str]) -> dict[str, Any]:
    out = {}
    for name in fields:
        value = getattr(item, name, None)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out[name] = list(value) if isinstance(value, list) else value
    return out


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _hours(text: str | None) -> Decimal | None:
    return Decimal(text) if text else None


def employment_of(data: dict[str, Any]) -> Employment:
    return Employment(employer_id=data["employer_id"], pa_id=data["pa_id"], pa_name=data["pa_name"], status=data["status"],
                      start_date=_date(data["start_date"]), leaving_date=_date(data.get("leaving_date")),
                      contracted_hours=_hours(data.get("contracted_hours")),
                      date_of_birth=_date(data.get("date_of_birth")), opt_out_start=_date(data.get("opt_out_start")),
                      opt_out_cancelled=_date(data.get("opt_out_cancelled")))


def settings_of(data: dict[str, Any]) -> EmployerSettings:
    month, day = (int(part) for part in (data.get("leave_year_start") or "04-01").split("-"))
    return EmployerSettings(employer_id=data["employer_id"], funded_hours_per_week=_hours(data.get("funded_hours")),
                            pay_cycle=data.get("pay_cycle"), first_period_start=_date(data.get("first_period_start")),
                            leave_year_start=(month, day), domestic_service=bool(data.get("domestic_service")),
                            version=int(data.get("settings_version") or 1),
                            earlier_cycles=tuple((c, date.fromisoformat(d)) for c, d in
                                                 (text.split("/") for text in data.get("earlier_cycles") or ())))


def _user_item(user: UserRecord) -> UserItem:
    return UserItem(user.user_id, email=user.email.lower(), full_name=user.full_name, roles=user.roles, active=user.active,
                    phone=user.phone, created_at=user.created_at)


def _cancelled_because(exc: TransactWriteError) -> list[str]:
    reasons = getattr(exc, "cancellation_reasons", None) or []
    return [(r.code if r is not None else "None") or "None" for r in reasons]


class DynamoEmployerStore:
    """The EmploymentDirectory of contract B, and the writes of services/employers.py."""

    def __init__(self) -> None:
        self._connection = Connection(region=EmployersItem.Meta.region)

    # ---------- contract B: EmploymentDirectory ----------
    def employment(self, employer_id: str, pa_id: str) -> Employment | None:
        data = self.employment_record(employer_id, pa_id)
        return employment_of(data) if data else None

    def employments_of_pa(self, pa_id: str) -> list[Employment]:
        return [employment_of(data) for data in self.employment_records_of_pa(pa_id)]

    def employer_settings(self, employer_id: str) -> EmployerSettings | None:
        data = self.employer(employer_id)
        return settings_of(data) if data else None

    def employer_and_employments(self, employer_id: str) -> tuple[EmployerSettings | None, list[Employment]]:
        """The employer's settings and every employment (archived ones too): one Query of the
        employer's partition (sk EMPLOYER to PA#~; the few NI# claims between are skipped)."""
        found, employments = None, []
        for item in EmployersItem.query(employer_pk(employer_id), EmployersItem.sk.between(EMPLOYER_SK, "PA#~")):
            if item.sk == EMPLOYER_SK:
                found = settings_of(_as_dict(item, EMPLOYER_FIELDS))
            elif item.sk.startswith("PA#"):
                employments.append(employment_of(_as_dict(item, EMPLOYMENT_FIELDS)))
        return found, employments

    # ---------- reads ----------
    def employer(self, employer_id: str) -> dict[str, Any] | None:
        try:
            return _as_dict(EmployersItem.get(employer_pk(employer_id), EMPLOYER_SK), EMPLOYER_FIELDS)
        except EmployersItem.DoesNotExist:
            return None

    def employment_record(self, employer_id: str, pa_id: str, consistent: bool = False) -> dict[str, Any] | None:
        try:
            item = EmployersItem.get(employer_pk(employer_id), pa_sk(pa_id), consistent_read=consistent)
        except EmployersItem.DoesNotExist:
            return None
        return _as_dict(item, EMPLOYMENT_FIELDS)

    def employment_records_of_pa(self, pa_id: str) -> list[dict[str, Any]]:
        return [_as_dict(item, EMPLOYMENT_FIELDS) for item in EmployersItem.by_pa.query(pa_id)]

    def employments_of_employer(self, employer_id: str) -> Iterator[dict[str, Any]]:
        """Every employment of one employer, current and archived (for the export): Query of the partition."""
        for item in EmployersItem.query(employer_pk(employer_id), EmployersItem.sk.startswith("PA#")):
            yield _as_dict(item, EMPLOYMENT_FIELDS)

    def login_of(self, email: str) -> UserRecord | None:
        """The account that owns a (lower-cased) email, if any: the username claim, then the account."""
        from care_tracker.adapters.user_store import _record

        try:
            owner = UsernameItem.get(email.lower()).owner
        except UsernameItem.DoesNotExist:
            return None
        if not owner.startswith("user#"):
            return UserRecord(user_id="", email=email, full_name="", roles=[], active=False)  # a pending registration
        try:
            return _record(UserItem.get(owner.removeprefix("user#")))
        except UserItem.DoesNotExist:
            return None

    def page(self, employer_id: str, prefix: str, limit: int, after: dict | None) -> tuple[list[dict], dict | None]:
        """One Query of by_list: up to `limit` employments whose list_key starts with `prefix`, sorted
        by name; asks for one more to know whether a next page exists (its start is the last key shown)."""
        result = EmployersItem.by_list.query(employer_id, EmployersItem.list_key.startswith(prefix), limit=limit + 1,
                                             page_size=limit + 1, last_evaluated_key=after)
        items = list(result)
        shown = items[:limit]
        fields = ("pa_id", "pa_name", "email", "status", "start_date", "leaving_date", "contracted_hours", "ni_number")
        rows = [_as_dict(item, fields) for item in shown]
        if len(items) <= limit:
            return rows, None
        last = shown[-1]
        return rows, {"pk": {"S": last.pk}, "sk": {"S": last.sk}, "employer_id": {"S": last.employer_id},
                      "list_key": {"S": last.list_key}}

    # ---------- employer accounts ----------
    def create_employer(self, user: UserRecord, employer: dict[str, Any]) -> None:
        """A new login's account, its username claim and the employer record: one transaction."""
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.save(UsernameItem(user.email.lower(), owner=f"user#{user.user_id}"),
                        condition=UsernameItem.email.does_not_exist())
                tx.save(_user_item(user), condition=UserItem.user_id.does_not_exist())
                tx.save(self._employer_item(user.user_id, employer), condition=EmployersItem.pk.does_not_exist())
        except TransactWriteError as exc:
            raise Conflict("That email address is already registered. Log in, or reset your password if it is yours.",
                           code="username_taken") from exc

    def add_employer_role(self, user: UserRecord, employer: dict[str, Any]) -> None:
        """An existing login becomes an employer too: the role on the account (if the account is
        unchanged since read) and the employer record, in one transaction."""
        try:
            with TransactWrite(connection=self._connection) as tx:
                # The account's VersionAttribute makes PynamoDB add "version is still the one read" itself.
                tx.update(UserItem(user.user_id, version=user.version),
                          actions=[UserItem.roles.set(sorted({*user.roles, "employer"}))])
                tx.save(self._employer_item(user.user_id, employer), condition=EmployersItem.pk.does_not_exist())
        except TransactWriteError as exc:
            raise Conflict("You are already an employer, or your account changed meanwhile: reload and try again.",
                           code="already_employer") from exc

    def _employer_item(self, employer_id: str, employer: dict[str, Any]) -> EmployersItem:
        return EmployersItem(employer_pk(employer_id), EMPLOYER_SK, employer_id=employer_id, settings_version=1,
                             current_pas=0, **employer)

    def update_settings(self, employer_id: str, version: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Sets the settings if their version is still `version` (1 UpdateItem); stale: Conflict."""
        item = EmployersItem(employer_pk(employer_id), EMPLOYER_SK)
        actions = [getattr(EmployersItem, name).set(value) if value is not None else getattr(EmployersItem, name).remove()
                   for name, value in changes.items()]
        actions.append(EmployersItem.settings_version.add(1))
        try:
            item.update(actions=actions, condition=EmployersItem.settings_version == version)
        except UpdateError as exc:
            if EmployersItem.count(employer_pk(employer_id), EmployersItem.sk == EMPLOYER_SK) == 0:
                raise NotFound("There is no employer account here.", code="no_employer") from exc
            raise Conflict("Someone changed these settings since you read them. Reload them and try again.",
                           code="stale_version") from exc
        return _as_dict(item, EMPLOYER_FIELDS)

    # ---------- employments ----------
    def add_employment(self, employment: dict[str, Any], list_key: str, *, new_user: UserRecord | None = None,
                       existing_user: UserRecord | None = None) -> None:
        """One transaction: the employment, the NI claim, the employer's count, and the PA's login
        record (a new account with its username claim, or the existing account gaining the pa role)."""
        employer_id, pa_id = employment["employer_id"], employment["pa_id"]
        item = EmployersItem(employer_pk(employer_id), pa_sk(pa_id), list_key=list_key, version=1, **employment)
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.save(item, condition=EmployersItem.pk.does_not_exist())
                tx.save(EmployersItem(employer_pk(employer_id), ni_sk(employment["ni_number"]), owner=pa_id),
                        condition=EmployersItem.pk.does_not_exist())
                tx.update(EmployersItem(employer_pk(employer_id), EMPLOYER_SK), actions=[EmployersItem.current_pas.add(1)],
                          condition=EmployersItem.pk.exists())
                if new_user is not None:
                    tx.save(UsernameItem(new_user.email.lower(), owner=f"user#{new_user.user_id}"),
                            condition=UsernameItem.email.does_not_exist())
                    tx.save(_user_item(new_user), condition=UserItem.user_id.does_not_exist())
                elif existing_user is not None:
                    tx.update(UserItem(existing_user.user_id, version=existing_user.version),
                              actions=[UserItem.roles.set(sorted({*existing_user.roles, "pa"})), UserItem.active.set(True)])
        except TransactWriteError as exc:
            reasons = _cancelled_because(exc)
            if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
                raise Conflict("One of your PAs already has this National Insurance number. Check it; a PA you "
                               "archived is reactivated rather than added again.", code="ni_number_taken") from exc
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise Conflict("This person is already one of your PAs (if you archived them, reactivate them instead).",
                               code="already_your_pa") from exc
            if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":  # PynamoDB sends deletes, puts, then updates
                raise NotFound("Set up your employer account before adding PAs.", code="no_employer") from exc
            raise Conflict("That email address was registered meanwhile. Try again.", code="username_taken") from exc

    def update_employment(self, employer_id: str, pa_id: str, version: int | None, changes: dict[str, Any], *,
                          list_key: str | None = None, set_status: str | None = None,
                          require_current: bool = True, ni_change: tuple[str, str] | None = None) -> dict[str, Any]:
        """Sets (or, for None values, removes) fields of a current employment, if its version is still
        `version` (None: whatever it is). 1 UpdateItem; with `ni_change` (old, new) the NI number moves
        and its uniqueness claim with it: 1 transaction (the employment, the old claim deleted, the new
        one made only if no other PA of the employer holds it) and 1 GetItem to read it back."""
        item = EmployersItem(employer_pk(employer_id), pa_sk(pa_id))
        actions = [getattr(EmployersItem, name).set(value) if value is not None else getattr(EmployersItem, name).remove()
                   for name, value in changes.items()]
        if list_key is not None:
            actions.append(EmployersItem.list_key.set(list_key))
        if set_status is not None:
            actions.append(EmployersItem.status.set(set_status))
        actions.append(EmployersItem.version.add(1))
        condition = EmployersItem.pk.exists()
        if require_current:
            condition &= EmployersItem.status != "archived"
        if version is not None:
            condition &= EmployersItem.version == version
        try:
            if ni_change is None:
                item.update(actions=actions, condition=condition)
            else:
                old, new = ni_change
                with TransactWrite(connection=self._connection) as tx:
                    tx.update(item, actions=[*actions, EmployersItem.ni_number.set(new)],
                              condition=condition & (EmployersItem.ni_number == old))
                    tx.delete(EmployersItem(employer_pk(employer_id), ni_sk(old)), condition=EmployersItem.owner == pa_id)
                    tx.save(EmployersItem(employer_pk(employer_id), ni_sk(new), owner=pa_id),
                            condition=EmployersItem.pk.does_not_exist())
        except (UpdateError, TransactWriteError) as exc:
            reasons = _cancelled_because(exc) if isinstance(exc, TransactWriteError) else []
            if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":  # PynamoDB sends deletes, puts, then updates
                raise Conflict("One of your PAs already has this National Insurance number. Check it.",
                               code="ni_number_taken") from exc
            current = self.employment_record(employer_id, pa_id, consistent=True)
            if current is None:
                raise NotFound("There is no such PA.", code="no_such_pa") from exc
            if require_current and current["status"] == "archived":
                raise Conflict("This PA is archived: reactivate them first.", code="archived") from exc
            raise Conflict("Someone changed this PA's record since you read it. Reload it and try again.",
                           code="stale_version") from exc
        if ni_change is not None:
            return self.employment_record(employer_id, pa_id, consistent=True)
        return _as_dict(item, EMPLOYMENT_FIELDS)

    def archive(self, current: dict[str, Any], *, leaving_date: str, list_key: str, purge_at: int, expires_at: int, periods: list[str],
                remove: Iterable[str], deactivate: UserRecord | None, work_mark: str, checks_login: bool = False,
                moved_checks: Sequence[tuple[str, int, bool]] = (), also_delete: Sequence[Model] = ()) -> int:
        """One transaction: the employment minimised (personal fields REMOVEd, not copied), marked
        archived with its TTL and its work mark (by_work_mark: the follow_up_archives job marks its work
        history for the purge); the NI claim released; the count down; when `deactivate`, the PA's
        account marked inactive (so the next request with their token is refused) and the check of that
        login at purge on the record `login_check_carrier` chose (`checks_login` for this one,
        `moved_checks`: (employer id, purge_at, checks) of the PA's other archived records whose check
        changes); and as many of `also_delete` (later issues' items, e.g. shifts after the leaving date)
        as fit in the transaction. Returns how many of them it deleted."""
        employer_id, pa_id = current["employer_id"], current["pa_id"]
        actions = [getattr(EmployersItem, name).remove() for name in remove]
        actions += [EmployersItem.status.set("archived"), EmployersItem.leaving_date.set(leaving_date),
                    EmployersItem.list_key.set(list_key), EmployersItem.expiry_shard.set(EXPIRING),
                    EmployersItem.expiry_key.set(rules.expiry_key(purge_at, checks_login)),
                    EmployersItem.purge_at.set(purge_at), EmployersItem.expires_at.set(expires_at),
                    EmployersItem.periods.set(periods), EmployersItem.work_shard.set(WORK_PENDING),
                    EmployersItem.work_mark.set(work_mark), EmployersItem.version.add(1)]
        room = TRANSACTION_ITEMS - 3 - (deactivate is not None) - len(moved_checks)
        deleted = list(also_delete)[:max(room, 0)]
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.update(EmployersItem(employer_pk(employer_id), pa_sk(pa_id)), actions=actions,
                          condition=(EmployersItem.version == current["version"]) & (EmployersItem.status != "archived"))
                tx.delete(EmployersItem(employer_pk(employer_id), ni_sk(current["ni_number"])),
                          condition=EmployersItem.owner == pa_id)
                tx.update(EmployersItem(employer_pk(employer_id), EMPLOYER_SK), actions=[EmployersItem.current_pas.add(-1)],
                          condition=EmployersItem.pk.exists())
                if deactivate is not None:
                    tx.update(UserItem(deactivate.user_id, version=deactivate.version), actions=[UserItem.active.set(False)])
                for other, other_purge, other_checks in moved_checks:
                    tx.update(EmployersItem(employer_pk(other), pa_sk(pa_id)),
                              actions=[EmployersItem.expiry_key.set(rules.expiry_key(other_purge, other_checks))],
                              condition=(EmployersItem.status == "archived") & (EmployersItem.purge_at == other_purge))
                for item in deleted:
                    tx.delete(item)
        except TransactWriteError as exc:
            raise Conflict("This PA's record changed meanwhile (or is archived already). Reload it and try again.",
                           code="stale_version") from exc
        return len(deleted)

    def reactivate(self, current: dict[str, Any], *, start_date: str, list_key: str, reactivate_user: UserRecord | None) -> None:
        """One transaction: the employment back to "details_missing" with its new start date (the TTL
        and leaving date removed, the earlier period kept in `periods`, the work mark of a reactivation
        set: follow_up_archives takes the purge date off its work history), the NI claimed again, the
        count up, and the account active again when it had been deactivated."""
        employer_id, pa_id = current["employer_id"], current["pa_id"]
        actions = [EmployersItem.status.set("details_missing"), EmployersItem.start_date.set(start_date),
                   EmployersItem.list_key.set(list_key), EmployersItem.leaving_date.remove(),
                   EmployersItem.expiry_shard.remove(), EmployersItem.expiry_key.remove(), EmployersItem.purge_at.remove(),
                   EmployersItem.expires_at.remove(), EmployersItem.work_shard.set(WORK_PENDING),
                   EmployersItem.work_mark.set(rules.work_mark(int(current["version"]) + 1, None)),
                   EmployersItem.version.add(1)]
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.update(EmployersItem(employer_pk(employer_id), pa_sk(pa_id)), actions=actions,
                          condition=(EmployersItem.version == current["version"]) & (EmployersItem.status == "archived"))
                tx.save(EmployersItem(employer_pk(employer_id), ni_sk(current["ni_number"]), owner=pa_id),
                        condition=EmployersItem.pk.does_not_exist())
                tx.update(EmployersItem(employer_pk(employer_id), EMPLOYER_SK), actions=[EmployersItem.current_pas.add(1)],
                          condition=EmployersItem.pk.exists())
                if reactivate_user is not None:
                    tx.update(UserItem(reactivate_user.user_id, version=reactivate_user.version),
                              actions=[UserItem.active.set(True)])
        except TransactWriteError as exc:
            reasons = _cancelled_because(exc)
            if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
                raise Conflict("One of your current PAs has this PA's National Insurance number. Check both records.",
                               code="ni_number_taken") from exc
            raise Conflict("This PA's record changed meanwhile. Reload it and try again.", code="stale_version") from exc

    # ---------- retention ----------
    def expired(self, at_epoch: int) -> Iterator[tuple[str, str, bool]]:
        """(employer id, pa id, whether its purge checks the PA's login) of every archived employment
        whose purge is due: one keys-only Query of by_expiry (a few 1 MB pages for 10,000 records),
        never a scan."""
        for item in EmployersItem.by_expiry.query(EXPIRING, EmployersItem.expiry_key < rules.expiry_key_before(at_epoch)):
            yield item.pk.removeprefix("EMP#"), item.sk.removeprefix("PA#"), rules.checks_login(item.expiry_key)

    # ---------- what archives and reactivations left for later (follow_up_archives) ----------
    def work_marks(self) -> Iterator[tuple[str, str, str]]:
        """(employer id, pa id, work mark) of every employment an archive or reactivation left work
        for: by_work_mark, keys only, a 1 MB page at a time."""
        for item in EmployersItem.by_work_mark.query(WORK_PENDING):
            yield item.pk.removeprefix("EMP#"), item.sk.removeprefix("PA#"), item.work_mark

    def clear_work_mark(self, employer_id: str, pa_id: str, mark: str) -> bool:
        """1 UpdateItem, only if the mark is still `mark`: one written meanwhile (reactivated, archived
        again) stays for the next run. False when it had changed (or the record has gone)."""
        try:
            EmployersItem(employer_pk(employer_id), pa_sk(pa_id)).update(
                actions=[EmployersItem.work_shard.remove(), EmployersItem.work_mark.remove()],
                condition=EmployersItem.work_mark == mark)
            return True
        except UpdateError as exc:
            if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
                raise
            return False

    def delete_employments(self, keys: list[tuple[str, str]]) -> int:
        """BatchWriteItem deletes, 25 a request (PynamoDB's batch_write retries unprocessed items)."""
        with EmployersItem.batch_write() as batch:
            for employer_id, pa_id in keys:
                batch.delete(EmployersItem(employer_pk(employer_id), pa_sk(pa_id)))
        return len(keys)


# ---------- the opaque cursors of PA lists ----------
class SealedCursors:
    """Page cursors sealed with the personal-data KMS key: a cursor carries the last name shown
    (the list is sorted by name), and names must not travel in URLs in the clear."""

    def __init__(self, key_id: str, region: str) -> None:
        import boto3

        self._key_id = key_id
        self._kms = boto3.client("kms", region_name=region)

    def seal(self, employer_id: str, key: dict | None) -> str | None:
        if key is None:
            return None
        blob = self._kms.encrypt(KeyId=self._key_id, Plaintext=json.dumps(key).encode(),
                                 EncryptionContext={"employer": employer_id})["CiphertextBlob"]
        return base64.urlsafe_b64encode(blob).decode("ascii").rstrip("=")

    def open(self, employer_id: str, cursor: str | None, prefix: str) -> dict | None:
        if not cursor:
            return None
        from botocore.exceptions import ClientError

        bad = BadRequest("That page link is not valid here: start again from the first page.", code="invalid_cursor")
        try:
            blob = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            key = json.loads(self._kms.decrypt(CiphertextBlob=blob, EncryptionContext={"employer": employer_id})["Plaintext"])
        except (ValueError, binascii.Error, ClientError, KeyError):
            raise bad from None
        if not isinstance(key, dict) or key.get("employer_id", {}).get("S") != employer_id or \
                not str(key.get("list_key", {}).get("S", "")).startswith(prefix):
            raise bad
        return key


def decimal_text(value: Decimal | None) -> str | None:
    if value is None:
        return None
    try:
        return format(value.normalize(), "f")
    except InvalidOperation:
        return str(value)


def stamp(at: datetime) -> str:
    return at.isoformat()

"""Employers and their PAs (RULES 2.1, 2.2, 2.5, 2.6; issue 11): sign-up, settings, adding PAs,
the PA's own view, archive, reactivation, the retention purge and the export rows.

Tenancy: an employer reaches only their own record (employer_id is their user_id); a PA only
their own employments, and an employer's data only while that employment is not archived.
NI numbers and dates of birth are never logged; they appear only on the one PA's page (to the
employer), in the PA's own view, and in exports.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from care_tracker import messages
from care_tracker.errors import BadRequest, Conflict, Forbidden, NotFound
from care_tracker.observability import logger
from care_tracker.ports import Clock, IdentityProvider, Mailer, UserRecord
from care_tracker.rules import employment as rules
from care_tracker.rules.ni_number import normalise as normalise_ni
from care_tracker.rules.ni_number import problem as ni_problem
from care_tracker.rules.passwords import temporary_password
from care_tracker.services.work_access import details_missing

ArchivedHook = Callable[[str, str, date, datetime], None]
ReactivatedHook = Callable[[str, str], None]
# what later issues delete in the archive's own transaction (the shifts after the leaving date): items
# (their stores' models) for the employer store to delete, read but not written before it
ArchiveDeletes = Callable[[str, str, date], Sequence[Any]]
PurgeHook = Callable[[int], int]  # called once a run with its epoch: deletes what later issues keep, returns how many

CURRENT, ARCHIVED_LIST = rules.CURRENT_LIST, rules.ARCHIVED_LIST
sort_name, list_key = rules.sort_name, rules.list_key


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _hours(value: Decimal | None) -> str | None:
    from care_tracker.adapters.employer_store import decimal_text

    return decimal_text(value)


class EmployerService:
    def __init__(self, store, users, identity: IdentityProvider, mailer: Mailer, clock: Clock, login_url: str,
                 cursors, archived_hooks: Callable[[], Sequence[ArchivedHook]] = list,
                 purge_hooks: Callable[[], Sequence[PurgeHook]] = list,
                 reactivated_hooks: Callable[[], Sequence[ReactivatedHook]] = list,
                 archive_deletes: Callable[[], Sequence[ArchiveDeletes]] = list) -> None:
        self._store = store
        self._users = users
        self._identity = identity
        self._mailer = mailer
        self._clock = clock
        self._login_url = login_url
        self._cursors = cursors
        self._archived_hooks = archived_hooks
        self._purge_hooks = purge_hooks
        self._reactivated_hooks = reactivated_hooks
        self._archive_deletes = archive_deletes

    def _today(self) -> date:
        return rules.london_date(self._clock.now())

    # ---------- tenancy ----------
    @staticmethod
    def _own(caller, employer_id: str) -> None:
        if caller.user_id != employer_id or not caller.has("employer"):
            raise Forbidden("You can only see and change your own employer account and your own PAs.", code="not_your_employer")

    def _employer(self, employer_id: str) -> dict[str, Any]:
        employer = self._store.employer(employer_id)
        if employer is None:
            raise NotFound("There is no employer account here.", code="no_employer")
        return employer

    def _employment(self, employer_id: str, pa_id: str, consistent: bool = False) -> dict[str, Any]:
        record = self._store.employment_record(employer_id, pa_id, consistent=consistent)
        if record is None:
            raise NotFound("There is no such PA among yours.", code="no_such_pa")
        return record

    # ---------- employers ----------
    @staticmethod
    def _employer_fields(fields: Mapping[str, Any], email: str, full_name: str, at: datetime) -> dict[str, Any]:
        if not fields["care_package_confirmed"]:
            raise BadRequest(
                "A care package must be in place before you employ PAs through Care Tracker. Contact your council's "
                "adult social care team (or, for NHS funding, your integrated care board) to arrange one first. "
                "Nothing has been saved.", code="no_care_package")
        managed_by = fields["managed_by"]
        if managed_by == "appointed" and not (fields.get("manager_relationship") and fields.get("appointed_by")):
            raise BadRequest("Say how you are related to the person who needs care (manager_relationship) and who "
                             "appointed you (appointed_by).", code="manager_details_needed")
        return {"email": email, "full_name": full_name, "care_recipient_name": fields["care_recipient_name"],
                "managed_by": managed_by,
                "manager_relationship": fields.get("manager_relationship") if managed_by == "appointed" else None,
                "appointed_by": fields.get("appointed_by") if managed_by == "appointed" else None,
                "funding_type": fields["funding_type"], "care_package_confirmed": True, "created_at": at,
                "leave_year_start": "04-01", "domestic_service": False}

    def sign_up(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """A new employer account without approval; the email is proved by the temporary password
        mailed to it. A taken email creates and sends nothing."""
        email = fields["email"].lower()
        now = self._clock.now()
        employer = self._employer_fields(fields, email, fields["full_name"], now)
        if self._store.login_of(email) is not None:
            raise Conflict("There is already a Care Tracker login with this email address. Log in (reset your "
                           "password if you have forgotten it), then choose to become an employer from your account.",
                           code="username_taken")
        password = temporary_password()
        user_id = self._identity.create_user(email, password)
        user = UserRecord(user_id=user_id, email=email, full_name=fields["full_name"], roles=["employer"], created_at=now)
        try:
            self._store.create_employer(user, employer)
        except Exception:
            self._identity.delete_user(email)  # nothing half-written: no login without its account
            raise
        self._mailer.send(messages.welcome(email, fields["full_name"], password, self._login_url))
        return self.account_view(self._employer(user_id))

    def become_employer(self, caller, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Someone who already has a login (a provider user, a PA) becomes an employer: one login, both roles."""
        if caller.has("employer"):
            raise Conflict("You are already an employer.", code="already_employer")
        user = self._users.get(caller.user_id)
        employer = self._employer_fields(fields, user.email, user.full_name, self._clock.now())
        self._store.add_employer_role(user, employer)
        return self.account_view(self._employer(caller.user_id))

    def account(self, caller, employer_id: str) -> dict[str, Any]:
        self._own(caller, employer_id)
        return self.account_view(self._employer(employer_id))

    @staticmethod
    def account_view(employer: Mapping[str, Any]) -> dict[str, Any]:
        from care_tracker.adapters.employer_store import settings_of

        s = settings_of(employer)
        current = int(employer.get("current_pas") or 0)
        return {
            "employer_id": employer["employer_id"], "full_name": employer["full_name"], "email": employer["email"],
            "care_recipient_name": employer["care_recipient_name"], "managed_by": employer["managed_by"],
            "manager_relationship": employer.get("manager_relationship"), "appointed_by": employer.get("appointed_by"),
            "funding_type": employer["funding_type"], "current_pas": current,
            "settings": {"funded_hours_per_week": _hours(s.funded_hours_per_week), "pay_cycle": s.pay_cycle,
                         "first_period_start": _iso(s.first_period_start),
                         "leave_year_start": f"{s.leave_year_start[0]:02d}-{s.leave_year_start[1]:02d}",
                         "domestic_service": s.domestic_service, "version": s.version,
                         "earlier_cycles": [{"pay_cycle": c, "first_period_start": d.isoformat()} for c, d in s.earlier_cycles]},
            "guidance": rules.guidance(s.funded_hours_per_week, current),
        }

    def update_settings(self, caller, employer_id: str, version: int, changes: Mapping[str, Any]) -> dict[str, Any]:
        self._own(caller, employer_id)
        stored: dict[str, Any] = {}
        if "funded_hours_per_week" in changes:
            stored["funded_hours"] = _hours(changes["funded_hours_per_week"])
        if "pay_cycle" in changes or "first_period_start" in changes:
            cycle, first = changes.get("pay_cycle"), changes.get("first_period_start")
            if (cycle is None) != (first is None):
                raise BadRequest("Give the pay cycle and the first period's start date together (or neither).",
                                 code="pay_cycle_needs_start")
            current = self._store.employer(employer_id) or {}
            if (current.get("pay_cycle"), current.get("first_period_start")) != (cycle, _iso(first)):
                # set outright, for all time (a change from a date, keeping the periods before, is POST .../pay-cycle)
                stored["pay_cycle"], stored["first_period_start"] = cycle, _iso(first)
                stored["earlier_cycles"] = None
        if "leave_year_start" in changes:
            stored["leave_year_start"] = changes["leave_year_start"] or "04-01"
        if "domestic_service" in changes:
            stored["domestic_service"] = bool(changes["domestic_service"])
        return self.account_view(self._store.update_settings(employer_id, version, stored))

    def find_employer(self, email: str) -> dict[str, Any]:
        """The support team finds an employer by email, to help them: the account, its settings and
        how many PAs, never the PAs' details."""
        login = self._store.login_of(email.lower())
        employer = self._store.employer(login.user_id) if login is not None and login.user_id else None
        if employer is None:
            raise NotFound("No employer account has that email address.", code="no_employer")
        return self.account_view(employer)

    # ---------- PAs ----------
    def add_pa(self, caller, employer_id: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        self._own(caller, employer_id)
        today = self._today()
        problem = ni_problem(fields["ni_number"])
        if problem:
            raise BadRequest(f"Check the National Insurance number: {problem}.", code="invalid_ni_number")
        if rules.needs_provider_agreement(fields["relationship"]) and not fields.get("provider_agreed"):
            raise BadRequest("A PA who is a family member or friend can be added only once the care package provider "
                             "has agreed to it: confirm that they have (provider_agreed).", code="provider_agreement_needed")
        dob_problem = rules.date_of_birth_problem(fields["date_of_birth"], fields["start_date"], today)
        if dob_problem:
            raise BadRequest(f"Check the date of birth: {dob_problem}.", code="invalid_date_of_birth")
        email = fields["email"].lower()
        login = self._store.login_of(email)
        if login is not None and not login.user_id:
            raise Conflict("That email address is waiting on an access request to a care provider: ask the person "
                           "to use another address, or wait until the request is decided.", code="username_taken")
        if login is not None and login.user_id == employer_id:
            raise BadRequest("You cannot add yourself as your own PA.", code="own_pa")
        if login is not None and not login.active and set(login.roles) - {"pa"}:
            raise Conflict("That login has been deactivated. Ask the support team for help.", code="account_deactivated")
        employment = {
            "employer_id": employer_id, "employer_name": caller.full_name, "email": email,
            "pa_name": fields["full_name"], "phone": fields["phone"], "address": fields["address"],
            "date_of_birth": _iso(fields["date_of_birth"]), "ni_number": normalise_ni(fields["ni_number"]),
            "start_date": _iso(fields["start_date"]), "contracted_hours": _hours(fields.get("contracted_hours")),
            "relationship": fields["relationship"],
            "provider_agreed": bool(fields.get("provider_agreed")) if rules.needs_provider_agreement(fields["relationship"]) else None,
            "status": rules.ACTIVE, "created_at": self._clock.now(),
            **{name: fields.get(name) for name in ("emergency_contact_name", "emergency_contact_phone",
                                                   "emergency_contact_relationship")},
        }
        if login is None:
            password = temporary_password()
            pa_id = self._identity.create_user(email, password)
            employment["pa_id"] = pa_id
            user = UserRecord(user_id=pa_id, email=email, full_name=fields["full_name"], roles=["pa"],
                              created_at=self._clock.now())
            try:
                self._store.add_employment(employment, list_key(rules.ACTIVE, fields["full_name"], pa_id), new_user=user)
            except Exception:
                self._identity.delete_user(email)
                raise
            self._mailer.send(messages.pa_welcome(email, fields["full_name"], caller.full_name, password, self._login_url))
        else:
            # One person, one login: a new employment for the existing account, no new password.
            pa_id = login.user_id
            employment["pa_id"] = pa_id
            self._store.add_employment(employment, list_key(rules.ACTIVE, fields["full_name"], pa_id), existing_user=login)
            if not login.active:  # an archived PA of another employer, whose login was disabled
                self._identity.enable_user(email)
            self._mailer.send(messages.pa_added(email, fields["full_name"], caller.full_name, self._login_url))
        logger.info("pa added", extra={"employer_id": employer_id, "pa_id": pa_id, "linked_existing_login": login is not None})
        return self.pa_view({**employment, "version": 1})  # as written by the transaction: no read back

    @staticmethod
    def pa_view(record: Mapping[str, Any]) -> dict[str, Any]:
        """The one PA's page, for their employer: every field the record holds."""
        fields = ("pa_id", "pa_name", "email", "phone", "address", "date_of_birth", "ni_number", "start_date",
                  "contracted_hours", "relationship", "provider_agreed", "emergency_contact_name", "emergency_contact_phone",
                  "emergency_contact_relationship", "dbs_certificate_number", "dbs_issue_date", "dbs_level",
                  "right_to_work_checked", "opt_out_start", "opt_out_cancelled", "status", "leaving_date", "version")
        view = {name: record.get(name) for name in fields}
        view["irregular_hours"] = record.get("contracted_hours") is None
        view["earlier_periods"] = [dict(zip(("start_date", "leaving_date"), p.split("/"), strict=True))
                                   for p in record.get("periods") or []]
        view["retained_until"] = (_iso(rules.retention_date(date.fromisoformat(record["leaving_date"])))
                                  if record.get("status") == rules.ARCHIVED and record.get("leaving_date") else None)
        return view

    def list_pas(self, caller, employer_id: str, which: str, limit: int, cursor: str | None) -> dict[str, Any]:
        """A page of PAs sorted by name: current ones (no NI number, no date of birth), or archived
        ones (name, NI number, start and leaving dates: RULES 2.5's minimised record)."""
        self._own(caller, employer_id)
        prefix = ARCHIVED_LIST if which == "archived" else CURRENT
        rows, last = self._store.page(employer_id, prefix, limit, self._cursors.open(employer_id, cursor, prefix))
        if which == "archived":
            pas = [{"pa_id": r["pa_id"], "pa_name": r["pa_name"], "ni_number": r["ni_number"], "start_date": r["start_date"],
                    "leaving_date": r["leaving_date"], "status": r["status"]} for r in rows]
        else:
            pas = [{"pa_id": r["pa_id"], "pa_name": r["pa_name"], "email": r["email"], "status": r["status"],
                    "start_date": r["start_date"], "contracted_hours": r.get("contracted_hours"),
                    "irregular_hours": r.get("contracted_hours") is None} for r in rows]
        return {"pas": pas, "next_cursor": self._cursors.seal(employer_id, last)}

    def get_pa(self, caller, employer_id: str, pa_id: str) -> dict[str, Any]:
        self._own(caller, employer_id)
        return self.pa_view(self._employment(employer_id, pa_id))

    def update_pa(self, caller, employer_id: str, pa_id: str, version: int, changes: Mapping[str, Any]) -> dict[str, Any]:
        """The employer corrects a current PA's record (version-checked: a stale edit is a 409)."""
        self._own(caller, employer_id)
        stored = dict(changes)
        new_list_key = None
        if "contracted_hours" in stored:
            stored["contracted_hours"] = _hours(stored["contracted_hours"])
        for name in ("date_of_birth", "dbs_issue_date", "right_to_work_checked", "opt_out_start", "opt_out_cancelled"):
            if name in stored:
                stored[name] = _iso(stored[name])
        if "relationship" in stored or "provider_agreed" in stored:
            current = self._employment(employer_id, pa_id, consistent=True)
            relationship = stored.get("relationship", current.get("relationship"))
            agreed = stored.get("provider_agreed", current.get("provider_agreed"))
            if rules.needs_provider_agreement(relationship) and not agreed:
                raise BadRequest("A family member or friend can be your PA only once the care package provider has "
                                 "agreed: confirm it (provider_agreed).", code="provider_agreement_needed")
        if "date_of_birth" in changes and changes["date_of_birth"] is not None:
            problem = rules.date_of_birth_problem(changes["date_of_birth"], None, self._today())
            if problem:
                raise BadRequest(f"Check the date of birth: {problem}.", code="invalid_date_of_birth")
        ni_change = None
        if "ni_number" in stored:
            new_ni = normalise_ni(stored.pop("ni_number"))
            found = ni_problem(new_ni)
            if found:
                raise BadRequest(f"Check the National Insurance number: {found}.", code="invalid_ni_number")
            current = self._employment(employer_id, pa_id, consistent=True)
            if new_ni != current["ni_number"]:  # the claim that keeps it unique moves in the same transaction
                ni_change = (current["ni_number"], new_ni)
        if stored.get("pa_name"):
            new_list_key = list_key(rules.ACTIVE, stored["pa_name"], pa_id)
        elif "pa_name" in stored:
            raise BadRequest("A PA's name cannot be empty.", code="name_needed")
        record = self._store.update_employment(employer_id, pa_id, version, stored, list_key=new_list_key,
                                               ni_change=ni_change)
        return self.pa_view(record)

    # ---------- the PA's own view ----------
    @staticmethod
    def own_view(record: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "employer_id": record["employer_id"], "employer_name": record.get("employer_name"), "status": record["status"],
            "start_date": record["start_date"], "contracted_hours": record.get("contracted_hours"),
            "irregular_hours": record.get("contracted_hours") is None,
            "details_missing": record["status"] == rules.DETAILS_MISSING, "version": record.get("version"),
            "my_details": {name: record.get(name) for name in (
                "pa_name", "email", "phone", "address", "date_of_birth", "ni_number", "emergency_contact_name",
                "emergency_contact_phone", "emergency_contact_relationship")},
        }

    def my_employments(self, caller) -> dict[str, Any]:
        """A PA's employments that are not archived (1 Query of by_pa), with their own details; never
        another PA of the same employer, nor the employer's settings."""
        records = [r for r in self._store.employment_records_of_pa(caller.user_id) if rules.has_access(r["status"])]
        records.sort(key=lambda r: (sort_name(r.get("employer_name") or ""), r["employer_id"]))
        return {"employments": [self.own_view(r) for r in records],
                "details_missing": [r["employer_id"] for r in records if r["status"] == rules.DETAILS_MISSING]}

    def update_my_details(self, caller, employer_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        """The PA corrects their own details (phone, address, emergency contact) in one employment; after a
        reactivation this is the form that must be filled (phone, address, date of birth) before anything else."""
        record = self._store.employment_record(employer_id, caller.user_id, consistent=True)
        if record is None or not rules.has_access(record["status"]):
            raise Forbidden("You do not work for this employer (or no longer do).", code="not_your_employment")
        stored = dict(changes)
        status = None
        if record["status"] == rules.DETAILS_MISSING:
            missing = [name for name in rules.DETAILS_REQUIRED_AFTER_REACTIVATION if not stored.get(name)]
            if missing:
                raise details_missing(employer_id, missing)
            status = rules.status_after_details(record["status"])
        elif "date_of_birth" in stored:
            raise BadRequest("Your employer records your date of birth: ask them to correct it.", code="ask_employer")
        if stored.get("date_of_birth") is not None:
            problem = rules.date_of_birth_problem(stored["date_of_birth"], date.fromisoformat(record["start_date"]),
                                                  self._today())
            if problem:
                raise BadRequest(f"Check the date of birth: {problem}.", code="invalid_date_of_birth")
            stored["date_of_birth"] = _iso(stored["date_of_birth"])
        updated = self._store.update_employment(employer_id, caller.user_id, record["version"], stored, set_status=status)
        return self.own_view(updated)

    # ---------- archive and reactivation (RULES 2.5) ----------
    def archive(self, caller, employer_id: str, pa_id: str, leaving_date: date) -> dict[str, Any]:
        self._own(caller, employer_id)
        at = self._clock.now()
        record = self._employment(employer_id, pa_id, consistent=True)
        refusal = rules.archive_problem(record["status"], date.fromisoformat(record["start_date"]), leaving_date,
                                        rules.london_date(at))
        if refusal:
            raise Conflict(refusal.message, code=refusal.code) if refusal.code == "already_archived" else \
                BadRequest(refusal.message, code=refusal.code)
        records = self._store.employment_records_of_pa(pa_id)
        others = [e for e in records if e["employer_id"] != employer_id and rules.has_access(e["status"])]
        user = self._users.get(pa_id)
        # The login goes only when nothing else needs it: no other employment, no other role (an
        # employer or a provider user who was also this PA keeps their login).
        deactivate = user if (user is not None and not others and set(user.roles) <= {"pa"}) else None
        purge = rules.purge_at(leaving_date)
        checks, moved = False, []
        if deactivate is not None:
            # The disabled login is checked at the purge of the PA's record purged last (this one or an
            # earlier archive's), so that purge needs no read of what else remains; other records lose
            # a check they carried.
            archived = {e["employer_id"]: e for e in records if e["employer_id"] != employer_id
                        and e["status"] == rules.ARCHIVED and e.get("purge_at") is not None}
            carrier = rules.login_check_carrier({**{k: int(e["purge_at"]) for k, e in archived.items()},
                                                 employer_id: purge}, employer_id)
            checks = carrier == employer_id
            moved = [(k, int(e["purge_at"]), k == carrier) for k, e in sorted(archived.items())
                     if rules.checks_login(e.get("expiry_key") or "") != (k == carrier)]
        # Later issues' items to delete with it (the rota's shifts after the leaving date), as many as fit.
        also_delete = [item for source in self._archive_deletes() for item in source(employer_id, pa_id, leaving_date)]
        periods = [*(record.get("periods") or []), f"{record['start_date']}/{leaving_date.isoformat()}"]
        deleted = self._store.archive(
            record, leaving_date=leaving_date.isoformat(), list_key=list_key(rules.ARCHIVED, record["pa_name"], pa_id),
            purge_at=purge, expires_at=rules.expires_at(leaving_date), periods=periods, remove=rules.ARCHIVE_DELETES,
            deactivate=deactivate, work_mark=rules.work_mark(int(record["version"]) + 1, leaving_date),
            checks_login=checks, moved_checks=moved, also_delete=also_delete)
        if deactivate is not None:
            self._identity.disable_user(record["email"])  # disabled and signed out everywhere
        # The rest (the work history's purge marks, the feedback's name, shifts that did not fit) is done by
        # the follow_up_archives job, from the work mark the transaction left.
        logger.info("pa archived", extra={"employer_id": employer_id, "pa_id": pa_id, "login_disabled": deactivate is not None,
                                          "deleted_with_it": deleted, "left_for_the_job": len(also_delete) - deleted})
        return self.pa_view(self._employment(employer_id, pa_id, consistent=True))

    def reactivate(self, caller, employer_id: str, pa_id: str, start_date: date) -> dict[str, Any]:
        self._own(caller, employer_id)
        record = self._employment(employer_id, pa_id, consistent=True)
        refusal = rules.reactivate_problem(record["status"], date.fromisoformat(record["leaving_date"])
                                           if record.get("leaving_date") else None, start_date, self._today())
        if refusal:
            raise Conflict(refusal.message, code=refusal.code) if refusal.code == "not_archived" else \
                BadRequest(refusal.message, code=refusal.code)
        user = self._users.get(pa_id)
        disabled = user is not None and not user.active
        password = None
        if disabled:
            # A new temporary password: they choose their own before their first login again.
            password = temporary_password()
            self._identity.enable_user(record["email"])
            self._identity.set_temporary_password(record["email"], password)
        try:
            self._store.reactivate(record, start_date=start_date.isoformat(),
                                   list_key=list_key(rules.DETAILS_MISSING, record["pa_name"], pa_id),
                                   reactivate_user=user if disabled else None)
        except Exception:
            if disabled:
                self._identity.disable_user(record["email"])
            raise
        self._mailer.send(messages.pa_reactivated(record["email"], record["pa_name"], caller.full_name, password,
                                                  self._login_url))
        logger.info("pa reactivated", extra={"employer_id": employer_id, "pa_id": pa_id, "new_password": disabled})
        return self.pa_view(self._employment(employer_id, pa_id, consistent=True))

    # ---------- retention: the daily job ----------
    def purge_expired(self, at: datetime) -> dict[str, int]:
        """Deletes every archived employment whose retention ended by `at` (and, through the purge
        hooks, each run once with the same time, what later issues keep for it): what DynamoDB's TTL
        has not deleted yet. Running it twice deletes nothing the second time. Requests: the by_expiry
        pages (one Query), the deletes in 25s, and only for the records that check the login (expiry_key
        "#L": the last of a PA whose archive disabled it) that login, read in 100s (BatchGetItem), and
        its delete (one transaction) when it is still disabled and PA-only."""
        epoch = int(at.timestamp())
        expired = list(self._store.expired(epoch))
        keys = [(employer_id, pa_id) for employer_id, pa_id, _ in expired]
        hooked = sum(int(hook(epoch) or 0) for hook in self._purge_hooks())
        deleted = self._store.delete_employments(keys) if keys else 0
        checked = sorted({pa_id for _, pa_id, login in expired if login})
        logins = sum(self._forget_login(user) for user in self._users.many(checked).values())
        return {"expired_records": len(keys), "deleted_records": deleted, "deleted_by_hooks": hooked, "deleted_logins": logins}

    def _forget_login(self, user: UserRecord) -> bool:
        """The login of a PA whose last record has gone (RULES 2.5: their name and username go with
        it): deleted when it is disabled and serves no other role. The record that checks it is the one
        of the PA's records purged last (the archive that disabled the login chose it), and any
        employment since would have enabled the login again (changing its version, which the delete's
        transaction requires unchanged), so nothing else is read."""
        if user.active or not set(user.roles) <= {"pa"}:
            return False
        self._identity.delete_user(user.email)
        self._users.delete(user)
        logger.info("pa login deleted after retention", extra={"pa_id": user.user_id})
        return True

    # ---------- what archives and reactivations leave for later: the follow_up_archives job ----------
    def follow_up_archives(self, at: datetime) -> dict[str, int]:
        """Every employment whose archive or reactivation left a work mark (by_work_mark, a page at a
        time): the archived hooks (the work history marked for the purge, shifts after the leaving date
        that did not fit in the transaction, the feedback's name) or the reactivated hooks (the marks
        taken off), then the mark cleared only if unchanged: a change made meanwhile is done by the next
        run. A hook that fails leaves the mark for the next run too. Running it twice changes nothing."""
        done = redo = failed = 0
        for employer_id, pa_id, mark in self._store.work_marks():
            leaving = rules.marked_leaving_date(mark)
            try:
                if leaving is not None:
                    for hook in self._archived_hooks():
                        hook(employer_id, pa_id, leaving, at)
                else:
                    for hook in self._reactivated_hooks():
                        hook(employer_id, pa_id)
            except Exception:
                logger.exception("archive follow-up failed", extra={"employer_id": employer_id, "pa_id": pa_id})
                failed += 1
                continue
            if self._store.clear_work_mark(employer_id, pa_id, mark):
                done += 1
            else:
                redo += 1
        return {"followed_up": done, "changed_meanwhile": redo, "failed": failed}


# ---------- "Export my data" rows (contract B: one of wiring.personal_export_sources()) ----------
EXPORT_COLUMNS = ["employer_id", "care_recipient_name", "managed_by", "manager_relationship", "appointed_by", "funding_type",
                  "funded_hours_per_week", "pay_cycle", "first_period_start", "earlier_cycles", "leave_year_start",
                  "domestic_service", "pa_id", "employer_name", "pa_name", "pa_email", "phone", "address", "date_of_birth", "ni_number",
                  "start_date", "leaving_date", "earlier_periods", "contracted_hours", "relationship", "provider_agreed",
                  "emergency_contact_name", "emergency_contact_phone", "emergency_contact_relationship",
                  "dbs_certificate_number", "dbs_issue_date", "dbs_level", "right_to_work_checked", "opt_out_start",
                  "opt_out_cancelled", "status"]
_EMPLOYMENT_EXPORTED = ("pa_id", "employer_id", "employer_name", "pa_name", "phone", "address", "date_of_birth",
                        "ni_number", "start_date", "leaving_date", "contracted_hours", "relationship", "provider_agreed",
                        "emergency_contact_name", "emergency_contact_phone", "emergency_contact_relationship",
                        "dbs_certificate_number", "dbs_issue_date", "dbs_level", "right_to_work_checked", "opt_out_start",
                        "opt_out_cancelled", "status")


def _employment_row(record: Mapping[str, Any], kind: str) -> dict[str, Any]:
    row = {"record": kind, **{name: record.get(name) for name in _EMPLOYMENT_EXPORTED}}
    row["pa_email"] = record.get("email")
    row["earlier_periods"] = " | ".join(record.get("periods") or [])
    return row


class EmploymentExportRows:
    """An employer's account, settings and PAs (archived ones as minimised as they are stored), and a
    PA's own employments with their details, as rows of their my_data export (services/exports.py)."""

    columns = EXPORT_COLUMNS

    def __init__(self, store) -> None:
        self._store = store

    def rows_of(self, user_id: str) -> Iterator[Mapping[str, Any]]:
        employer = self._store.employer(user_id)
        if employer is not None:
            view = EmployerService.account_view(employer)
            yield {"record": "employer", "employer_id": user_id,
                   **{k: view[k] for k in ("care_recipient_name", "managed_by", "manager_relationship", "appointed_by",
                                           "funding_type")},
                   **{k: v for k, v in view["settings"].items() if k != "version"},
                   "earlier_cycles": " | ".join(f"{c['pay_cycle']} from {c['first_period_start']}"
                                                for c in view["settings"]["earlier_cycles"])}
            for record in self._store.employments_of_employer(user_id):
                yield _employment_row(record, "archived_pa" if record["status"] == rules.ARCHIVED else "pa")
        for record in self._store.employment_records_of_pa(user_id):
            yield _employment_row(record, "my_employment")

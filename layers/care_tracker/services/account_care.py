"""Account care (RULES 1.3): approvers look after their organisation's accounts, the support team
everyone's. Deactivation stops login and every session at once: the account's `active` flag (read
by every authenticated request) goes first, then Cognito disables the login and signs out every
session (refresh tokens stop working)."""
from __future__ import annotations

import json
from datetime import datetime

from care_tracker.errors import BadRequest, Forbidden, NotFound
from care_tracker.ports import Clock, IdentityProvider, UserRecord
from care_tracker.roles import Role
from care_tracker.rules.staffing import thinly_staffed

# The national list of thinly staffed locations, written by the nightly job for the support team.
NATIONAL_THIN_LIST = "reports/thinly-staffed.json"

_NOT_YOURS = "You can only look after accounts of your own organisation."


class AccountCareService:
    def __init__(self, users, directory, identity: IdentityProvider, reports=None, reports_bucket: str = "",
                 clock: Clock | None = None) -> None:
        self._users = users
        self._directory = directory
        self._identity = identity
        self._reports = reports
        self._reports_bucket = reports_bucket
        self._clock = clock

    def _target(self, caller, user_id: str) -> UserRecord:
        user = self._users.get(user_id)
        if caller.has(Role.ADMIN.value):
            if user is None:
                raise NotFound("There is no such account.", code="no_such_user")
            return user
        if user is None or not caller.has(Role.APPROVER.value) or not caller.org_id or user.org_id != caller.org_id:
            raise Forbidden(_NOT_YOURS, code="not_your_organisation")  # the same answer whether or not it exists
        return user

    def _org_of(self, caller, organisation_id: str | None) -> str:
        if caller.has(Role.ADMIN.value):
            if not organisation_id:
                raise BadRequest("Give the organisation's CQC provider ID as ?organisation_id=.", code="organisation_needed")
            return organisation_id
        if organisation_id and organisation_id != caller.org_id:
            raise Forbidden(_NOT_YOURS, code="not_your_organisation")
        if not caller.org_id:
            raise Forbidden(_NOT_YOURS, code="not_your_organisation")
        return caller.org_id

    def users_of(self, caller, organisation_id: str | None) -> list[UserRecord]:
        return self._users.of_organisation(self._org_of(caller, organisation_id))

    def deactivate(self, caller, user_id: str) -> UserRecord:
        user = self._target(caller, user_id)
        if user.user_id == caller.user_id:
            raise BadRequest("You cannot deactivate your own account. Ask another approver or the support team.",
                             code="own_account")
        if user.active:
            user = self._users.update(user.user_id, None, active=False)
        # Every time (also when already inactive), so a half-finished earlier attempt is completed.
        self._identity.disable_user(user.email)
        return user

    def promote(self, caller, user_id: str) -> UserRecord:
        user = self._target(caller, user_id)
        if not user.active:
            raise BadRequest("This account is deactivated: it cannot be made an approver.", code="account_deactivated")
        if not user.org_id:
            raise BadRequest("Only a provider user of an organisation can be an approver.", code="not_a_provider_user")
        if Role.APPROVER.value in user.roles:
            return user
        return self._users.update(user.user_id, user.version, roles=sorted({*user.roles, Role.APPROVER.value}))

    def change_details(self, caller, user_id: str, version: int, changes: dict) -> UserRecord:
        if not caller.has(Role.ADMIN.value):
            raise Forbidden("Only the support team changes an account's details.", code="wrong_role")
        user = self._target(caller, user_id)
        if "location_ids" in changes:
            wanted = sorted(set(changes["location_ids"]))
            found = self._directory.get_locations(wanted) if wanted else {}
            wrong = [loc for loc in wanted if loc not in found or found[loc]["org_id"] != user.org_id]
            if wrong:
                raise BadRequest(f"These are not locations of the account's organisation: {', '.join(wrong)}.",
                                 code="unknown_location", details={"location_ids": wrong})
            changes["location_ids"] = wanted
        if not changes:
            raise BadRequest("Send at least one detail to change.", code="nothing_to_change")
        return self._users.update(user.user_id, version, **changes)

    def set_consent(self, caller, consent: bool) -> UserRecord:
        return self._users.update(caller.user_id, None, comms_consent=consent)

    def thinly_staffed(self, caller, organisation_id: str | None) -> tuple[list[dict], str | None]:
        """Registered locations with fewer than two active users, and when the list was made: one
        organisation's now (two queries), or, for the support team without an organisation, the
        national list the nightly job wrote (one S3 read, no scan on a request)."""
        if caller.has(Role.ADMIN.value) and not organisation_id:
            report = json.loads(self._reports.read_text(self._reports_bucket, NATIONAL_THIN_LIST) or "null")
            if report is None:
                return [], None
            return report["locations"], report["as_of"]
        org_id = self._org_of(caller, organisation_id)
        grants = ((user.active, user.location_ids) for user in self._users.of_organisation(org_id))
        return thinly_staffed(self._directory.of_organisation(org_id), grants), None

    def publish_national_thin_list(self, at: datetime) -> dict:
        """The nightly job: every account and location read once (scans, in a job), the same rule.
        Stamped with the job's `at`; a list that has not changed is left as it is (no new object
        version, its `as_of` says since when it has been so), so a second run changes nothing."""
        grants = ((user.active, user.location_ids) for user in self._users.all())
        locations = thinly_staffed(self._directory.locations().values(), grants)
        before = json.loads(self._reports.read_text(self._reports_bucket, NATIONAL_THIN_LIST) or "null")
        if before is not None and before.get("locations") == locations:
            return {"locations_flagged": len(locations), "as_of": before["as_of"], "written": False}
        as_of = at.isoformat()
        self._reports.put_text(self._reports_bucket, NATIONAL_THIN_LIST, json.dumps({"as_of": as_of, "locations": locations}))
        return {"locations_flagged": len(locations), "as_of": as_of, "written": True}

    def set_public_body(self, caller, org_id: str, public_body: bool) -> dict:
        if not caller.has(Role.ADMIN.value):
            raise Forbidden("Only the support team says whether a public body runs an organisation.", code="wrong_role")
        return self._directory.set_public_body(org_id, public_body)

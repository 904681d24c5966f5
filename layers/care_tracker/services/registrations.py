"""Self-registration (RULES 1.2): a request for access to locations of one organisation, decided by
that organisation's approvers, or by the support team where it has none."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from care_tracker import messages
from care_tracker.errors import BadRequest, Forbidden, NotFound
from care_tracker.ports import Clock, IdentityProvider, Mailer, UserRecord
from care_tracker.roles import Role
from care_tracker.rules.passwords import temporary_password

SUPPORT = "support"
_NOT_YOURS = "You cannot decide this request: it is not for your organisation."


@dataclass(frozen=True)
class NewRequest:
    full_name: str
    email: str
    phone: str | None
    job_title: str | None
    location_ids: tuple[str, ...]
    organisation_id: str | None  # all locations of this organisation
    terms_accepted: bool
    comms_consent: bool
    local_authorities: tuple[str, ...] = ()  # a commissioner's request: their areas, instead of locations


def _registered(location: dict) -> bool:
    return location.get("status") in ("active", "dormant")


class RegistrationService:
    def __init__(self, store, directory, users, identity: IdentityProvider, mailer: Mailer, clock: Clock,
                 login_url: str, support_email: str) -> None:
        self._store = store
        self._directory = directory
        self._users = users
        self._identity = identity
        self._mailer = mailer
        self._clock = clock
        self._login_url = login_url
        self._support_email = support_email

    # ---- asking -------------------------------------------------------------------------------
    def request(self, new: NewRequest) -> dict:
        if not new.terms_accepted:
            raise BadRequest("You need to agree to the terms of use to ask for an account.", code="terms_not_accepted")
        if new.local_authorities:
            return self._request_commissioner(new)
        if bool(new.location_ids) == bool(new.organisation_id):
            raise BadRequest("Choose some locations, or ask for all locations of one organisation (not both).",
                             code="choose_locations")
        if new.organisation_id:
            org = self._directory.organisation(new.organisation_id)
            if org is None or not any(_registered(loc) for loc in self._directory.of_organisation(new.organisation_id)):
                raise BadRequest("There is no registered organisation with that CQC provider ID.", code="unknown_organisation")
            org_id, location_ids = new.organisation_id, []
        else:
            found = self._directory.get_locations(new.location_ids)
            unknown = sorted(loc for loc in new.location_ids if loc not in found or found[loc].get("status") != "active")
            if unknown:
                raise BadRequest(f"These are not active locations: {', '.join(unknown)}. Search by postcode to find them.",
                                 code="unknown_location", details={"location_ids": unknown})
            owners = {found[loc]["org_id"] for loc in new.location_ids}
            if len(owners) > 1:
                raise BadRequest("The locations chosen belong to different organisations: an account is for one "
                                 "organisation. Send one request per organisation.", code="several_organisations",
                                 details={"organisations": sorted(owners)})
            org_id, location_ids = owners.pop(), sorted(set(new.location_ids))
            org = self._directory.organisation(org_id) or {"name": org_id}
        approvers = self._approvers(org_id)
        owner = org_id if approvers else SUPPORT
        now = self._clock.now()
        fields = {
            "registration_id": str(uuid.uuid4()), "decider": f"{owner}#pending", "created_at": now.isoformat(),
            "status": "pending", "email": new.email.lower(), "full_name": new.full_name, "phone": new.phone,
            "job_title": new.job_title, "org_id": org_id, "location_ids": location_ids,
            "all_locations": bool(new.organisation_id), "terms_accepted_at": now.isoformat(),
            "comms_consent": new.comms_consent,
        }
        stored = self._store.create({k: v for k, v in fields.items() if v is not None})
        # The approver reads who asked and for which locations, by name (the request's own reads, no more).
        if location_ids:
            names = sorted(found[lid].get("name") or lid for lid in location_ids)
        else:
            names = sorted(loc.get("name") or loc["location_id"] for loc in self._directory.of_organisation(org_id)
                           if _registered(loc))
        for to in (approvers or [self._support_email]):
            self._mailer.send(messages.registration_waiting(to, org.get("name", org_id), new.full_name, new.job_title,
                                                            names, self._login_url))
        return stored

    def _request_commissioner(self, new: NewRequest) -> dict:
        """A commissioner's request (RULES 1.5a): areas instead of locations, an organisational email,
        and always decided by the support team."""
        from care_tracker.rules.commissioners import email_domain, free_mail

        if new.location_ids or new.organisation_id:
            raise BadRequest("A commissioner chooses local authorities, not locations or an organisation.",
                             code="choose_locations")
        if free_mail(new.email):
            raise BadRequest(f"Use your council or NHS email address: {email_domain(new.email)} is a personal email service, "
                             "and commissioner accounts are for people at a local authority or NHS discharge team.",
                             code="organisational_email_required")
        areas = sorted(set(new.local_authorities))
        unknown = [la for la in areas if not self._directory.has_local_authority(la)]
        if unknown:
            raise BadRequest(f"No registered location is in {', '.join(unknown)}. Write the local authority as CQC does "
                             "(for example Leeds, or Kingston upon Thames).", code="unknown_local_authority",
                             details={"local_authorities": unknown})
        now = self._clock.now()
        fields = {
            "registration_id": str(uuid.uuid4()), "decider": f"{SUPPORT}#pending", "created_at": now.isoformat(),
            "status": "pending", "email": new.email.lower(), "full_name": new.full_name, "phone": new.phone,
            "job_title": new.job_title, "local_authorities": areas, "location_ids": [], "all_locations": False,
            "terms_accepted_at": now.isoformat(), "comms_consent": new.comms_consent,
        }
        stored = self._store.create({k: v for k, v in fields.items() if v is not None})
        self._mailer.send(messages.commissioner_request_waiting(self._support_email, ", ".join(areas), self._login_url))
        return stored

    def _approvers(self, org_id: str) -> list[str]:
        return sorted(u.email for u in self._users.of_organisation(org_id) if u.active and Role.APPROVER.value in u.roles)

    # ---- deciding -----------------------------------------------------------------------------
    def pending_for(self, caller, organisation_id: str | None = None) -> list[dict]:
        """The queue, each request with its organisation's and locations' names."""
        from care_tracker.services.names import with_location_names

        if caller.has(Role.ADMIN.value):
            return with_location_names(self._directory, self._store.waiting_for(organisation_id or SUPPORT, "pending"))
        if organisation_id and organisation_id != caller.org_id:
            raise Forbidden("You can only see requests for your own organisation.", code="not_your_organisation")
        if not caller.org_id:
            return []
        return with_location_names(self._directory, self._store.waiting_for(caller.org_id, "pending"))

    def _decidable(self, caller, registration_id: str) -> dict:
        registration = self._store.get(registration_id)
        if caller.has(Role.ADMIN.value):
            if registration is None:
                raise NotFound("There is no such registration request.", code="no_such_request")
            return registration
        # An approver of another organisation learns nothing: the same 403 whether or not it exists.
        if registration is None or not caller.org_id or registration.get("org_id") != caller.org_id \
                or not caller.has(Role.APPROVER.value):
            raise Forbidden(_NOT_YOURS, code="not_your_request")
        return registration

    def _check_pending(self, registration: dict) -> None:
        if registration["status"] != "pending":
            from care_tracker.errors import Conflict

            raise Conflict(f"This request has already been {registration['status']}.", code="already_decided")

    def approve(self, caller, registration_id: str) -> dict:
        registration = self._decidable(caller, registration_id)
        self._check_pending(registration)
        if registration.get("local_authorities"):
            return self._approve_commissioner(caller, registration)
        location_ids = list(registration.get("location_ids") or [])
        if registration.get("all_locations"):
            location_ids = sorted(loc["location_id"] for loc in self._directory.of_organisation(registration["org_id"])
                                  if _registered(loc))
        return self._create_account(caller, registration, UserRecord(
            user_id="", email=registration["email"], full_name=registration["full_name"], roles=[Role.PROVIDER_USER.value],
            org_id=registration["org_id"], location_ids=location_ids, phone=registration.get("phone"),
            job_title=registration.get("job_title"), comms_consent=bool(registration.get("comms_consent")),
            created_at=self._clock.now(),
        ))

    def _approve_commissioner(self, caller, registration: dict) -> dict:
        if not caller.has(Role.ADMIN.value):  # _decidable lets only the support team this far; said twice
            raise Forbidden(_NOT_YOURS, code="not_your_request")
        return self._create_account(caller, registration, UserRecord(
            user_id="", email=registration["email"], full_name=registration["full_name"], roles=[Role.COMMISSIONER.value],
            local_authorities=list(registration["local_authorities"]), phone=registration.get("phone"),
            job_title=registration.get("job_title"), comms_consent=bool(registration.get("comms_consent")),
            created_at=self._clock.now()))

    def _create_account(self, caller, registration: dict, user: UserRecord) -> dict:
        password = temporary_password()
        user.user_id = self._identity.create_user(user.email, password)
        try:
            self._store.approve(registration, user, caller.user_id, self._clock.now().isoformat())
        except Exception:
            self._identity.delete_user(user.email)  # nothing half-done: no login without its account
            raise
        self._mailer.send(messages.welcome(user.email, user.full_name, password, self._login_url))
        return {**registration, "status": "approved", "user_id": user.user_id}

    def reject(self, caller, registration_id: str, reason: str) -> dict:
        registration = self._decidable(caller, registration_id)
        self._check_pending(registration)
        self._store.reject(registration, reason, caller.user_id, self._clock.now().isoformat())
        self._mailer.send(messages.registration_rejected(registration["email"], registration["full_name"], reason))
        return {**registration, "status": "rejected", "reason": reason}


def search_postcode(directory, postcode: str) -> tuple[str, list[dict]]:
    """Active locations at a postcode (RULES 1.2 step 2): one Query of the postcode index, which
    holds active locations only. A malformed postcode is a 400, not an empty answer."""
    from care_tracker.rules.cqc_locations import looks_like_postcode, postcode_key

    key = postcode_key(postcode)
    if not looks_like_postcode(key):
        raise BadRequest(f"{postcode!r} is not a UK postcode (for example LS6 2AB).", code="invalid_postcode")
    found = [loc for loc in directory.at_postcode(key) if loc.get("status") == "active"]
    return key, sorted(found, key=lambda loc: (loc["name"], loc["location_id"]))

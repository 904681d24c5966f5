"""Account care (RULES 1.3): deactivate, promote, change details, consent, thinly staffed locations."""
from __future__ import annotations

from typing import Annotated

from chalice import Blueprint
from pydantic import BaseModel, Field, StrictBool, StringConstraints

from functions.auth import Me
from functions.http import route
from functions.schema import Name, Strict

bp = Blueprint(__name__)

CqcId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^1-[0-9]{1,15}$")]


class Account(Me):
    """What /me shows, and what the account's carers see and change."""

    active: bool
    phone: str | None
    job_title: str | None
    comms_consent: bool
    version: int | None = Field(description="Send back with a change: a stale version is a 409")


class AccountList(BaseModel):
    users: list[Account]


class OrgQuery(Strict):
    organisation_id: CqcId | None = Field(default=None, description="Support team: which organisation (required for them)")


class DetailsChange(Strict):
    version: int = Field(description="The version you read; a stale one is refused with 409")
    full_name: Name | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=30, pattern=r"^[0-9+() \-]+$")] | None = None
    job_title: Name | None = None
    location_ids: list[CqcId] | None = Field(default=None, max_length=500)


class ConsentChange(Strict):
    comms_consent: StrictBool


class ThinLocation(BaseModel):
    location_id: str
    name: str
    organisation_id: str
    active_users: int


class ThinLocations(BaseModel):
    locations: list[ThinLocation]
    as_of: str | None = Field(default=None, description="For the national list: when the nightly job made it")


def _view(u) -> Account:
    return Account(user_id=u.user_id, email=u.email, full_name=u.full_name, roles=sorted(u.roles), organisation_id=u.org_id,
                   location_ids=list(u.location_ids), active=u.active, phone=u.phone, job_title=u.job_title,
                   comms_consent=u.comms_consent, version=u.version, mfa_enrolled=u.mfa_enrolled)


@route(bp, "/users", summary="Accounts of my organisation (support team: of ?organisation_id=)", roles=("approver", "admin"),
       query=OrgQuery, response=AccountList, tag="accounts")
def list_users(caller, query: OrgQuery):
    from care_tracker.wiring import account_care_service

    return AccountList(users=[_view(u) for u in account_care_service().users_of(caller, query.organisation_id)])


@route(bp, "/users/{user_id}/deactivate", "POST", summary="Deactivate an account: login and every session stop at once",
       roles=("approver", "admin"), response=Account, tag="accounts")
def deactivate(user_id: str, caller):
    from care_tracker.wiring import account_care_service

    return _view(account_care_service().deactivate(caller, user_id))


@route(bp, "/users/{user_id}/promote", "POST", summary="Make a user of the organisation an approver",
       roles=("approver", "admin"), response=Account, tag="accounts")
def promote(user_id: str, caller):
    from care_tracker.wiring import account_care_service

    return _view(account_care_service().promote(caller, user_id))


@route(bp, "/users/{user_id}", "PATCH", summary="Support team: change an account's details (name, phone, job title, locations)",
       roles=("admin",), body=DetailsChange, response=Account, tag="accounts")
def change_details(user_id: str, caller, body: DetailsChange):
    from care_tracker.wiring import account_care_service

    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    changes = {k: v for k, v in changes.items() if v is not None}
    return _view(account_care_service().change_details(caller, user_id, body.version, changes))


@route(bp, "/me/consent", "PUT", summary="Change my communications consent", body=ConsentChange, response=Account, tag="accounts")
def set_consent(caller, body: ConsentChange):
    from care_tracker.wiring import account_care_service

    return _view(account_care_service().set_consent(caller, body.comms_consent))


@route(bp, "/locations/thinly-staffed", summary="Locations with fewer than two active users (my organisation; support team: "
       "one organisation with ?organisation_id=, or the national list made nightly)",
       roles=("approver", "admin"), query=OrgQuery, response=ThinLocations, tag="accounts")
def thinly_staffed(caller, query: OrgQuery):
    from care_tracker.wiring import account_care_service

    locations, as_of = account_care_service().thinly_staffed(caller, query.organisation_id)
    return ThinLocations(locations=[ThinLocation(**loc) for loc in locations], as_of=as_of)


class PublicBodyChange(Strict):
    public_body: StrictBool


class OrganisationView(BaseModel):
    organisation_id: str
    name: str
    public_body: bool | None


@route(bp, "/organisations/{organisation_id}/public-body", "PUT",
       summary="Support team: whether a public body runs the organisation (where CQC's file does not say)",
       roles=("admin",), body=PublicBodyChange, response=OrganisationView, tag="accounts")
def set_public_body(organisation_id: str, caller, body: PublicBodyChange):
    from care_tracker.wiring import account_care_service

    org = account_care_service().set_public_body(caller, organisation_id, body.public_body)
    return OrganisationView(organisation_id=org["org_id"], name=org.get("name", ""), public_body=org.get("public_body"))

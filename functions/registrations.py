"""Self-registration and its decisions (RULES 1.2; API.md)."""
from __future__ import annotations

from typing import Annotated, Literal

from chalice import Blueprint
from pydantic import BaseModel, Field, StrictBool, StringConstraints

from functions.http import route
from functions.schema import Email, Name, NamedLocation, Strict, text

bp = Blueprint(__name__)

CqcId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^1-[0-9]{1,15}$")]
Text = Name


class RegistrationRequest(Strict):
    full_name: Text
    email: Email = Field(description="Your username; compared case-insensitively")
    phone: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=30,
                                            pattern=r"^[0-9+() \-]+$")]
    job_title: Text
    location_ids: list[CqcId] = Field(default_factory=list, max_length=100,
                                      description="The chosen locations (from /locations/search), all of one organisation")
    organisation_id: CqcId | None = Field(default=None, description="Instead of location_ids: all locations of this organisation")
    local_authorities: list[Text] = Field(default_factory=list, max_length=20, description=(
        "Commissioners, instead of locations: the local authorities (as CQC names them, e.g. Leeds) whose returns "
        "you need; use your organisational email. The support team decides."))
    terms_accepted: StrictBool = Field(description="Terms of use: must be true")
    comms_consent: StrictBool = Field(description="Communications: agree (true) or not (false); you can change it later")


class RegistrationCreated(BaseModel):
    id: str
    status: Literal["pending"]


class PendingQuery(Strict):
    status: Literal["pending"] = "pending"
    organisation_id: CqcId | None = Field(default=None, description="Support team: an organisation's queue (default: the support queue)")


class Registration(BaseModel):
    id: str
    status: str
    full_name: str
    email: str
    phone: str | None
    job_title: str | None
    organisation_id: str | None
    organisation_name: str | None = None
    location_ids: list[str]
    locations: list[NamedLocation] = Field(default_factory=list, description="The chosen locations with their names")
    all_locations: bool
    comms_consent: bool
    created_at: str
    reason: str | None = None
    local_authorities: list[str] = Field(default_factory=list, description="A commissioner's request: their areas")


class RegistrationList(BaseModel):
    registrations: list[Registration]


class RejectRequest(Strict):
    reason: text(2000, multiline=True, min_length=3) = Field(description="Required: emailed to the applicant")


def _view(r: dict) -> Registration:
    return Registration(id=r["registration_id"], status=r["status"], full_name=r["full_name"], email=r["email"],
                        phone=r.get("phone"), job_title=r.get("job_title"), organisation_id=r.get("org_id"),
                        location_ids=list(r.get("location_ids") or []), all_locations=bool(r.get("all_locations")),
                        comms_consent=bool(r.get("comms_consent")), created_at=r["created_at"], reason=r.get("reason"),
                        local_authorities=list(r.get("local_authorities") or []),
                        organisation_name=r.get("organisation_name"), locations=r.get("locations") or [])


@route(bp, "/registrations", "POST", summary="Ask for an account (self-registration); 409 username_taken if the email is taken",
       public=True, body=RegistrationRequest, response=RegistrationCreated, status=201, tag="registration")
def create_registration(body: RegistrationRequest):
    from care_tracker.services.registrations import NewRequest
    from care_tracker.wiring import registration_service

    stored = registration_service().request(NewRequest(
        full_name=body.full_name, email=body.email, phone=body.phone, job_title=body.job_title,
        location_ids=tuple(body.location_ids), organisation_id=body.organisation_id,
        terms_accepted=body.terms_accepted, comms_consent=body.comms_consent,
        local_authorities=tuple(body.local_authorities)))
    return RegistrationCreated(id=stored["registration_id"], status="pending")


@route(bp, "/registrations", summary="Requests waiting for my decision (approvers: my organisation's; support: the support queue)",
       roles=("approver", "admin"), query=PendingQuery, response=RegistrationList, tag="registration")
def list_registrations(caller, query: PendingQuery):
    from care_tracker.wiring import registration_service

    return RegistrationList(registrations=[_view(r) for r in registration_service().pending_for(caller, query.organisation_id)])


@route(bp, "/registrations/{registration_id}/approve", "POST", summary="Approve: the account is created and login details emailed",
       roles=("approver", "admin"), response=Registration, tag="registration")
def approve_registration(registration_id: str, caller):
    from care_tracker.wiring import registration_service

    return _view(registration_service().approve(caller, registration_id))


@route(bp, "/registrations/{registration_id}/reject", "POST", summary="Reject with a reason, which is emailed to the applicant",
       roles=("approver", "admin"), body=RejectRequest, response=Registration, tag="registration")
def reject_registration(registration_id: str, caller, body: RejectRequest):
    from care_tracker.wiring import registration_service

    return _view(registration_service().reject(caller, registration_id, body.reason))

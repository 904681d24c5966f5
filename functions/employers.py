"""Employers and their personal assistants (RULES 2.1, 2.2, 2.5; issue 11). Each route calls one
EmployerService function (services/employers.py).

Paths carry only ids (an employer's id is their user id, a PA's theirs), never a name, email, NI
number or date of birth; the support team's search by email is a POST for that reason.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from chalice import Blueprint
from pydantic import AfterValidator, BaseModel, Field, StrictBool, StringConstraints, model_validator

from functions.http import route
from functions.schema import Email, Name, Strict, text

bp = Blueprint(__name__)

EMPLOYER, PA, SUPPORT = ("employer",), ("pa",), ("admin",)

Phone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=30, pattern=r"^[0-9+() \-]+$")]
Address = text(400, multiline=True, min_length=5)  # line breaks allowed; control characters are not
Short = text(100, multiline=False)
Hours = Annotated[Decimal, Field(ge=0, le=168, decimal_places=2)]


def _ni(value: str) -> str:
    from care_tracker.rules.ni_number import normalise, problem

    found = problem(value)
    if found:
        raise ValueError(found)
    return normalise(value)


NiNumber = Annotated[str, StringConstraints(max_length=20), AfterValidator(_ni)]
MonthDay = Annotated[str, StringConstraints(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]


def _check_month_day(value: str | None) -> str | None:
    if value is not None:
        month, day = (int(p) for p in value.split("-"))
        date(2024, month, day)  # a leap year: 02-29 is allowed (clamped to 28 February in other years)
    return value


Relationship = Literal["none", "family_member", "friend"]


# ---------- employers ----------
class EmployerDetails(Strict):
    care_recipient_name: Name = Field(description="Who needs the care")
    managed_by: Literal["self", "appointed"] = Field(
        description="self: the person needing care manages it; appointed: someone appointed to manage it for them")
    manager_relationship: Literal["friend", "family_member", "social_worker", "health_professional"] | None = Field(
        default=None, description="For managed_by=appointed: how the manager is related to the person needing care")
    appointed_by: Literal["the_person", "the_funder"] | None = Field(
        default=None, description="For managed_by=appointed: who appointed them (Care Act 2014 s31 nominated / s32 authorised person)")
    funding_type: Literal["direct_payment", "personal_budget", "compensation_or_trust", "personal_health_budget",
                          "continuing_care"]
    care_package_confirmed: StrictBool = Field(description="A care package is already in place (without one, sign-up says where to go first)")


class EmployerSignUp(EmployerDetails):
    full_name: Name = Field(description="Your name (the account holder's)")
    email: Email


class EarlierCycle(BaseModel):
    pay_cycle: str
    first_period_start: str


class Settings(BaseModel):
    funded_hours_per_week: str | None
    pay_cycle: str | None
    first_period_start: str | None
    leave_year_start: str = Field(description="MM-DD; 04-01 unless changed")
    domestic_service: StrictBool
    version: int
    earlier_cycles: list[EarlierCycle] = Field(default_factory=list, description="The pay cycles before this one (a "
                                               "change from a date keeps the periods before it), oldest first")


class EmployerAccount(BaseModel):
    employer_id: str
    full_name: str
    email: str
    care_recipient_name: str
    managed_by: str
    manager_relationship: str | None
    appointed_by: str | None
    funding_type: str
    current_pas: int
    settings: Settings
    guidance: list[str] = Field(description="Plain-words notes (under 10 funded hours a week, fewer than 2 PAs); never a refusal")


class SettingsChange(Strict):
    version: int = Field(description="The settings version you read; a stale one is refused with 409")
    funded_hours_per_week: Hours | None = None
    pay_cycle: Literal["weekly", "two_weekly", "four_weekly", "monthly"] | None = None
    first_period_start: date | None = None
    leave_year_start: Annotated[MonthDay | None, AfterValidator(_check_month_day)] = None
    domestic_service: StrictBool | None = None


class FindEmployer(Strict):
    email: Email


# ---------- PAs ----------
class EmergencyContact(Strict):
    emergency_contact_name: Name | None = None
    emergency_contact_phone: Phone | None = None
    emergency_contact_relationship: Short | None = None


class NewPa(EmergencyContact):
    full_name: Name
    email: Email = Field(description="Their username: an existing login gets a new employment, not a second account")
    phone: Phone
    address: Address
    date_of_birth: date
    ni_number: NiNumber = Field(description="National Insurance number (HMRC's rule; spaces ignored)")
    start_date: date
    contracted_hours: Hours | None = Field(default=None, description="Contracted hours a week")
    irregular_hours: StrictBool = Field(default=False, description="True instead of contracted_hours")
    relationship: Relationship = Field(default="none", description="The PA's relationship to the person cared for")
    provider_agreed: StrictBool = Field(default=False, description="For a family member or friend: the care package provider has agreed")

    @model_validator(mode="after")
    def _hours_or_irregular(self):
        if (self.contracted_hours is None) == (not self.irregular_hours):
            raise ValueError("give contracted_hours, or irregular_hours: true (one of the two)")
        return self


class PaChange(EmergencyContact):
    version: int = Field(description="The version you read; a stale one is refused with 409")
    pa_name: Name | None = None
    phone: Phone | None = None
    address: Address | None = None
    date_of_birth: date | None = None
    ni_number: NiNumber | None = Field(default=None, description="A corrected National Insurance number (HMRC's rule; "
                                       "spaces ignored; unique among the employer's PAs)")
    contracted_hours: Hours | None = Field(default=None, description="null with irregular_hours: true for irregular hours")
    irregular_hours: StrictBool | None = None
    relationship: Relationship | None = None
    provider_agreed: StrictBool | None = None
    dbs_certificate_number: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{12}$")] | None = Field(
        default=None, description="The DBS certificate's 12-digit number (never the certificate itself)")
    dbs_issue_date: date | None = None
    dbs_level: Literal["basic", "standard", "enhanced", "enhanced_with_barred_lists"] | None = None
    right_to_work_checked: date | None = None
    opt_out_start: date | None = Field(default=None, description="A signed 48-hour opt-out: from")
    opt_out_cancelled: date | None = None


class PaView(BaseModel):
    pa_id: str
    pa_name: str
    email: str | None
    phone: str | None
    address: str | None
    date_of_birth: str | None
    ni_number: str
    start_date: str
    contracted_hours: str | None
    irregular_hours: StrictBool
    relationship: str | None
    provider_agreed: StrictBool | None
    emergency_contact_name: str | None
    emergency_contact_phone: str | None
    emergency_contact_relationship: str | None
    dbs_certificate_number: str | None
    dbs_issue_date: str | None
    dbs_level: str | None
    right_to_work_checked: str | None
    opt_out_start: str | None
    opt_out_cancelled: str | None
    status: Literal["active", "details_missing", "archived"]
    leaving_date: str | None
    earlier_periods: list[dict[str, str]]
    retained_until: str | None = Field(description="Archived: when the minimised record and work history are deleted")
    version: int


class PaListQuery(Strict):
    status: Literal["current", "archived"] = Field(default="current", description="current (active and details missing) or archived")
    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2048, description="next_cursor of the previous page")


class PaListItem(BaseModel):
    pa_id: str
    pa_name: str
    status: str
    start_date: str
    email: str | None = None
    contracted_hours: str | None = None
    irregular_hours: StrictBool | None = None
    ni_number: str | None = Field(default=None, description="Archived list only (RULES 2.5's minimised record)")
    leaving_date: str | None = None


class PaList(BaseModel):
    pas: list[PaListItem]
    next_cursor: str | None


class Archive(Strict):
    leaving_date: date


class Reactivate(Strict):
    start_date: date


class MyDetails(BaseModel):
    pa_name: str | None
    email: str | None
    phone: str | None
    address: str | None
    date_of_birth: str | None
    ni_number: str | None
    emergency_contact_name: str | None
    emergency_contact_phone: str | None
    emergency_contact_relationship: str | None


class MyEmployment(BaseModel):
    employer_id: str
    employer_name: str | None
    status: str
    start_date: str
    contracted_hours: str | None
    irregular_hours: StrictBool
    details_missing: StrictBool = Field(description="Reactivated: fill in your details (PUT .../details) before anything else")
    version: int | None
    my_details: MyDetails


class MyEmployments(BaseModel):
    employments: list[MyEmployment]
    details_missing: list[str] = Field(description="Employers whose form must be filled in first")


class MyDetailsChange(EmergencyContact):
    phone: Phone | None = None
    address: Address | None = None
    date_of_birth: date | None = Field(default=None, description="Only when your details are missing (after a reactivation)")


def _service():
    from care_tracker.wiring import employer_service

    return employer_service()


# ---------- routes ----------
@route(bp, "/employers", "POST", summary="Sign up as an employer of PAs (no approval; a temporary password is emailed)",
       public=True, body=EmployerSignUp, response=EmployerAccount, status=201, tag="employers")
def sign_up(body: EmployerSignUp):
    return EmployerAccount(**_service().sign_up(body.model_dump()))


@route(bp, "/me/employer", "POST", summary="Become an employer with the login I already have (one login, both roles)",
       roles=("provider_user", "approver", "pa"), body=EmployerDetails, response=EmployerAccount, status=201, tag="employers")
def become_employer(caller, body: EmployerDetails):
    return EmployerAccount(**_service().become_employer(caller, body.model_dump()))


@route(bp, "/employers/{employer_id}", summary="My employer account, settings and guidance", roles=EMPLOYER,
       response=EmployerAccount, tag="employers")
def employer_account(employer_id: str, caller):
    return EmployerAccount(**_service().account(caller, employer_id))


@route(bp, "/employers/{employer_id}/settings", "PUT", summary="Change my settings (version-checked: a stale edit is 409)",
       roles=EMPLOYER, body=SettingsChange, response=EmployerAccount, tag="employers")
def change_settings(employer_id: str, caller, body: SettingsChange):
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    return EmployerAccount(**_service().update_settings(caller, employer_id, body.version, changes))


@route(bp, "/employers/{employer_id}/pas", "POST", summary="Add a PA (they get a login, or a new employment on the login they have)",
       roles=EMPLOYER, body=NewPa, response=PaView, status=201, tag="employers")
def add_pa(employer_id: str, caller, body: NewPa):
    return PaView(**_service().add_pa(caller, employer_id, body.model_dump()))


@route(bp, "/employers/{employer_id}/pas", summary="My PAs sorted by name, a page at a time (no NI numbers nor dates of birth)",
       roles=EMPLOYER, query=PaListQuery, response=PaList, tag="employers")
def list_pas(employer_id: str, caller, query: PaListQuery):
    return PaList(**_service().list_pas(caller, employer_id, query.status, query.limit, query.cursor))


@route(bp, "/employers/{employer_id}/pas/{pa_id}", summary="One PA's record", roles=EMPLOYER, response=PaView,
       tag="employers")
def get_pa(employer_id: str, pa_id: str, caller):
    return PaView(**_service().get_pa(caller, employer_id, pa_id))


@route(bp, "/employers/{employer_id}/pas/{pa_id}", "PUT", summary="Correct a PA's record (version-checked: a stale edit is 409)",
       roles=EMPLOYER, body=PaChange, response=PaView, tag="employers")
def change_pa(employer_id: str, pa_id: str, caller, body: PaChange):
    changes = body.model_dump(exclude_unset=True, exclude={"version", "irregular_hours"})
    if body.irregular_hours:
        changes["contracted_hours"] = None
    elif "contracted_hours" in changes and changes["contracted_hours"] is None:
        changes.pop("contracted_hours")  # null alone changes nothing: irregular hours are asked for by name
    for name in ("pa_name", "ni_number"):  # null changes nothing: neither can be removed
        if name in changes and changes[name] is None:
            changes.pop(name)
    return PaView(**_service().update_pa(caller, employer_id, pa_id, body.version, changes))


@route(bp, "/employers/{employer_id}/pas/{pa_id}/archive", "POST",
       summary="Archive a PA who left: access ends at once, personal data deleted but name, username and NI number",
       roles=EMPLOYER, body=Archive, response=PaView, tag="employers")
def archive_pa(employer_id: str, pa_id: str, caller, body: Archive):
    return PaView(**_service().archive(caller, employer_id, pa_id, body.leaving_date))


@route(bp, "/employers/{employer_id}/pas/{pa_id}/reactivate", "POST",
       summary="Reactivate an archived PA with a new start date (they re-enter their details; new temporary password)",
       roles=EMPLOYER, body=Reactivate, response=PaView, tag="employers")
def reactivate_pa(employer_id: str, pa_id: str, caller, body: Reactivate):
    return PaView(**_service().reactivate(caller, employer_id, pa_id, body.start_date))


@route(bp, "/me/employments", summary="A PA's own employments and details", roles=PA, response=MyEmployments, tag="employers")
def my_employments(caller):
    return MyEmployments(**_service().my_employments(caller))


@route(bp, "/me/employments/{employer_id}/details", "PUT",
       summary="A PA corrects their own details (phone, address, emergency contact), or fills them in after a reactivation",
       roles=PA, body=MyDetailsChange, response=MyEmployment, tag="employers")
def change_my_details(employer_id: str, caller, body: MyDetailsChange):
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    return MyEmployment(**_service().update_my_details(caller, employer_id, changes))


@route(bp, "/support/employers/find", "POST", summary="Support team: find an employer by email (no PA details)",
       roles=SUPPORT, body=FindEmployer, response=EmployerAccount, tag="employers")
def find_employer(caller, body: FindEmployer):
    return EmployerAccount(**_service().find_employer(body.email))

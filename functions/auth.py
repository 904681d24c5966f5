"""Logging in (Cognito), the first-login password change, password reset, and who am I."""
from __future__ import annotations

from chalice import Blueprint
from pydantic import BaseModel, Field

from functions.http import Email, NamedLocation, Strict, route

bp = Blueprint(__name__)


class LoginRequest(Strict):
    email: Email
    password: str = Field(min_length=1, max_length=256)


class NewPasswordRequest(Strict):
    email: Email
    session: str = Field(min_length=1, max_length=4096)
    new_password: str = Field(min_length=1, max_length=256, description="At least 12 characters; common passwords are refused")


class ForgotPasswordRequest(Strict):
    email: Email


class ResetPasswordRequest(Strict):
    email: Email
    code: str = Field(min_length=1, max_length=64)
    new_password: str = Field(min_length=1, max_length=256)


class TokensResponse(BaseModel):
    id_token: str = Field(description="Send as 'Authorization: Bearer <id_token>'")
    access_token: str
    refresh_token: str | None
    expires_in: int


class ChallengeResponse(BaseModel):
    challenge: str = Field(description="NEW_PASSWORD_REQUIRED: call /auth/new-password with the session")
    session: str


class Accepted(BaseModel):
    message: str


class Me(BaseModel):
    user_id: str
    email: str
    full_name: str
    roles: list[str]
    organisation_id: str | None
    organisation_name: str | None = None
    location_ids: list[str]
    locations: list[NamedLocation] = Field(default_factory=list, description="My locations with their names")
    local_authorities: list[str] = Field(default_factory=list, description="A commissioner's areas (CQC's local authority names)")


def _login_answer(result):
    from care_tracker.ports import Challenge

    if isinstance(result, Challenge):
        return ChallengeResponse(challenge=result.name, session=result.session)
    return TokensResponse(id_token=result.id_token, access_token=result.access_token,
                          refresh_token=result.refresh_token, expires_in=result.expires_in)


@route(bp, "/auth/login", "POST", summary="Log in: tokens, or a NEW_PASSWORD_REQUIRED challenge on first login",
       public=True, body=LoginRequest, response=TokensResponse, tag="auth")
def login(body: LoginRequest):
    from care_tracker.errors import Unauthorized
    from care_tracker.observability import metrics
    from care_tracker.wiring import auth_service

    try:
        answer = auth_service().login(body.email, body.password)
    except Unauthorized:
        metrics.add_metric(name="LoginsRefused", unit="Count", value=1)
        raise
    metrics.add_metric(name="Logins", unit="Count", value=1)
    return _login_answer(answer)


@route(bp, "/auth/new-password", "POST", summary="Choose a password at first login (answers the challenge)",
       public=True, body=NewPasswordRequest, response=TokensResponse, tag="auth")
def new_password(body: NewPasswordRequest):
    from care_tracker.wiring import auth_service

    return _login_answer(auth_service().new_password(body.email, body.session, body.new_password))


@route(bp, "/auth/forgot-password", "POST", summary="Email a password reset code", public=True,
       body=ForgotPasswordRequest, response=Accepted, status=202, tag="auth")
def forgot_password(body: ForgotPasswordRequest):
    from care_tracker.wiring import auth_service

    auth_service().forgot_password(body.email)
    # The same answer whether or not the account exists.
    return Accepted(message="If that address has an account, a reset code is on its way.")


@route(bp, "/auth/reset-password", "POST", summary="Set a new password with the emailed code", public=True,
       body=ResetPasswordRequest, response=Accepted, tag="auth")
def reset_password(body: ResetPasswordRequest):
    from care_tracker.wiring import auth_service

    auth_service().reset_password(body.email, body.code, body.new_password)
    return Accepted(message="Your password has been changed. Log in with it now.")


@route(bp, "/me", summary="Who I am: roles, organisation and locations", response=Me, tag="auth", commissioners=True)
def me(caller):
    from care_tracker.services.names import of_account
    from care_tracker.wiring import location_directory

    return Me(user_id=caller.user_id, email=caller.email, full_name=caller.full_name, roles=sorted(caller.roles),
              organisation_id=caller.org_id, location_ids=list(caller.location_ids),
              local_authorities=list(caller.local_authorities),  # names beside ids (issue 9): one BatchGetItem
              **of_account(location_directory(), caller.org_id, caller.location_ids))

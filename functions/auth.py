"""Logging in (Cognito), the first-login password change, password reset, and the model of who am I
(GET /me itself is functions/me.py, kept free of pydantic)."""
from __future__ import annotations

from typing import Annotated

from chalice import Blueprint
from pydantic import BaseModel, Field, RootModel

from functions.http import route
from functions.schema import Email, NamedLocation, Strict, text

bp = Blueprint(__name__)

# What a sign-in answered with "challenge": Cognito's sessions are 20 to 2048 characters, the service's
# own (sealed, for MFA_SETUP) carry a refresh token and can be longer.
Session = Annotated[str, Field(min_length=20, max_length=8192, description="The session of the challenge being answered")]
Code = Annotated[str, Field(pattern=r"^[0-9]{6}$", description="The 6-digit code the authenticator app shows now")]


class LoginRequest(Strict):
    email: Email
    password: str = Field(min_length=1, max_length=256)


class NewPasswordRequest(Strict):
    email: Email
    session: Session
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
    challenge: str = Field(description="NEW_PASSWORD_REQUIRED: choose a password at /auth/new-password. "
                                       "MFA_SETUP: set up an authenticator app (/auth/mfa/setup, then /auth/mfa/confirm); "
                                       "approvers, the support team and enforcement officers must. "
                                       "SOFTWARE_TOKEN_MFA: send the app's code to /auth/mfa")
    session: str


class MfaSessionRequest(Strict):
    email: Email
    session: Session


class MfaCodeRequest(Strict):
    email: Email
    session: Session
    code: Code


class MfaSetupResponse(BaseModel):
    secret: str = Field(description="The authenticator's key (base32), for typing in by hand")
    otpauth_uri: str = Field(description="otpauth://totp/... : show it as a QR code for the app to scan")
    session: str = Field(description="Send back to /auth/mfa/confirm with the app's first code")


class AccessTokenRequest(Strict):
    access_token: str = Field(min_length=20, max_length=8192, description="The access token from your sign-in")


class TurnOffRequest(Strict):
    password: str = Field(min_length=1, max_length=256, description="The password I sign in with: an open session alone cannot turn it off")


class RefreshRequest(Strict):
    refresh_token: str = Field(min_length=20, max_length=8192, description="The refresh token from your sign-in")


class AccessTokenCodeRequest(AccessTokenRequest):
    code: Code


class SignedInSetupResponse(BaseModel):
    secret: str
    otpauth_uri: str


class MfaResetRequest(Strict):
    reason: text(500, multiline=True, min_length=5) = Field(
                        description="Why (e.g. 'lost phone, identity checked by a call to the registered manager')")


class MfaResetResponse(BaseModel):
    user_id: str
    reset_by: str
    reason: str
    at: str
    mfa_required: bool = Field(description="Whether they must enrol again at their next sign-in (their roles need it)")


class MfaResetsQuery(Strict):
    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2048, description="next_cursor of the previous page")


class MfaResetRecord(BaseModel):
    user_id: str
    full_name: str | None = Field(description="Whose app was reset (None once their account is deleted)")
    email: str | None
    reset_by: str
    reset_by_name: str | None
    reason: str
    at: str


class MfaResetList(BaseModel):
    resets: list[MfaResetRecord]
    next_cursor: str | None


class SignInAnswer(RootModel[TokensResponse | ChallengeResponse]):
    """Tokens, or the next challenge of the sign-in (what /auth/login and its answers return)."""


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
    mfa_enrolled: bool = Field(default=False, description="Whether an authenticator app is in force for my sign-in")
    roles_awaiting_mfa: list[str] = Field(default_factory=list,
                                          description="Roles I hold that work only once I sign in again and set up an authenticator app")


def _login_answer(result):
    from care_tracker.ports import Challenge

    if isinstance(result, Challenge):
        return ChallengeResponse(challenge=result.name, session=result.session)
    return TokensResponse(id_token=result.id_token, access_token=result.access_token,
                          refresh_token=result.refresh_token, expires_in=result.expires_in)


@route(bp, "/auth/login", "POST",
       summary="Log in: tokens, or a challenge (NEW_PASSWORD_REQUIRED, MFA_SETUP, SOFTWARE_TOKEN_MFA); 429 locked_out after 5 failures in 15 minutes",
       public=True, body=LoginRequest, response=SignInAnswer, tag="auth")
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
       public=True, body=NewPasswordRequest, response=SignInAnswer, tag="auth")
def new_password(body: NewPasswordRequest):
    from care_tracker.wiring import auth_service

    return _login_answer(auth_service().new_password(body.email, body.session, body.new_password))


@route(bp, "/auth/mfa/setup", "POST", summary="Inside a sign-in that answered MFA_SETUP: the authenticator app's key and QR code",
       public=True, body=MfaSessionRequest, response=MfaSetupResponse, tag="auth")
def mfa_setup(body: MfaSessionRequest):
    from care_tracker.wiring import auth_service

    secret, uri, session = auth_service().mfa_setup(body.email, body.session)
    return MfaSetupResponse(secret=secret, otpauth_uri=uri, session=session)


@route(bp, "/auth/mfa/confirm", "POST", summary="Finish setting up the authenticator app with its first code, and sign in",
       public=True, body=MfaCodeRequest, response=TokensResponse, tag="auth")
def mfa_confirm(body: MfaCodeRequest):
    from care_tracker.wiring import auth_service

    return _login_answer(auth_service().mfa_confirm(body.email, body.session, body.code))


@route(bp, "/auth/mfa", "POST", summary="Answer SOFTWARE_TOKEN_MFA with the authenticator app's code, and sign in",
       public=True, body=MfaCodeRequest, response=SignInAnswer, tag="auth")
def mfa_answer(body: MfaCodeRequest):
    from care_tracker.wiring import auth_service

    return _login_answer(auth_service().mfa_answer(body.email, body.session, body.code))


@route(bp, "/me/mfa/setup", "POST", summary="Turn on two-step sign-in while signed in: the app's key and QR code",
       body=AccessTokenRequest, response=SignedInSetupResponse, tag="auth")
def my_mfa_setup(caller, body: AccessTokenRequest):
    from care_tracker.wiring import auth_service

    secret, uri = auth_service().mfa_start_signed_in(caller, body.access_token)
    return SignedInSetupResponse(secret=secret, otpauth_uri=uri)


@route(bp, "/me/mfa/confirm", "POST", summary="Turn on two-step sign-in: the app's first code; every sign-in then asks for one",
       body=AccessTokenCodeRequest, response=Me, tag="auth")
def my_mfa_confirm(caller, body: AccessTokenCodeRequest):
    from dataclasses import replace

    from care_tracker.wiring import auth_service

    auth_service().mfa_confirm_signed_in(caller, body.access_token, body.code)
    return me_of(replace(caller, roles=caller.roles | caller.awaiting_mfa, awaiting_mfa=frozenset(), mfa_enrolled=True))


@route(bp, "/me/mfa/turn-off", "POST",
       summary="Turn off two-step sign-in (not for approvers, the support team, enforcement officers: 403 mfa_required); "
       "my password confirms it (400 wrong_password); sign-in then asks no code",
       body=TurnOffRequest, response=Me, tag="auth")
def my_mfa_turn_off(caller, body: TurnOffRequest):
    from dataclasses import replace

    from care_tracker.wiring import auth_service

    auth_service().mfa_turn_off(caller, body.password)
    return me_of(replace(caller, mfa_enrolled=False))


@route(bp, "/me/session/refresh", "POST", summary="Before the ID token expires: new ID and access tokens from this "
       "sign-in's refresh token (12 hours from signing in at most)", body=RefreshRequest, response=TokensResponse, tag="auth")
def refresh_session(caller, body: RefreshRequest):
    from care_tracker.wiring import auth_service

    return _login_answer(auth_service().refresh_signed_in(caller, body.refresh_token))


@route(bp, "/users/{user_id}/mfa/reset", "POST",
       summary="Support team: turn off a person's authenticator app (lost phone); recorded with who and why; they enrol again",
       roles=("admin",), body=MfaResetRequest, response=MfaResetResponse, tag="auth")
def reset_mfa(user_id: str, caller, body: MfaResetRequest):
    from care_tracker.wiring import auth_service

    return MfaResetResponse(**auth_service().reset_mfa(caller, user_id, body.reason))


@route(bp, "/mfa-resets", summary="Support team: every reset of two-step sign-in (who, by whom, why), newest first, "
       "a page at a time", roles=("admin",), query=MfaResetsQuery, response=MfaResetList, tag="auth")
def mfa_resets(caller, query: MfaResetsQuery):
    from care_tracker.wiring import auth_service

    return MfaResetList(**auth_service().mfa_resets(caller, query.limit, query.cursor))


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


def me_of(caller) -> Me:
    """GET /me's answer (functions/me.py), as the model the MFA routes answer with."""
    from functions.me import me_view

    return Me(**me_view(caller))

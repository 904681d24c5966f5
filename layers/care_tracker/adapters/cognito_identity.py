"""Logins through a Cognito user pool (USER_PASSWORD_AUTH on an app client without a secret)."""
from __future__ import annotations

import boto3
from botocore.exceptions import ClientError, ParamValidationError

from care_tracker.errors import BadRequest, Conflict, Forbidden, TooManyRequests, Unauthorized
from care_tracker.ports import Challenge, Tokens

_WRONG_LOGIN = "The email address or password is not right. Check them, or reset your password."
_DEACTIVATED = ("This account has been deactivated, so it cannot sign in. Ask an approver of your organisation "
                "(or the support team) to reactivate it; resetting the password will not help.")
_INVALID_SESSION = "That sign-in has expired or was already used. Log in again."
_WRONG_CODE = ("That code from your authenticator app is not right. Enter the 6-digit code it shows now "
               "(codes change every 30 seconds; check the phone's clock is right).")
_INVALID_CODE = "That reset code is wrong or has expired. Ask for a new one."
# Cognito's limits on a username (our usernames are emails) and on a challenge session.
USERNAME_MAX = 128
SESSION_MIN, SESSION_MAX = 20, 2048


def _code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def _message(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Message", "")


def _translate(exc: ClientError) -> Exception:
    code = _code(exc)
    if code in ("NotAuthorizedException", "UserNotFoundException"):
        if _message(exc).rstrip(".").lower() == "user is disabled":
            return Forbidden(_DEACTIVATED, code="account_deactivated")
        if "expired" in _message(exc).lower():
            return Unauthorized(
                "Your temporary password has expired. Ask your approver or the support team for a new one.",
                code="temporary_password_expired",
            )
        return Unauthorized(_WRONG_LOGIN, code="wrong_login")
    if code == "UsernameExistsException":
        return Conflict("That email address is already registered. Reset the password if it is yours.", code="username_taken")
    if code == "PasswordResetRequiredException":
        return Unauthorized("You need to reset your password before logging in.", code="password_reset_required")
    if code == "InvalidPasswordException":
        return BadRequest(_message(exc) or "That password does not meet the policy.", code="weak_password")
    if code in ("CodeMismatchException", "ExpiredCodeException"):
        return BadRequest("That reset code is wrong or has expired. Ask for a new one.", code="invalid_code")
    if code in ("LimitExceededException", "TooManyRequestsException", "TooManyFailedAttemptsException"):
        return TooManyRequests("Too many attempts. Wait a few minutes and try again.")
    return exc


class CognitoIdentity:
    def __init__(self, user_pool_id: str, client_id: str, region: str) -> None:
        self._pool = user_pool_id
        self._client_id = client_id
        self._idp = boto3.client("cognito-idp", region_name=region)

    def create_user(self, email: str, temporary_password: str) -> str:
        try:
            response = self._create(email, temporary_password)
        except ClientError as exc:
            raise _translate(exc) from exc
        attributes = {a["Name"]: a["Value"] for a in response["User"].get("Attributes", [])}
        return attributes.get("sub") or response["User"]["Username"]

    def _create(self, email: str, temporary_password: str) -> dict:
        return self._idp.admin_create_user(
            UserPoolId=self._pool,
            Username=email,
            TemporaryPassword=temporary_password,
            # We send our own welcome mail through SES, so Cognito stays quiet.
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        )

    def delete_user(self, email: str) -> None:
        try:
            self._idp.admin_delete_user(UserPoolId=self._pool, Username=email)
        except ClientError as exc:
            if _code(exc) != "UserNotFoundException":
                raise

    def login(self, email: str, password: str) -> Tokens | Challenge:
        try:
            response = self._idp.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": email, "PASSWORD": password},
            )
        except ClientError as exc:
            raise _translate(exc) from exc
        if "ChallengeName" in response:
            return Challenge(name=response["ChallengeName"], session=response["Session"])
        return _tokens(response["AuthenticationResult"])

    def answer_new_password(self, email: str, session: str, new_password: str) -> Tokens | Challenge:
        _check_session(session)
        try:
            response = self._idp.respond_to_auth_challenge(
                ClientId=self._client_id,
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=session,
                ChallengeResponses={"USERNAME": email, "NEW_PASSWORD": new_password},
            )
        except ClientError as exc:
            if _code(exc) in ("NotAuthorizedException", "CodeMismatchException", "ExpiredCodeException",
                              "ResourceNotFoundException"):
                # ResourceNotFound: moto's (and Cognito's) answer to a session it does not know or used up.
                raise Unauthorized(_INVALID_SESSION + " Use your temporary password if you have not chosen one yet.",
                                   code="invalid_session") from exc
            raise _translate(exc) from exc
        return _answer(response)

    def forgot_password(self, email: str) -> str | None:
        if len(email) > USERNAME_MAX:
            return None  # no such account can exist; the same silence as for any unknown address
        try:
            response = self._idp.forgot_password(ClientId=self._client_id, Username=email)
        except ClientError as exc:
            if _code(exc) in ("UserNotFoundException", "NotAuthorizedException", "InvalidParameterException"):
                return None  # say nothing about whether the account exists
            raise _translate(exc) from exc
        # Only moto discloses the code (Cognito mails it itself); for an unknown user it says "None".
        code = response["ResponseMetadata"].get("HTTPHeaders", {}).get("x-moto-forgot-password-confirmation-code")
        return code if code and code != "None" else None

    def reset_password(self, email: str, code: str, new_password: str) -> None:
        if len(email) > USERNAME_MAX:  # botocore would refuse it before the call (ParamValidationError)
            raise BadRequest(_INVALID_CODE, code="invalid_code")
        try:
            self._idp.confirm_forgot_password(
                ClientId=self._client_id, Username=email, ConfirmationCode=code, Password=new_password
            )
        except ParamValidationError as exc:
            raise BadRequest(_INVALID_CODE, code="invalid_code") from exc
        except ClientError as exc:
            # An unknown address (moto: ResourceNotFound; Cognito: UserNotFound, or a code mismatch when
            # it hides which accounts exist) or one Cognito's username pattern refuses (InvalidParameter):
            # the same answer as a wrong code, so it says nothing about whether the account exists.
            if _code(exc) in ("UserNotFoundException", "NotAuthorizedException", "ResourceNotFoundException",
                              "InvalidParameterException"):
                raise BadRequest(_INVALID_CODE, code="invalid_code") from exc
            raise _translate(exc) from exc

    # ---------- two-step sign-in (software tokens: an authenticator app) ----------
    def answer_mfa(self, email: str, session: str, code: str) -> Tokens | Challenge:
        _check_session(session)
        try:
            response = self._idp.respond_to_auth_challenge(
                ClientId=self._client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=session,
                ChallengeResponses={"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": code})
        except ClientError as exc:
            raise _translate_mfa(exc) from exc
        return _answer(response)

    def refresh(self, refresh_token: str) -> Tokens:
        try:
            response = self._idp.initiate_auth(ClientId=self._client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                               AuthParameters={"REFRESH_TOKEN": refresh_token})
        except ClientError as exc:
            if _code(exc) in ("NotAuthorizedException", "UserNotFoundException"):
                raise Unauthorized(_INVALID_SESSION, code="invalid_session") from exc
            raise _translate(exc) from exc
        result = response["AuthenticationResult"]
        return _tokens({**result, "RefreshToken": result.get("RefreshToken") or refresh_token})

    def start_totp(self, access_token: str) -> str:
        """A new authenticator secret for the token's user (not in force until verified)."""
        try:
            return self._idp.associate_software_token(AccessToken=access_token)["SecretCode"]
        except ClientError as exc:
            raise _translate_mfa(exc) from exc

    def verify_totp(self, access_token: str, code: str) -> None:
        """Checks a first code from the app, then makes the app required at every sign-in."""
        try:
            answer = self._idp.verify_software_token(AccessToken=access_token, UserCode=code,
                                                     FriendlyDeviceName="Authenticator app")
        except ClientError as exc:
            raise _translate_mfa(exc) from exc
        if answer.get("Status") != "SUCCESS":
            raise Unauthorized(_WRONG_CODE, code="wrong_code")
        self._idp.set_user_mfa_preference(AccessToken=access_token,
                                          SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})

    def user_of_access_token(self, access_token: str) -> str:
        """The `sub` of the user an access token belongs to (Cognito checks the token)."""
        try:
            attributes = self._idp.get_user(AccessToken=access_token)["UserAttributes"]
        except ClientError as exc:
            raise Unauthorized("That access token is not valid. Sign in again.", code="invalid_token") from exc
        return next(a["Value"] for a in attributes if a["Name"] == "sub")

    def reset_totp(self, email: str) -> None:
        """Turns the authenticator off for a user (lost phone): they enrol again at the next sign-in."""
        self._idp.admin_set_user_mfa_preference(UserPoolId=self._pool, Username=email,
                                                SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False})

    def disable_user(self, email: str) -> None:
        self._idp.admin_disable_user(UserPoolId=self._pool, Username=email)
        # Refresh tokens stop working at once; ID tokens are refused by the active check on every request.
        self._idp.admin_user_global_sign_out(UserPoolId=self._pool, Username=email)

    def enable_user(self, email: str) -> None:
        self._idp.admin_enable_user(UserPoolId=self._pool, Username=email)

    def set_temporary_password(self, email: str, temporary_password: str) -> None:
        # Permanent=False: the next login answers NEW_PASSWORD_REQUIRED, as after admin_create_user.
        self._idp.admin_set_user_password(UserPoolId=self._pool, Username=email, Password=temporary_password,
                                          Permanent=False)


def _translate_mfa(exc: ClientError) -> Exception:
    code = _code(exc)
    # Cognito says EnableSoftwareTokenMFAException when a first code is wrong; moto CodeMismatch.
    if code in ("CodeMismatchException", "EnableSoftwareTokenMFAException"):
        return Unauthorized(_WRONG_CODE, code="wrong_code")
    if code in ("NotAuthorizedException", "ExpiredCodeException", "ResourceNotFoundException"):
        if "disabled" in _message(exc).lower():
            return Forbidden(_DEACTIVATED, code="account_deactivated")
        return Unauthorized(_INVALID_SESSION, code="invalid_session")
    return _translate(exc)


def _check_session(session: str) -> None:
    """botocore refuses a session outside Cognito's length limits before calling (ParamValidationError)."""
    if not SESSION_MIN <= len(session) <= SESSION_MAX:
        raise Unauthorized(_INVALID_SESSION, code="invalid_session")


def _answer(response: dict) -> Tokens | Challenge:
    if "ChallengeName" in response:
        return Challenge(name=response["ChallengeName"], session=response["Session"])
    return _tokens(response["AuthenticationResult"])


def _tokens(result: dict) -> Tokens:
    return Tokens(
        id_token=result["IdToken"],
        access_token=result["AccessToken"],
        refresh_token=result.get("RefreshToken"),
        expires_in=int(result.get("ExpiresIn", 3600)),
    )

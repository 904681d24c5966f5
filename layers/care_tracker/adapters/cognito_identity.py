"""Logins through a Cognito user pool (USER_PASSWORD_AUTH on an app client without a secret)."""
from __future__ import annotations

import boto3
from botocore.exceptions import ClientError

from care_tracker.errors import BadRequest, Conflict, TooManyRequests, Unauthorized
from care_tracker.ports import Challenge, Tokens

_WRONG_LOGIN = "The email address or password is not right. Check them, or reset your password."


def _code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def _message(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Message", "")


def _translate(exc: ClientError) -> Exception:
    code = _code(exc)
    if code in ("NotAuthorizedException", "UserNotFoundException"):
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

    def answer_new_password(self, email: str, session: str, new_password: str) -> Tokens:
        try:
            response = self._idp.respond_to_auth_challenge(
                ClientId=self._client_id,
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=session,
                ChallengeResponses={"USERNAME": email, "NEW_PASSWORD": new_password},
            )
        except ClientError as exc:
            if _code(exc) in ("NotAuthorizedException", "CodeMismatchException", "ExpiredCodeException"):
                raise Unauthorized(
                    "That login session has expired or does not match. Log in again with your temporary password.",
                    code="invalid_session",
                ) from exc
            raise _translate(exc) from exc
        return _tokens(response["AuthenticationResult"])

    def forgot_password(self, email: str) -> str | None:
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
        try:
            self._idp.confirm_forgot_password(
                ClientId=self._client_id, Username=email, ConfirmationCode=code, Password=new_password
            )
        except ClientError as exc:
            if _code(exc) in ("UserNotFoundException", "NotAuthorizedException"):
                raise BadRequest("That reset code is wrong or has expired. Ask for a new one.", code="invalid_code") from exc
            raise _translate(exc) from exc

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


def _tokens(result: dict) -> Tokens:
    return Tokens(
        id_token=result["IdToken"],
        access_token=result["AccessToken"],
        refresh_token=result.get("RefreshToken"),
        expires_in=int(result.get("ExpiresIn", 3600)),
    )

"""Accounts and logins on moto: Cognito, DynamoDB and SES together."""
from __future__ import annotations

import re

import pytest

from care_tracker import wiring
from care_tracker.errors import BadRequest, Conflict, Forbidden, Unauthorized
from care_tracker.ports import Challenge, Tokens


def _temporary_password(mail) -> str:
    return re.search(r"Temporary password: (\S+)", mail.body).group(1)


def _first_login(email: str, temporary: str, new_password: str = "violet orbit canal mitten") -> Tokens:
    auth = wiring.auth_service()
    challenge = auth.login(email, temporary)
    assert isinstance(challenge, Challenge) and challenge.name == "NEW_PASSWORD_REQUIRED"
    return auth.new_password(email, challenge.session, new_password)


def test_create_account_mails_a_temporary_password_that_must_be_changed(aws, sent_mail):
    user = wiring.account_service().create_account(email="Jo.Bloggs@Example.org", full_name="Jo Bloggs", roles=["provider_user"],
                                                   org_id="1-1", location_ids=["1-2"])
    [mail] = sent_mail()
    assert mail.to == "jo.bloggs@example.org" and "Temporary password" in mail.body
    tokens = _first_login("jo.bloggs@example.org", _temporary_password(mail))
    caller = wiring.auth_service().authenticate(f"Bearer {tokens.id_token}")
    assert caller.user_id == user.user_id and caller.location_ids == ("1-2",) and caller.roles == {"provider_user"}


def test_email_is_unique_case_insensitively_and_nothing_is_half_written(aws, sent_mail):
    accounts = wiring.account_service()
    accounts.create_account(email="sam@example.org", full_name="Sam", roles=["provider_user"])
    with pytest.raises(Conflict) as taken:
        accounts.create_account(email="SAM@example.org", full_name="Sam Again", roles=["provider_user"])
    assert taken.value.code == "username_taken"
    assert len(sent_mail()) == 1


def test_cognito_user_is_removed_when_the_account_cannot_be_stored(aws, monkeypatch):
    users = wiring.users()

    def refuse(_user):
        raise Conflict("taken", code="username_taken")

    monkeypatch.setattr(users, "create", refuse)
    with pytest.raises(Conflict):
        wiring.account_service().create_account(email="kim@example.org", full_name="Kim", roles=["provider_user"])
    import boto3

    listed = boto3.client("cognito-idp", region_name="eu-west-2").list_users(UserPoolId=aws["USER_POOL_ID"])["Users"]
    assert listed == []


def test_weak_new_password_is_refused_before_cognito(aws, sent_mail):
    wiring.account_service().create_account(email="lee@example.org", full_name="Lee", roles=["provider_user"])
    challenge = wiring.auth_service().login("lee@example.org", _temporary_password(sent_mail()[0]))
    with pytest.raises(BadRequest) as weak:
        wiring.auth_service().new_password("lee@example.org", challenge.session, "lee@example.org1")
    assert weak.value.code == "weak_password"


def test_deactivated_account_is_refused_at_once_with_an_unexpired_token(aws, sent_mail):
    user = wiring.account_service().create_account(email="ash@example.org", full_name="Ash", roles=["provider_user"])
    tokens = _first_login("ash@example.org", _temporary_password(sent_mail()[0]))
    auth = wiring.auth_service()
    assert auth.authenticate(f"Bearer {tokens.id_token}").user_id == user.user_id

    from care_tracker.adapters.user_store import UserItem

    UserItem.get(user.user_id).update(actions=[UserItem.active.set(False)])
    wiring.identity().disable_user("ash@example.org")
    with pytest.raises(Forbidden) as refused:
        auth.authenticate(f"Bearer {tokens.id_token}")
    assert refused.value.code == "account_deactivated"
    with pytest.raises(Forbidden) as told:  # told the account is deactivated, not that the password is wrong
        auth.login("ash@example.org", "violet orbit canal mitten")
    assert told.value.code == "account_deactivated"


def test_token_of_another_pool_client_is_refused(aws, sent_mail):
    import boto3

    idp = boto3.client("cognito-idp", region_name="eu-west-2")
    other = idp.create_user_pool_client(UserPoolId=aws["USER_POOL_ID"], ClientName="other",
                                        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    wiring.account_service().create_account(email="max@example.org", full_name="Max", roles=["provider_user"])
    _first_login("max@example.org", _temporary_password(sent_mail()[0]))
    result = idp.initiate_auth(ClientId=other, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "max@example.org", "PASSWORD": "violet orbit canal mitten"})
    with pytest.raises(Unauthorized) as refused:
        wiring.auth_service().authenticate(f"Bearer {result['AuthenticationResult']['IdToken']}")
    assert refused.value.code == "invalid_token"

"""What a new user, a fuzzer and a client generator found (issue 9), through the Chalice app:
every answer is JSON in API.md's error shape, bad input is a 4xx, and a 500 quotes a request id."""
from __future__ import annotations

import json

import pytest


@pytest.fixture
def client(aws):
    from chalice.test import Client

    from app import app

    with Client(app) as test_client:
        yield test_client


def _call(client, method, path, body: bytes | None = b"", headers=None):
    response = client.http.request(method, path, headers={"Content-Type": "application/json", **(headers or {})},
                                   body=body or b"")
    return response.status_code, json.loads(response.body or b"null")


def _in_shape(error) -> bool:
    return set(error) == {"code", "message", "details"} and bool(error["message"])


def test_a_deeply_nested_body_is_a_400_not_a_recursion_error(client):
    for body in (b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000):
        status, error = _call(client, "POST", "/registrations", body)
        assert status == 400 and _in_shape(error), (status, error)
        assert error["code"] == "invalid_json"


def test_a_body_that_is_not_json_by_its_content_type_is_a_415_in_the_error_shape(client):
    status, error = _call(client, "POST", "/registrations", b"full_name=x", {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 415 and _in_shape(error), error
    assert error["code"] == "unsupported_media_type" and "application/json" in error["message"]


def test_the_unknown_route_message_names_the_path_asked_for(aws):
    """As API Gateway calls the function deployed: the greedy route matched, `path` without the stage."""
    from chalice.local import LambdaContext

    from app import app

    event = {"resource": "/{proxy+}", "path": "/no/such/place", "httpMethod": "GET", "headers": {},
             "multiValueHeaders": {}, "queryStringParameters": None, "multiValueQueryStringParameters": None,
             "pathParameters": {"proxy": "no/such/place"}, "stageVariables": None, "body": None, "isBase64Encoded": False,
             "requestContext": {"resourcePath": "/{proxy+}", "httpMethod": "GET", "path": "/api/no/such/place",
                                "requestId": "c0ffee00-0000-4000-8000-000000000001", "stage": "api"}}
    response = app(event, LambdaContext("care-tracker", 1024, 30_000))
    error = json.loads(response["body"])
    assert response["statusCode"] == 404 and _in_shape(error)
    assert "GET /no/such/place" in error["message"] and "{" not in error["message"], error


def test_a_500_quotes_a_request_id_even_without_api_gateway(client, monkeypatch):
    import care_tracker.rules.reporting_window as reporting_window

    def broken(period):
        raise RuntimeError("a bug")

    monkeypatch.setattr(reporting_window, "window_for_period", broken)
    status, error = _call(client, "GET", "/windows/2026-12")
    assert status == 500 and _in_shape(error) and error["code"] == "internal_error"
    request_id = error["details"]["request_id"]
    assert len(request_id) >= 16 and f"quoting {request_id}." in error["message"]


def test_first_login_refuses_a_password_made_of_the_accounts_name_and_job_title(aws, sent_mail):
    import re

    from care_tracker import wiring
    from care_tracker.errors import BadRequest

    email = "rosalind.featherstone@example.org"
    wiring.account_service().create_account(email=email, full_name="Rosalind Featherstone", roles=["provider_user"],
                                            job_title="Deputy Manager")
    temporary = re.search(r"Temporary password: (\S+)", sent_mail()[-1].body).group(1)
    auth = wiring.auth_service()
    challenge = auth.login(email, temporary)
    with pytest.raises(BadRequest) as refused:
        auth.new_password(email, challenge.session, "Rosalind Featherstone Deputy Manager")
    assert refused.value.code == "weak_password" and "your own name" in refused.value.message
    assert auth.new_password(email, challenge.session, "copper meadow lantern ripple").id_token

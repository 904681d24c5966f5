"""The served /openapi.json validates (openapi-spec-validator, OpenAPI 3.1: what pydantic 2's JSON
Schema 2020-12 is), and its links lead from what creates or lists things to what takes their ids."""
from __future__ import annotations

import json
import re

import pytest


@pytest.fixture(scope="module")
def document():
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        response = client.http.get("/openapi.json")
    assert response.status_code == 200
    return json.loads(response.body)


def test_the_served_document_is_valid_openapi_3_1(document):
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    assert document["openapi"].startswith("3.1")
    validate(document)
    with pytest.raises(OpenAPIValidationError):  # as it was: 3.0.3 over JSON Schema 2020-12 is invalid
        validate({**document, "openapi": "3.0.3"})


def test_every_operation_has_a_unique_operation_id(document):
    ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in ids)


def test_links_lead_to_operations_and_fill_their_path_parameters(document):
    operations = {op["operationId"]: (path, op) for path, ops in document["paths"].items() for op in ops.values()}
    seen = set()
    for ops in document["paths"].values():
        for op in ops.values():
            for response in op["responses"].values():
                for name, link in (response.get("links") or {}).items():
                    target_path, _ = operations[link["operationId"]]
                    for parameter, expression in link["parameters"].items():
                        assert "{" + parameter + "}" in target_path, (name, parameter, target_path)
                        assert expression.startswith(("$response.body#/", "$request.path.")), expression
                    seen.add((op["operationId"], link["operationId"]))
    for needed in [("create_registration", "approve_registration"), ("list_registrations", "reject_registration"),
                   ("list_cases", "take_step"), ("list_users", "deactivate"), ("list_users", "promote"),
                   ("me", "month_returns"), ("me", "location_compliance"), ("me", "save_return")]:
        assert needed in seen, needed

"""Bad input is a clear 4xx on every route, never a 500: each write route of /openapi.json gets
malformed JSON, the wrong shape and unknown fields, as the support team (who pass most role checks,
so the input itself is what gets judged)."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e

ADMIN = "support@demo.care-tracker.example.org"
BODIES = [b"{not json", b"[]", b'{"surely_not_a_field": 1}', b'{"period": 12, "email": ["x"], "version": "one"}', b"null"]


def _routes(api, methods):
    paths = api.call("GET", "/openapi.json").json()["paths"]
    return [(method.upper(), path) for path, ops in paths.items() for method in ops
            if method in methods and not path.startswith("/_local")]


def _concrete(path: str) -> str:
    return re.sub(r"{\w+}", "1-999999999", path)


def test_every_write_route_answers_bad_bodies_with_a_4xx(api):
    token = api.token(ADMIN)
    seen = 0
    for method, path in _routes(api, {"post", "put", "patch"}):
        for body in BODIES:
            response = api.call(method, _concrete(path), token=token, data=body, headers={"Content-Type": "application/json"})
            assert 400 <= response.status_code < 500, (method, path, body, response.status_code, response.text[:300])
            error = response.json()
            assert set(error) == {"code", "message", "details"} and error["message"], (method, path, error)
            seen += 1
    assert seen >= 5 * 10  # the sweep really covered the API


def test_every_read_route_answers_bad_parameters_with_a_4xx_or_an_answer(api):
    token = api.token(ADMIN)
    for method, path in _routes(api, {"get"}):
        response = api.call(method, _concrete(path) + "?period=13-2024&organisation_id=%00&format=xlsx&status=whatever",
                            token=token)
        assert response.status_code < 500, (path, response.status_code, response.text[:300])

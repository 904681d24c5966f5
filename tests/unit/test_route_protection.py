"""Every route of the deployed app (not the local stack's) is declared through functions.http.route,
and every one that is not on the public list refuses a request without a token — checked by
calling each route, not by reading code."""
from __future__ import annotations

import json
import re

import pytest
from chalice.test import Client

from app import app
from functions.capabilities import routes
from functions.fallback import ALL_METHODS

# API.md's public routes, and nothing else: adding one here is a decision, not an accident.
PUBLIC = {
    ("GET", "/health"), ("GET", "/openapi.json"), ("GET", "/windows/{period}"), ("GET", "/windows/current"),
    ("GET", "/locations/search"), ("POST", "/registrations"),
    ("POST", "/auth/login"), ("POST", "/auth/new-password"), ("POST", "/auth/forgot-password"), ("POST", "/auth/reset-password"),
    # Employers sign up without approval (RULES 2.1, issue 11): the account is proved by the temporary
    # password mailed to the address, like every other account's; a taken email creates nothing.
    ("POST", "/employers"),
    ("POST", "/auth/mfa/setup"), ("POST", "/auth/mfa/confirm"), ("POST", "/auth/mfa"),  # answers to sign-in challenges
    ("GET", "/no-change/{token}"), ("POST", "/no-change/{token}"),  # the reminder's signed link is the authority
}


def _declared():
    return {(spec.method, spec.path): spec for spec in routes() if not spec.path.startswith("/_local/")}


def _concrete(path: str) -> str:
    return re.sub(r"{(\w+)\+?}", "x-1", path)


def test_the_deployed_app_has_no_local_routes():
    assert not [p for p in app.routes if p.startswith("/_local")]


def test_public_routes_are_exactly_the_public_list():
    public = {key for key, spec in _declared().items() if spec.public}
    assert public <= PUBLIC, f"routes made public without being on the list: {public - PUBLIC}"


def test_every_registered_view_is_declared_or_a_fallback():
    declared = _declared()
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            name = entry.view_name
            if (method, path) in declared:
                assert getattr(entry.view_function, "route_spec", None) is declared[(method, path)]
            else:
                assert name.startswith(("not_allowed_", "unknown_route")), f"{method} {path} ({name}) bypasses route()"


@pytest.mark.parametrize("key", sorted(k for k, spec in _declared().items() if not spec.public), ids=lambda k: f"{k[0]} {k[1]}")
@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer abc.def.ghi", "Token x"])
def test_protected_routes_refuse_requests_without_a_valid_token(key, authorization):
    method, path = key
    headers = {"Content-Type": "application/json"}
    if authorization:
        headers["Authorization"] = authorization
    with Client(app) as client:
        response = client.http.request(method, _concrete(path), headers=headers, body=b"{}")
    assert response.status_code == 401, (key, response.body)
    assert json.loads(response.body)["code"] in {"unauthorized", "invalid_token"}


def test_wrong_methods_and_unknown_paths_answer_in_the_error_shape():
    declared = _declared()
    with Client(app) as client:
        for path in {p for _, p in declared}:
            for method in ALL_METHODS:
                if (method, path) in declared:
                    continue
                response = client.http.request(method, _concrete(path), headers={"Content-Type": "application/json"}, body=b"{}")
                assert response.status_code == 405, (method, path)
                assert json.loads(response.body)["code"] == "method_not_allowed"


def test_a_bug_is_a_500_in_the_error_shape(monkeypatch):
    import care_tracker.wiring as wiring

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(wiring, "auth_service", broken)
    with Client(app) as client:
        response = client.http.post("/auth/login", headers={"Content-Type": "application/json"},
                                    body=json.dumps({"email": "a@example.org", "password": "x"}).encode())
    assert response.status_code == 500
    body = json.loads(response.body)
    assert body["code"] == "internal_error" and "support team" in body["message"]

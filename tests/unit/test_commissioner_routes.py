"""Commissioners are read-only by construction (functions.http.route): over every declared route, a
commissioner's request is refused with a 403 before its input is read, unless the route admits
commissioners, and the routes that do are exactly the list below, every one a GET."""
from __future__ import annotations

import json
import re

import pytest
from chalice.test import Client

from app import app
from care_tracker.services.auth import Caller
from functions import http
from functions.capabilities import routes
from functions.http import route

# What a commissioner may call: a deliberate list, like test_route_protection's PUBLIC.
ADMITTED = {
    ("GET", "/me"), ("GET", "/announcements"),
    ("GET", "/commissioner/vacancies"), ("GET", "/commissioner/locations"), ("GET", "/commissioner/locations/{location_id}"),
    ("GET", "/commissioner/completeness"),
}
COMMISSIONER = Caller(user_id="c-1", email="pat.lee@leeds.gov.uk", full_name="Pat Lee", roles=frozenset({"commissioner"}),
                      local_authorities=("Leeds",))


def _declared():
    return {(spec.method, spec.path): spec for spec in routes() if not spec.path.startswith("/_local/") and not spec.public}


def test_the_routes_admitting_commissioners_are_exactly_the_list_and_all_reads():
    admitted = {key for key, spec in _declared().items() if spec.commissioners}
    assert admitted == ADMITTED
    assert all(method == "GET" for method, _ in admitted)


@pytest.mark.parametrize("key", sorted(k for k in _declared() if k not in ADMITTED), ids=lambda k: f"{k[0]} {k[1]}")
def test_every_other_route_refuses_a_commissioner_with_403(key, monkeypatch):
    monkeypatch.setattr(http, "authenticate", lambda request: COMMISSIONER)
    method, path = key
    with Client(app) as client:
        response = client.http.request(method, re.sub(r"{(\w+)\+?}", "1-1", path),
                                       headers={"Content-Type": "application/json", "Authorization": "Bearer x"},
                                       body=b'{"surely": "not read"}')
    assert response.status_code == 403, (key, response.body)
    assert json.loads(response.body)["code"] == ("wrong_role" if method == "GET" else "read_only")


def test_a_write_route_cannot_name_commissioners_without_opting_in():
    from chalice import Blueprint

    with pytest.raises(ValueError, match="commissioners=True"):
        route(Blueprint("x"), "/x", "POST", summary="x", roles=("commissioner",))(lambda caller: None)

"""Who am I (GET /me): the first call of every client after signing in, and so the request a cold
start most often answers. It is kept free of pydantic (issue 9): the answer is a plain dict in the
shape of functions.auth.Me, which the OpenAPI document reads lazily and a unit test holds it to."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from functions.http import route

bp = Blueprint(__name__)


def _me_model():
    from functions.auth import Me

    return Me


@route(bp, "/me", summary="Who I am: roles, organisation and locations", response=_me_model, tag="auth", commissioners=True)
def me(caller):
    return me_view(caller)


def me_view(caller) -> dict[str, Any]:
    from care_tracker.services.names import of_account
    from care_tracker.wiring import location_directory

    return {"user_id": caller.user_id, "email": caller.email, "full_name": caller.full_name,
            "roles": sorted(caller.roles | caller.awaiting_mfa), "organisation_id": caller.org_id,
            "location_ids": list(caller.location_ids), "local_authorities": list(caller.local_authorities),
            "mfa_enrolled": caller.mfa_enrolled, "roles_awaiting_mfa": sorted(caller.awaiting_mfa),
            **of_account(location_directory(), caller.org_id, caller.location_ids)}  # names beside ids (issue 9)
